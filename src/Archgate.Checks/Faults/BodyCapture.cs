using System.Globalization;
using System.Text;

namespace Archgate.Checks.Faults;

/// <summary>
/// Passes a request body on to the dependency unchanged and keeps its first bytes for the record (vendor contracts
/// read them); a chunked body is de-chunked when it is read back. Only what the proxy copies goes through it.
/// </summary>
internal sealed class BodyCapture(Stream inner, bool chunked) : Stream
{
    // Chunked framing costs a few bytes per chunk: keep some room above the body's own cap.
    private const int RawCap = RequestBody.MaxCaptured + (16 * 1024);
    private readonly MemoryStream _kept = new();
    private long _total;

    /// <summary>The body as captured, or null when there was none.</summary>
    public RequestBody? Captured()
    {
        if (_total == 0)
        {
            return null;
        }

        var raw = _kept.ToArray();
        var cut = _total > raw.Length;
        if (!chunked)
        {
            return new RequestBody(raw.Length > RequestBody.MaxCaptured ? raw[..RequestBody.MaxCaptured] : raw, cut || raw.Length > RequestBody.MaxCaptured);
        }

        var (body, complete) = Dechunk(raw);
        return new RequestBody(body.Length > RequestBody.MaxCaptured ? body[..RequestBody.MaxCaptured] : body, !complete || body.Length > RequestBody.MaxCaptured);
    }

    /// <summary>The data of a chunked body, and whether its last chunk was reached.</summary>
    internal static (byte[] Body, bool Complete) Dechunk(ReadOnlySpan<byte> raw)
    {
        var body = new MemoryStream();
        var at = 0;
        while (at < raw.Length)
        {
            var eol = raw[at..].IndexOf("\r\n"u8);
            if (eol < 0)
            {
                break;
            }

            var line = Encoding.ASCII.GetString(raw.Slice(at, eol));
            var semicolon = line.IndexOf(';', StringComparison.Ordinal);
            if (!int.TryParse(semicolon >= 0 ? line[..semicolon] : line, NumberStyles.AllowHexSpecifier | NumberStyles.AllowTrailingWhite | NumberStyles.AllowLeadingWhite, CultureInfo.InvariantCulture, out var size) || size < 0)
            {
                break;
            }

            at += eol + 2;
            if (size == 0)
            {
                return (body.ToArray(), true);
            }

            var take = Math.Min(size, raw.Length - at);
            body.Write(raw.Slice(at, take));
            if (take < size)
            {
                break;
            }

            at += size + 2;
        }

        return (body.ToArray(), false);
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => _total;

    public override long Position { get => _total; set => throw new NotSupportedException(); }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Keep(buffer.Span);
        await inner.WriteAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count)
    {
        Keep(buffer.AsSpan(offset, count));
        inner.Write(buffer, offset, count);
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override void Flush() => inner.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _kept.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Keep(ReadOnlySpan<byte> data)
    {
        _total += data.Length;
        var room = RawCap - (int)_kept.Length;
        if (room > 0)
        {
            _kept.Write(data[..Math.Min(room, data.Length)]);
        }
    }
}

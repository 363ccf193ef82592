using System.Globalization;
using System.Text;

namespace Archgate.Checks.Faults;

/// <summary>The start line and headers of an HTTP/1.1 message, with the raw bytes to forward unchanged.</summary>
internal sealed record HttpHead(byte[] Raw, string StartLine, IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    public string? Header(string name) => Headers.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

    public bool IsChunked => Header("Transfer-Encoding")?.Contains("chunked", StringComparison.OrdinalIgnoreCase) == true;

    public long? ContentLength => long.TryParse(Header("Content-Length"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;

    public bool WantsClose => Header("Connection")?.Contains("close", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>The status of a response head; 0 when the start line is not one.</summary>
    public int Status => StartLine.Split(' ', 3) is [_, var code, ..] && int.TryParse(code, NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : 0;
}

/// <summary>
/// Reads HTTP/1.1 messages from a stream and copies their bodies to another, framing by Content-Length, chunked
/// encoding or the end of the stream; bytes are forwarded exactly as read.
/// </summary>
internal sealed class HttpStream(Stream stream)
{
    /// <summary>The longest head accepted. <value>64 KiB</value>.</summary>
    public const int MaxHead = 64 * 1024;

    private readonly byte[] _buffer = new byte[16 * 1024];
    private readonly byte[] _seam = new byte[6];
    private int _start;
    private int _end;

    /// <summary>The next head, or null at the end of the stream before one starts.</summary>
    /// <exception cref="InvalidDataException">The head is malformed or too long.</exception>
    public async Task<HttpHead?> ReadHeadAsync(CancellationToken ct)
    {
        byte[]? head = null;
        var length = 0;
        while (true)
        {
            if (_start == _end && !await FillAsync(ct))
            {
                return length == 0 ? null : throw new InvalidDataException("the stream ended inside an HTTP head");
            }

            // The end of the head may straddle two reads: look from up to 3 bytes before what was added.
            var available = _buffer.AsSpan(_start, _end - _start);
            var previous = length;
            var carry = Math.Min(previous, 3);
            int end;
            if (carry == 0)
            {
                end = available.IndexOf("\r\n\r\n"u8);
                end = end < 0 ? -1 : end + 4;
            }
            else
            {
                var seam = _seam.AsSpan();
                head.AsSpan(previous - carry, carry).CopyTo(seam);
                var take = Math.Min(3, available.Length);
                available[..take].CopyTo(seam[carry..]);
                var inSeam = seam[..(carry + take)].IndexOf("\r\n\r\n"u8);
                if (inSeam >= 0)
                {
                    end = inSeam + 4 - carry;
                }
                else
                {
                    end = available.IndexOf("\r\n\r\n"u8);
                    end = end < 0 ? -1 : end + 4;
                }
            }

            var take2 = end < 0 ? available.Length : end;
            if (previous + take2 > MaxHead)
            {
                throw new InvalidDataException("HTTP head longer than 64 KiB");
            }

            if (head is null || head.Length < previous + take2)
            {
                Array.Resize(ref head, Math.Max(previous + take2, end < 0 ? 1024 : 0));
            }

            available[..take2].CopyTo(head.AsSpan(previous));
            length = previous + take2;
            _start += take2;
            if (end >= 0)
            {
                return Parse(length == head.Length ? head : head[..length]);
            }
        }
    }

    /// <summary>Copies exactly <paramref name="length"/> bytes; returns how many were copied (fewer if the stream ended).</summary>
    public async Task<long> CopyAsync(Stream destination, long length, Pacer? pace, CancellationToken ct)
    {
        var left = length;
        while (left > 0)
        {
            if (_start == _end && !await FillAsync(ct))
            {
                break;
            }

            var n = (int)Math.Min(Math.Min(left, _end - _start), pace?.SliceBytes ?? int.MaxValue);
            await WriteAsync(destination, n, pace, ct);
            left -= n;
        }

        return length - left;
    }

    /// <summary>Copies until the stream ends; returns the bytes copied.</summary>
    public async Task<long> CopyToEndAsync(Stream destination, Pacer? pace, CancellationToken ct)
    {
        long total = 0;
        while (_start < _end || await FillAsync(ct))
        {
            var n = Math.Min(_end - _start, pace?.SliceBytes ?? int.MaxValue);
            await WriteAsync(destination, n, pace, ct);
            total += n;
        }

        return total;
    }

    /// <summary>Copies a chunked body (chunks, last chunk, trailers); returns the bytes copied.</summary>
    /// <exception cref="InvalidDataException">The chunked encoding is malformed.</exception>
    public async Task<long> CopyChunkedAsync(Stream destination, Pacer? pace, CancellationToken ct)
    {
        long total = 0;
        while (true)
        {
            var line = await ReadLineAsync(ct);
            await destination.WriteAsync(line, ct);
            total += line.Length;
            var text = Encoding.ASCII.GetString(line).Trim();
            var semicolon = text.IndexOf(';', StringComparison.Ordinal);
            if (!long.TryParse(semicolon >= 0 ? text[..semicolon] : text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var size) || size < 0)
            {
                throw new InvalidDataException("malformed chunk size");
            }

            if (size == 0)
            {
                // Trailers, up to an empty line.
                while (true)
                {
                    var trailer = await ReadLineAsync(ct);
                    await destination.WriteAsync(trailer, ct);
                    total += trailer.Length;
                    if (trailer.Length <= 2)
                    {
                        return total;
                    }
                }
            }

            var copied = await CopyAsync(destination, size + 2, pace, ct);
            total += copied;
            if (copied < size + 2)
            {
                throw new InvalidDataException("the stream ended inside a chunk");
            }
        }
    }

    /// <summary>Reads and drops what is available or arrives until cancelled or the stream ends.</summary>
    public async Task DrainAsync(CancellationToken ct)
    {
        _start = _end = 0;
        while (await FillAsync(ct))
        {
            _start = _end = 0;
        }
    }

    private async Task WriteAsync(Stream destination, int n, Pacer? pace, CancellationToken ct)
    {
        await destination.WriteAsync(_buffer.AsMemory(_start, n), ct);
        _start += n;
        if (pace is not null)
        {
            await pace.PaceAsync(n, ct);
        }
    }

    private async Task<byte[]> ReadLineAsync(CancellationToken ct)
    {
        var line = new MemoryStream();
        while (true)
        {
            if (_start == _end && !await FillAsync(ct))
            {
                throw new InvalidDataException("the stream ended inside a chunked body");
            }

            var b = _buffer[_start++];
            line.WriteByte(b);
            if (b == '\n')
            {
                return line.ToArray();
            }

            if (line.Length > 8 * 1024)
            {
                throw new InvalidDataException("chunk line too long");
            }
        }
    }

    private async Task<bool> FillAsync(CancellationToken ct)
    {
        _start = 0;
        _end = await stream.ReadAsync(_buffer, ct);
        return _end > 0;
    }

    private static HttpHead Parse(byte[] raw)
    {
        var text = Encoding.Latin1.GetString(raw);
        var lines = text.Split("\r\n");
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var line in lines.Skip(1).Where(l => l.Length > 0))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw new InvalidDataException("malformed HTTP header line");
            }

            headers.Add(new(line[..colon].Trim(), line[(colon + 1)..].Trim()));
        }

        return new HttpHead(raw, lines[0], headers);
    }
}

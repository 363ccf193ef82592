using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Archgate.Checks.Http;

/// <summary>
/// One request and its answer as a probe client saw it: the response headers in full, the body only as far as
/// the caller read it and at most <see cref="ExchangeRecording.MaxBodyBytes"/>. Request header values are not kept,
/// only whether the request carried credentials.
/// </summary>
/// <param name="Method">The request method.</param>
/// <param name="Url">The request URL (may hold secrets in its query: mask before reporting).</param>
/// <param name="Authenticated">Whether the request carried <c>Authorization</c> or <c>Cookie</c>.</param>
/// <param name="Status">The response status.</param>
/// <param name="Headers">Response and content headers, one entry per value.</param>
/// <param name="Body">The body as text (empty for binary media types).</param>
/// <param name="BodyTruncated">Whether the body was longer than what is kept (or not read to its end).</param>
public sealed record ObservedExchange(
    string Method,
    Uri Url,
    bool Authenticated,
    int Status,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    string Body,
    bool BodyTruncated)
{
    /// <summary>
    /// Whether a browser sent the request (a page's own traffic, step 5 and 8's pages), not one of Archgate's own probe
    /// clients. <value>false</value>.
    /// </summary>
    public bool FromBrowser { get; init; }

    /// <summary>Every value of a header (case-insensitive name).</summary>
    public IEnumerable<string> All(string name) =>
        Headers.Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value);

    /// <summary>The first value of a header, or null.</summary>
    public string? Header(string name) => All(name).FirstOrDefault();

    /// <summary>The media type without parameters, lower case, or null.</summary>
    public string? MediaType => Header("Content-Type") is { } ct ? ct.Split(';')[0].Trim().ToLowerInvariant() : null;

    /// <summary>Whether the answer is an HTML document.</summary>
    public bool IsHtml => MediaType is "text/html" or "application/xhtml+xml";
}

/// <summary>Receives every exchange of a recording probe client, once its body was read or the response disposed.</summary>
public interface IExchangeObserver
{
    /// <summary>Called once per exchange; must be thread-safe and quick; exceptions are swallowed.</summary>
    void Observe(ObservedExchange exchange);
}

/// <summary>
/// The handler that lets an observer see the responses a probe client receives. It never reads more of a body than
/// the caller does (a server-sent event stream stays a stream): the body is copied as the caller reads it.
/// </summary>
public static class ExchangeRecording
{
    /// <summary>Most bytes of a body kept for the observer. <value>64 KiB</value>.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>Wraps <paramref name="response"/>'s content so <paramref name="observer"/> sees the exchange.</summary>
    internal static void Attach(HttpRequestMessage request, HttpResponseMessage response, IExchangeObserver observer)
    {
        var method = request.Method.Method;
        var url = request.RequestUri!;
        var authenticated = request.Headers.Authorization is not null || request.Headers.Contains("Cookie");
        var status = (int)response.StatusCode;
        var headers = response.Headers.SelectMany(h => h.Value.Select(v => new KeyValuePair<string, string>(h.Key, v)))
            .Concat(response.Content.Headers.SelectMany(h => h.Value.Select(v => new KeyValuePair<string, string>(h.Key, v))))
            .ToList();
        var textual = IsTextual(response.Content.Headers.ContentType);
        var charset = response.Content.Headers.ContentType?.CharSet;
        response.Content = new TeeContent(response.Content, (bytes, length, complete) =>
        {
            var body = textual ? Decode(bytes, length, charset) : string.Empty;
            observer.Observe(new ObservedExchange(method, url, authenticated, status, headers, body, !complete));
        });
    }

    private static bool IsTextual(MediaTypeHeaderValue? type)
    {
        var media = type?.MediaType?.ToLowerInvariant();
        return media is null
            || media.StartsWith("text/", StringComparison.Ordinal)
            || media.Contains("json", StringComparison.Ordinal)
            || media.Contains("xml", StringComparison.Ordinal)
            || media.Contains("javascript", StringComparison.Ordinal)
            || media is "application/x-www-form-urlencoded";
    }

    private static string Decode(byte[] bytes, int length, string? charset)
    {
        Encoding encoding;
        try
        {
            encoding = charset is null ? Encoding.UTF8 : Encoding.GetEncoding(charset.Trim('"'));
        }
        catch (ArgumentException)
        {
            encoding = Encoding.UTF8;
        }

        return encoding.GetString(bytes, 0, length);
    }

    /// <summary>Content that hands the caller the inner content's bytes and keeps the first ones for the observer.</summary>
    private sealed class TeeContent : HttpContent
    {
        private readonly HttpContent _inner;
        private readonly Action<byte[], int, bool> _done;
        private readonly byte[] _kept = new byte[MaxBodyBytes];
        private int _length;
        private bool _overflow;
        private int _finished;

        public TeeContent(HttpContent inner, Action<byte[], int, bool> done)
        {
            _inner = inner;
            _done = done;
            foreach (var header in inner.Headers)
            {
                Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        public void Keep(ReadOnlySpan<byte> data)
        {
            var room = _kept.Length - _length;
            if (data.Length > room)
            {
                _overflow = true;
            }

            var take = Math.Min(room, data.Length);
            data[..take].CopyTo(_kept.AsSpan(_length));
            _length += take;
        }

        public void Finish(bool complete)
        {
            if (Interlocked.Exchange(ref _finished, 1) == 1)
            {
                return;
            }

            try
            {
                var whole = complete || _inner.Headers.ContentLength == _length;
                _done(_kept, _length, whole && !_overflow);
            }
#pragma warning disable CA1031 // An observer's bug must never break the probe that made the request.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            await using var tee = new TeeStream(await _inner.ReadAsStreamAsync(cancellationToken), this);
            await tee.CopyToAsync(stream, cancellationToken);
        }

        protected override async Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken) =>
            new TeeStream(await _inner.ReadAsStreamAsync(cancellationToken), this);

        protected override Task<Stream> CreateContentReadStreamAsync() => CreateContentReadStreamAsync(CancellationToken.None);

        protected override bool TryComputeLength(out long length)
        {
            length = _inner.Headers.ContentLength ?? 0;
            return _inner.Headers.ContentLength is not null;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                Finish(complete: false);
                _inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    /// <summary>A read-only stream over the inner body that keeps what passes and reports its end.</summary>
    private sealed class TeeStream(Stream inner, TeeContent owner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var read = inner.Read(buffer);
            Seen(buffer[..read]);
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            Seen(buffer.Span[..read]);
            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                owner.Finish(complete: false);
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            owner.Finish(complete: false);
            await inner.DisposeAsync();
            await base.DisposeAsync();
        }

        private void Seen(ReadOnlySpan<byte> data)
        {
            if (data.Length == 0)
            {
                owner.Finish(complete: true);
            }
            else
            {
                owner.Keep(data);
            }
        }
    }
}

/// <summary>Passes requests on and attaches the observer to every response.</summary>
internal sealed class RecordingHandler(IExchangeObserver observer) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        ExchangeRecording.Attach(request, response, observer);
        return response;
    }
}

using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Archgate.Checks.Http;
using Archgate.Model;

namespace Archgate.Checks.Frontend;

/// <summary>One event of a real-time endpoint: a Server-Sent Event as a browser's EventSource dispatches it, or a WebSocket message.</summary>
internal sealed record ServerSentEvent(string Type, string Data, string? Id);

/// <summary>An open stream of events (SSE or WebSocket), read in the background into a queue.</summary>
internal interface IEventStream : IDisposable
{
    /// <summary>Why the stream did not open, or null.</summary>
    string? Problem { get; }

    /// <summary>Whether that failure may pass by itself.</summary>
    bool Transient { get; }

    /// <summary>The request and answer, for evidence.</summary>
    string? Evidence { get; }

    /// <summary>Events <see cref="NextAsync"/> passed over (of another type), for evidence.</summary>
    IReadOnlyList<ServerSentEvent> Skipped { get; }

    /// <summary>Discards what arrives within <paramref name="wait"/> (or until the first event), so the next event is a new one.</summary>
    Task DrainAsync(TimeSpan wait, CancellationToken cancellationToken);

    /// <summary>The next event of <paramref name="type"/> (any type when null) within <paramref name="wait"/>, or null.</summary>
    Task<ServerSentEvent?> NextAsync(string? type, TimeSpan wait, CancellationToken cancellationToken);
}

/// <summary>The events a stream's reader received, waiting to be taken.</summary>
internal sealed class EventQueue
{
    private readonly Channel<ServerSentEvent> _events = Channel.CreateUnbounded<ServerSentEvent>();
    private readonly List<ServerSentEvent> _skipped = [];

    public IReadOnlyList<ServerSentEvent> Skipped => _skipped;

    public void Add(ServerSentEvent e) => _events.Writer.TryWrite(e);

    public void Complete() => _events.Writer.TryComplete();

    public async Task DrainAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(wait);
        try
        {
            await _events.Reader.ReadAsync(limit.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }
        catch (ChannelClosedException)
        {
        }

        while (_events.Reader.TryRead(out _))
        {
        }
    }

    public async Task<ServerSentEvent?> NextAsync(string? type, TimeSpan wait, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(wait > TimeSpan.Zero ? wait : TimeSpan.FromMilliseconds(1));
        try
        {
            while (true)
            {
                var next = await _events.Reader.ReadAsync(limit.Token);
                if (type is null || next.Type == type)
                {
                    return next;
                }

                _skipped.Add(next);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }
}

/// <summary>An open event stream read in the background into a queue of events.</summary>
internal sealed class SseStream : IEventStream
{
    private readonly CancellationTokenSource _stop = new();
    private readonly EventQueue _queue = new();
    private HttpResponseMessage? _response;

    private SseStream()
    {
    }

    public string? Problem { get; private set; }

    public bool Transient { get; private set; }

    public string? Evidence { get; private set; }

    public IReadOnlyList<ServerSentEvent> Skipped => _queue.Skipped;

    public static async Task<SseStream> OpenAsync(HttpClient http, Uri url, IEnumerable<KeyValuePair<string, string>> headers, CancellationToken cancellationToken)
    {
        var stream = new SseStream();
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var connect = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        connect.CancelAfter(ApiCall.DefaultTimeout);
        try
        {
            stream._response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, connect.Token);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            var failure = ProbeHttp.Classify(ex);
            (stream.Problem, stream.Transient, stream.Evidence) = (failure.Cause, failure.Transient, $"GET {url} -> {failure.Cause}");
            return stream;
        }

        var type = stream._response.Content.Headers.ContentType?.MediaType;
        if (!stream._response.IsSuccessStatusCode || type != "text/event-stream")
        {
            var body = await stream._response.Content.ReadAsStringAsync(connect.Token);
            stream.Problem = $"it answered {(int)stream._response.StatusCode} {type ?? "without a content type"}";
            stream.Transient = (int)stream._response.StatusCode >= 500;
            stream.Evidence = $"GET {url} -> {(int)stream._response.StatusCode} {ProbeHttp.Excerpt(body)}";
            return stream;
        }

        stream.Evidence = $"GET {url} -> {(int)stream._response.StatusCode} text/event-stream";
        _ = stream.ReadAsync(await stream._response.Content.ReadAsStreamAsync(cancellationToken));
        return stream;
    }

    public Task DrainAsync(TimeSpan wait, CancellationToken cancellationToken) => _queue.DrainAsync(wait, cancellationToken);

    public Task<ServerSentEvent?> NextAsync(string? type, TimeSpan wait, CancellationToken cancellationToken) => _queue.NextAsync(type, wait, cancellationToken);

    /// <summary>Parses the stream (event, data, id fields; a blank line dispatches) until it ends or is disposed.</summary>
    private async Task ReadAsync(Stream body)
    {
        try
        {
            using var reader = new StreamReader(body);
            string type = "message", id = string.Empty;
            var data = new List<string>();
            string? lastId = null;
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                if (line.Length == 0)
                {
                    if (data.Count > 0)
                    {
                        lastId = id.Length > 0 ? id : lastId;
                        _queue.Add(new ServerSentEvent(type, string.Join('\n', data), lastId));
                    }

                    (type, data) = ("message", []);
                    continue;
                }

                var colon = line.IndexOf(':', StringComparison.Ordinal);
                var field = colon < 0 ? line : line[..colon];
                var value = colon < 0 ? string.Empty : line[(colon + 1)..].TrimStart(' ');
                switch (field)
                {
                    case "event":
                        type = value;
                        break;
                    case "data":
                        data.Add(value);
                        break;
                    case "id":
                        id = value;
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or HttpRequestException)
        {
        }
        finally
        {
            _queue.Complete();
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _response?.Dispose();
        _stop.Dispose();
    }
}

/// <summary>
/// An open WebSocket read in the background: each text message is one event, its type the JSON object's <c>type</c>
/// (else <c>event</c>, else <c>message</c>), its id the object's <c>id</c>. The host must be in <c>targets.allow</c>.
/// </summary>
internal sealed class SocketStream : IEventStream
{
    /// <summary>The largest message kept; longer ones are cut (events are small).</summary>
    private const int MaxMessage = 64 * 1024;

    private readonly CancellationTokenSource _stop = new();
    private readonly EventQueue _queue = new();
    private readonly ClientWebSocket _socket = new();

    private SocketStream()
    {
    }

    public string? Problem { get; private set; }

    public bool Transient { get; private set; }

    public string? Evidence { get; private set; }

    public IReadOnlyList<ServerSentEvent> Skipped => _queue.Skipped;

    public static async Task<SocketStream> OpenAsync(IReadOnlyList<string> allowedHosts, Uri url, IEnumerable<KeyValuePair<string, string>> headers, CancellationToken cancellationToken)
    {
        var stream = new SocketStream();
        if (!HostAllowList.Of(allowedHosts).Allows(url.Host))
        {
            (stream.Problem, stream.Evidence) = ("host not allowed", $"GET {url} -> {url.Host} is not in targets.allow; nothing was sent");
            return stream;
        }

        stream._socket.Options.CollectHttpResponseDetails = true;
        stream._socket.Options.Proxy = null;
        foreach (var (name, value) in headers)
        {
            stream._socket.Options.SetRequestHeader(name, value);
        }

        using var connect = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        connect.CancelAfter(ApiCall.DefaultTimeout);
        try
        {
            await stream._socket.ConnectAsync(url, connect.Token);
        }
        catch (Exception ex) when (ex is WebSocketException or HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            var status = stream._socket.HttpStatusCode;
            if (status is not 0 and not HttpStatusCode.SwitchingProtocols)
            {
                stream.Problem = $"it answered {(int)status} instead of 101 Switching Protocols";
                stream.Transient = (int)status >= 500;
                stream.Evidence = $"GET {url} (Upgrade: websocket) -> {(int)status}";
            }
            else
            {
                var failure = ex is WebSocketException { InnerException: { } inner } ? ProbeHttp.Classify(inner) : ProbeHttp.Classify(ex);
                (stream.Problem, stream.Transient) = (failure.Cause, failure.Transient);
                stream.Evidence = $"GET {url} (Upgrade: websocket) -> {failure.Cause}";
            }

            return stream;
        }

        stream.Evidence = $"GET {url} (Upgrade: websocket) -> 101";
        _ = stream.ReadAsync();
        return stream;
    }

    public Task DrainAsync(TimeSpan wait, CancellationToken cancellationToken) => _queue.DrainAsync(wait, cancellationToken);

    public Task<ServerSentEvent?> NextAsync(string? type, TimeSpan wait, CancellationToken cancellationToken) => _queue.NextAsync(type, wait, cancellationToken);

    /// <summary>The event a text message carries.</summary>
    internal static ServerSentEvent Parse(string text)
    {
        try
        {
            using var json = JsonDocument.Parse(text);
            if (json.RootElement.ValueKind == JsonValueKind.Object)
            {
                var root = json.RootElement;
                var type = Text(root, "type") ?? Text(root, "event") ?? "message";
                return new ServerSentEvent(type, text, Text(root, "id"));
            }
        }
        catch (JsonException)
        {
        }

        return new ServerSentEvent("message", text, null);
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        } : null;

    private async Task ReadAsync()
    {
        var buffer = new byte[8192];
        var message = new MemoryStream();
        try
        {
            while (_socket.State == WebSocketState.Open)
            {
                var received = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                if (message.Length < MaxMessage)
                {
                    message.Write(buffer, 0, Math.Min(received.Count, MaxMessage - (int)message.Length));
                }

                if (received.EndOfMessage)
                {
                    if (received.MessageType == WebSocketMessageType.Text)
                    {
                        _queue.Add(Parse(Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length)));
                    }

                    message.SetLength(0);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
        }
        finally
        {
            _queue.Complete();
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        if (_socket.State == WebSocketState.Open)
        {
            // Say goodbye without waiting long: the server's handler ends and unsubscribes.
            try
            {
                _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None).Wait(TimeSpan.FromSeconds(1));
            }
            catch (AggregateException)
            {
            }
        }

        _socket.Dispose();
        _stop.Dispose();
    }
}

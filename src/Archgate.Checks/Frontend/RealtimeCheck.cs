using System.Diagnostics;
using System.Threading.Channels;
using Archgate.Checks.Http;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Frontend;

/// <summary>One Server-Sent Event as a browser's EventSource dispatches it.</summary>
internal sealed record ServerSentEvent(string Type, string Data, string? Id);

/// <summary>
/// Step 5, a real-time endpoint (<c>realtime</c>, Server-Sent Events): the stream opens with the signed-in user's token,
/// a write (the endpoint's <c>trigger</c>) causes an event within the bound (default 2 s), and a reconnection with
/// <c>Last-Event-ID</c> is accepted and delivers the next event.
/// </summary>
internal sealed class RealtimeCheck(Component service, RealtimeEndpoint endpoint) : ICheck
{
    /// <summary>How long to wait for the stream's first event (a "ready" event) before causing one.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(1);

    public string Id => $"frontend.realtime:{service.Name}{endpoint.Path}";

    public int Step => 5;

    public string Title => $"{service.Name} {endpoint.Path}: an event within {endpoint.Within.TotalSeconds:0.#} s of a write, reconnect with Last-Event-ID";

    public Applicability AppliesTo(SystemModel system) => Applicability.Yes;

    public async Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        var credentials = await ApiSession.SignInAsync(service, context, cancellationToken);
        if (!credentials.Ok)
        {
            return CheckResult.From([Finding(FrontendRules.StreamNotOpened, Severity.High, $"could not sign in: {credentials.Problem}", null, "fix the service's auth")])
                with { TransientCause = credentials.TransientCause };
        }

        var token = credentials.Headers.FirstOrDefault(h => h.Key == "Authorization").Value?.Replace("Bearer ", string.Empty, StringComparison.Ordinal);
        var findings = new List<Finding>();
        var metrics = new List<Metric>();
        string? lastId;
        using (var stream = await SseStream.OpenAsync(context.Http, Url(token), Headers(credentials.Headers, null), cancellationToken))
        {
            if (stream.Problem is not null)
            {
                return CheckResult.From([Finding(FrontendRules.StreamNotOpened, Severity.High, $"the event stream did not open: {stream.Problem}", Mask(stream.Evidence, token),
                    $"answer GET {endpoint.Path} with 200 text/event-stream for a signed-in user{(endpoint.TokenQuery is null ? string.Empty : $" (token in ?{endpoint.TokenQuery}=)")}")])
                    with { TransientCause = stream.Transient ? stream.Problem : null };
            }

            var (received, elapsed, problem) = await CauseAsync(context.Http, stream, credentials.Headers, token, cancellationToken);
            if (received is null)
            {
                findings.Add(Finding(FrontendRules.EventMissing, Severity.High, problem!, null,
                    $"publish {(endpoint.Event is null ? "an event" : $"a '{endpoint.Event}' event")} to the stream when {endpoint.Trigger.Method} {endpoint.Trigger.Path} writes"));
                return CheckResult.From(findings);
            }

            metrics.Add(new Metric("sse_event_latency", new Dictionary<string, string> { ["component"] = service.Name, ["stream"] = endpoint.Path }, Math.Round(elapsed.TotalMilliseconds, 1), "ms"));
            lastId = received.Id;
        }

        if (lastId is null)
        {
            findings.Add(Finding(FrontendRules.ReconnectFailed, Severity.Low, "the event carries no id: a client cannot resume with Last-Event-ID", null,
                "give each event an id so a reconnecting EventSource can say where it stopped"));
            return CheckResult.From(findings, metrics);
        }

        using (var again = await SseStream.OpenAsync(context.Http, Url(token), Headers(credentials.Headers, lastId), cancellationToken))
        {
            if (again.Problem is not null)
            {
                findings.Add(Finding(FrontendRules.ReconnectFailed, Severity.High, $"a reconnection with Last-Event-ID {lastId} was refused: {again.Problem}", Mask(again.Evidence, token),
                    "accept Last-Event-ID on reconnection (and replay what the client missed, or start from now)"));
                return CheckResult.From(findings, metrics);
            }

            var (received, _, problem) = await CauseAsync(context.Http, again, credentials.Headers, token, cancellationToken);
            if (received is null)
            {
                findings.Add(Finding(FrontendRules.ReconnectFailed, Severity.High, $"after a reconnection with Last-Event-ID {lastId}: {problem}", null,
                    "a reconnected stream must deliver the events that follow"));
            }
        }

        return CheckResult.From(findings, metrics);
    }

    /// <summary>Waits for the stream to settle, sends the trigger, and waits for the event it causes.</summary>
    private async Task<(ServerSentEvent? Event, TimeSpan Elapsed, string? Problem)> CauseAsync(
        HttpClient http, SseStream stream, IReadOnlyList<KeyValuePair<string, string>> auth, string? token, CancellationToken cancellationToken)
    {
        await stream.DrainAsync(Settle, cancellationToken);
        var trigger = endpoint.Trigger;
        var variables = new Dictionary<string, string> { ["token"] = token ?? string.Empty };
        var headers = auth.Concat(trigger.Headers.Select(h => new KeyValuePair<string, string>(h.Key, Journeys.JourneyRunner.Fill(h.Value, variables, json: false))))
            .GroupBy(h => h.Key, StringComparer.OrdinalIgnoreCase).Select(g => g.Last()).ToList();
        var watch = Stopwatch.StartNew();
        var write = await ApiCall.SendAsync(http, trigger.Method, ApiCall.Resolve(service.Url!, trigger.Path), headers,
            trigger.Body is null ? null : Journeys.JourneyRunner.Fill(trigger.Body, variables, json: true), ApiCall.DefaultTimeout, cancellationToken);
        if (!write.Ok)
        {
            return (null, TimeSpan.Zero, $"the trigger {write.Summary}");
        }

        var received = await stream.NextAsync(endpoint.Event, endpoint.Within - watch.Elapsed, cancellationToken);
        return received is null
            ? (null, watch.Elapsed, $"no {(endpoint.Event is null ? "event" : $"'{endpoint.Event}' event")} within {endpoint.Within.TotalSeconds:0.#} s of {trigger.Method} {trigger.Path} ({write.Status})")
            : (received, watch.Elapsed, null);
    }

    private Uri Url(string? token) => ApiCall.Resolve(service.Url!, endpoint.TokenQuery is null || token is null
        ? endpoint.Path
        : $"{endpoint.Path}{(endpoint.Path.Contains('?', StringComparison.Ordinal) ? '&' : '?')}{Uri.EscapeDataString(endpoint.TokenQuery)}={Uri.EscapeDataString(token)}");

    private List<KeyValuePair<string, string>> Headers(IReadOnlyList<KeyValuePair<string, string>> auth, string? lastEventId)
    {
        var headers = new List<KeyValuePair<string, string>> { new("Accept", "text/event-stream") };
        if (endpoint.TokenQuery is null)
        {
            headers.AddRange(auth);
        }

        if (lastEventId is not null)
        {
            headers.Add(new("Last-Event-ID", lastEventId));
        }

        return headers;
    }

    private static string? Mask(string? text, string? token) => text is null || token is null ? text : text.Replace(token, "***", StringComparison.Ordinal);

    private Finding Finding(string rule, Severity severity, string message, string? evidence, string hint) => new()
    {
        Rule = rule,
        Severity = severity,
        Component = service.Name,
        Location = endpoint.Path,
        Message = message,
        Evidence = evidence,
        Hint = hint,
    };
}

/// <summary>An open event stream read in the background into a queue of events.</summary>
internal sealed class SseStream : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<ServerSentEvent> _events = Channel.CreateUnbounded<ServerSentEvent>();
    private HttpResponseMessage? _response;

    private SseStream()
    {
    }

    /// <summary>Why the stream did not open, or null.</summary>
    public string? Problem { get; private set; }

    /// <summary>Whether that failure may pass by itself.</summary>
    public bool Transient { get; private set; }

    /// <summary>The request and answer, for evidence.</summary>
    public string? Evidence { get; private set; }

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

        _ = stream.ReadAsync(await stream._response.Content.ReadAsStreamAsync(cancellationToken));
        return stream;
    }

    /// <summary>Discards what arrives within <paramref name="wait"/> (or until the first event), so the next event is a new one.</summary>
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

    /// <summary>The next event of <paramref name="type"/> (any type when null) within <paramref name="wait"/>, or null.</summary>
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
                        _events.Writer.TryWrite(new ServerSentEvent(type, string.Join('\n', data), lastId));
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
            _events.Writer.TryComplete();
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _response?.Dispose();
        _stop.Dispose();
    }
}

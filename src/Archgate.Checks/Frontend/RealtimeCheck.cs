using System.Diagnostics;
using Archgate.Checks.Http;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Frontend;

/// <summary>
/// Step 5, a real-time endpoint (<c>realtime</c>, Server-Sent Events or a WebSocket): the stream opens with the
/// signed-in user's token and refuses a connection without one, a write (the endpoint's <c>trigger</c>) causes an
/// event within the bound (default 2 s), and (SSE) a reconnection with <c>Last-Event-ID</c> is accepted and delivers
/// the next event. When <c>security.identities</c> names a second identity, it follows the endpoint too, and must not
/// receive the trigger's event about an object it cannot read (<see cref="StreamIsolation"/>).
/// </summary>
internal sealed class RealtimeCheck(ServiceComponent service, RealtimeEndpoint endpoint) : ICheck
{
    /// <summary>How long to wait for the stream's first event (a "ready" event) before causing one.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(1);

    private bool IsSocket => endpoint.Kind == RealtimeKind.WebSocket;

    public string Id => $"frontend.realtime:{service.Name}{endpoint.Path}";

    public int Step => 5;

    public string Title => IsSocket
        ? $"{service.Name} {endpoint.Path} (WebSocket): an event within {endpoint.Within.TotalSeconds:0.#} s of a write, refused without a token"
        : $"{service.Name} {endpoint.Path}: an event within {endpoint.Within.TotalSeconds:0.#} s of a write, reconnect with Last-Event-ID";

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
        if (credentials.Any)
        {
            using var anonymous = await OpenAsync(context, null, [], null, cancellationToken);
            if (anonymous.Problem is null)
            {
                var withheld = Withheld(credentials);
                findings.Add(Finding(FrontendRules.StreamWithoutToken, Severity.High, $"the {Kind} opened without {withheld}: anyone can follow it", anonymous.Evidence,
                    $"refuse {endpoint.Path} to a client that sends no {withheld.Replace("the ", string.Empty, StringComparison.Ordinal).Replace("a ", string.Empty, StringComparison.Ordinal)} (401, before the {(IsSocket ? "upgrade" : "stream starts")})"));
            }
        }

        // A second identity follows the endpoint too (security.identities), opened before the trigger writes.
        using var isolation = await StreamIsolation.OpenAsync(this, service, endpoint, context, Settle, cancellationToken);
        string? lastId;
        using (var stream = await OpenAsync(context, token, credentials.RequestHeaders, null, cancellationToken))
        {
            if (stream.Problem is not null)
            {
                findings.Add(Finding(FrontendRules.StreamNotOpened, Severity.High, $"the {Kind} did not open: {stream.Problem}", Mask(stream.Evidence, token),
                    IsSocket
                        ? $"accept a WebSocket upgrade of GET {endpoint.Path} for a signed-in user{(endpoint.TokenQuery is null ? string.Empty : $" (token in ?{endpoint.TokenQuery}=)")}"
                        : $"answer GET {endpoint.Path} with 200 text/event-stream for a signed-in user{(endpoint.TokenQuery is null ? string.Empty : $" (token in ?{endpoint.TokenQuery}=)")}"));
                return CheckResult.From(findings) with { TransientCause = stream.Transient ? stream.Problem : null };
            }

            var (received, elapsed, problem, seen, write) = await CauseAsync(context.Http, stream, credentials.RequestHeaders, token, cancellationToken);
            if (received is null)
            {
                findings.Add(Finding(FrontendRules.EventMissing, Severity.High, problem!, seen,
                    $"publish {(endpoint.Event is null ? "an event" : $"a '{endpoint.Event}' event")} to the {Kind} when {endpoint.Trigger.Method} {endpoint.Trigger.Path} writes"));
                return CheckResult.From(findings);
            }

            metrics.Add(new Metric(IsSocket ? "ws_event_latency" : "sse_event_latency", new Dictionary<string, string> { ["component"] = service.Name, ["stream"] = endpoint.Path }, Math.Round(elapsed.TotalMilliseconds, 1), "ms"));
            lastId = received.Id;
            if (isolation is not null)
            {
                findings.Add(await isolation.JudgeAsync(context.Http, write!, elapsed, text => MaskAll(Mask(text, token), isolation.Secrets.Concat(credentials.Secrets)), cancellationToken));
            }
        }

        if (IsSocket)
        {
            return CheckResult.From(findings, metrics); // a WebSocket has no Last-Event-ID: a client reconnects and reads again
        }

        if (lastId is null)
        {
            findings.Add(Finding(FrontendRules.ReconnectFailed, Severity.Low, "the event carries no id: a client cannot resume with Last-Event-ID", null,
                "give each event an id so a reconnecting EventSource can say where it stopped"));
            return CheckResult.From(findings, metrics);
        }

        using (var again = await OpenAsync(context, token, credentials.RequestHeaders, lastId, cancellationToken))
        {
            if (again.Problem is not null)
            {
                findings.Add(Finding(FrontendRules.ReconnectFailed, Severity.High, $"a reconnection with Last-Event-ID {lastId} {(again.Transient ? "failed" : "was refused")}: {again.Problem}", Mask(again.Evidence, token),
                    "accept Last-Event-ID on reconnection (and replay what the client missed, or start from now)"));
                // A broken connection, not an answer: the runner tries the check again.
                return CheckResult.From(findings, metrics) with { TransientCause = again.Transient ? again.Problem : null };
            }

            var (received, _, problem, _, _) = await CauseAsync(context.Http, again, credentials.RequestHeaders, token, cancellationToken);
            if (received is null)
            {
                findings.Add(Finding(FrontendRules.ReconnectFailed, Severity.High, $"after a reconnection with Last-Event-ID {lastId}: {problem}", null,
                    "a reconnected stream must deliver the events that follow"));
            }
        }

        return CheckResult.From(findings, metrics);
    }

    private string Kind => IsSocket ? "WebSocket" : "event stream";

    /// <summary>Opens the endpoint as a client with <paramref name="token"/> (none: anonymous).</summary>
    internal async Task<IEventStream> OpenAsync(CheckContext context, string? token, IReadOnlyList<KeyValuePair<string, string>> auth, string? lastEventId, CancellationToken cancellationToken) =>
        IsSocket
            ? await SocketStream.OpenAsync(context.System.AllowedHosts, SocketUrl(Url(token)), WithoutQueryToken(auth), cancellationToken)
            : await SseStream.OpenAsync(context.Http, Url(token), Headers(auth, lastEventId), cancellationToken);

    private static Uri SocketUrl(Uri http) => new UriBuilder(http) { Scheme = http.Scheme == Uri.UriSchemeHttps ? "wss" : "ws" }.Uri;

    /// <summary>Waits for the stream to settle, sends the trigger, and waits for the event it causes.</summary>
    private async Task<(ServerSentEvent? Event, TimeSpan Elapsed, string? Problem, string? Seen, ApiAnswer? Write)> CauseAsync(
        HttpClient http, IEventStream stream, IReadOnlyList<KeyValuePair<string, string>> auth, string? token, CancellationToken cancellationToken)
    {
        await stream.DrainAsync(Settle, cancellationToken);
        var trigger = endpoint.Trigger;
        var variables = TemplateVariables.ForTrigger(token);
        var headers = auth.Concat(trigger.Headers.Select(h => new KeyValuePair<string, string>(h.Key, TemplateVariables.Fill(h.Value, variables, json: false))))
            .GroupBy(h => h.Key, StringComparer.OrdinalIgnoreCase).Select(g => g.Last()).ToList();
        var watch = Stopwatch.StartNew();
        var write = await ApiCall.SendAsync(http, trigger.Method, ApiCall.Resolve(service.Url!, trigger.Path), headers,
            trigger.Body is null ? null : TemplateVariables.Fill(trigger.Body, variables, json: true), ApiCall.DefaultTimeout, cancellationToken);
        if (!write.Ok)
        {
            return (null, TimeSpan.Zero, $"the trigger {write.Summary}", null, write);
        }

        var received = await stream.NextAsync(endpoint.Event, endpoint.Within - watch.Elapsed, cancellationToken);
        return received is null
            ? (null, watch.Elapsed, $"no {(endpoint.Event is null ? "event" : $"'{endpoint.Event}' event")} within {endpoint.Within.TotalSeconds:0.#} s of {trigger.Method} {trigger.Path} ({write.Status})",
                stream.Skipped.Count == 0 ? "nothing arrived after the trigger" : $"what arrived instead: {string.Join(", ", stream.Skipped.TakeLast(5).Select(e => $"'{e.Type}' {ProbeHttp.Excerpt(Mask(e.Data, token) ?? string.Empty, 120)}"))}", write)
            : (received, watch.Elapsed, null, null, write);
    }

    private Uri Url(string? token) => ApiCall.Resolve(service.Url!, endpoint.TokenQuery is null || token is null
        ? endpoint.Path
        : $"{endpoint.Path}{(endpoint.Path.Contains('?', StringComparison.Ordinal) ? '&' : '?')}{Uri.EscapeDataString(endpoint.TokenQuery)}={Uri.EscapeDataString(token)}");

    /// <summary>The credentials' headers, less the bearer token when the token goes in the query (a session cookie stays: a browser sends it).</summary>
    private IReadOnlyList<KeyValuePair<string, string>> WithoutQueryToken(IReadOnlyList<KeyValuePair<string, string>> auth) =>
        endpoint.TokenQuery is null ? auth : [.. auth.Where(h => !h.Key.Equals("Authorization", StringComparison.OrdinalIgnoreCase))];

    private List<KeyValuePair<string, string>> Headers(IReadOnlyList<KeyValuePair<string, string>> auth, string? lastEventId)
    {
        var headers = new List<KeyValuePair<string, string>> { new("Accept", "text/event-stream") };
        headers.AddRange(WithoutQueryToken(auth));

        if (lastEventId is not null)
        {
            headers.Add(new("Last-Event-ID", lastEventId));
        }

        return headers;
    }

    private static string? Mask(string? text, string? token) => text is null || token is null ? text : text.Replace(token, "***", StringComparison.Ordinal);

    private static string MaskAll(string? text, IEnumerable<string> secrets) =>
        secrets.Where(s => s.Length >= 3).OrderByDescending(s => s.Length).Aggregate(text ?? string.Empty, (t, s) => t.Replace(s, "***", StringComparison.Ordinal));

    private Finding Finding(string rule, Severity severity, string message, string? evidence, string hint) =>
        Findings.Create(rule, severity, service.Name, endpoint.Path, message, evidence, hint);

    /// <summary>
    /// The credential the anonymous opening left out, as the identity signs in: <c>a token</c> (an Authorization header),
    /// <c>the session cookie</c> (a cookie-session login), else <c>the API key</c> (ex11's cookie-authenticated
    /// WebSocket was said to open "without a token").
    /// </summary>
    internal static string Withheld(Credentials credentials)
    {
        var parts = new List<string>();
        if (credentials.Headers.Any(h => h.Key.Equals("Authorization", StringComparison.OrdinalIgnoreCase)))
        {
            parts.Add("a token");
        }

        if (credentials.SessionCookies.Count > 0)
        {
            parts.Add(credentials.SessionCookies.Count(c => !c.IsCsrfToken) > 1 ? "the session cookies" : "the session cookie");
        }

        return parts.Count > 0 ? string.Join(" or ", parts) : credentials.Any ? "the API key" : "a token";
    }
}

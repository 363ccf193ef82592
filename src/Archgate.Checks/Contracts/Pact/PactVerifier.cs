using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Archgate.Checks.Http;
using Archgate.Model;

namespace Archgate.Checks.Contracts.Pact;

/// <summary>The outcome of one interaction: no mismatches means it passed.</summary>
/// <param name="Interaction">The interaction.</param>
/// <param name="Mismatches">What did not match, or what went wrong around it (state change, request).</param>
/// <param name="Request">The request line as sent (<c>POST http://127.0.0.1:7101/orders</c>).</param>
/// <param name="Evidence">The actual status and an excerpt of the body, redacted.</param>
/// <param name="TransientCause">Set when the request failed for a reason that may go away (connection refused).</param>
/// <param name="DurationMs">Wall time, state changes included.</param>
internal sealed record InteractionResult(
    PactInteraction Interaction,
    IReadOnlyList<PactMismatch> Mismatches,
    string Request,
    string? Evidence,
    string? TransientCause,
    long DurationMs)
{
    /// <summary>Whether the provider satisfied the interaction (warnings such as an unsupported matcher aside).</summary>
    public bool Passed => Mismatches.All(m => m.IsWarning);

    /// <summary>A v4 pending interaction: its failure is reported but does not fail the verification.</summary>
    public bool Pending => Interaction.Pending;
}

/// <summary>
/// Replays a pact's interactions against a provider, as the Pact verifier does: for each interaction, set up
/// its provider states, send the request, match the response, tear the states down. Requests that carry an
/// <c>Authorization</c> header get a live bearer token when <see cref="PactSettings.Auth"/> is configured, and those with a
/// <c>Cookie</c> header the identity's live session cookies (with the anti-CSRF header a page echoes).
/// </summary>
internal sealed class PactVerifier(HttpClient http, Uri providerUrl, PactSettings settings, TimeProvider? time = null, TokenSource? tokens = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>How long one request (state change, login, interaction) may take. <value>10 s</value>.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    private readonly TokenSource _tokens = tokens ?? new TokenSource(http, time ?? TimeProvider.System);
    private PactMismatch? _loginFailure;

    /// <summary>Verifies every interaction of <paramref name="pact"/>, in file order.</summary>
    public async Task<IReadOnlyList<InteractionResult>> VerifyAsync(PactDocument pact, IProgress<string>? activity, CancellationToken cancellationToken)
    {
        var results = new List<InteractionResult>();
        foreach (var interaction in pact.Interactions)
        {
            cancellationToken.ThrowIfCancellationRequested();
            activity?.Report($"{pact.Consumer} -> {pact.Provider}: {interaction.Description}");
            results.Add(await VerifyAsync(interaction, cancellationToken));
        }

        return results;
    }

    private async Task<InteractionResult> VerifyAsync(PactInteraction interaction, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var mismatches = new List<PactMismatch>();
        string? evidence = null;
        string? transient = null;

        // Provider-state values for ProviderState generators: the states' params, then what the state calls answered.
        var stateValues = new JsonObject();
        foreach (var state in interaction.States)
        {
            foreach (var (key, value) in state.Params)
            {
                stateValues[key] = value?.DeepClone();
            }
        }

        var setUp = true;
        foreach (var state in interaction.States)
        {
            if (await ChangeStateAsync(state, "setup", stateValues, cancellationToken) is { } failure)
            {
                mismatches.Add(failure);
                setUp = false;
                break;
            }
        }

        if (interaction.Message is { } message)
        {
            var (messageLine, messageEvidence, messageTransient) = setUp
                ? await VerifyMessageAsync(interaction, message, mismatches, cancellationToken)
                : ($"message '{interaction.Description}'", null, null);
            await TearDownAsync(interaction, mismatches, cancellationToken);
            return new InteractionResult(interaction, mismatches, messageLine, messageEvidence, messageTransient, watch.ElapsedMilliseconds);
        }

        var pactRequest = PactGenerators.Apply(interaction.Request, stateValues, _time);
        mismatches.AddRange((interaction.Request.Generators?.Unsupported ?? [])
            .Select(u => new PactMismatch(MismatchKind.Unsupported, null, $"Generator not supported, so the example value was sent: {u}")));
        var url = RequestUrl(pactRequest);
        var line = $"{pactRequest.Method} {url}";
        if (setUp)
        {
            try
            {
                using var request = await BuildRequestAsync(pactRequest, url, mismatches, cancellationToken);
                if (request is not null)
                {
                    var actual = await SendAsync(request, cancellationToken);
                    evidence = $"{line} -> {actual.Status}: {Excerpt(actual)}";
                    mismatches.AddRange(ResponseMatcher.Match(interaction.Response, actual));
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                var failure = ProbeHttp.Classify(ex);
                transient = failure.Transient ? failure.Cause : null;
                mismatches.Add(new PactMismatch(MismatchKind.Request, null, $"Request failed: {failure.Cause}"));
            }
        }

        await TearDownAsync(interaction, mismatches, cancellationToken);
        return new InteractionResult(interaction, mismatches, line, evidence, transient, watch.ElapsedMilliseconds);
    }

    private async Task TearDownAsync(PactInteraction interaction, List<PactMismatch> mismatches, CancellationToken cancellationToken)
    {
        if (settings.StateChange is { Teardown: true })
        {
            foreach (var state in interaction.States)
            {
                if (await ChangeStateAsync(state, "teardown", null, cancellationToken) is { } failure)
                {
                    mismatches.Add(failure);
                }
            }
        }
    }

    /// <summary>
    /// Asks the message provider for the message (the Pact message-verification convention) and matches its
    /// contents as a body and its metadata (the <c>Pact-Message-Metadata</c> header, base64 JSON) key by key.
    /// </summary>
    private async Task<(string Line, string? Evidence, string? Transient)> VerifyMessageAsync(
        PactInteraction interaction, PactMessage message, List<PactMismatch> mismatches, CancellationToken cancellationToken)
    {
        if (settings.Messages is not { } provider)
        {
            throw new InvalidOperationException("message interactions are verified only with contracts.messages");
        }

        var url = Resolve(providerUrl, provider.Url);
        var line = $"message '{interaction.Description}': POST {url}";
        var ask = new JsonObject { ["description"] = interaction.Description };
        if (interaction.States.Count > 0)
        {
            ask["providerStates"] = new JsonArray(interaction.States
                .Select(s => (JsonNode)new JsonObject { ["name"] = s.Name, ["params"] = s.Params.DeepClone() }).ToArray());
        }

        if (message.Request is { } syncRequest)
        {
            ask["request"] = syncRequest.DeepClone();
        }

        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(ask.ToJsonString(), Encoding.UTF8, "application/json") };
            var actual = await SendAsync(request, cancellationToken);
            var evidence = $"{line} -> {actual.Status}: {Excerpt(actual)}";
            if (actual.Status is < 200 or >= 300)
            {
                mismatches.Add(new PactMismatch(MismatchKind.Request, null, $"The message provider answered {actual.Status} for message '{interaction.Description}'"));
                return (line, evidence, null);
            }

            mismatches.AddRange(ResponseMatcher.MatchMessage(interaction, actual));
            return (line, evidence, null);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            var failure = ProbeHttp.Classify(ex);
            mismatches.Add(new PactMismatch(MismatchKind.Request, null, $"Request failed: {failure.Cause}"));
            return (line, null, failure.Transient ? failure.Cause : null);
        }
    }

    /// <summary>The body for evidence: text as a redacted excerpt, bytes as length, SHA-256 and a hex preview.</summary>
    private static string Excerpt(ActualResponse actual) =>
        actual.Body.Length == 0 ? "(no body)"
        : BodyKinds.LooksLikeText(actual.Body) && !BodyKinds.IsBinary(actual.ContentType)
            ? ProbeHttp.Excerpt(Encoding.UTF8.GetString(actual.Body))
            : $"[{BodyKinds.Media(actual.ContentType) ?? "no content type"}, {BodyKinds.Summary(actual.Body)}]";

    private Uri RequestUrl(PactRequest request)
    {
        var query = request.Query.Count == 0
            ? string.Empty
            : "?" + string.Join("&", request.Query.Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value)}"));
        return new Uri(providerUrl.AbsoluteUri.TrimEnd('/') + request.Path + query);
    }

    /// <summary>An absolute URL as is, a path against the provider's URL.</summary>
    public static Uri Resolve(Uri provider, string urlOrPath) =>
        urlOrPath.StartsWith('/') ? new Uri(provider.AbsoluteUri.TrimEnd('/') + urlOrPath) : new Uri(urlOrPath);

    private async Task<HttpRequestMessage?> BuildRequestAsync(PactRequest pact, Uri url, List<PactMismatch> mismatches, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(new HttpMethod(pact.Method), url);
        string? contentType = null;
        var contentHeaders = new List<KeyValuePair<string, string>>();

        // The consumer's example credentials (a bearer token, a session cookie, its echoed anti-CSRF header) are replaced
        // by the identity's live ones; the consumer's other cookies go along with the session's.
        Credentials? live = null;
        var bearer = pact.Headers.Any(h => h.Key.Equals("Authorization", StringComparison.OrdinalIgnoreCase));
        var cookie = pact.Headers.Any(h => h.Key.Equals("Cookie", StringComparison.OrdinalIgnoreCase));
        if (settings.Auth is { } auth && (bearer || cookie))
        {
            live = await CredentialsAsync(auth, cancellationToken);
            if (live is null)
            {
                mismatches.Add(_loginFailure!);
                request.Dispose();
                return null;
            }

            // A cookie alone is a session only when the identity's credentials are cookies: a bearer identity leaves
            // an interaction without Authorization as the consumer wrote it.
            live = bearer || live.Cookies.Count > 0 ? live : null;
        }

        foreach (var (name, value) in pact.Headers)
        {
            var sent = value;
            if (live is not null && (name.Equals("Authorization", StringComparison.OrdinalIgnoreCase) || live.Headers.Any(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase))))
            {
                continue;
            }

            if (live is not null && name.Equals("Cookie", StringComparison.OrdinalIgnoreCase))
            {
                var others = value.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(c => c.Split('=', 2))
                    .Where(c => c.Length == 2 && (live.Cookies.Count == 0 || live.Cookies.All(l => l.Key != c[0])))
                    .Select(c => new KeyValuePair<string, string>(c[0], c[1]));
                live = live with { Cookies = [.. others, .. live.Cookies] };
                continue;
            }

            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                contentType = value;
                continue;
            }

            if (!request.Headers.TryAddWithoutValidation(name, sent))
            {
                // Content headers (Content-Language...) travel with the content.
                contentHeaders.Add(new(name, sent));
            }
        }

        live?.Apply(request);
        if (pact.Body is { } body)
        {
            var content = new ByteArrayContent(body.ToBytes());
            contentType ??= body.ContentType ?? (body.IsJson ? "application/json" : body.Bytes is not null ? "application/octet-stream" : "text/plain");
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            foreach (var (name, value) in contentHeaders)
            {
                content.Headers.TryAddWithoutValidation(name, value);
            }

            request.Content = content;
        }

        return request;
    }

    private async Task<ActualResponse> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RequestTimeout);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token);
        var body = await response.Content.ReadAsByteArrayAsync(timeout.Token);
        // Raw values, one per header line: the Pact rules split them themselves (list headers on commas).
        var lines = new List<KeyValuePair<string, string>>();
        foreach (var (name, values) in response.Headers.NonValidated.Concat(response.Content.Headers.NonValidated))
        {
            lines.AddRange(values.Select(v => new KeyValuePair<string, string>(name, v)));
        }

        return ActualResponse.From((int)response.StatusCode, lines, body);
    }

    /// <summary>Calls the state-change endpoint; a mismatch when it fails, null when it answered 2xx.</summary>
    /// <remarks>A setup's JSON answer is merged into <paramref name="values"/> (ProviderState generators read them).</remarks>
    private async Task<PactMismatch?> ChangeStateAsync(ProviderState state, string action, JsonObject? values, CancellationToken cancellationToken)
    {
        if (settings.StateChange is not { } change)
        {
            return null;
        }

        var url = Resolve(providerUrl, change.Url);
        using var request = change.AsBody
            ? new HttpRequestMessage(HttpMethod.Post, url)
            {
                Content = new StringContent(
                    new JsonObject { ["action"] = action, ["params"] = state.Params.DeepClone(), ["state"] = state.Name }.ToJsonString(),
                    Encoding.UTF8,
                    "application/json"),
            }
            : new HttpRequestMessage(HttpMethod.Post, StateQuery(url, state, action));
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(RequestTimeout);
            using var response = await http.SendAsync(request, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                return new PactMismatch(MismatchKind.State, state.Name,
                    $"Provider state change '{state.Name}' ({action}) failed: POST {url} answered {(int)response.StatusCode} {response.ReasonPhrase}");
            }

            if (values is not null)
            {
                PactGenerators.AddStateValues(values, await response.Content.ReadAsStringAsync(timeout.Token));
            }

            return null;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new PactMismatch(MismatchKind.State, state.Name,
                $"Provider state change '{state.Name}' ({action}) failed: POST {url}: {ProbeHttp.Classify(ex).Cause}");
        }
    }

    private static Uri StateQuery(Uri url, ProviderState state, string action)
    {
        var pairs = new List<string> { $"state={Uri.EscapeDataString(state.Name)}", $"action={action}" };
        pairs.AddRange(state.Params.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(PactReader.Text(p.Value) ?? p.Value?.ToJsonString() ?? string.Empty)}"));
        var separator = string.IsNullOrEmpty(url.Query) ? "?" : "&";
        return new Uri(url.AbsoluteUri + separator + string.Join("&", pairs));
    }

    /// <summary>
    /// The live credentials of the manifest's identity (a login signs in once per run); null, with the failure kept,
    /// when they cannot be had: the verification reports it once and does not sign in again.
    /// </summary>
    private async Task<Credentials?> CredentialsAsync(ServiceAuth auth, CancellationToken cancellationToken)
    {
        if (_loginFailure is not null)
        {
            return null;
        }

        var credentials = await _tokens.CredentialsAsync(auth, providerUrl, RequestTimeout, cancellationToken);
        if (credentials.Ok)
        {
            return credentials;
        }

        _loginFailure = new PactMismatch(MismatchKind.Login, null, $"Sign-in as {auth.Label} failed: {credentials.Problem}");
        return null;
    }
}

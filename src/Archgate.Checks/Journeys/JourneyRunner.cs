using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Archgate.Checks.Frontend;
using Archgate.Checks.Http;
using Archgate.Model;

namespace Archgate.Checks.Journeys;

/// <summary>A write (or, in <see cref="JourneyRunner.RunAsync"/>'s <c>calls</c>, any HTTP step) a journey made: the request sent (variables filled in) and its answer.</summary>
internal sealed record JourneyWrite(string Method, string Path, IReadOnlyList<KeyValuePair<string, string>> Headers, string? Body, ApiAnswer Answer);

/// <summary>One run of a journey: whether every step met its expectations, the first that did not and why, and the writes.</summary>
internal sealed record JourneyRun(bool Ok, string? FailedStep, string? Problem, string? Evidence, string? TransientCause, IReadOnlyList<JourneyWrite> Writes)
{
    /// <summary>The screenshot of a failed browser step, relative to the run folder. <value>null</value>.</summary>
    public string? Screenshot { get; init; }

    /// <summary>
    /// When the failed step was answered 503 or 429 with a <c>Retry-After</c>: how long the service asked to wait (the
    /// service said "try again shortly", which is no failure of what the journey did). <value>null</value>.
    /// </summary>
    public TimeSpan? RetryAfter { get; init; }
}

/// <summary>Runs a journey's steps in order against a service: variables, captures, expectations.</summary>
internal static partial class JourneyRunner
{
    /// <summary>Runs <paramref name="steps"/> with <paramref name="variables"/>, which captures add to.</summary>
    /// <param name="http">Where HTTP steps go.</param>
    /// <param name="baseUrl">The service HTTP steps' paths are relative to.</param>
    /// <param name="steps">The steps.</param>
    /// <param name="variables">The variables, which captures add to.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <param name="browser">Where browser steps go; null when the journey has none.</param>
    /// <param name="calls">Where every HTTP step's request (variables filled in) and answer go, in order; null keeps none.</param>
    public static async Task<JourneyRun> RunAsync(
        HttpClient http, Uri baseUrl, IReadOnlyList<JourneyStep> steps, Dictionary<string, string> variables, CancellationToken cancellationToken,
        BrowserSteps? browser = null, List<JourneyWrite>? calls = null)
    {
        // {uuid}: one value per run (a setup gets its own), so what a run creates does not collide with earlier runs' data.
        variables.TryAdd("uuid", Guid.NewGuid().ToString());
        var writes = new List<JourneyWrite>();
        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            if (step.Browser is { } action)
            {
                var label = $"step {i + 1} ({action.Describe()})";
                var failed = browser is null ? "no browser to run it in" : await browser.RunAsync(action, variables, cancellationToken);
                if (failed is not null)
                {
                    var url = browser is null ? null : await browser.UrlAsync(cancellationToken);
                    var screenshot = browser is null ? null : await browser.KeepScreenshotAsync(cancellationToken);
                    var evidence = $"page {url ?? "unknown"}{(screenshot is null ? string.Empty : $"; screenshot {screenshot}")}";
                    return new JourneyRun(false, label, failed, evidence, null, writes) { Screenshot = screenshot };
                }

                continue;
            }

            var request = step.Request!;
            var name = $"step {i + 1} ({request.Name ?? $"{request.Method} {request.Path}"})";
            var (path, headers, body) = Prepare(request, variables);
            var timeout = step.Expect.Duration is { } d && d * 2 > ApiCall.DefaultTimeout ? d * 2 : ApiCall.DefaultTimeout;
            var started = Stopwatch.GetTimestamp();
            var (answer, problem, polls) = (default(ApiAnswer)!, default(string), 0);
            for (var wait = FirstPoll; ; wait = wait * 2 < LongestPoll ? wait * 2 : LongestPoll)
            {
                answer = await ApiCall.SendAsync(http, request.Method, ApiCall.Resolve(baseUrl, path), headers, body, timeout, cancellationToken);
                polls++;
                CookieJar.Keep(variables, answer.SetCookies);
                problem = answer.Failure is null ? Unmet(step.Expect, answer, variables) : null;
                // expect.within: a read polled until the rest holds (a worker, a queue or a timer changes the state later).
                if (problem is null || step.Expect.Within is not { } within || Stopwatch.GetElapsedTime(started) + wait > within)
                {
                    break;
                }

                await Task.Delay(wait, cancellationToken);
            }

            calls?.Add(new JourneyWrite(request.Method, path, headers, body, answer));
            if (answer.Failure is not null)
            {
                return new JourneyRun(false, name, $"no answer: {answer.Failure.Cause}", answer.Evidence(), answer.Failure.Transient ? answer.Failure.Cause : null, writes);
            }

            if (problem is not null)
            {
                var polled = polls > 1 ? $" (still, after {polls} requests over {Stopwatch.GetElapsedTime(started).TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s: expect.within {step.Expect.Within!.Value.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s)" : string.Empty;
                return new JourneyRun(false, name, problem + polled, answer.Evidence(), null, writes)
                {
                    RetryAfter = answer.Status is 503 or 429 ? Http.RetryAfter.Of(answer.Header("Retry-After"), DateTimeOffset.UtcNow) : null,
                };
            }

            // A write the service refused as the journey expected (a stale If-Match answered 412) changed nothing; a
            // DELETE is kept too, so that what it removed is not read back for consistency.
            if (request.Method is "POST" or "PUT" or "PATCH" or "DELETE" && answer.Status is >= 200 and < 400)
            {
                writes.Add(new JourneyWrite(request.Method, path, headers, body, answer));
            }

            foreach (var capture in request.Captures)
            {
                var (value, literal) = Capture(capture, answer);
                if (value is null && request.SignIn is not null && SessionCookie.AnySession(answer.Cookies))
                {
                    continue; // a sign-in that answers no token but a session cookie: the run's cookie jar carries it
                }

                if (value is null)
                {
                    return new JourneyRun(false, name, $"nothing to capture as '{capture.Variable}' from {capture.Name}", answer.Evidence(), null, writes);
                }

                TemplateVariables.Capture(variables, capture.Variable, value, literal);
            }
        }

        return new JourneyRun(true, null, null, null, null, writes);
    }

    /// <summary><paramref name="request"/> as it is sent now: its path, headers (the cookie jar's included) and body with the variables filled.</summary>
    internal static (string Path, List<KeyValuePair<string, string>> Headers, string? Body) Prepare(ScenarioRequest request, IReadOnlyDictionary<string, string> variables)
    {
        var path = TemplateVariables.Fill(request.Path, variables, json: false);
        var body = request.Body is null ? null : TemplateVariables.Fill(request.Body, variables, json: true);
        var headers = request.Headers.Select(h => new KeyValuePair<string, string>(h.Key, TemplateVariables.Fill(h.Value, variables, json: false))).ToList();
        // A sign-in (a 'login:' step) starts a session of its own, sent without the session cookies the jar holds (its
        // anti-CSRF cookies stay): a server that ends the session a login arrives with (session.regenerate, as AG5008
        // asks) would otherwise end the setup's session, which every later run starts from, or an earlier identity's.
        headers.AddRange(CookieJar.Headers(request.SignIn is null ? variables : CookieJar.WithoutSessions(variables), request.Method, headers));
        return (path, headers, body);
    }

    /// <summary>The first wait before a read with <c>expect.within</c> is sent again; each wait doubles. <value>250 ms</value>.</summary>
    internal static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(250);

    /// <summary>The longest wait between two polls of a read with <c>expect.within</c>. <value>2 s</value>.</summary>
    internal static readonly TimeSpan LongestPoll = TimeSpan.FromSeconds(2);

    /// <summary>The first expectation the answer does not meet, or null.</summary>
    internal static string? Unmet(JourneyExpectations expect, ApiAnswer answer, IReadOnlyDictionary<string, string> variables)
    {
        if (expect.Status.Count == 0 ? !answer.Ok : !expect.Status.Contains(answer.Status))
        {
            return $"status {answer.Status}, expected {(expect.Status.Count == 0 ? "2xx" : string.Join(" or ", expect.Status))}";
        }

        if (expect.Duration is { } bound && answer.Elapsed > bound)
        {
            return $"took {answer.Elapsed.TotalMilliseconds:0} ms, expected at most {bound.TotalMilliseconds:0} ms";
        }

        foreach (var (name, expected) in expect.Headers)
        {
            var want = TemplateVariables.Fill(expected, variables, json: false);
            if (answer.Header(name) != want)
            {
                return $"header {name} is {answer.Header(name) ?? "missing"}, expected {want}";
            }
        }

        if (expect.Json.Count == 0)
        {
            return null;
        }

        JsonNode? root;
        try
        {
            root = JsonNode.Parse(answer.Body);
        }
        catch (JsonException)
        {
            return "the body is not JSON";
        }

        foreach (var assertion in expect.Json)
        {
            var want = TemplateVariables.Fill(assertion.Expected, variables, json: false);
            var values = JsonPath.Select(root, assertion.Path);
            var texts = values.Select(Text).ToList();
            var literal = assertion.Kind == JsonAssertionKind.Equals ? TemplateVariables.LiteralOf(assertion.Expected, variables) ?? (assertion.Literal ? want : null) : null;
            var met = assertion.Kind switch
            {
                JsonAssertionKind.Exists => (values.Count > 0) == (want == "true"),
                JsonAssertionKind.Equals when literal is not null => values.Count > 0 && SameJson(values[0], literal),
                JsonAssertionKind.Equals => values.Count > 0 && texts[0] == want,
                JsonAssertionKind.Matches => values.Count > 0 && Regex.IsMatch(texts[0] ?? string.Empty, want, RegexOptions.None, TimeSpan.FromSeconds(1)),
                _ => values.Count == 1 && values[0] is JsonArray array
                    ? array.Any(v => Text(v) == want)
                    : values.Count == 1 ? (texts[0] ?? string.Empty).Contains(want, StringComparison.Ordinal) : texts.Contains(want),
            };
            if (!met)
            {
                // A typed equality shows what it found as JSON: "2" (a string) where 2 was wanted.
                var seen = values.Count == 0 ? "nothing" : string.Join(", ", literal is null ? texts.Take(5).Select(t => t ?? "null") : values.Take(5).Select(v => v?.ToJsonString() ?? "null"));
                return $"{assertion.Path} {Verb(assertion.Kind)} {want} failed: found {seen}";
            }
        }

        return null;
    }

    private static string Verb(JsonAssertionKind kind) => kind switch
    {
        JsonAssertionKind.Contains => "contains",
        JsonAssertionKind.Matches => "matches",
        JsonAssertionKind.Exists => "exists:",
        _ => "equals",
    };

    /// <summary>The captured value as text, and its JSON text when it is a number or a boolean (null otherwise).</summary>
    private static (string? Text, string? Literal) Capture(ScenarioCapture capture, ApiAnswer answer)
    {
        if (capture.Source == CaptureSource.Header)
        {
            return (answer.Header(capture.Name), null);
        }

        try
        {
            var root = JsonNode.Parse(answer.Body);
            var node = capture.Name.StartsWith('$') ? JsonPath.Select(root, capture.Name) is { Count: > 0 } selected ? selected[0] : null : JsonPath.FindProperty(root, capture.Name);
            var literal = node is JsonValue v && v.GetValueKind() is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False ? node.ToJsonString() : null;
            return (node is null ? null : Text(node), literal);
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    /// <summary>Whether <paramref name="found"/> is the JSON number (numerically), boolean or null written in <paramref name="literal"/>.</summary>
    private static bool SameJson(JsonNode? found, string literal) => literal switch
    {
        "null" => found is null,
        "true" or "false" => found is JsonValue b && b.GetValueKind() is JsonValueKind.True or JsonValueKind.False && b.GetValue<bool>() == (literal == "true"),
        _ => found is JsonValue n && n.GetValueKind() == JsonValueKind.Number
            && decimal.TryParse(literal, NumberStyles.Float, CultureInfo.InvariantCulture, out var want) && n.TryGetValue<decimal>(out var value) && value == want,
    };

    /// <summary>A JSON value as text: strings unquoted, numbers normalised, the rest as JSON.</summary>
    internal static string? Text(JsonNode? node) => JsonSubset.Text(node);

    /// <summary>The variables a run starts with: the journey's <c>vars</c>, the setup's captures, <c>run</c> and a fresh <c>uuid</c>.</summary>
    public static Dictionary<string, string> Start(IReadOnlyDictionary<string, string> shared, int run) =>
        new(shared, StringComparer.Ordinal) { ["run"] = run.ToString(CultureInfo.InvariantCulture), ["uuid"] = Guid.NewGuid().ToString() };
}

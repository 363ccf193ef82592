using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Archgate.Checks.Contracts;
using Archgate.Checks.Contracts.Conformance;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Security.Probes;

/// <summary>
/// Step 9, whether anything limits password guessing (OWASP WSTG-ATHN-03, ASVS V2.2.1): one login operation of the
/// manifest's <c>auth</c>, sent up to <see cref="SecurityProbeOptions.Guesses"/> times one after another, each with
/// another wrong password, for a made-up account of the same shape as the identity's user (never a real one, so no
/// account is locked out). It stops at the first sign of a limit: a 429 or 423, any answer with <c>Retry-After</c>, or
/// tarpitting (the last five attempts' median latency more than 4x the first five's and above 250 ms). No limit is
/// AG9005; a 5xx without <c>Retry-After</c> is a failure of its own (AG9006). Runs last in step 9: a limit it meets may
/// refuse sign-ins from this address for a while: one sign-in as the identity tells, and a limit that refuses it and says
/// at most a minute is waited out.
/// </summary>
internal sealed class PasswordGuessingCheck(HttpComponent signsInAt, LoginAuth login, string id, ContractDocuments documents, SecurityProbeOptions options) : ICheck
{
    /// <summary>The longest <c>Retry-After</c> the probe waits out, so that a later step or run is not refused.</summary>
    internal static readonly TimeSpan LongestWait = TimeSpan.FromSeconds(60);

    private const int Window = 5;
    private static readonly TimeSpan TarpitFloor = TimeSpan.FromMilliseconds(250);

    public string Id => id;

    public int Step => 9;

    public string Title => $"{signsInAt.Name} limits password guessing at {login.Method} {login.Path}";

    public Applicability AppliesTo(SystemModel system) => system.Security.Safe
        ? Applicability.No("security.safe: repeated wrong sign-ins could make a limiter refuse this address")
        : Applicability.Yes;

    /// <summary>
    /// One check per login operation the manifest declares, after every other probe: the login of each service's own
    /// <c>auth</c> and of <c>security.identities</c> (at the service, or the component its <c>at</c> names), and every
    /// identity of the <c>auth</c> section that signs in <c>at</c> a component. Two identities of one operation are one check.
    /// </summary>
    public static IEnumerable<ICheck> For(SystemModel system, IReadOnlyList<ServiceComponent> services, ContractDocuments documents, SecurityProbeOptions options)
    {
        var logins = new List<(HttpComponent At, LoginAuth Login)>();
        void Add(HttpComponent? service, LoginAuth login)
        {
            var at = login.At is { } name ? system.Find<HttpComponent>(name) : service;
            if (at is not null && !logins.Exists(l => l.At.Name == at.Name && l.Login.Method.Equals(login.Method, StringComparison.OrdinalIgnoreCase) && l.Login.Path == login.Path))
            {
                logins.Add((at, login));
            }
        }

        foreach (var service in services.Where(s => s.Auth is LoginAuth))
        {
            foreach (var login in system.Security.Identities.OfType<LoginAuth>().Prepend((LoginAuth)service.Auth!))
            {
                Add(service, login);
            }
        }

        foreach (var login in system.Auth.Values.OfType<LoginAuth>().Where(l => l.At is not null))
        {
            Add(null, login);
        }

        foreach (var (at, login) in logins)
        {
            var several = logins.Count(l => l.At.Name == at.Name) > 1;
            yield return new PasswordGuessingCheck(at, login, $"security.guessing:{at.Name}{(several ? ":" + login.Path : "")}", documents, options);
        }
    }

    public async Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        var fields = await Authenticator.FieldsAsync(signsInAt, login, documents, cancellationToken);
        var account = MadeUpAccount(login.User);
        var passwords = Enumerable.Range(1, options.Guesses).Select(i => $"archgate-wrong-{i}-{RandomNumberGenerator.GetHexString(8, true)}").ToList();
        var sender = new ProbeSender(context, signsInAt.Url, options, [.. passwords, .. login.Secrets]);
        var operation = $"{login.Method} {login.Path}";
        var answers = new List<ProbeExchange>();
        ProbeRequest Attempt(int i) => Authenticator.LoginRequest(login with { User = account, Password = passwords[i] }, fields, "a wrong password for a made-up account");

        Finding Finding(string rule, Severity severity, string message, string evidence) =>
            Findings.Create(SecurityRules.Rule(rule, severity), signsInAt.Name, operation, message, evidence);

        string Evidence(int i, string? more = null) =>
            sender.Evidence(Attempt(i), answers.ElementAtOrDefault(i)) + "; attempts (status, ms): "
            + string.Join(", ", answers.Select(a => $"{a.Status} {a.Elapsed.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)}"))
            + (more is null ? "" : "; " + more);

        var findings = new List<Finding>();
        string? malformed = null; // after the first 400 or 422: why it refused the request itself, or empty when it refused the credentials
        string? refusal = null;
        for (var i = 0; i < options.Guesses; i++)
        {
            context.Activity?.Report($"wrong sign-in {i + 1} of {options.Guesses} at {signsInAt.Name} {operation}");
            var answer = await sender.SendAsync(Attempt(i), cancellationToken);
            if (answer is null)
            {
                findings.Add(Finding(SecurityRules.PasswordGuessing, Severity.Info,
                    $"not determined: attempt {i + 1} of {options.Guesses} got no answer ({sender.Spent ?? sender.FailureCause})", Evidence(i)));
                break;
            }

            answers.Add(answer);
            var attempt = $"attempt {i + 1} of {options.Guesses}";
            var retryAfter = answer.Headers.GetValueOrDefault("Retry-After");
            if (answer.Status is 429 or 423 || retryAfter is not null)
            {
                var wait = RetryAfter(retryAfter, context.Time.GetUtcNow());
                var after = await AfterLimitAsync(wait, retryAfter, () => sender.SendAsync(Authenticator.LoginRequest(login, fields, "the identity's own sign-in after the limit"), cancellationToken), context, cancellationToken);
                findings.Add(Finding(SecurityRules.PasswordGuessing, Severity.Info,
                    $"password guessing is limited: {attempt} was answered {answer.Status}{(retryAfter is null ? "" : $", Retry-After: {retryAfter}")}", Evidence(i, after)));
                break;
            }

            if (answer.Status >= 500)
            {
                findings.Add(Finding(SecurityRules.PasswordGuessingServerError, Severity.Medium,
                    $"{attempt} was answered {answer.Status} without Retry-After: the sign-in failed under repeated wrong passwords instead of limiting them (a limit answers 429, or 503 with Retry-After)",
                    Evidence(i)));
                break;
            }

            if (answer.Status is 404 or 405 or 415)
            {
                findings.Add(Finding(SecurityRules.PasswordGuessing, Severity.Info,
                    $"not determined: the login answered {answer.Status} to a sign-in, so it is not where the manifest's auth says, or takes another body", Evidence(i)));
                break;
            }

            if (answer.Status is 400 or 422 && malformed is null)
            {
                // A 400 or 422 may refuse the credentials (OAuth's invalid_grant is 400) or the request itself (a field the
                // endpoint wants is missing, the made-up account's shape is refused): the identity's own sign-in, sent
                // with the same body but its own values, tells which, once.
                var own = await sender.SendAsync(Authenticator.LoginRequest(login, fields, "the identity's own sign-in, to tell a refused request from refused credentials"), cancellationToken);
                malformed = Malformed(answer, own);
                if (malformed.Length > 0)
                {
                    findings.Add(Finding(SecurityRules.PasswordGuessing, Severity.Info,
                        $"not determined: {attempt} was answered {answer.Status}, {malformed}: the wrong sign-ins were refused before any password was compared, so they say nothing about guessing",
                        Evidence(i)));
                    break;
                }

                refusal = $"{answer.Status} taken as the refusal of wrong credentials: the identity's own sign-in with the same body was answered {own!.Status}, and the {answer.Status} names no invalid field";
            }

            if (Tarpit(answers) is { } slowed)
            {
                findings.Add(Finding(SecurityRules.PasswordGuessing, Severity.Info,
                    $"password guessing is limited: the sign-ins slowed down by {attempt} ({slowed})", Evidence(i, "sign-ins from this address may stay slow for a while")));
                break;
            }
        }

        if (findings.Count == 0)
        {
            findings.Add(NoLimit(answers, sender, Finding, (i, more) => Evidence(i, more ?? refusal)));
        }

        return SecurityGate.Judge(findings, context.System.Security,
        [
            new Metric("security_requests", new Dictionary<string, string> { ["component"] = signsInAt.Name, ["family"] = "guessing" }, sender.Requests, "count"),
        ]);
    }

    /// <summary>
    /// The finding when every attempt was answered and none showed a limit. A 2xx is named but not judged: it may have
    /// let a made-up account in, or the login answers its failures 2xx with an error in the body (legacy APIs do).
    /// </summary>
    private Finding NoLimit(List<ProbeExchange> answers, ProbeSender sender, Func<string, Severity, string, string, Finding> finding, Func<int, string?, string> evidence)
    {
        var statuses = answers.GroupBy(a => a.Status).Select(g => (Status: g.Key, Count: g.Count())).ToList();
        var answered = statuses.Count == 1 ? $"were all answered {statuses[0].Status}" : "were answered " + string.Join(", ", statuses.Select(s => $"{s.Status} ({s.Count})"));
        var seconds = sender.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);
        var shortOf = answers.Count < options.Guesses ? $" ({answers.Count} of {options.Guesses}: {sender.Spent})" : "";
        var succeeded = answers.FindIndex(a => a.Succeeded);
        return finding(SecurityRules.PasswordGuessing, Severity.Medium,
            $"{answers.Count} wrong sign-ins for one account from one address in {seconds} s{shortOf} {answered}: nothing limits password guessing"
            + (succeeded >= 0 ? $" (attempt {succeeded + 1}, a made-up account with a wrong password, was answered {answers[succeeded].Status}: see its answer)" : ""),
            evidence(succeeded >= 0 ? succeeded : 0, null));
    }

    /// <summary>OAuth 2.0 error codes (RFC 6749 5.2) that refuse the request itself, not the credentials in it.</summary>
    private static readonly string[] RequestErrors = ["invalid_request", "unsupported_grant_type", "invalid_scope", "unsupported_response_type"];

    /// <summary>OAuth 2.0 error codes that refuse the credentials (a wrong password is <c>invalid_grant</c>, 400).</summary>
    private static readonly string[] CredentialErrors = ["invalid_grant", "invalid_client", "unauthorized_client", "access_denied"];

    /// <summary>Members in which validation libraries list the fields they refused (ASP.NET, RFC 9457's example, Zod, Bean Validation, FastAPI).</summary>
    private static readonly string[] FieldLists = ["errors", "invalid-params", "invalidParams", "issues", "violations", "validationErrors", "fieldErrors"];

    /// <summary>Words of a validation message about a request's shape (Ajv: "must have required property").</summary>
    private static readonly string[] ShapeWords = ["required", "missing", "must ", "should ", "malformed", "expected", "validation"];

    /// <summary>Words of a refusal of credentials.</summary>
    private static readonly string[] CredentialWords = ["credential", "or password", "incorrect", "wrong", "unauthori", "authenticat", "invalid login", "sign-in failed", "login failed"];

    /// <summary>
    /// Whether a 400 or 422 to a wrong sign-in refused the request rather than the credentials: why (for the message), or
    /// empty when it is a refusal of the credentials. Refused the request: the identity's own sign-in with the same body
    /// (<paramref name="own"/>) was not taken either, or the answer is an OAuth error about the request
    /// (<c>invalid_request</c>, <c>unsupported_grant_type</c>), or a validation error (a list of refused fields, or a message
    /// about a required or malformed field) that says nothing of credentials. Anything else, with the identity's own sign-in
    /// taken, is the login's way of refusing wrong credentials (as OAuth's <c>invalid_grant</c> is 400).
    /// </summary>
    internal static string Malformed(ProbeExchange answer, ProbeExchange? own)
    {
        if (own is not { Succeeded: true })
        {
            return own is null
                ? "and the identity's own sign-in got no answer"
                : $"and the identity's own sign-in with the same body was refused too ({own.Status}), so the login does not take the body Archgate sends (an OAuth token endpoint wants grant_type)";
        }

        JsonObject? body = null;
        try
        {
            body = answer.Body.Length > 0 ? JsonNode.Parse(answer.Body) as JsonObject : null;
        }
        catch (System.Text.Json.JsonException)
        {
            // a plain-text answer is judged by its words alone
        }

        var error = body?["error"] is JsonValue code && code.TryGetValue<string>(out var e) ? e : null;
        if (error is not null && CredentialErrors.Contains(error, StringComparer.Ordinal))
        {
            return string.Empty;
        }

        if (error is not null && RequestErrors.Contains(error, StringComparer.Ordinal))
        {
            return $"an OAuth error about the request itself (error: {error}), while the identity's own sign-in was answered {own.Status}";
        }

        var text = answer.Body.ToLowerInvariant();
        var credentials = CredentialWords.Any(w => text.Contains(w, StringComparison.Ordinal));
        var list = FieldLists.FirstOrDefault(f => body?[f] is JsonObject { Count: > 0 } or JsonArray { Count: > 0 })
            ?? (body?["detail"] is JsonArray { Count: > 0 } ? "detail" : null);
        if (list is not null && !credentials)
        {
            return $"a validation error that lists refused fields ('{list}'), while the identity's own sign-in was answered {own.Status}: the made-up account's shape may be refused";
        }

        var word = ShapeWords.FirstOrDefault(w => text.Contains(w, StringComparison.Ordinal));
        return word is not null && !credentials
            ? $"a message about the request's shape ('{word.Trim()}'), while the identity's own sign-in was answered {own.Status}: the made-up account's shape may be refused"
            : string.Empty;
    }

    /// <summary>
    /// After a limit: one sign-in as the identity itself tells whether the limit holds back this address or only the
    /// guessed account. Taken, there is nothing to wait for (the shop's limit of 5 failures per account cost every run a
    /// minute). Refused (or not known), a <c>Retry-After</c> of at most <see cref="LongestWait"/> is waited out; else what a
    /// later sign-in from here may meet.
    /// </summary>
    private async Task<string> AfterLimitAsync(TimeSpan? wait, string? header, Func<Task<ProbeExchange?>> signIn, CheckContext context, CancellationToken cancellationToken)
    {
        var own = await signIn();
        if (own is { Succeeded: true })
        {
            return $"a sign-in as '{login.Label}' from this address right after it was answered {own.Status}: the limit holds back the guessed account, not this address, so nothing was waited for";
        }

        var refused = own is null ? "a sign-in as the identity right after it got no answer" : $"a sign-in as '{login.Label}' right after it was answered {own.Status}";
        return $"{refused}; {await WaitOutAsync(wait, header, context, cancellationToken)}";
    }

    /// <summary>A <c>Retry-After</c> of at most <see cref="LongestWait"/> is waited out; else what a later sign-in from here may meet.</summary>
    private static async Task<string> WaitOutAsync(TimeSpan? wait, string? header, CheckContext context, CancellationToken cancellationToken)
    {
        if (wait is not { } left)
        {
            return header is null
                ? "sign-ins from this address may be refused for a while (no Retry-After said how long)"
                : $"sign-ins from this address may be refused for a while (Retry-After '{header}' is no delay nor date)";
        }

        if (left > LongestWait)
        {
            return $"sign-ins from this address may be refused for {Seconds(left)} s (Retry-After), longer than the {Seconds(LongestWait)} s the probe waits";
        }

        var waited = left;
        while (left > TimeSpan.Zero)
        {
            context.Activity?.Report($"waiting out the sign-in limit's Retry-After: {Seconds(left)} s left");
            var step = left < TimeSpan.FromSeconds(5) ? left : TimeSpan.FromSeconds(5);
            await Task.Delay(step, context.Time, cancellationToken);
            left -= step;
        }

        return $"waited {Seconds(waited)} s for the Retry-After to pass, so later sign-ins from this address are not refused";
    }

    private static string Seconds(TimeSpan span) => Math.Ceiling(span.TotalSeconds).ToString("0", CultureInfo.InvariantCulture);

    /// <summary>A <c>Retry-After</c> as a delay (<see cref="Http.RetryAfter.Wait"/>, against <paramref name="now"/>); null when absent or unreadable.</summary>
    internal static TimeSpan? RetryAfter(string? header, DateTimeOffset now) =>
        Http.RetryAfter.Of(header, now);

    /// <summary>
    /// Tarpitting: the median latency of the last five answers more than four times the first five's and above 250 ms
    /// (the two windows apart, so from the tenth answer on); what was seen, or null.
    /// </summary>
    internal static string? Tarpit(IReadOnlyList<ProbeExchange> answers)
    {
        if (answers.Count < 2 * Window)
        {
            return null;
        }

        static TimeSpan Median(IEnumerable<ProbeExchange> window) => window.Select(a => a.Elapsed).Order().ElementAt(Window / 2);
        var first = Median(answers.Take(Window));
        var last = Median(answers.Skip(answers.Count - Window));
        return last > TarpitFloor && last > first * 4
            ? $"the last {Window} answers took {last.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms (median), the first {Window} {first.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms"
            : null;
    }

    /// <summary>An account no one has, of the identity's shape: an e-mail address at <c>example.invalid</c> for one that looks like one, else a plain name.</summary>
    internal static string MadeUpAccount(string user)
    {
        var random = RandomNumberGenerator.GetHexString(10, true);
        var at = user.IndexOf('@', StringComparison.Ordinal);
        var email = at > 0 && user.IndexOf('.', at) > at + 1 && !user.Any(char.IsWhiteSpace);
        return email ? $"archgate-guess-{random}@example.invalid" : $"archgate-guess-{random}";
    }
}

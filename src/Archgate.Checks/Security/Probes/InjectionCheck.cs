using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Archgate.Checks.Contracts;
using Archgate.Checks.Contracts.Conformance;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Security.Probes;

/// <summary>
/// Step 9, injection and input handling, on every string parameter (query, path, header, cookie) and JSON body field the contract declares:
/// SQL injection (error-based: a quote breaks the query and a doubled quote mends it; boolean-based: a value split
/// by the engine's string concatenation answers as the original while a different value does not, twice;
/// time-based: a sleep payload against a measured baseline, confirmed by a zero sleep and a repeat), reflected XSS
/// in HTML answers, CR/LF into headers, path traversal on file-like parameters; then malformed bodies (bad JSON,
/// wrong content type, deep nesting, oversized strings) that must be 4xx, never 5xx, never a stack trace.
/// Bounded per operation and per service; the budget and what it left out are reported (AG9029).
/// </summary>
internal sealed partial class InjectionCheck(HttpComponent component, ContractDocuments documents, SecurityProbeOptions options) : ICheck
{
    private const string Marker = "\"'><svg data-archgate=\"x9\">";

    private static readonly string[] Concatenations = ["'||'", "'+'", "' '"];

    public string Id => $"security.injection:{component.Name}";

    public int Step => 9;

    public string Title => $"{component.Name} handles hostile input (SQL injection, XSS, CRLF, traversal, malformed bodies)";

    public Applicability AppliesTo(SystemModel system) => component.OpenApi is null
            ? Applicability.No($"{component.Name} declares no OpenAPI contract to take its inputs from")
            : Applicability.Yes;

    public async Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        var policy = context.System.Security;
        var (target, _) = await ProbeTarget.OpenAsync(component, context, documents, options, cancellationToken);
        if (!target!.HasContract)
        {
            return CheckResult.Skipped($"{component.Name} has no readable OpenAPI contract: the injection probes take their parameters and fields from it");
        }

        var sender = target.Sender(context, options);
        var run = new Run(this, target, sender, options);
        var book = target.NewBook();
        target.Track(book, target.Service);
        var probed = 0;
        var signedOut = false;
        // The identity's own logout last: sent with the shared session it ends it, and every operation after it would
        // answer 401 to every probe (an injection nobody looked for, not one the service resists).
        foreach (var operation in target.Operations.Where(o => o.Method != "DELETE").OrderBy(target.IsOwnLogout))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (policy.Safe && !operation.IsSafe)
            {
                run.LeftOut.Add($"{operation.Name} (security.safe)");
                continue;
            }

            if (sender.Spent is { } spent)
            {
                run.LeftOut.Add($"{operation.Name} ({spent})");
                continue;
            }

            if (operation.Secured && !target.Service.Ok)
            {
                run.LeftOut.Add($"{operation.Name} (the manifest's auth failed: {target.Service.Problem})");
                continue;
            }

            var plan = RequestPlanner.Plan(operation, book, 1);
            if (plan.Requests.Count == 0)
            {
                run.LeftOut.Add($"{operation.Name} ({plan.SkipReason ?? "no request could be built"})");
                continue;
            }

            context.Activity?.Report($"injection: {operation.Name}");
            var valid = operation.Secured ? target.Service.On(plan.Requests[0]) : plan.Requests[0];
            var probe = new OperationProbe(run, operation, valid);
            signedOut |= operation.Secured && target.IsOwnLogout(operation);
            var baseline = await probe.SendAsync(valid, cancellationToken);
            if (baseline is null)
            {
                run.LeftOut.Add($"{operation.Name} ({sender.Spent ?? "no answer: " + sender.FailureCause})");
                continue;
            }

            probed++;
            book.Record(plan.Requests[0], baseline.Status, baseline.Headers, baseline.Body);
            var points = Points(context.System, target, operation, valid, run);
            var cut = new List<string>();
            if (baseline.Status >= 500)
            {
                // Nothing to compare a probe's answer with: named, as an input nobody looked at is no input that resists.
                run.LeftOut.AddRange(points.Select(p => $"{operation.Name} {p.Name} (the valid request answered {baseline.Status})"));
            }
            else
            {
                foreach (var point in points)
                {
                    await probe.PointAsync(point, baseline, cancellationToken);
                    if (probe.Exhausted)
                    {
                        cut.Add(point.Name);
                    }
                }
            }

            if (valid.Body is not null)
            {
                await probe.MalformedBodiesAsync(cancellationToken);
            }

            run.Points += probe.Points;
            if (probe.Exhausted)
            {
                run.LeftOut.Add($"{operation.Name}: some probes of {(cut.Count > 0 ? string.Join(", ", cut) : "the malformed bodies")} (at most {options.MaxRequestsPerOperation} requests per operation)");
            }
        }

        if (signedOut)
        {
            target.SignedOut(context);
        }

        // After the own logout, the deletes go as the service's identity signed in again.
        var cleanup = await target.CleanUpAsync(sender, cancellationToken, signedOut ? context : null, options);

        run.Add(SecurityRules.InjectionCoverage, Severity.Info, "injection",
            $"{probed} operations, {run.Points} string inputs probed (SQL injection error/boolean/time-based, XSS, CRLF, traversal) and malformed bodies; " +
            $"{sender.Requests} requests in {sender.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s " +
            $"(budget {options.MaxRequests} per service, {options.MaxRequestsPerOperation} per operation, {options.Budget.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s)" +
            (cleanup is null ? "" : $"; {cleanup}") +
            (run.MadeUpAccounts.Count > 0 ? $"; the password and other inputs of {string.Join(", ", run.MadeUpAccounts)} probed for a made-up account, so no wrong password counts against an identity" : "") +
            (run.LeftOut.Count > 0 ? $"; not probed: {string.Join(", ", run.LeftOut.Take(12))}{(run.LeftOut.Count > 12 ? $" and {run.LeftOut.Count - 12} more" : "")}" : ""), null);
        return SecurityGate.Judge(run.Findings, policy,
        [
            new Metric("security_requests", new Dictionary<string, string> { ["component"] = component.Name, ["family"] = "injection" }, sender.Requests, "count"),
            new Metric("security_inputs_probed", new Dictionary<string, string> { ["component"] = component.Name, ["family"] = "injection" }, run.Points, "count"),
        ]);
    }

    /// <summary>
    /// The string inputs of <paramref name="valid"/>. On a login of the manifest's identities every input but the user
    /// field is probed for a made-up account: each probe of the password is a wrong password, and a limiter or a lockout
    /// counts those against the account named (ex11 answered the identity 429 after them; a lockout would outlast the
    /// run). A quote that breaks the query is seen all the same; only the boolean-based probe of the password, which
    /// needs a sign-in to compare with, is lost.
    /// </summary>
    private IReadOnlyList<InjectionPoint> Points(SystemModel system, ProbeTarget target, OperationInfo operation, ProbeRequest valid, Run run)
    {
        var credentials = CredentialNames(system, target);
        var points = InjectionPoint.Of(operation, valid, credentials);
        var login = system.Auth.Values.Concat(system.Security.Identities).Append(component.Auth).OfType<LoginAuth>()
            .FirstOrDefault(l => l.SignsInAt(component.Name) && new AuthCall(l.Method, l.Path).Is(operation.Method, target.Prefix + operation.Template));
        if (login is null || valid.Body is null || Parse(valid.Body) is not JsonObject body)
        {
            return points;
        }

        var user = login.UserField ?? Authenticator.Fields(target.Document, login).User;
        if (!body.ContainsKey(user))
        {
            return points;
        }

        body[user] = PasswordGuessingCheck.MadeUpAccount(login.User);
        var decoy = InjectionPoint.Of(operation, valid with { Body = body.ToJsonString() }, credentials).ToDictionary(p => p.Name, StringComparer.Ordinal);
        run.MadeUpAccounts.Add(operation.Name);
        return [.. points.Select(p => p.Parameter == user ? p : decoy.GetValueOrDefault(p.Name) ?? p)];
    }

    /// <summary>
    /// The headers and cookies that carry credentials, which no injection probe replaces: the contract's apiKey places,
    /// the manifest's API keys, and what the service's identity sends (its headers, cookies, session and anti-CSRF names).
    /// </summary>
    private static HashSet<string> CredentialNames(SystemModel system, ProbeTarget target)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        names.UnionWith((target.Document.Components?.SecuritySchemes?.Values ?? []).Where(s => s.Type == Microsoft.OpenApi.SecuritySchemeType.ApiKey && !string.IsNullOrEmpty(s.Name)).Select(s => s.Name!));
        names.UnionWith(system.Auth.Values.Concat(system.Security.Identities).Append(target.Component.Auth).OfType<ApiKeyAuth>().Select(k => k.Header));
        names.UnionWith(target.Service.Headers.Select(h => h.Key).Concat(target.Service.Cookies.Select(c => c.Key)));
        names.UnionWith(target.Service.SessionCookies.SelectMany(c => new[] { c.Name, c.CsrfHeader }));
        return names;
    }

    /// <summary>The JSON of <paramref name="text"/>, or null when it is none.</summary>
    private static JsonNode? Parse(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [GeneratedRegex("(?i)(file|path|filename|template|page|doc|document|folder|dir|download|include|attachment)")]
    private static partial Regex FileLike();

    /// <summary>The state of one injection run: findings (one per rule and place), what was left out.</summary>
    private sealed class Run(InjectionCheck check, ProbeTarget target, ProbeSender sender, SecurityProbeOptions options)
    {
        private readonly HashSet<string> _reported = new(StringComparer.Ordinal);

        public List<Finding> Findings { get; } = [];

        public List<string> LeftOut { get; } = [];

        /// <summary>The logins whose inputs but the user were probed for a made-up account.</summary>
        public List<string> MadeUpAccounts { get; } = [];

        public int Points { get; set; }

        public ProbeSender Sender => sender;

        public ProbeTarget Target => target;

        public SecurityProbeOptions Options => options;

        public void Add(string rule, Severity severity, string location, string message, string? evidence)
        {
            if (!_reported.Add($"{rule} {location}"))
            {
                return;
            }

            Findings.Add(Archgate.Protocol.Findings.Create(SecurityRules.Rule(rule, severity), check.Component.Name, location, message, evidence));
        }
    }

    /// <summary>The probes of one operation, within its request budget.</summary>
    private sealed class OperationProbe(Run run, OperationInfo operation, ProbeRequest valid)
    {
        private readonly List<string> _uncarried = [];
        private int _sent;
        private TimeSpan? _slowestBaseline;

        public int Points { get; private set; }

        public bool Exhausted { get; private set; }

        public async Task<ProbeExchange?> SendAsync(ProbeRequest? request, CancellationToken cancellationToken, TimeSpan? timeout = null)
        {
            if (request is null)
            {
                return null; // a value the input cannot carry (With)
            }

            if (_sent >= run.Options.MaxRequestsPerOperation)
            {
                Exhausted = true;
                return null;
            }

            _sent++;
            var exchange = await run.Sender.SendAsync(request, cancellationToken, timeout);
            run.Target.Made(request, exchange, run.Target.Service); // a payload stored as it came: deleted at the end

            if (exchange is not null && ResponseSignals.StackTrace(exchange.Body) is { } frame)
            {
                run.Add(SecurityRules.ErrorDisclosure, SecurityRules.StackTraceSeverity, operation.Name,
                    $"{operation.Name} answered {exchange.Status} with a stack trace ({Purpose(request)})",
                    run.Sender.Evidence(request, exchange, run.Sender.Excerpt(frame)));
            }

            return exchange;
        }

        public async Task PointAsync(InjectionPoint point, ProbeExchange baseline, CancellationToken cancellationToken)
        {
            if (Exhausted)
            {
                return; // named in the coverage finding as not probed, not counted as probed
            }

            var location = $"{operation.Name} {point.Name}";
            if (!point.Carries(point.Original))
            {
                run.LeftOut.Add($"{location} (its value: {point.Limit})");
                return;
            }

            Points++;
            _uncarried.Clear();
            if (!await ErrorBasedAsync(point, baseline, location, cancellationToken)
                && !await BooleanBasedAsync(point, baseline, location, cancellationToken))
            {
                await TimeBasedAsync(point, baseline, location, cancellationToken);
            }

            var reflected = With(point, point.Original + Marker, "the XSS probe");
            if (await SendAsync(reflected, cancellationToken) is { } html && html.MediaType is "text/html" or "application/xhtml+xml"
                && html.Body.Contains("<svg data-archgate=\"x9\">", StringComparison.Ordinal))
            {
                run.Add(SecurityRules.ReflectedXss, Severity.High, location,
                    $"{point.Name} of {operation.Name} is reflected unescaped in an HTML answer", run.Sender.Evidence(reflected!, html, run.Sender.Excerpt(Around(html.Body, "<svg data-archgate"))));
            }

            var split = With(point, point.Original + "\r\nX-Archgate-Crlf: injected", "the CR/LF probe");
            if (await SendAsync(split, cancellationToken) is { } crlf && crlf.Headers.ContainsKey("X-Archgate-Crlf"))
            {
                run.Add(SecurityRules.CrlfInjection, Severity.High, location,
                    $"CR/LF in {point.Name} of {operation.Name} became a response header (X-Archgate-Crlf)", run.Sender.Evidence(split!, crlf, "X-Archgate-Crlf: injected"));
            }

            if (FileLike().IsMatch(point.Parameter))
            {
                foreach (var traversal in new[] { "../../../../../../../../../../etc/passwd", "..\\..\\..\\..\\..\\..\\..\\..\\windows\\win.ini", "....//....//....//....//....//....//etc/passwd" })
                {
                    var request = With(point, traversal, "a traversal probe");
                    if (await SendAsync(request, cancellationToken) is { } file && (file.Body.Contains("root:x:0:0:", StringComparison.Ordinal) || file.Body.Contains("[fonts]", StringComparison.Ordinal)))
                    {
                        run.Add(SecurityRules.PathTraversal, Severity.High, location,
                            $"{point.Name} of {operation.Name} read a file outside its folder ({traversal})", run.Sender.Evidence(request!, file));
                        break;
                    }
                }
            }

            if (_uncarried.Count > 0)
            {
                run.LeftOut.Add($"{location}: {string.Join(", ", _uncarried)} ({point.Limit})");
            }
        }

        /// <summary>
        /// <paramref name="point"/> set to <paramref name="value"/>, or null (noted as <paramref name="probe"/> not sent)
        /// when the input cannot carry it: a CR/LF, or a byte outside visible ASCII, in a header or a cookie.
        /// </summary>
        private ProbeRequest? With(InjectionPoint point, string value, string probe)
        {
            if (point.Carries(value))
            {
                return point.With(value);
            }

            if (!_uncarried.Contains(probe))
            {
                _uncarried.Add(probe);
            }

            return null;
        }

        /// <summary>A quote breaks the query (5xx or a database error) and a doubled quote mends it.</summary>
        private async Task<bool> ErrorBasedAsync(InjectionPoint point, ProbeExchange baseline, string location, CancellationToken cancellationToken)
        {
            var broken = With(point, point.Original + "'", "the error-based SQL probe");
            var error = await SendAsync(broken, cancellationToken);
            var message = error is null ? null : ResponseSignals.DatabaseError(error.Body);
            if (error is null || !(error.Status >= 500 || message is not null) || ResponseSignals.DatabaseError(baseline.Body) is not null)
            {
                return false;
            }

            var mended = await SendAsync(With(point, point.Original + "''", "the error-based SQL probe"), cancellationToken);
            if (mended is null || mended.Status >= 500 || ResponseSignals.DatabaseError(mended.Body) is not null)
            {
                return false;
            }

            if (message is null)
            {
                // A quote gives a 5xx and two mend it: SQL is likely, proved by the boolean or time-based probe.
                return false;
            }

            run.Add(SecurityRules.SqlInjection, Severity.Critical, location,
                $"{point.Name} of {operation.Name} is injectable (error-based): a quote answers {error.Status} with a database error, two quotes answer {mended.Status}",
                run.Sender.Evidence(broken!, error, run.Sender.Excerpt(message)));
            return true;
        }

        /// <summary>The value split by the engine's concatenation answers as the original, a different one does not; twice.</summary>
        private async Task<bool> BooleanBasedAsync(InjectionPoint point, ProbeExchange baseline, string location, CancellationToken cancellationToken)
        {
            if (point.Original.Length < 2)
            {
                return false;
            }

            var head = point.Original[..^1];
            var tail = point.Original[^1..];
            foreach (var concat in Concatenations)
            {
                var same = With(point, head + concat + tail, "the boolean-based SQL probe");
                var answer = await SendAsync(same, cancellationToken);
                if (answer is null || !Same(answer, baseline))
                {
                    continue;
                }

                var other = With(point, head + concat + "zq", "the boolean-based SQL probe");
                var different = await SendAsync(other, cancellationToken);
                if (different is null || Same(different, baseline) || await SendAsync(same, cancellationToken) is not { } again || !Same(again, baseline))
                {
                    continue;
                }

                run.Add(SecurityRules.SqlInjection, Severity.Critical, location,
                    $"{point.Name} of {operation.Name} is injectable (boolean-based): '{head}{concat}{tail}' answers as '{point.Original}' (twice), '{head}{concat}zq' does not",
                    run.Sender.Evidence(same!, answer));
                return true;
            }

            return false;
        }

        /// <summary>A sleep payload is slower than the slowest baseline by the delay; a zero sleep is not; a repeat is again.</summary>
        private async Task TimeBasedAsync(InjectionPoint point, ProbeExchange baseline, string location, CancellationToken cancellationToken)
        {
            var delay = run.Options.SleepDelay;
            var seconds = ((int)Math.Ceiling(delay.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            var timeout = run.Options.RequestTimeout + delay;
            foreach (var payload in new Func<string, string>[]
            {
                n => $"{point.Original}'||(SELECT '' FROM pg_sleep({n}))||'",
                n => $"{point.Original}' AND SLEEP({n}) AND '1'='1",
            })
            {
                if (_slowestBaseline is null)
                {
                    var second = await SendAsync(valid, cancellationToken);
                    _slowestBaseline = second is null || second.Elapsed < baseline.Elapsed ? baseline.Elapsed : second.Elapsed;
                }

                var slow = With(point, payload(seconds), "the time-based SQL probe");
                var first = await SendAsync(slow, cancellationToken, timeout);
                if (first is null || first.Elapsed < _slowestBaseline + (delay * 0.9))
                {
                    continue;
                }

                var zero = await SendAsync(With(point, payload("0"), "the time-based SQL probe"), cancellationToken, timeout);
                var repeat = zero is null || zero.Elapsed >= _slowestBaseline + (delay / 2) ? null : await SendAsync(slow, cancellationToken, timeout);
                if (repeat is not null && repeat.Elapsed >= _slowestBaseline + (delay * 0.9))
                {
                    run.Add(SecurityRules.SqlInjection, Severity.Critical, location,
                        $"{point.Name} of {operation.Name} is injectable (time-based): a {seconds} s sleep answered after {Ms(first.Elapsed)} and {Ms(repeat.Elapsed)}, " +
                        $"a zero sleep after {Ms(zero!.Elapsed)}, the slowest plain request {Ms(_slowestBaseline.Value)}",
                        run.Sender.Evidence(slow!, repeat));
                    return;
                }
            }
        }

        /// <summary>How many number and boolean properties of a body are each sent a string. <value>5</value>.</summary>
        private const int MaxTypedProperties = 5;

        /// <summary>Bodies a parser must refuse with 4xx: never a 5xx, never a stack trace.</summary>
        public async Task MalformedBodiesAsync(CancellationToken cancellationToken)
        {
            var cases = new List<(string What, string Body, string ContentType)>
            {
                ("malformed JSON", "{\"archgate\": ", "application/json"),
                ("a JSON array for an object", "[]", "application/json"),
                ("deeply nested JSON", new string('[', 5000) + new string(']', 5000), "application/json"),
                ("an unexpected content type", valid.Body!, "text/plain"),
                ("an XML body", "<archgate/>", "application/xml"),
            };
            if (Parse(valid.Body!) is JsonObject body && body.FirstOrDefault(p => p.Value is JsonValue v && v.GetValueKind() == JsonValueKind.String).Key is { } field)
            {
                body[field] = new string('a', 256 * 1024);
                cases.Add(($"a 256 KiB string in '{field}'", body.ToJsonString(), "application/json"));
            }

            // A value of the wrong type where a number or a boolean goes, in each such property (at most
            // MaxTypedProperties): a handler that converts one unchecked (int(body['quantity']), Convert.ToInt32) answers
            // 500, often with its stack trace, though it may check the one before it (ex10: itemId checked, quantity not).
            if (Parse(valid.Body!) is JsonObject typed)
            {
                var typedNames = typed.Where(p => p.Value is JsonValue v && v.GetValueKind() is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False)
                    .Select(p => (p.Key, Kind: p.Value!.GetValueKind() == JsonValueKind.Number ? "number" : "boolean")).Take(MaxTypedProperties).ToList();
                foreach (var (name, kind) in typedNames)
                {
                    var copy = (JsonObject)typed.DeepClone();
                    copy[name] = "archgate";
                    cases.Add(($"a string in '{name}', where a {kind} goes", copy.ToJsonString(), "application/json"));
                }
            }

            var failed = new List<(string What, ProbeRequest Request, ProbeExchange Exchange)>();
            foreach (var (what, text, type) in cases)
            {
                var request = valid with { Body = text, ContentType = type, Purpose = what };
                if (await SendAsync(request, cancellationToken) is { Status: >= 500 } exchange)
                {
                    failed.Add((what, request, exchange));
                }
            }

            if (failed.Count > 0)
            {
                run.Add(SecurityRules.MalformedInputServerError, Severity.Medium, operation.Name,
                    $"{operation.Name} answered 5xx to {string.Join(", ", failed.Select(f => $"{f.What} ({f.Exchange.Status})"))} instead of 4xx",
                    run.Sender.Evidence(failed[0].Request, failed[0].Exchange));
            }
        }

        private static bool Same(ProbeExchange a, ProbeExchange b) =>
            a.Status == b.Status && string.Equals(ResponseSignals.Stable(a.Body), ResponseSignals.Stable(b.Body), StringComparison.Ordinal);

        private static string Purpose(ProbeRequest request) => request.Purpose;

        private static string Around(string body, string what)
        {
            var at = body.IndexOf(what, StringComparison.Ordinal);
            return at < 0 ? body : body[Math.Max(0, at - 40)..Math.Min(body.Length, at + 80)];
        }

        private static string Ms(TimeSpan t) => $"{t.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms";
    }

    private Component Component => component;
}

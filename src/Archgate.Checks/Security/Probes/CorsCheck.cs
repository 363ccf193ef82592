using System.Globalization;
using Archgate.Checks.Contracts;
using Archgate.Checks.Contracts.Conformance;
using Archgate.Checks.Http;
using Archgate.Model;
using Archgate.Protocol;
using Microsoft.OpenApi;

namespace Archgate.Checks.Security.Probes;

/// <summary>
/// Step 9, CORS and CSRF. The manifest's frontends are the allowed origins. An arbitrary origin reflected (worst
/// with credentials), the <c>null</c> origin allowed, a preflight that allows any header or every method are
/// findings (AG9030-AG9032). Cookie-authenticated state-changing operations (a contract cookie scheme whose cookie
/// the manifest's auth gives) are sent cross-site without any anti-CSRF token: a 2xx is CSRF (AG9035).
/// </summary>
internal sealed class CorsCheck(HttpComponent component, ContractDocuments documents, SecurityProbeOptions options) : ICheck
{
    /// <summary>The origin no manifest allows.</summary>
    public const string HostileOrigin = "https://evil.archgate.example";

    public string Id => $"security.cors:{component.Name}";

    public int Step => 9;

    public string Title => $"{component.Name} allows only its frontends' origins and resists cross-site requests";

    public Applicability AppliesTo(SystemModel system) => Applicability.Yes;

    public async Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        var policy = context.System.Security;
        var (target, _) = await ProbeTarget.OpenAsync(component, context, documents, options, cancellationToken);
        var sender = target!.Sender(context, options);
        var findings = new List<Finding>();
        var allowed = context.System.OfKind<FrontendComponent>()
            .Select(f => f.Url.GetLeftPart(UriPartial.Authority)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var probe = ProbePath(target);
        var secured = probe.Operation?.Secured == true && target.Service.Ok ? target.Service.On(probe.Request) : probe.Request;

        void Add(string rule, Severity severity, string message, ProbeRequest request, ProbeExchange exchange, string excerpt) =>
            findings.Add(Findings.Create(SecurityRules.Rule(rule, severity), component.Name, probe.Request.Operation, message, sender.Evidence(request, exchange, excerpt)));

        // With credentials an allowed origin is high only when the service takes one a browser sends by itself (a cookie,
        // HTTP auth): a bearer token or a header key never leaves the page that holds it.
        var ambient = AmbientCredentials.Of(component, target.HasContract ? target.Document : null, target.Service.Ok ? target.Service : null);
        var hostile = secured.WithHeader("Origin", HostileOrigin);
        if (await sender.SendAsync(hostile, cancellationToken) is { } answer && Allows(answer, HostileOrigin) is { } granted)
        {
            var credentials = Credentialed(answer) && granted != "*";
            Add(SecurityRules.CorsArbitraryOrigin, credentials && ambient.Any ? Severity.High : Severity.Medium,
                $"CORS allows the origin {HostileOrigin}, which is no frontend of the manifest ({(granted == "*" ? "wildcard" : "reflected")}{(Credentialed(answer) ? ", with credentials" : "")}): " +
                (credentials ? ambient.Exposure(component.Name) : "any site can read the answers"),
                hostile, answer, CorsHeaders(answer));
        }

        var sandboxed = secured.WithHeader("Origin", "null");
        if (await sender.SendAsync(sandboxed, cancellationToken) is { } nullAnswer && Allows(nullAnswer, "null") == "null")
        {
            Add(SecurityRules.CorsNullOrigin, Credentialed(nullAnswer) && ambient.Any ? Severity.High : Severity.Medium,
                "CORS allows the origin 'null' (sandboxed frames, file: pages, redirects): any site can reach it through a sandboxed frame" +
                (Credentialed(nullAnswer) && !ambient.Any ? $"; {ambient.Exposure(component.Name)}" : ""),
                sandboxed, nullAnswer, CorsHeaders(nullAnswer));
        }

        var origin = allowed.FirstOrDefault() ?? HostileOrigin;
        var preflight = new ProbeRequest { Method = "OPTIONS", Template = probe.Request.Template, Path = probe.Request.Path, Query = probe.Request.Query, Purpose = "CORS preflight" }
            .WithHeader("Origin", origin).WithHeader("Access-Control-Request-Method", "PROPFIND").WithHeader("Access-Control-Request-Headers", "x-archgate-probe");
        if (await sender.SendAsync(preflight, cancellationToken) is { } pre && Allows(pre, origin) is not null)
        {
            var methods = pre.Headers.GetValueOrDefault("Access-Control-Allow-Methods") ?? "";
            var headers = pre.Headers.GetValueOrDefault("Access-Control-Allow-Headers") ?? "";
            var anyMethod = methods.Contains('*', StringComparison.Ordinal) || methods.Contains("PROPFIND", StringComparison.OrdinalIgnoreCase);
            var anyHeader = headers.Contains('*', StringComparison.Ordinal) || headers.Contains("x-archgate-probe", StringComparison.OrdinalIgnoreCase);
            if (anyMethod || anyHeader)
            {
                Add(SecurityRules.CorsPermissivePreflight, Severity.Low,
                    $"the preflight allows {(anyMethod ? "any method (PROPFIND)" : "")}{(anyMethod && anyHeader ? " and " : "")}{(anyHeader ? "any request header (x-archgate-probe)" : "")}",
                    preflight, pre, CorsHeaders(pre));
            }
        }

        var csrf = await CsrfAsync(target, sender, context, allowed.FirstOrDefault(), findings, cancellationToken);
        findings.Add(Findings.Create(SecurityRules.CorsCoverage, Severity.Info,
            component: component.Name,
            location: probe.Request.Operation,
            message: $"CORS probed on {probe.Request.Operation} with the origins {HostileOrigin} and null, and a preflight from " +
                $"{(allowed.Count == 0 ? "a foreign origin (the manifest declares no frontend)" : origin)}; {csrf}; {sender.Requests} requests in " +
                $"{sender.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s",
            hint: SecurityRules.Hint(SecurityRules.CorsCoverage)));
        return SecurityGate.Judge(findings, policy,
        [
            new Metric("security_requests", new Dictionary<string, string> { ["component"] = component.Name, ["family"] = "cors" }, sender.Requests, "count"),
        ]);
    }

    /// <summary>
    /// Cookie-authenticated state-changing operations, sent cross-site with the cookie and no token: 2xx is CSRF. A
    /// refusal counts only when the same request sent as the page sends it (same-site, with the anti-CSRF header) is
    /// taken: a dead session or a role check refuses both, which says nothing about CSRF. A session refused 401 there
    /// (ended by an earlier probe) is signed in afresh once, and the operation sent again.
    /// </summary>
    private async Task<string> CsrfAsync(
        ProbeTarget target, ProbeSender sender, CheckContext context, string? frontend, List<Finding> findings, CancellationToken cancellationToken)
    {
        var policy = context.System.Security;
        var schemes = target.Document.Components?.SecuritySchemes ?? new Dictionary<string, IOpenApiSecurityScheme>();
        var cookieSchemes = schemes.Where(s => s.Value.Type == SecuritySchemeType.ApiKey && s.Value.In == ParameterLocation.Cookie).Select(s => s.Key).ToHashSet(StringComparer.Ordinal);
        // Never the identity's own logout: it would end the session the later checks share.
        var operations = target.Operations.Where(o => !o.IsSafe && o.Method != "DELETE" && CookieSecured(o, target.Document, cookieSchemes) && !target.IsOwnLogout(o)).ToList();
        var sessions = target.Service.SessionCookies.Where(c => !c.IsCsrfToken).ToList();
        if (operations.Count == 0)
        {
            return CookieParameters(target, sessions) is { } taking
                ? $"CSRF: no operation secured by a cookie scheme; {taking}"
                : "CSRF: no cookie-authenticated state-changing operation";
        }

        if (component.Auth is LoginAuth failed && !target.Service.Ok)
        {
            // A login refused now (429 after the injection probes' wrong passwords for the contract's example user) is
            // not a login that sets no cookie.
            return $"CSRF: {operations.Count} cookie-authenticated operations not probed ('{failed.Label}' could not sign in: {target.Service.Problem})";
        }

        if (component.Auth is not ApiKeyAuth { In: ApiKeyLocation.Cookie } && sessions.Count == 0)
        {
            return $"CSRF: {operations.Count} cookie-authenticated operations not probed (the manifest's auth gives no cookie: a login that sets a session cookie, or auth.apiKey with in: cookie)";
        }

        if (sessions.Count > 0 && sessions.All(c => c.StaysSameSite))
        {
            return $"CSRF: {operations.Count} cookie-authenticated operations not probed: the session cookie ({string.Join(", ", sessions.Select(c => $"{c.Name}, SameSite={c.SameSite}"))}) " +
                "is one a browser keeps off cross-site writes";
        }

        if (policy.Safe)
        {
            return $"CSRF: {operations.Count} cookie-authenticated operations not probed (security.safe)";
        }

        var book = target.NewBook();
        var credentials = target.Service;
        var renewed = false;
        var (accepted, refused) = (0, 0);
        var undetermined = new List<string>();
        // A restricted write is forged with the session of an identity that may call it (RoleRestriction), and one refused
        // 403 to the service's identity with the page's own header with the run's admin's session.
        async Task<(string Label, Credentials? Credentials)> AdminAsync() =>
            AdminOperations.Admin(context.System) is { } admin
                ? (admin.Label, await Frontend.ApiSession.SignInAsync(admin, target.Component, context, cancellationToken) is { Ok: true } signedIn ? signedIn : null)
                : ("", null);

        foreach (var operation in operations)
        {
            var plan = RequestPlanner.Plan(operation, book, 1);
            if (plan.Requests.Count == 0)
            {
                continue;
            }

            var who = credentials;
            var asAdmin = "";
            if (RoleRestriction.Of(context.System, operation) is { } restriction)
            {
                var signedIn = await Frontend.ApiSession.SignInAsync(restriction, target.Component, context, cancellationToken);
                if (signedIn.Credentials is not { } callerCredentials)
                {
                    undetermined.Add($"{operation.Name} ({restriction.Kind}, and {signedIn.WhyNot})");
                    continue;
                }

                (who, asAdmin) = (callerCredentials, $" as {restriction.Caller!.Label}, {(restriction.AdminOnly ? "the admin" : $"who has roles: [{string.Join(", ", restriction.Caller.Roles)}]")}");
            }

            while (true)
            {
                // A forged request carries the browser's cookies and nothing the page's script adds: no anti-CSRF header,
                // not even one the contract declares as a header parameter.
                var planned = plan.Requests[0] with { Headers = [.. plan.Requests[0].Headers.Where(h => !who.Headers.Any(c => c.Key.Equals(h.Key, StringComparison.OrdinalIgnoreCase)))] };
                var request = (who with { Headers = [] }).On(planned).WithHeader("Origin", HostileOrigin).WithHeader("Sec-Fetch-Site", "cross-site");
                var exchange = await sender.SendAsync(request, cancellationToken);
                target.Made(request, exchange, who);
                if (exchange is { Succeeded: true })
                {
                    accepted++;
                    findings.Add(Findings.Create(SecurityRules.Rule(SecurityRules.Csrf, Severity.High), component.Name, operation.Name,
                        $"{operation.Name} is authenticated by a cookie and answered {exchange.Status} to a cross-site request (Origin {HostileOrigin}){asAdmin} without any anti-CSRF token",
                        sender.Evidence(request, exchange)));
                    break;
                }

                var sameSite = who.On(plan.Requests[0]).WithHeader("Sec-Fetch-Site", "same-origin");
                var control = await sender.SendAsync(frontend is null ? sameSite : sameSite.WithHeader("Origin", frontend), cancellationToken);
                target.Made(sameSite, control, who);
                if (control is { Succeeded: true })
                {
                    refused++;
                    break;
                }

                if (control?.Status == 403 && asAdmin.Length == 0 && await AdminAsync() is { Credentials: { } roleCredentials } role && role.Label != component.Auth?.Label)
                {
                    // Refused to the service's identity with the page's own header too: a role check, not CSRF. The admin's
                    // session tells.
                    (who, asAdmin) = (roleCredentials, $" as {role.Label}, the admin");
                    continue;
                }

                if (control?.Status == 401 && !renewed && asAdmin.Length == 0 && component.Auth is LoginAuth login)
                {
                    // The shared session was ended before this check (a logout an earlier probe sent): sign in afresh.
                    renewed = true;
                    TokenSource.Of(context).Forget(login, component.Url);
                    var (fresh, _, _) = await Authenticator.AuthenticateAsync(login, component.Url, target.Document, context, options.RequestTimeout, cancellationToken);
                    if (fresh.Ok)
                    {
                        (credentials, who) = (fresh, fresh);
                        continue;
                    }
                }

                undetermined.Add($"{operation.Name} (cross-site {Status(exchange)}, and the same request same-site with the anti-CSRF header{asAdmin} {Status(control)})");
                break;
            }
        }

        var cleanup = await target.CleanUpAsync(sender, cancellationToken);
        return $"CSRF: {operations.Count} cookie-authenticated operations sent cross-site, {accepted} taken, {refused} refused" +
            (undetermined.Count == 0 ? "" : $"; not determined, as the page's own request was refused too: {string.Join(", ", undetermined)}") +
            (cleanup is null ? "" : $"; {cleanup}");
    }

    private static string Status(ProbeExchange? exchange) => exchange is null ? "got no answer" : $"answered {exchange.Status.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>
    /// The state-changing operations that take a required cookie parameter though no cookie scheme secures them (a
    /// bearer login's refresh and logout, carried by a refresh-token cookie), for the coverage line: not probed, since a
    /// refresh or logout sent would rotate or end the session the later checks share; with how the login sets that
    /// cookie when it does (SameSite=Strict or Lax keeps it off cross-site writes). Null when there is none.
    /// </summary>
    private static string? CookieParameters(ProbeTarget target, List<SessionCookie> sessions)
    {
        static IEnumerable<string> Cookies(OperationInfo o) => o.Parameters.Where(p => p.In == ParameterLocation.Cookie && p.Required && p.Name is not null).Select(p => p.Name!);
        var taking = target.Operations.Where(o => !o.IsSafe && Cookies(o).Any()).ToList();
        if (taking.Count == 0)
        {
            return null;
        }

        var names = taking.SelectMany(Cookies).Distinct(StringComparer.Ordinal).ToList();
        var set = sessions.Where(c => names.Contains(c.Name, StringComparer.Ordinal)).Select(c => $"{c.Name} with SameSite={c.SameSite ?? "(none)"}{(c.StaysSameSite ? ", which a browser keeps off cross-site writes" : ", which a browser sends cross-site")}").ToList();
        return $"{taking.Count} state-changing operation(s) take a cookie and were not probed (a refresh or logout would rotate or end the run's session): " +
            string.Join(", ", taking.Take(6).Select(o => $"{o.Method} {o.Template} ({string.Join(", ", Cookies(o))})")) +
            (set.Count > 0 ? $"; the login sets {string.Join("; ", set)}" : string.Empty);
    }

    private static bool CookieSecured(OperationInfo operation, OpenApiDocument document, HashSet<string> cookieSchemes)
    {
        var requirements = operation.Operation.Security ?? document.Security;
        return requirements is not null && requirements.Any(r => r.Keys.Any(k => k.Reference?.Id is { } id ? cookieSchemes.Contains(id) : false));
    }

    /// <summary>A GET without path parameters, secured ones first, else the health path, else the root.</summary>
    private (ProbeRequest Request, OperationInfo? Operation) ProbePath(ProbeTarget target)
    {
        // Never a stream the manifest declares (realtime): a WebSocket-only path answers a plain GET 404, an event stream never ends.
        var streams = (component as ServiceComponent)?.Realtime.Select(r => r.Path.Split('?')[0]).ToHashSet(StringComparer.Ordinal) ?? [];
        var get = target.Operations.Where(o => o.Method == "GET" && !o.Template.Contains('{', StringComparison.Ordinal) && !o.Template.Contains("events", StringComparison.Ordinal)
                && !streams.Contains(o.Template) && !streams.Contains(target.Prefix + o.Template))
            .OrderByDescending(o => o.Secured).FirstOrDefault();
        if (get is not null)
        {
            var plan = RequestPlanner.Plan(get, new ResourceBook([], new Dictionary<string, IReadOnlyDictionary<string, string>>()), 1);
            if (plan.Requests.Count > 0)
            {
                return (plan.Requests[0], get);
            }
        }

        var path = component.HealthPath ?? "/";
        return (new ProbeRequest { Method = "GET", Template = path, Path = path, Purpose = "CORS probe" }, null);
    }

    private static string? Allows(ProbeExchange exchange, string origin) =>
        exchange.Headers.GetValueOrDefault("Access-Control-Allow-Origin")?.Trim() is { } value && (value == "*" || string.Equals(value, origin, StringComparison.OrdinalIgnoreCase))
            ? value
            : null;

    private static bool Credentialed(ProbeExchange exchange) =>
        string.Equals(exchange.Headers.GetValueOrDefault("Access-Control-Allow-Credentials")?.Trim(), "true", StringComparison.OrdinalIgnoreCase);

    private static string CorsHeaders(ProbeExchange exchange) => string.Join("; ", exchange.Headers
        .Where(h => h.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase))
        .Select(h => $"{h.Key}: {h.Value}"));
}

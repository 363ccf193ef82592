using System.Globalization;
using Archgate.Checks.Contracts;
using Archgate.Checks.Contracts.Conformance;
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

        var hostile = secured.WithHeader("Origin", HostileOrigin);
        if (await sender.SendAsync(hostile, cancellationToken) is { } answer && Allows(answer, HostileOrigin) is { } granted)
        {
            var credentials = Credentialed(answer);
            Add(SecurityRules.CorsArbitraryOrigin, credentials && granted != "*" ? Severity.High : Severity.Medium,
                $"CORS allows the origin {HostileOrigin}, which is no frontend of the manifest ({(granted == "*" ? "wildcard" : "reflected")}{(credentials ? ", with credentials" : "")}): " +
                (credentials && granted != "*" ? "any site can read the caller's data with their cookies or credentials" : "any site can read the answers"),
                hostile, answer, CorsHeaders(answer));
        }

        var sandboxed = secured.WithHeader("Origin", "null");
        if (await sender.SendAsync(sandboxed, cancellationToken) is { } nullAnswer && Allows(nullAnswer, "null") == "null")
        {
            Add(SecurityRules.CorsNullOrigin, Credentialed(nullAnswer) ? Severity.High : Severity.Medium,
                "CORS allows the origin 'null' (sandboxed frames, file: pages, redirects): any site can reach it through a sandboxed frame",
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

        var csrf = await CsrfAsync(target, sender, policy, findings, cancellationToken);
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

    /// <summary>Cookie-authenticated state-changing operations, sent cross-site with the cookie and no token: 2xx is CSRF.</summary>
    private async Task<string> CsrfAsync(ProbeTarget target, ProbeSender sender, SecurityPolicy policy, List<Finding> findings, CancellationToken cancellationToken)
    {
        var schemes = target.Document.Components?.SecuritySchemes ?? new Dictionary<string, IOpenApiSecurityScheme>();
        var cookieSchemes = schemes.Where(s => s.Value.Type == SecuritySchemeType.ApiKey && s.Value.In == ParameterLocation.Cookie).Select(s => s.Key).ToHashSet(StringComparer.Ordinal);
        // Never the identity's own logout: it would end the session the later checks share.
        var operations = target.Operations.Where(o => !o.IsSafe && o.Method != "DELETE" && CookieSecured(o, target.Document, cookieSchemes) && !target.IsOwnLogout(o)).ToList();
        if (operations.Count == 0)
        {
            return "CSRF: no cookie-authenticated state-changing operation";
        }

        var sessions = target.Service.SessionCookies.Where(c => !c.IsCsrfToken).ToList();
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
        var accepted = 0;
        foreach (var operation in operations)
        {
            var plan = RequestPlanner.Plan(operation, book, 1);
            if (plan.Requests.Count == 0)
            {
                continue;
            }

            // A forged request carries the browser's cookies and nothing the page's script adds: no anti-CSRF header.
            var request = (target.Service with { Headers = [] }).On(plan.Requests[0]).WithHeader("Origin", HostileOrigin).WithHeader("Sec-Fetch-Site", "cross-site");
            if (await sender.SendAsync(request, cancellationToken) is { Succeeded: true } exchange)
            {
                accepted++;
                findings.Add(Findings.Create(SecurityRules.Rule(SecurityRules.Csrf, Severity.High), component.Name, operation.Name,
                    $"{operation.Name} is authenticated by a cookie and answered {exchange.Status} to a cross-site request (Origin {HostileOrigin}) without any anti-CSRF token",
                    sender.Evidence(request, exchange)));
            }
        }

        return $"CSRF: {operations.Count} cookie-authenticated operations sent cross-site, {operations.Count - accepted} refused";
    }

    private static bool CookieSecured(OperationInfo operation, OpenApiDocument document, HashSet<string> cookieSchemes)
    {
        var requirements = operation.Operation.Security ?? document.Security;
        return requirements is not null && requirements.Any(r => r.Keys.Any(k => k.Reference?.Id is { } id ? cookieSchemes.Contains(id) : false));
    }

    /// <summary>A GET without path parameters, secured ones first, else the health path, else the root.</summary>
    private (ProbeRequest Request, OperationInfo? Operation) ProbePath(ProbeTarget target)
    {
        var get = target.Operations.Where(o => o.Method == "GET" && !o.Template.Contains('{', StringComparison.Ordinal) && !o.Template.Contains("events", StringComparison.Ordinal))
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

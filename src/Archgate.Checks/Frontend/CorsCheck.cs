using Archgate.Checks.Contracts;
using Archgate.Checks.Contracts.Conformance;
using Archgate.Checks.Security;
using Archgate.Checks.Security.Probes;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Frontend;

/// <summary>
/// Step 5, CORS between a frontend and an API it depends on: a preflight from the frontend's origin for each method
/// the API's contract has, sent to a path that has that method (as a browser preflights the URL it calls), with the
/// headers a page sends to that route (Authorization where the contract secures it, Content-Type with a JSON body,
/// If-Match where it is a parameter), must be allowed for exactly that origin; a preflight from a foreign origin must
/// not be. When the API's identity signs in to a cookie session, the page sends its requests with credentials: the
/// preflight of a state-changing method carries the anti-CSRF header instead of Authorization, and must allow
/// credentials for exactly the origin (a browser takes no '*' then, in any of the headers).
/// </summary>
internal sealed class CorsCheck(FrontendComponent frontend, ServiceComponent api, ContractDocuments documents) : ICheck
{
    /// <summary>The origin no API should allow: a reserved name that never resolves.</summary>
    public const string ForeignOrigin = "https://foreign.archgate.invalid";

    public string Id => $"frontend.cors:{frontend.Name}->{api.Name}";

    public int Step => 5;

    public string Title => $"CORS: {frontend.Name}'s origin may call {api.Name}, a foreign origin may not";

    public Applicability AppliesTo(SystemModel system) => Applicability.Yes;

    public async Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        var origin = frontend.Url.GetLeftPart(UriPartial.Authority);
        var credentials = api.Auth is LoginAuth ? await ApiSession.SignInAsync(api, context, cancellationToken) : null;
        var session = credentials?.SessionCookies.Count > 0;
        var preflights = await WhatThePageSendsAsync(session ? credentials : null, context.System.Security, cancellationToken);
        var findings = new List<Finding>();
        // A method counts as allowed when every route the page sends it to, with that route's headers, allows it.
        var allowed = new HashSet<string>(StringComparer.Ordinal);
        var refused = new HashSet<string>(StringComparer.Ordinal);
        // Served from one origin (a reverse proxy in front of both), the page's calls are same-origin: no preflight, no CORS.
        var sameOrigin = string.Equals(origin, api.Url.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase);
        if (sameOrigin)
        {
            findings.Add(Finding(FrontendRules.CorsSameOrigin, Severity.Info, preflights[0].Location,
                $"{frontend.Name} and {api.Name} share the origin {origin}: a browser sends the page's calls without a preflight, so none was sent from it; a foreign origin was tried", null, null));
        }

        foreach (var preflight in sameOrigin ? [] : preflights)
        {
            var headers = preflight.Headers;
            var withHeaders = headers.Count == 0 ? string.Empty : $" with {string.Join(", ", headers)}";
            var answer = await PreflightAsync(context.Http, preflight, origin, cancellationToken);
            if (answer.Failure is not null)
            {
                return new CheckResult
                {
                    Status = CheckStatus.Fail,
                    Findings = [Finding(FrontendRules.CorsRefused, Severity.High, preflight.Location, $"the preflight got no answer: {answer.Failure.Cause}", answer.Evidence(),
                        $"start {api.Name}")],
                    TransientCause = answer.Failure.Transient ? answer.Failure.Cause : null,
                };
            }

            var problem = Refusal(answer, origin, preflight.Method, headers, session);
            if (problem is not null)
            {
                refused.Add(preflight.Method);
                findings.Add(Finding(FrontendRules.CorsRefused, Severity.High, preflight.Location,
                    $"{preflight.Method} {preflight.Route} from {origin}{(session ? " with credentials (a cookie session)" : string.Empty)}{withHeaders} is not allowed: {problem}", Evidence(answer),
                    $"allow the origin {origin}{(session ? " with credentials (Access-Control-Allow-Credentials: true, no '*')" : string.Empty)}, the method {preflight.Method} on {preflight.Route}{(headers.Count == 0 ? string.Empty : $" and the headers {string.Join(", ", headers)}")} in {api.Name}'s CORS policy"));
            }
            else
            {
                allowed.Add(preflight.Method);
            }

            if (answer.Header("Access-Control-Allow-Origin") == "*")
            {
                findings.Add(Finding(FrontendRules.CorsWildcard, Severity.Medium, preflight.Location, $"{api.Name} allows every origin ('*') rather than {origin}",
                    Evidence(answer), $"list the frontend's origin ({origin}) instead of '*'"));
            }
        }

        var forged = preflights.Where(p => p.Method == "POST").MaxBy(p => p.Headers.Count) ?? preflights[0];
        var foreign = await PreflightAsync(context.Http, forged, ForeignOrigin, cancellationToken);
        var foreignOrigin = foreign.Header("Access-Control-Allow-Origin");
        if (foreignOrigin is not null && (foreignOrigin == ForeignOrigin || (foreignOrigin == "*" && foreign.Header("Access-Control-Allow-Credentials") == "true")))
        {
            // Reading the users' data from a foreign page takes a credential the browser sends by itself (a cookie, HTTP auth).
            var loaded = api.OpenApi is { } spec ? await documents.LoadAsync(spec.Path, cancellationToken) : null;
            var ambient = AmbientCredentials.Of(api, loaded?.Document, credentials?.Ok == true ? credentials : null);
            var withCredentials = foreign.Header("Access-Control-Allow-Credentials") == "true";
            findings.Add(Finding(FrontendRules.CorsForeignAllowed, ambient.Any ? Severity.High : Severity.Medium, forged.Location,
                $"a foreign origin ({ForeignOrigin}) is allowed{(withCredentials ? ", with credentials" : string.Empty)}: " +
                (ambient.Any ? $"any site may call {api.Name} from its users' browsers" : ambient.Exposure(api.Name)),
                Evidence(foreign), $"allow only the frontends' origins ({origin}); never reflect the Origin header"));
        }

        var tags = new Dictionary<string, string> { ["component"] = api.Name, ["origin"] = origin };
        return CheckResult.From(findings, [new Metric("cors_methods_allowed", tags, allowed.Except(refused).Count(), "count")]);
    }

    /// <summary>Why the preflight does not allow the request, or null.</summary>
    private static string? Refusal(ApiAnswer answer, string origin, string method, IReadOnlyList<string> headers, bool credentials)
    {
        if (answer.Status is < 200 or >= 300)
        {
            return $"the preflight answered {answer.Status}";
        }

        var allowOrigin = answer.Header("Access-Control-Allow-Origin");
        if (allowOrigin is null || (allowOrigin != origin && (allowOrigin != "*" || credentials)))
        {
            return allowOrigin is null ? "no Access-Control-Allow-Origin" : $"Access-Control-Allow-Origin is {allowOrigin}";
        }

        if (credentials && answer.Header("Access-Control-Allow-Credentials") != "true")
        {
            return "no Access-Control-Allow-Credentials: true, so the browser keeps the session cookie off the request";
        }

        // With credentials a browser reads '*' in Allow-Methods and Allow-Headers as a name, not as any (Fetch standard).
        var any = credentials ? string.Empty : "*";
        var methods = List(answer.Header("Access-Control-Allow-Methods"));
        if (method is not ("GET" or "HEAD" or "POST") && !methods.Contains(any) && !methods.Contains(method, StringComparer.OrdinalIgnoreCase))
        {
            return $"Access-Control-Allow-Methods lacks {method}";
        }

        var allowHeaders = List(answer.Header("Access-Control-Allow-Headers"));
        var missing = headers.Where(h => !allowHeaders.Contains(any) && !allowHeaders.Contains(h, StringComparer.OrdinalIgnoreCase)).ToList();
        return missing.Count > 0 ? $"Access-Control-Allow-Headers lacks {string.Join(", ", missing)}" : null;
    }

    private static List<string> List(string? header) =>
        header?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList() ?? [];

    private Task<ApiAnswer> PreflightAsync(HttpClient http, Preflight preflight, string origin, CancellationToken cancellationToken) =>
        ApiCall.SendAsync(http, "OPTIONS", ApiCall.Resolve(api.Url, preflight.Path),
            [new("Origin", origin), new("Access-Control-Request-Method", preflight.Method), .. preflight.Headers.Count == 0 ? [] : new KeyValuePair<string, string>[] { new("Access-Control-Request-Headers", string.Join(",", preflight.Headers)) }],
            null, ApiCall.DefaultTimeout, cancellationToken);

    /// <summary>
    /// The preflights a page of this API would make, each with the request headers the page sends to that route, in the
    /// order a browser lists them (lower case, sorted). A browser preflights the URL it calls with the headers of that
    /// call, and many servers answer CORS per route (Flask-CORS, ASP.NET endpoint policies, Express routers): each method
    /// is sent to a path of the contract that has it, one without parameters first, else one with its parameters filled
    /// (a fixture of the manifest, the contract's example, else a value of the schema), and once more for each other set
    /// of headers the method's routes take (a public sign-in and a secured create are both POSTs).
    /// </summary>
    private async Task<IReadOnlyList<Preflight>> WhatThePageSendsAsync(Http.Credentials? session, SecurityPolicy policy, CancellationToken cancellationToken)
    {
        // Credentials as headers: the anti-CSRF header of a cookie session, else the token or key of the API's auth.
        var credentials = session is not null ? [.. session.Headers.Select(h => h.Key.ToLowerInvariant())]
            : api.Auth is LoginAuth or ClientCredentialsAuth or BearerAuth or BasicAuth ? ["authorization"]
            : api.Auth is ApiKeyAuth { In: ApiKeyLocation.Header } key ? [key.Header.ToLowerInvariant()]
            : new List<string>();
        var loaded = api.OpenApi is { } spec ? await documents.LoadAsync(spec.Path, cancellationToken) : null;
        if (loaded?.Document is not { } document || api.OpenApi is not { } contract)
        {
            var path = api.HealthPath ?? "/";
            return [new Preflight("GET", path, path, path, Sorted(session is null ? credentials : [])), new Preflight("POST", path, path, path, Sorted([.. credentials, "content-type"]))];
        }

        var operations = OperationInfo.All(document);
        // A contract that says nothing of security anywhere does not say which routes a page sends credentials to: all.
        var securityUnknown = document.Security is null && operations.All(o => o.Operation.Security is null);
        IReadOnlyList<string> HeadersOf(OperationInfo operation)
        {
            var headers = new List<string>();
            // A cookie session's anti-CSRF header goes with the state-changing methods only, as CSRF protection asks it there.
            if ((session is null || !operation.IsSafe)
                && (operation.Secured || securityUnknown || !ProbeTarget.IsPublic(operation, policy)))
            {
                headers.AddRange(credentials);
            }

            // A page sends Content-Type with a body; only a type beyond the three a form can send needs the preflight's leave.
            if (operation.Operation.RequestBody?.Content?.Keys.Any(k => !SafelistedContentType(k)) == true)
            {
                headers.Add("content-type");
            }

            if (operation.Parameters.Any(p => p.In == Microsoft.OpenApi.ParameterLocation.Header && p.Name!.Equals("If-Match", StringComparison.OrdinalIgnoreCase)))
            {
                headers.Add("if-match");
            }

            return Sorted(headers);
        }

        var prefix = ContractBase.Prefix(api.Url, document);
        var book = new ResourceBook((document.Paths?.Keys ?? Enumerable.Empty<string>()).ToList(), contract.Fixtures);
        // One path per method and set of headers keeps the preflights bounded by the methods (seven at most) times the
        // few sets a contract has. A browser never preflights a WebSocket upgrade, so one is taken only when its method
        // has no other path.
        var preflights = operations.Where(o => o.Method is not ("HEAD" or "OPTIONS"))
            .Select(o => (Operation: o, Headers: HeadersOf(o)))
            .GroupBy(o => (o.Operation.Method, string.Join(",", o.Headers)))
            .OrderBy(g => g.Key.Method, StringComparer.Ordinal).ThenBy(g => g.Key.Item2, StringComparer.Ordinal)
            .Select(g => g.OrderBy(o => o.Operation.IsUpgrade).ThenBy(o => ResourceBook.Parameters(o.Operation.Template).Count).First())
            .ToList();
        preflights = [.. preflights.Where(p => !p.Operation.IsUpgrade || preflights.All(q => q.Operation.Method != p.Operation.Method || q.Operation.IsUpgrade))];
        var fallback = api.HealthPath ?? "/";
        return preflights.Count > 0
            ? [.. preflights.Select(p => new Preflight(p.Operation.Method, p.Operation.Template, prefix + p.Operation.Template,
                prefix + RequestPlanner.ExamplePath(p.Operation.Template, book, [.. operations.Where(o => o.Template == p.Operation.Template)]), p.Headers))]
            : [new Preflight("GET", fallback, fallback, fallback, Sorted(session is null ? credentials : []))];
    }

    private static List<string> Sorted(IEnumerable<string> headers) => [.. headers.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    /// <summary>A media type a page may send without a preflight (the Fetch standard's CORS-safelisted Content-Type values).</summary>
    private static bool SafelistedContentType(string mediaType) =>
        mediaType.Split(';')[0].Trim().ToLowerInvariant() is "application/x-www-form-urlencoded" or "multipart/form-data" or "text/plain";

    private static string Evidence(ApiAnswer answer) =>
        $"OPTIONS {answer.Url} -> {answer.Status}; " + string.Join("; ", answer.Headers.Where(h => h.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase) || h.Key == "Vary")
            .Select(h => $"{h.Key}: {h.Value}"));

    /// <summary>
    /// One preflight: the method a page sends, the route as the contract writes it (<c>/bookings/{id}</c>), the route as
    /// the API serves it (the contract's server prefix before it), the concrete path sent, and the request headers a page
    /// sends there (what <c>Access-Control-Request-Headers</c> lists).
    /// </summary>
    private sealed record Preflight(string Method, string Route, string ServedRoute, string Path, IReadOnlyList<string> Headers)
    {
        /// <summary>Where a finding is: <c>OPTIONS /api/bookings/{id}</c>, the same whatever value filled the parameters.</summary>
        public string Location => $"OPTIONS {ServedRoute}";
    }

    private Finding Finding(string rule, Severity severity, string location, string message, string? evidence, string? hint) =>
        Findings.Create(rule, severity, api.Name, location, message, evidence, hint);
}

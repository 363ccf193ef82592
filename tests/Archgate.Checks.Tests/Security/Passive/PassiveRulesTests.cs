using System.Net.Http.Headers;
using System.Net.Sockets;
using Archgate.Checks.Http;
using Archgate.Checks.Security;
using Archgate.Checks.Security.Passive;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Security.Passive;

/// <summary>Servers for every case of <see cref="PassiveRulesTests"/>: one plain, one TLS, both answering by case name.</summary>
public sealed class PassiveRuleServers : IDisposable
{
    public PassiveRuleServers()
    {
        Func<LocalRequest, LocalReply> script = r => PassiveRulesTests.Cases[r.Target.Split('?')[0].Split('/')[2]].Reply;
        Plain = new LocalWebServer(script);
        Certificate = LocalWebServer.Certificate(["localhost", "127.0.0.1"], DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        Tls = new LocalWebServer(script, Certificate);
    }

    public LocalWebServer Plain { get; }

    public LocalWebServer Tls { get; }

    public System.Security.Cryptography.X509Certificates.X509Certificate2 Certificate { get; }

    public void Dispose()
    {
        Certificate.Dispose();
        Plain.Dispose();
        Tls.Dispose();
    }
}

/// <summary>Each passive rule, positive and negative, against real local endpoints through the recording client.</summary>
public sealed class PassiveRulesTests(PassiveRuleServers servers) : IClassFixture<PassiveRuleServers>
{
    /// <summary>One case: what the endpoint answers, how it is asked, which rule must (or must not) hit.</summary>
    public sealed record Case(LocalReply Reply, string Rule, bool Hits, bool Https = false, string Host = "127.0.0.1", string Query = "", bool Authenticated = false, Severity? Severity = null, string Method = "GET");

    private static readonly (string, string)[] Secure =
    [
        ("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; form-action 'self'"),
        ("X-Frame-Options", "DENY"),
        ("X-Content-Type-Options", "nosniff"),
        ("Permissions-Policy", "camera=()"),
        ("Referrer-Policy", "no-referrer"),
        ("Cache-Control", "no-store"),
        ("Strict-Transport-Security", "max-age=31536000"),
    ];

    private static LocalReply Html(string body = "<!doctype html><title>t</title>", params (string, string)[] headers) =>
        new(200, body, [("Content-Type", "text/html; charset=utf-8"), .. headers]);

    private static LocalReply Json(string body = "{\"ok\":true}", int status = 200, params (string, string)[] headers) =>
        new(status, body, [("Content-Type", "application/json"), .. headers]);

    private static (string, string)[] Without(params string[] names) => Secure.Where(h => !names.Contains(h.Item1)).ToArray();

    private static (string, string)[] With(string name, string value) => [.. Without(name), (name, value)];

    private const string DotNetTrace = "{\"title\":\"System.InvalidOperationException\",\"detail\":\"System.InvalidOperationException: boom\\r\\n   at Shop.Api.Orders.OrderStore.Place(Order order) in /src/Shop.Api/Orders/OrderStore.cs:line 42\\r\\n   at Shop.Api.Orders.OrderEndpoints.<>c.<Map>b__0_1(HttpContext ctx)\"}";

    private const string HelmetCsp = "default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';frame-ancestors 'self';img-src 'self' data:;object-src 'none';script-src 'self';script-src-attr 'none';style-src 'self' https: 'unsafe-inline';upgrade-insecure-requests";

    public static readonly IReadOnlyDictionary<string, Case> Cases = new Dictionary<string, Case>
    {
        ["csp-missing"] = new(Html(headers: Without("Content-Security-Policy")), PassiveRules.CspMissing, true),
        ["csp-present"] = new(Html(headers: Secure), PassiveRules.CspMissing, false),
        ["csp-meta"] = new(Html("<html><head><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'self'\"></head></html>", Without("Content-Security-Policy")), PassiveRules.CspMissing, false),
        ["csp-json-not-judged"] = new(Json(headers: Without("Content-Security-Policy")), PassiveRules.CspMissing, false),
        ["csp-form-post-page"] = new(Html(headers: Without("Content-Security-Policy")), PassiveRules.CspMissing, true, Method: "POST"),
        ["csp-options-error-page-not-judged"] = new(Html(headers: Without("Content-Security-Policy")), PassiveRules.CspMissing, false, Method: "OPTIONS"),
        ["framing-patch-error-page-not-judged"] = new(Html(headers: Without("X-Frame-Options", "Content-Security-Policy")), PassiveRules.Clickjacking, false, Method: "PATCH"),
        ["csp-unsafe-inline"] = new(Html(headers: With("Content-Security-Policy", "default-src 'self'; script-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'")), PassiveRules.CspWeak, true),
        ["csp-wildcard"] = new(Html(headers: With("Content-Security-Policy", "default-src *; frame-ancestors 'none'; form-action 'self'")), PassiveRules.CspWeak, true),
        ["csp-no-form-action"] = new(Html(headers: With("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'")), PassiveRules.CspWeak, true),
        ["csp-strong"] = new(Html(headers: With("Content-Security-Policy", "default-src 'self'; script-src 'self' 'nonce-abc' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")), PassiveRules.CspWeak, false),
        // A policy governs documents and workers, not JSON (ex15: @fastify/helmet's default policy on every answer of an API).
        ["csp-helmet-page"] = new(Html(headers: With("Content-Security-Policy", HelmetCsp)), PassiveRules.CspWeak, true),
        ["csp-helmet-json-not-judged"] = new(Json(headers: With("Content-Security-Policy", HelmetCsp)), PassiveRules.CspWeak, false),
        ["csp-helmet-problem-not-judged"] = new(new LocalReply(404, "{\"title\":\"Not Found\",\"status\":404}", [("Content-Type", "application/problem+json"), .. With("Content-Security-Policy", HelmetCsp)]), PassiveRules.CspWeak, false),
        ["csp-worker-eval"] = new(new LocalReply(200, "self.onmessage = e => postMessage(eval(e.data));", [("Content-Type", "text/javascript"), .. With("Content-Security-Policy", "script-src 'self' 'unsafe-eval'")]), PassiveRules.CspWeak, true),
        ["csp-worker-inline-style-not-judged"] = new(new LocalReply(200, "self.onmessage = e => postMessage(e.data);", [("Content-Type", "text/javascript"), .. With("Content-Security-Policy", HelmetCsp)]), PassiveRules.CspWeak, false),
        ["frame-open"] = new(Html(headers: [.. Without("X-Frame-Options").Where(h => h.Item1 != "Content-Security-Policy"), ("Content-Security-Policy", "default-src 'self'; form-action 'self'")]), PassiveRules.Clickjacking, true),
        ["frame-allow-from"] = new(Html(headers: [.. Without("X-Frame-Options").Where(h => h.Item1 != "Content-Security-Policy"), ("X-Frame-Options", "ALLOW-FROM https://a.example")]), PassiveRules.Clickjacking, true),
        ["frame-xfo-deny"] = new(Html(headers: [.. Without("Content-Security-Policy")]), PassiveRules.Clickjacking, false),
        ["frame-ancestors"] = new(Html(headers: Without("X-Frame-Options")), PassiveRules.Clickjacking, false),
        ["nosniff-missing"] = new(Json(headers: Without("X-Content-Type-Options")), PassiveRules.NoSniffMissing, true),
        ["nosniff-present"] = new(Json(headers: Secure), PassiveRules.NoSniffMissing, false),
        ["hsts-missing"] = new(Json(headers: Without("Strict-Transport-Security")), PassiveRules.HstsMissing, true, Https: true),
        ["hsts-zero"] = new(Json(headers: With("Strict-Transport-Security", "max-age=0")), PassiveRules.HstsMissing, true, Https: true),
        ["hsts-present"] = new(Json(headers: Secure), PassiveRules.HstsMissing, false, Https: true),
        ["hsts-plain-http"] = new(Json(headers: Without("Strict-Transport-Security")), PassiveRules.HstsMissing, false),
        ["pp-missing"] = new(Html(headers: Without("Permissions-Policy")), PassiveRules.PermissionsPolicyMissing, true),
        ["pp-script-missing"] = new(new LocalReply(200, "let a = 1;", [("Content-Type", "text/javascript"), .. Without("Permissions-Policy")]), PassiveRules.PermissionsPolicyMissing, true),
        ["pp-present"] = new(Html(headers: Secure), PassiveRules.PermissionsPolicyMissing, false),
        ["server-version"] = new(Json(headers: [.. Secure, ("Server", "nginx/1.18.0 (Ubuntu)")]), PassiveRules.ServerVersion, true),
        ["server-plain"] = new(Json(headers: [.. Secure, ("Server", "Kestrel")]), PassiveRules.ServerVersion, false),
        ["powered-by"] = new(Json(headers: [.. Secure, ("X-Powered-By", "Express")]), PassiveRules.PoweredBy, true),
        ["not-powered-by"] = new(Json(headers: Secure), PassiveRules.PoweredBy, false),
        ["aspnet-version"] = new(Json(headers: [.. Secure, ("X-AspNet-Version", "4.0.30319")]), PassiveRules.AspNetVersion, true),
        ["aspnetmvc-version"] = new(Json(headers: [.. Secure, ("X-AspNetMvc-Version", "5.2")]), PassiveRules.AspNetVersion, true),
        ["no-aspnet-version"] = new(Json(headers: Secure), PassiveRules.AspNetVersion, false),
        ["cookie-script-readable"] = new(Json(headers: [.. Secure, ("Set-Cookie", "sid=abcdef123; Path=/; SameSite=Lax")]), PassiveRules.CookieNoHttpOnly, true),
        ["cookie-httponly"] = new(Json(headers: [.. Secure, ("Set-Cookie", "sid=abcdef123; Path=/; HttpOnly; SameSite=Lax")]), PassiveRules.CookieNoHttpOnly, false),
        ["cookie-deleted"] = new(Json(headers: [.. Secure, ("Set-Cookie", "sid=; Path=/; Max-Age=0")]), PassiveRules.CookieNoHttpOnly, false),
        ["cookie-xsrf-token"] = new(Json(headers: [.. Secure, ("Set-Cookie", "XSRF-TOKEN=abcdef123; Path=/; SameSite=Lax")]), PassiveRules.CookieNoHttpOnly, false),
        ["cookie-django-csrftoken"] = new(Json(headers: [.. Secure, ("Set-Cookie", "csrftoken=abcdef123; Path=/; SameSite=Lax")]), PassiveRules.CookieNoHttpOnly, false),
        ["cookie-session-beside-xsrf-token"] = new(Json(headers: [.. Secure, ("Set-Cookie", "XSRF-TOKEN=abcdef123; Path=/; SameSite=Lax"), ("Set-Cookie", "sid=abcdef123; Path=/; SameSite=Lax")]), PassiveRules.CookieNoHttpOnly, true),
        ["cookie-xsrf-token-no-samesite"] = new(Json(headers: [.. Secure, ("Set-Cookie", "XSRF-TOKEN=abcdef123; Path=/")]), PassiveRules.CookieSameSite, true),
        ["cookie-insecure-tls"] = new(Json(headers: [.. Secure, ("Set-Cookie", "sid=abcdef123; Path=/; HttpOnly; SameSite=Lax")]), PassiveRules.CookieNoSecure, true, Https: true),
        ["cookie-secure-tls"] = new(Json(headers: [.. Secure, ("Set-Cookie", "sid=abcdef123; Path=/; HttpOnly; Secure; SameSite=Lax")]), PassiveRules.CookieNoSecure, false, Https: true),
        ["cookie-no-samesite"] = new(Json(headers: [.. Secure, ("Set-Cookie", "sid=abcdef123; Path=/; HttpOnly")]), PassiveRules.CookieSameSite, true),
        ["cookie-samesite-none"] = new(Json(headers: [.. Secure, ("Set-Cookie", "a=1; HttpOnly"), ("Set-Cookie", "sid=abcdef123; Path=/; HttpOnly; SameSite=None; Secure")]), PassiveRules.CookieSameSite, true),
        ["cookie-samesite-lax"] = new(Json(headers: [.. Secure, ("Set-Cookie", "sid=abcdef123; Path=/; HttpOnly; SameSite=Lax")]), PassiveRules.CookieSameSite, false),
        ["cookie-parent-domain"] = new(Json(headers: [.. Secure, ("Set-Cookie", "sid=abcdef123; Domain=archgate.test; HttpOnly; SameSite=Lax")]), PassiveRules.CookieLooseScope, true, Host: "shop.archgate.test"),
        ["cookie-host-domain"] = new(Json(headers: [.. Secure, ("Set-Cookie", "sid=abcdef123; Domain=shop.archgate.test; HttpOnly; SameSite=Lax")]), PassiveRules.CookieLooseScope, false, Host: "shop.archgate.test"),
        ["cache-authenticated"] = new(Json(headers: Without("Cache-Control")), PassiveRules.CacheableAuthenticated, true, Authenticated: true),
        ["cache-public-authenticated"] = new(Json(headers: With("Cache-Control", "public, max-age=600")), PassiveRules.CacheableAuthenticated, true, Authenticated: true),
        ["no-store-authenticated"] = new(Json(headers: Secure), PassiveRules.CacheableAuthenticated, false, Authenticated: true),
        ["cache-anonymous"] = new(Json(headers: Without("Cache-Control")), PassiveRules.CacheableAuthenticated, false),
        // A cache stores the answer to another method than GET or HEAD only with explicit freshness (RFC 9111 §3, RFC 9110 §9.3).
        ["cache-post-without-freshness"] = new(Json(status: 201, headers: Without("Cache-Control")), PassiveRules.CacheableAuthenticated, false, Authenticated: true, Method: "POST"),
        ["cache-patch-without-freshness"] = new(Json(headers: With("Cache-Control", "no-cache")), PassiveRules.CacheableAuthenticated, false, Authenticated: true, Method: "PATCH"),
        ["cache-post-max-age"] = new(Json(headers: With("Cache-Control", "max-age=60")), PassiveRules.CacheableAuthenticated, true, Authenticated: true, Method: "POST"),
        ["cache-put-expires"] = new(Json(headers: [.. Without("Cache-Control"), ("Expires", "Thu, 01 Dec 2039 16:00:00 GMT")]), PassiveRules.CacheableAuthenticated, true, Authenticated: true, Method: "PUT"),
        ["no-content-type"] = new(new LocalReply(200, "hello", Secure), PassiveRules.ContentTypeMissing, true),
        ["content-type"] = new(new LocalReply(200, "hello", [.. Secure, ("Content-Type", "text/plain")]), PassiveRules.ContentTypeMissing, false),
        ["trace-dotnet"] = new(Json(DotNetTrace, 500, Secure), PassiveRules.StackTrace, true),
        ["trace-java"] = new(new LocalReply(500, "java.lang.NullPointerException\n\tat com.shop.Orders.place(Orders.java:42)\n\tat com.shop.Api.handle(Api.java:17)", [.. Secure, ("Content-Type", "text/plain")]), PassiveRules.StackTrace, true),
        ["trace-python"] = new(new LocalReply(500, "Traceback (most recent call last):\n  File \"/app/main.py\", line 3, in <module>\nKeyError: 'x'", [.. Secure, ("Content-Type", "text/plain")]), PassiveRules.StackTrace, true),
        ["trace-node"] = new(new LocalReply(500, "TypeError: x is undefined\n    at handler (/srv/app/index.js:10:5)\n    at Layer.handle (/srv/app/node_modules/express/lib/router/layer.js:95:5)", [.. Secure, ("Content-Type", "text/plain")]), PassiveRules.StackTrace, true),
        ["clean-problem"] = new(Json("{\"type\":\"about:blank\",\"title\":\"An unexpected error occurred.\",\"status\":500,\"traceId\":\"00-abc-def-00\"}", 500, Secure), PassiveRules.StackTrace, false),
        ["sql-error"] = new(Json("{\"detail\":\"SQLite Error 1: 'near \\\"'\\\": syntax error'.\"}", 500, Secure), PassiveRules.DebugError, true),
        ["exception-name"] = new(Json("{\"title\":\"System.Text.Json.JsonException\"}", 500, Secure), PassiveRules.DebugError, true),
        // node-postgres through knex (ex15), and PostgreSQL's own texts whichever driver passes them through; prose is none.
        ["pg-knex-error"] = new(Json("{\"type\":\"about:blank\",\"status\":500,\"detail\":\"error: select \\\"i\\\".\\\"id\\\", \\\"i\\\".\\\"number\\\" from \\\"invoices\\\" as \\\"i\\\" where \\\"i\\\".\\\"customer_id\\\" = $1 limit $2 - invalid input syntax for type integer: \\\"not-a-number\\\"\"}", 500, Secure), PassiveRules.DebugError, true),
        ["pg-duplicate-key"] = new(Json("{\"detail\":\"duplicate key value violates unique constraint \\\"invoices_tenant_id_number_unique\\\"\"}", 409, Secure), PassiveRules.DebugError, true),
        ["pg-relation-missing"] = new(Json("{\"message\":\"relation \\\"invoice_lines\\\" does not exist\"}", 500, Secure), PassiveRules.DebugError, true),
        ["pg-column-missing"] = new(new LocalReply(500, "column \"totl\" of relation \"invoices\" does not exist", [.. Secure, ("Content-Type", "text/plain")]), PassiveRules.DebugError, true),
        ["pg-serialized-error"] = new(Json("{\"length\":104,\"name\":\"error\",\"severity\":\"ERROR\",\"code\":\"22P02\",\"routine\":\"pg_strtoint32_safe\"}", 500, Secure), PassiveRules.DebugError, true),
        ["pg-words-in-prose"] = new(Json("{\"detail\":\"error: select an invoice first - then pay it. The relation between customer and invoice does not exist yet; a duplicate key was sent.\"}", 400, Secure), PassiveRules.DebugError, false),
        ["plain-error"] = new(Json("{\"title\":\"The request is malformed.\"}", 400, Secure), PassiveRules.DebugError, false),
        ["private-ip"] = new(Json("{\"upstream\":\"http://10.0.3.4:8080\",\"db\":\"192.168.1.20\"}", 200, Secure), PassiveRules.PrivateIp, true),
        ["public-and-loopback-ip"] = new(Json("{\"a\":\"127.0.0.1\",\"b\":\"8.8.8.8\",\"version\":\"10.0.0.1234\"}", 200, Secure), PassiveRules.PrivateIp, false),
        ["token-in-query"] = new(Json(headers: Without("Referrer-Policy")), PassiveRules.TokenInUrl, true, Query: "?access_token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbm4ifQ.c2lnbmF0dXJl", Severity: Severity.Medium),
        ["token-in-query-mitigated"] = new(Json(headers: Secure), PassiveRules.TokenInUrl, true, Query: "?access_token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbm4ifQ.c2lnbmF0dXJl", Severity: Severity.Low),
        ["plain-query"] = new(Json(headers: Secure), PassiveRules.TokenInUrl, false, Query: "?page=2&search=mug"),
        ["card-number"] = new(Json("{\"card\":\"4111 1111 1111 1111\"}", 200, Secure), PassiveRules.CardNumber, true, Severity: Severity.High),
        ["not-a-card"] = new(Json("{\"card\":\"4111 1111 1111 1112\",\"id\":1234567890123456}", 200, Secure), PassiveRules.CardNumber, false),
        ["email"] = new(Json("{\"email\":\"jane.doe@corp-mail.net\"}", 200, Secure), PassiveRules.EmailAddress, true),
        ["placeholder-email"] = new(Json("{\"email\":\"alice@example.test\",\"b\":\"bob@example.com\"}", 200, Secure), PassiveRules.EmailAddress, false),
        ["foreign-script"] = new(Html("<script src=\"https://cdn.elsewhere.example/lib.js\"></script>", Secure), PassiveRules.NoIntegrity, true),
        ["foreign-script-sri"] = new(Html("<script src=\"https://cdn.elsewhere.example/lib.js\" integrity=\"sha384-abc\" crossorigin=\"anonymous\"></script><script src=\"/app.js\"></script>", Secure), PassiveRules.NoIntegrity, false),
        ["mixed-content"] = new(Html("<link rel=\"stylesheet\" href=\"http://127.0.0.1/app.css\">", Secure), PassiveRules.MixedContent, true, Https: true),
        ["no-mixed-content"] = new(Html("<link rel=\"stylesheet\" href=\"/app.css\"><a href=\"http://example.org\">x</a>", Secure), PassiveRules.MixedContent, false, Https: true),
        ["response-secret"] = new(Json("{\"config\":{\"aws\":\"AKIAIOSFODNN7EXAMPLE\"}}", 200, Secure), PassiveRules.ResponseSecret, true),
        ["login-token-is-no-secret"] = new(Json("{\"accessToken\":\"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbm4ifQ.c2lnbmF0dXJlLXZhbHVl\",\"key\":\"sk_test_abcdef123456\"}", 200, Secure), PassiveRules.ResponseSecret, false),
        ["basic-over-http"] = new(new LocalReply(401, string.Empty, [.. Secure, ("WWW-Authenticate", "Basic realm=\"shop\"")]), PassiveRules.BasicOverHttp, true),
        ["bearer-over-http"] = new(new LocalReply(401, string.Empty, [.. Secure, ("WWW-Authenticate", "Bearer")]), PassiveRules.BasicOverHttp, false),
    };

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Rule_hits_exactly_when_the_response_has_its_defect(string name)
    {
        var c = Cases[name];
        var routes = await ObserveAsync(name, c);

        var route = Assert.Single(routes);
        var hit = route.Hits.FirstOrDefault(h => h.Hit.Rule == c.Rule);
        if (c.Hits)
        {
            Assert.True(hit is not null, $"{c.Rule} should hit {name}; hits: {string.Join(", ", route.Hits.Select(h => h.Hit.Rule))}");
            Assert.Equal(c.Severity ?? PassiveRules.Find(c.Rule)!.Severity, hit.Hit.Severity);
            Assert.Contains($"/case/{name}", hit.Evidence, StringComparison.Ordinal);
        }
        else
        {
            Assert.True(hit is null, $"{c.Rule} should not hit {name}: {hit?.Hit.Message} ({hit?.Hit.Detail})");
        }
    }

    [Fact]
    public async Task A_node_postgres_error_shows_the_statements_head_and_the_databases_message()
    {
        var routes = await ObserveAsync("pg-knex-error", Cases["pg-knex-error"]);
        var hit = routes.Single().Hits.Single(h => h.Hit.Rule == PassiveRules.DebugError);
        Assert.StartsWith("error: select", hit.Hit.Detail, StringComparison.Ordinal);
        Assert.Contains("- invalid input syntax for type integer:", hit.Hit.Detail, StringComparison.Ordinal);

        // The "<sql> - <message>" form alone, with a message no other pattern knows.
        var policy = BodyPatterns.DebugError("{\"detail\":\"error: insert into \\\"invoices\\\" (\\\"number\\\") values ($1) returning \\\"id\\\" - new row violates row-level security policy for table \\\"invoices\\\"\"}");
        Assert.NotNull(policy);
        Assert.EndsWith("- new row violates row-level security policy for table", policy, StringComparison.Ordinal);
        Assert.Null(BodyPatterns.DebugError("{\"detail\":\"error: select a customer first - then create the invoice\",\"hint\":\"see the list\"}"));
    }

    [Fact]
    public async Task Secrets_in_evidence_are_masked()
    {
        var routes = await ObserveAsync("token-in-query", Cases["token-in-query"]);
        var hit = routes.Single().Hits.Single(h => h.Hit.Rule == PassiveRules.TokenInUrl);
        Assert.DoesNotContain("eyJ", hit.Evidence + hit.Hit.Detail + hit.Hit.Message, StringComparison.Ordinal);
        Assert.Contains("access_token=***", hit.Hit.Detail, StringComparison.Ordinal);

        var card = (await ObserveAsync("card-number", Cases["card-number"])).Single().Hits.Single(h => h.Hit.Rule == PassiveRules.CardNumber);
        Assert.Equal("************1111", card.Hit.Detail);
    }

    [Fact]
    public async Task An_anti_csrf_token_cookie_may_be_read_by_script_but_the_session_cookie_beside_it_may_not()
    {
        // The double-submit pattern: the page's script reads XSRF-TOKEN and echoes it in a header, so it cannot be HttpOnly.
        var routes = await ObserveAsync("cookie-session-beside-xsrf-token", Cases["cookie-session-beside-xsrf-token"]);

        var hit = routes.Single().Hits.Single(h => h.Hit.Rule == PassiveRules.CookieNoHttpOnly);
        Assert.Equal("cookie 'sid' has no HttpOnly", hit.Hit.Message);
        Assert.Equal(1, hit.Count);
        Assert.DoesNotContain("XSRF", hit.Hit.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_rule_of_the_catalogue_has_a_positive_and_a_negative_case()
    {
        var aggregate = new[] { PassiveRules.HeadersAbsent }; // judged per component: PassiveScanCheckTests
        var passive = PassiveRules.All.Select(r => r.Id).Where(r => string.CompareOrdinal(r, "AG9080") < 0).Append(PassiveRules.ResponseSecret);
        foreach (var rule in passive.Except(aggregate))
        {
            Assert.Contains(Cases.Values, c => c.Rule == rule && c.Hits);
            Assert.Contains(Cases.Values, c => c.Rule == rule && !c.Hits);
        }
    }

    private async Task<IReadOnlyList<RouteView>> ObserveAsync(string name, Case c)
    {
        var traffic = new PassiveTraffic();
        using var http = Client(traffic, servers.Certificate.Thumbprint);
        var server = c.Https ? servers.Tls : servers.Plain;
        using var request = new HttpRequestMessage(new HttpMethod(c.Method), $"{(c.Https ? "https" : "http")}://{c.Host}:{server.Port}/case/{name}{c.Query}");
        if (c.Authenticated)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "test-token");
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using (var response = await http.SendAsync(request, cts.Token))
        {
            await response.Content.ReadAsStringAsync(cts.Token);
        }

        return traffic.Routes();
    }

    /// <summary>The recording pipeline of <see cref="ProbeHttp"/>, reaching any host name on 127.0.0.1 and trusting the test certificate.</summary>
    internal static HttpClient Client(IExchangeObserver observer, string trustedThumbprint) => new(new RecordingHandler(observer)
    {
        InnerHandler = new SocketsHttpHandler
        {
            UseCookies = false,
            AllowAutoRedirect = false,
            ConnectCallback = async (context, token) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync("127.0.0.1", context.DnsEndPoint.Port, token);
                return new NetworkStream(socket, ownsSocket: true);
            },
            SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate?.GetCertHashString() == trustedThumbprint },
        },
    });
}

using Archgate.Checks.Http;
using Archgate.Checks.Security;
using Archgate.Checks.Security.Passive;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Security.Passive;

public sealed class PassiveScanCheckTests
{
    private static readonly (string, string)[] Headers =
    [
        ("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; form-action 'self'"),
        ("X-Frame-Options", "DENY"),
        ("X-Content-Type-Options", "nosniff"),
        ("Permissions-Policy", "camera=()"),
        ("Referrer-Policy", "no-referrer"),
        ("Cache-Control", "no-store"),
    ];

    /// <summary>A frontend: two pages loading a script and a stylesheet, a health endpoint, and a 404 for the rest.</summary>
    private static LocalWebServer Frontend(bool secure) => new(r =>
    {
        (string, string)[] headers = secure ? Headers : [];
        return r.Target switch
        {
            "/" or "/orders" => new LocalReply(200, "<!doctype html><link rel=\"stylesheet\" href=\"/app.css\"><script src=\"/app.js\"></script>", [.. headers, ("Content-Type", "text/html")]),
            "/app.js" => new LocalReply(200, "console.log(1)", [.. headers, ("Content-Type", "text/javascript")]),
            "/app.css" => new LocalReply(200, "body{}", [.. headers, ("Content-Type", "text/css")]),
            "/health" => new LocalReply(200, "{\"status\":\"ok\"}", [.. headers, ("Content-Type", "application/json")]),
            _ => new LocalReply(404, "not found", [.. headers, ("Content-Type", "text/plain")]),
        };
    });

    /// <summary>An api: secure headers; /orders/{id} answers 500 with a stack trace (only an earlier step asks for it).</summary>
    private static LocalWebServer Api() => new(r => r.Target.StartsWith("/orders/", StringComparison.Ordinal)
        ? new LocalReply(500, "{\"detail\":\"System.Exception: x\\n   at Shop.Orders.Get(Int32 id) in /src/Orders.cs:line 3\\n   at Shop.Api.Map(HttpContext c)\"}", [.. Headers, ("Content-Type", "application/json")])
        : new LocalReply(200, "{\"status\":\"ok\"}", [.. Headers, ("Content-Type", "application/json")]));

    private static Archgate.Model.SystemModel System(int web, int api, int third) => TestSystems.Load($$"""
        version: 1
        system: { name: s }
        components:
          - { name: api, kind: service, url: "http://127.0.0.1:{{api}}", health: /health }
          - { name: web, kind: frontend, url: "http://127.0.0.1:{{web}}", health: /health, pages: [/, /orders], dependsOn: [api] }
          - { name: gateway, kind: third-party, url: "http://127.0.0.1:{{third}}" }
        """);

    [Fact]
    public async Task Findings_cover_earlier_steps_traffic_one_per_rule_and_route_one_per_component_for_a_header_setting_and_leave_third_parties_out()
    {
        using var web = Frontend(secure: false);
        using var api = Api();
        using var third = new LocalWebServer(_ => new LocalReply(200, "{\"card\":\"4111111111111111\"}", ("Content-Type", "application/json")));
        var system = System(web.Port, api.Port, third.Port);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts, PassiveSecurity.Recorder());

        // What steps 2-8 would have sent: two orders (one route), and a third party's answer.
        foreach (var path in new[] { "/orders/17", "/orders/18" })
        {
            using var r = await http.GetAsync(new Uri(api.Url, path));
            await r.Content.ReadAsStringAsync();
        }

        using (var r = await http.GetAsync(third.Url))
        {
            await r.Content.ReadAsStringAsync();
        }

        var result = await new PassiveScanCheck(new PassiveScanOptions()).RunAsync(TestSystems.Context(system, http), CancellationToken.None);

        var trace = Assert.Single(result.Findings, f => f.Rule == PassiveRules.StackTrace);
        Assert.Equal("api", trace.Component);
        Assert.Equal("GET /orders/{id}", trace.Location);
        Assert.Contains("(2 of 2 responses)", trace.Message, StringComparison.Ordinal);
        Assert.Contains("-> 500", trace.Evidence, StringComparison.Ordinal);

        // The frontend without headers: every page, script, stylesheet and its 404, and the aggregate.
        var absent = Assert.Single(result.Findings, f => f.Rule == PassiveRules.HeadersAbsent);
        Assert.Equal(Severity.High, absent.Severity);
        Assert.Equal("web", absent.Component);
        // A header one server setting decides is one finding per component that names its routes (ex16: 17 AG9053 for one setting).
        var csp = Assert.Single(result.Findings, f => f.Rule == PassiveRules.CspMissing);
        Assert.Matches("^web: .* on 2 of its 6 routes \\(2 responses\\): (/, /orders|/orders, /)$", csp.Message);
        var nosniff = Assert.Single(result.Findings, f => f.Rule == PassiveRules.NoSniffMissing && f.Component == "web");
        Assert.Contains("on 6 of its 6 routes", nosniff.Message, StringComparison.Ordinal);
        Assert.Equal("GET /", nosniff.Location); // a route of its own, not the check's not-found probe
        Assert.EndsWith(": /, /app.css, /app.js, /health, /orders, /archgate-passive-not-found", nosniff.Message, StringComparison.Ordinal);
        Assert.Equal(["/", "/app.css", "/app.js", "/archgate-passive-not-found", "/health", "/orders"],
            nosniff.Message.Split(": ")[^1].Split(", ").Order());
        Assert.DoesNotContain(result.Findings, f => f.Rule == PassiveRules.HeadersAbsent && f.Component == "api");

        Assert.DoesNotContain(result.Findings, f => f.Rule == PassiveRules.CardNumber); // the third party's answer is not judged
        Assert.Equal(CheckStatus.Fail, result.Status);
    }

    [Theory]
    [InlineData(false, "api accepts the access token in the URL of /claims/events (the manifest's realtime tokenQuery: access_token): URLs end up in logs and Referer headers (2 of 2 responses); the evidence is Archgate's own request, sent as tokenQuery says")]
    [InlineData(true, "/claims/events: the URL carries access_token (2 of 2 responses)")]
    public void A_token_in_the_url_only_archgates_own_stream_checks_sent_as_tokenQuery_says_is_told_as_the_services_choice(bool aPageSentIt, string expected)
    {
        var system = TestSystems.Load("""
            version: 1
            system: { name: s }
            components:
              - name: api
                kind: service
                url: "http://127.0.0.1:7"
                realtime:
                  - sse: /claims/events
                    tokenQuery: access_token
                    trigger: { request: POST /claims, json: { title: x } }
            """);
        var traffic = new PassiveTraffic();
        var stream = new ObservedExchange("GET", new Uri("http://127.0.0.1:7/claims/events?access_token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbm4ifQ.c2lnbmF0dXJl"), true, 200,
            [.. Headers.Where(h => h.Item1 != "Referrer-Policy").Select(h => new KeyValuePair<string, string>(h.Item1, h.Item2)), new("Content-Type", "text/event-stream")], "", false);
        traffic.Observe(stream);
        traffic.Observe(stream with { FromBrowser = aPageSentIt });

        var (findings, _, _) = PassiveScanCheck.Judge(PassiveScanCheck.Targets(system), traffic, new PassiveScanOptions());

        var finding = Assert.Single(findings, f => f.Rule == PassiveRules.TokenInUrl);
        Assert.Equal(Severity.Medium, finding.Severity);
        Assert.Equal(expected, finding.Message);
        Assert.Contains("access_token=***", finding.Evidence, StringComparison.Ordinal);
        Assert.Equal(!aPageSentIt, finding.Hint!.Contains("single-use ticket", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_clean_system_has_no_finding_of_medium_or_above_and_passes()
    {
        using var web = Frontend(secure: true);
        using var api = new LocalWebServer(_ => new LocalReply(200, "{\"status\":\"ok\"}", [.. Headers, ("Content-Type", "application/json")]));
        var system = System(web.Port, api.Port, 1);

        // A client without a recorder (archgate scan, a test): the check records its own visit.
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        var result = await new PassiveScanCheck(new PassiveScanOptions()).RunAsync(TestSystems.Context(system, http), CancellationToken.None);

        Assert.DoesNotContain(result.Findings, f => f.Severity >= Severity.Medium);
        Assert.Equal(CheckStatus.Pass, result.Status);
        Assert.Contains(result.Metrics, m => m.Name == "security_passive_routes" && m.Tags["component"] == "web" && m.Value == 6);
    }

    [Theory]
    [InlineData("/orders/17", "/orders/{id}")]
    [InlineData("/orders/2%27%20AND%20SLEEP(2)%20AND%20%271%27%3D%271", "/orders/{id}")]
    [InlineData("/orders/2%0D%0AX-Archgate-Crlf:%20injected/items", "/orders/{id}/items")]
    [InlineData("/orders/mine", "/orders/mine")]
    [InlineData("/", "/")]
    public void Ids_and_probe_values_in_a_path_share_one_route(string path, string route) => Assert.Equal(route, PassiveText.Route(path));

    /// <summary>The passive scan of a system whose one component is <paramref name="api"/>, a service with /health.</summary>
    private static async Task<CheckResult> ScanApiAsync(LocalWebServer api)
    {
        var system = TestSystems.Load($$"""
            version: 1
            system: { name: s }
            components:
              - { name: api, kind: service, url: "http://127.0.0.1:{{api.Port}}", health: /health }
            """);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        return await new PassiveScanCheck(new PassiveScanOptions()).RunAsync(TestSystems.Context(system, http), CancellationToken.None);
    }

    [Fact]
    public async Task An_api_without_any_security_header_is_medium_not_high()
    {
        using var api = new LocalWebServer(_ => new LocalReply(200, "{\"status\":\"ok\"}", ("Content-Type", "application/json")));

        var result = await ScanApiAsync(api);

        Assert.Equal(Severity.Medium, Assert.Single(result.Findings, f => f.Rule == PassiveRules.HeadersAbsent).Severity);
    }

    [Fact]
    public async Task An_api_whose_only_html_is_a_framework_error_page_is_still_medium()
    {
        // As Python's http.server does: JSON for its routes, a default HTML page for what it does not know.
        using var api = new LocalWebServer(r => r.Target == "/health"
            ? new LocalReply(200, "{\"status\":\"ok\"}", ("Content-Type", "application/json"))
            : new LocalReply(404, "<!DOCTYPE HTML><html><body><h1>Error response</h1><p>Error code: 404</p></body></html>", ("Content-Type", "text/html;charset=utf-8")));

        var result = await ScanApiAsync(api);

        Assert.Contains(result.Findings, f => f.Rule == PassiveRules.CspMissing); // the error page itself, as ZAP baseline reports it
        var absent = Assert.Single(result.Findings, f => f.Rule == PassiveRules.HeadersAbsent);
        Assert.Equal(Severity.Medium, absent.Severity);
        Assert.DoesNotContain("serves HTML", absent.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nothing_answering_is_not_evaluated_never_a_pass()
    {
        var system = System(1, 1, 1);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);

        var result = await new PassiveScanCheck(new PassiveScanOptions()).RunAsync(TestSystems.Context(system, http), CancellationToken.None);

        Assert.Equal(CheckStatus.Skipped, result.Status);
        Assert.Contains("api, web did not answer", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_sent_event_stream_is_not_read_beyond_what_the_caller_reads()
    {
        // The recorder must never wait for a body the caller does not read (an SSE stream never ends).
        var traffic = new PassiveTraffic();
        using var server = new LocalWebServer(_ => new LocalReply(200, "data: 1\n\n", ("Content-Type", "text/event-stream")));
        using var http = ProbeHttp.CreateClient(["127.0.0.1"], traffic);
        using (var response = await http.GetAsync(server.Url, HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(200, (int)response.StatusCode);
        }

        var route = Assert.Single(traffic.Routes());
        Assert.Equal(1, route.Responses);
    }

    [Fact]
    public async Task A_single_page_app_on_the_apis_host_is_judged_on_what_it_personalizes_and_its_csrf_cookie_may_be_read()
    {
        // The frontend and the API share 127.0.0.1, so the browser sends the API's cookies to the frontend's static
        // files too (cookies ignore ports). The API's XSRF-TOKEN is a double-submit token the page's script reads.
        (string, string)[] cacheable = [.. Headers.Where(h => h.Item1 != "Cache-Control")];
        using var web = new LocalWebServer(r => r.Target switch
        {
            "/" => new LocalReply(200, "<!doctype html><link rel=\"stylesheet\" href=\"/app.css\"><script src=\"/config.js\"></script><script src=\"/app.js\"></script>", [.. cacheable, ("Content-Type", "text/html")]),
            "/app.js" => new LocalReply(200, "fetch('/api/me')", [.. cacheable, ("Content-Type", "text/javascript")]),
            "/config.js" => new LocalReply(200, "window.api='http://127.0.0.1'", [.. cacheable, ("Content-Type", "text/javascript")]),
            "/app.css" => new LocalReply(200, "body{}", [.. cacheable, ("Content-Type", "text/css")]),
            "/account" => new LocalReply(200, r.Headers.ContainsKey("Cookie") ? "<!doctype html><p>Hello ann</p>" : "<!doctype html><p>Sign in</p>", [.. cacheable, ("Content-Type", "text/html")]),
            _ => new LocalReply(404, "not found", [.. Headers, ("Content-Type", "text/plain")]),
        });
        using var api = new LocalWebServer(r => r.Target switch
        {
            "/api/session" => new LocalReply(200, "{\"ok\":true}", [.. Headers, ("Content-Type", "application/json"),
                ("Set-Cookie", "sid=s3cr3t; Path=/; HttpOnly; SameSite=Lax"), ("Set-Cookie", "XSRF-TOKEN=t0k3n; Path=/; SameSite=Lax")]),
            "/api/me" => new LocalReply(200, "{\"name\":\"ann\"}", [.. cacheable, ("Content-Type", "application/json")]),
            _ => new LocalReply(200, "{\"status\":\"ok\"}", [.. Headers, ("Content-Type", "application/json")]),
        });
        var system = TestSystems.Load($$"""
            version: 1
            system: { name: s }
            components:
              - { name: api, kind: service, url: "http://127.0.0.1:{{api.Port}}", health: /health }
              - { name: web, kind: frontend, url: "http://127.0.0.1:{{web.Port}}", pages: [/, /account], dependsOn: [api] }
            """);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts, PassiveSecurity.Recorder());

        // The signed-in browser of steps 5 and 8: the session, then the app with the cookies the session set.
        using (var r = await http.PostAsync(new Uri(api.Url, "/api/session"), null))
        {
            await r.Content.ReadAsStringAsync();
        }

        foreach (var url in new[] { new Uri(web.Url, "/"), new Uri(web.Url, "/app.js"), new Uri(web.Url, "/config.js"), new Uri(web.Url, "/app.css"), new Uri(web.Url, "/account"), new Uri(api.Url, "/api/me") })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Add("Cookie", "sid=s3cr3t; XSRF-TOKEN=t0k3n");
            using var r = await http.SendAsync(request);
            await r.Content.ReadAsStringAsync();
        }

        var result = await new PassiveScanCheck(new PassiveScanOptions()).RunAsync(TestSystems.Context(system, http), CancellationToken.None);

        Assert.DoesNotContain(result.Findings, f => f.Rule == PassiveRules.CookieNoHttpOnly);
        Assert.Equal(["api GET /api/me", "web GET /account"],
            result.Findings.Where(f => f.Rule == PassiveRules.CacheableAuthenticated).Select(f => $"{f.Component} {f.Location}").Order());
    }

    [Theory]
    [InlineData(true, "api GET /me")]
    [InlineData(false, "api GET /books/{id}|api GET /me")]
    public async Task A_read_the_contract_declares_public_on_purpose_is_no_cacheable_authenticated_answer(bool contractSpeaksOfSecurity, string expected)
    {
        // Both answers are cacheable and were asked for with credentials; the contract makes GET /books/{id} public
        // (security: []) while the document requires a bearer token: anyone may read a book, so no cache keeps a secret.
        // A contract that says nothing of security declares nothing public.
        (string, string)[] cacheable = [.. Headers.Where(h => h.Item1 != "Cache-Control")];
        using var api = new LocalWebServer(r => r.Target switch
        {
            "/me" => new LocalReply(200, "{\"name\":\"ann\"}", [.. cacheable, ("Content-Type", "application/json")]),
            "/books/7" => new LocalReply(200, "{\"id\":7,\"title\":\"Dune\"}", [.. cacheable, ("Content-Type", "application/json")]),
            _ => new LocalReply(200, "{\"status\":\"ok\"}", [.. Headers, ("Content-Type", "application/json")]),
        });
        var folder = Path.Combine(Path.GetTempPath(), "archgate-passive-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var security = contractSpeaksOfSecurity ? "security: [ { bearer: [] } ]\ncomponents: { securitySchemes: { bearer: { type: http, scheme: bearer } } }\n" : string.Empty;
        var open = contractSpeaksOfSecurity ? "\n      security: []" : string.Empty;
        File.WriteAllText(Path.Combine(folder, "api.yaml"), $$"""
            openapi: 3.1.0
            info: { title: books, version: 1.0.0 }
            {{security}}paths:
              /me:
                get: { responses: { '200': { description: me } } }
              /books/{id}:
                get:{{open}}
                  parameters: [ { name: id, in: path, required: true, schema: { type: integer } } ]
                  responses: { '200': { description: a book } }
            """);
        var system = TestSystems.Load($$"""
            version: 1
            system: { name: s }
            components:
              - { name: api, kind: service, url: "http://127.0.0.1:{{api.Port}}", health: /health, openapi: api.yaml }
            """, folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts, PassiveSecurity.Recorder());
        foreach (var path in new[] { "/me", "/books/7" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(api.Url, path));
            request.Headers.Add("Authorization", "Bearer t0k3n");
            using var r = await http.SendAsync(request);
            await r.Content.ReadAsStringAsync();
        }

        var result = await new PassiveScanCheck(new PassiveScanOptions()).RunAsync(TestSystems.Context(system, http), CancellationToken.None);

        Assert.Equal(expected.Split('|'), result.Findings.Where(f => f.Rule == PassiveRules.CacheableAuthenticated).Select(f => $"{f.Component} {f.Location}").Order());
    }

    /// <summary>
    /// A site as a scan meets it: secure headers on its home page, but faults behind its links (a 500 with a stack
    /// trace, an API with X-Powered-By and a cookie without HttpOnly, a redirect to a body without Content-Type), behind its robots.txt (a versioned Server) and
    /// its sitemap (an X-AspNet-Version); and links a scan must not follow. It records what was requested.
    /// </summary>
    private static LocalWebServer Site(System.Collections.Concurrent.ConcurrentBag<string> requested) => new(r =>
    {
        requested.Add(r.Target);
        (string, string) html = ("Content-Type", "text/html");
        return r.Target switch
        {
            "/" => new LocalReply(200, """
                <!doctype html><a href="/error">e</a> <a href='/api/items#top'>i</a> <a href="/logout">out</a> <a href="/orders/7/delete">x</a>
                <a href="/old">moved</a> <a href="http://other.example/page">o</a> <a href="mailto:a@example.test">m</a> <a href="#main">skip</a>
                <form method="post" action="/buy"><button>Buy</button></form><form action="/search"><input name="q"></form>
                """, [.. Headers, html]),
            "/error" => new LocalReply(500, "<pre>System.InvalidOperationException: boom\n   at Site.Pages.Error() in /src/Pages.cs:line 9\n   at Site.Program.Main()</pre>", [.. Headers, html]),
            "/api/items" => new LocalReply(200, "[]", [.. Headers, ("Content-Type", "application/json"), ("X-Powered-By", "PHP/7.2.1"), ("Set-Cookie", "session=abc; Path=/; SameSite=Lax")]),
            "/old" => new LocalReply(302, "", [.. Headers, ("Location", "/moved")]),
            "/moved" => new LocalReply(200, "moved here", [.. Headers]),
            "/search" => new LocalReply(200, "<!doctype html><p>no results</p>", [.. Headers, html]),
            "/robots.txt" => new LocalReply(200, "User-agent: *\nDisallow: /admin/\nDisallow: /*.pdf$\nSitemap: /sitemap-main.xml\n", ("Content-Type", "text/plain")),
            "/admin/" => new LocalReply(200, "<!doctype html><p>admin</p>", [.. Headers, html, ("Server", "Apache/2.4.41 (Ubuntu)")]),
            "/sitemap-main.xml" => new LocalReply(200, $"<urlset><url><loc>http://127.0.0.1:{r.Headers["host"].Split(':')[1]}/hidden</loc></url></urlset>", ("Content-Type", "application/xml")),
            "/hidden" => new LocalReply(200, "<!doctype html><p>hidden</p>", [.. Headers, html, ("X-AspNet-Version", "4.0.30319")]),
            _ => new LocalReply(404, "not found", [.. Headers, ("Content-Type", "text/plain")]),
        };
    });

    /// <summary>What 'archgate scan URL' builds: one service at the URL.</summary>
    private static Archgate.Model.SystemModel ScanOf(int port) => TestSystems.Load($$"""
        version: 1
        system: { name: scan }
        components:
          - { name: service, kind: service, url: "http://127.0.0.1:{{port}}" }
        """);

    [Fact]
    public async Task A_scan_follows_links_GET_forms_robots_and_sitemap_and_judges_what_it_finds_without_following_actions()
    {
        var requested = new System.Collections.Concurrent.ConcurrentBag<string>();
        using var site = Site(requested);
        var system = ScanOf(site.Port);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);

        var result = await new PassiveScanCheck(new PassiveScanOptions()).RunAsync(TestSystems.Context(system, http), CancellationToken.None);

        string Where(string rule) => Assert.Single(result.Findings, f => f.Rule == rule).Location!;
        Assert.Equal("GET /error", Where(PassiveRules.StackTrace)); // a link
        Assert.Equal("GET /api/items", Where(PassiveRules.PoweredBy)); // a link with a fragment
        Assert.Equal("GET /api/items", Where(PassiveRules.CookieNoHttpOnly));
        Assert.Equal("GET /admin/", Where(PassiveRules.ServerVersion)); // robots.txt
        Assert.Equal("GET /hidden", Where(PassiveRules.AspNetVersion)); // the sitemap robots.txt names
        Assert.Equal("GET /moved", Where(PassiveRules.ContentTypeMissing)); // a redirect's Location
        Assert.Contains("/search", requested); // a GET form
        Assert.Equal(7, result.Metrics.Single(m => m.Name == "security_passive_crawled").Value);

        // Actions, POST forms, other origins and the discovery files' own answers are not followed or judged.
        Assert.DoesNotContain(requested, t => t is "/logout" or "/orders/7/delete" or "/buy");
        Assert.DoesNotContain(result.Findings, f => f.Location!.Contains("robots", StringComparison.Ordinal) || f.Location.Contains("sitemap", StringComparison.Ordinal));
        Assert.Equal(CheckStatus.Warn, result.Status); // medium and low findings: the home page alone would pass
    }

    [Fact]
    public async Task The_crawl_stops_at_its_limit_and_counts_the_links_it_left()
    {
        using var site = Site([]);
        var system = ScanOf(site.Port);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);

        var result = await new PassiveScanCheck(new PassiveScanOptions { MaxCrawl = 2 }).RunAsync(TestSystems.Context(system, http), CancellationToken.None);

        Assert.Equal(2, result.Metrics.Single(m => m.Name == "security_passive_crawled").Value);
        Assert.Equal(4, result.Metrics.Single(m => m.Name == "security_passive_crawl_left").Value); // /old, /search, /admin/, /hidden (/moved is behind /old)
    }
}

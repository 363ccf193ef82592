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
    public async Task Findings_cover_earlier_steps_traffic_one_per_rule_and_route_and_leave_third_parties_out()
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

        // The frontend without headers: every page, script, stylesheet and its 404 once per rule, and the aggregate.
        var absent = Assert.Single(result.Findings, f => f.Rule == PassiveRules.HeadersAbsent);
        Assert.Equal(Severity.High, absent.Severity);
        Assert.Equal("web", absent.Component);
        Assert.Equal(["/", "/orders"], result.Findings.Where(f => f.Rule == PassiveRules.CspMissing).Select(f => f.Location!.Split(' ')[1]).Order());
        Assert.Equal(["/", "/app.css", "/app.js", "/archgate-passive-not-found", "/health", "/orders"],
            result.Findings.Where(f => f.Rule == PassiveRules.NoSniffMissing && f.Component == "web").Select(f => f.Location!.Split(' ')[1]).Order());
        Assert.DoesNotContain(result.Findings, f => f.Rule == PassiveRules.HeadersAbsent && f.Component == "api");

        Assert.DoesNotContain(result.Findings, f => f.Rule == PassiveRules.CardNumber); // the third party's answer is not judged
        Assert.Equal(CheckStatus.Fail, result.Status);
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

    [Fact]
    public async Task An_api_without_any_security_header_is_medium_not_high()
    {
        using var api = new LocalWebServer(_ => new LocalReply(200, "{\"status\":\"ok\"}", ("Content-Type", "application/json")));
        var system = TestSystems.Load($$"""
            version: 1
            system: { name: s }
            components:
              - { name: api, kind: service, url: "http://127.0.0.1:{{api.Port}}", health: /health }
            """);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);

        var result = await new PassiveScanCheck(new PassiveScanOptions()).RunAsync(TestSystems.Context(system, http), CancellationToken.None);

        Assert.Equal(Severity.Medium, Assert.Single(result.Findings, f => f.Rule == PassiveRules.HeadersAbsent).Severity);
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
}

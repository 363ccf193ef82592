using Archgate.Checks.Faults;
using Archgate.Checks.Http;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Checks.ThirdParty.Analytics;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.ThirdParty;

/// <summary>
/// Step 6's analytics check in Debian's Chromium: a page on a free port sends a Mixpanel-shaped event to a collector
/// behind Archgate's proxy, by beacon (the page never waits) or by an awaited fetch (the page waits: the defect).
/// </summary>
public sealed class AnalyticsCheckTests : IDisposable
{
    private static readonly AnalyticsOptions Quick = new() { Collect = TimeSpan.FromSeconds(10), RenderWithin = TimeSpan.FromSeconds(3) };

    private readonly string _output = Path.Combine(Path.GetTempPath(), $"archgate-analytics-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_output))
        {
            Directory.Delete(_output, recursive: true);
        }
    }

    private static string Page(string collector, bool blocking, string token = "mp_test") => $$"""
        <!doctype html><html lang="en"><title>Shop</title><body><h1>Shop</h1><script>
        const url = "{{collector}}/track";
        const event = { event: "page_view", properties: { {{(token.Length > 0 ? $"token: \"{token}\", " : "")}}distinct_id: "d1", time: Date.now() } };
        const data = new URLSearchParams({ data: JSON.stringify([event]) });
        const render = () => document.body.insertAdjacentHTML("beforeend", "<form><input name=q aria-label=q><button type=button>Go</button></form><a href='/orders'>Orders</a>");
        {{(blocking ? "(async () => { await fetch(url, { method: 'POST', body: data }).catch(() => {}); render(); })();" : "navigator.sendBeacon(url, data); render();")}}
        </script></body></html>
        """;

    private async Task<(CheckResult Result, FaultProxy Proxy)> RunAsync(bool blocking, string token = "mp_test")
    {
        using var collector = new ScriptedHttpServer(_ => new Reply(200, "1", "text/plain", new Dictionary<string, string> { ["Access-Control-Allow-Origin"] = "*" }));
        await using var edges = new EdgeProxies();
        var address = edges.Open("web", "analytics", new Uri($"http://127.0.0.1:{collector.Port}"));
        using var pages = new PageServer(new Dictionary<string, string> { ["/"] = Page(address.ToString().TrimEnd('/'), blocking, token) });
        var system = TestSystems.Load($$"""
            version: 1
            system: { name: s }
            components:
              - { name: analytics, kind: third-party, url: "http://127.0.0.1:{{collector.Port}}" }
              - { name: web, kind: frontend, url: "{{pages.Url}}", dependsOn: [analytics], pages: [/] }
            """);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        var context = TestSystems.Context(system, http) with { Edges = edges, OutputDirectory = _output };
        var result = await new AnalyticsCheck(system.Find<Archgate.Model.FrontendComponent>("web")!, system.Find<Archgate.Model.ThirdPartyComponent>("analytics")!, Quick).RunAsync(context, CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(4));
        return (result, edges.Find(new Edge("web", "analytics"))!);
    }

    [Fact]
    public async Task A_page_that_beacons_its_events_passes_and_renders_with_the_collector_blackholed()
    {
        var (result, proxy) = await RunAsync(blocking: false);

        Assert.True(result.Status == CheckStatus.Pass, string.Join("\n", result.Findings.Select(f => $"{f.Rule} {f.Message}\n{f.Evidence}")) + result.Reason);
        var holds = Assert.Single(result.Findings);
        Assert.Equal("AG6073", holds.Rule);
        Assert.Contains("reached analytics (Mixpanel track); with analytics down the page showed all 3 controls and kept answering", holds.Message, StringComparison.Ordinal);
        Assert.Contains("call(s) held by the blackhole", holds.Evidence, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_output, "evidence", "analytics", "web", "2-collector-down.png")));
        Assert.Empty(proxy.Toxics);
    }

    [Fact]
    public async Task A_page_that_waits_for_the_collector_fails_with_a_screenshot_and_an_event_without_token_is_a_shape_finding()
    {
        var (result, proxy) = await RunAsync(blocking: true, token: "");

        Assert.Equal(CheckStatus.Fail, result.Status);
        var broken = Assert.Single(result.Findings, f => f.Rule == "AG6072");
        Assert.Equal(Severity.High, broken.Severity);
        Assert.Contains("with analytics down, / showed 0 of its 3 controls after 3 s: the page waits on analytics", broken.Message, StringComparison.Ordinal);
        Assert.Contains("screenshot evidence/analytics/web/2-collector-down.png", broken.Evidence, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_output, "evidence", "analytics", "web", "2-collector-down.png")));
        var shape = Assert.Single(result.Findings, f => f.Rule == "AG6071");
        Assert.Contains("not a valid Mixpanel track call: event [0] has no properties.token", shape.Message, StringComparison.Ordinal);
        Assert.Contains("POST /track", shape.Evidence, StringComparison.Ordinal);
        Assert.Empty(proxy.Toxics);
    }
}

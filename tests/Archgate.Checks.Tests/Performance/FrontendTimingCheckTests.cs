using Archgate.Checks.Http;
using Archgate.Checks.Performance;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Protocol;
using Xunit.Abstractions;

namespace Archgate.Checks.Tests.Performance;

/// <summary>FCP and LCP of real pages served on 127.0.0.1, measured in Debian's Chromium.</summary>
public sealed class FrontendTimingCheckTests(ITestOutputHelper output)
{
    /// <summary>Text paints at once; the largest element appears 500 ms later.</summary>
    private const string LatePage = """
        <!doctype html><html><head><title>late</title></head><body><p>first text</p>
        <script>setTimeout(() => { const h = document.createElement('h1'); h.style.fontSize = '120px';
        h.textContent = 'The largest element of the page'; document.body.appendChild(h); }, 500);</script></body></html>
        """;

    /// <summary>Text paints at once; the largest element waits for an API that answers 3 s later.</summary>
    private const string WaitingPage = """
        <!doctype html><html><head><title>waiting</title></head><body><p>first text</p>
        <script>fetch('/api/slow').then(r => r.text()).then(() => { const h = document.createElement('h1'); h.style.fontSize = '120px';
        h.textContent = 'The largest element of the page'; document.body.appendChild(h); });</script></body></html>
        """;

    private const string FastPage = "<!doctype html><html><head><title>fast</title></head><body><h1>All at once</h1></body></html>";

    [Fact]
    public async Task Pages_are_timed_in_Chromium_and_a_slow_LCP_fails_its_SLO_naming_the_page()
    {
        using var server = new PageServer(
            new Dictionary<string, string> { ["/"] = FastPage, ["/late"] = WaitingPage, ["/api/slow"] = "ok" },
            new Dictionary<string, TimeSpan> { ["/api/slow"] = TimeSpan.FromSeconds(3) });
        // The waiting page's LCP is never below 3 s, whatever the machine; the fast page's is 100-200 ms, and up to
        // 628 ms was seen beside a busy suite: the default 2.5 s parts them with room on both sides.
        var result = await RunAsync(server, "fcp: 1.8s, lcp: 2.5s");

        var fast = Metric(result, "page_lcp", "/");
        var lateFcp = Metric(result, "page_fcp", "/late");
        var lateLcp = Metric(result, "page_lcp", "/late");
        output.WriteLine($"/ LCP {fast} ms; /late FCP {lateFcp} ms, LCP {lateLcp} ms");
        Assert.True(fast > 0 && fast < lateLcp - 2000, $"fast LCP {fast}, late {lateLcp}");
        Assert.True(lateLcp >= 3000, $"the late LCP {lateLcp} ms comes after the 3 s API answer");
        Assert.True(lateFcp < lateLcp - 2000, $"FCP {lateFcp} should precede LCP {lateLcp} by the API's wait");
        var finding = Assert.Single(result.Findings);
        Assert.Equal(("AG8031", "/late"), (finding.Rule, finding.Location));
        Assert.Matches(@"^/late LCP \d+(\.\d\d?)? s > 2\.5 s$", finding.Message);
        Assert.Contains("median of 3 cold loads in Chromium", finding.Evidence, StringComparison.Ordinal);
        Assert.Equal(CheckStatus.Fail, result.Status);
    }

    [Fact]
    public async Task A_page_whose_script_never_reads_a_no_store_answer_is_measured()
    {
        // Chromium never finishes such an answer, so Playwright's networkidle never came and the page timed out unmeasured.
        using var server = new PageServer(
            new Dictionary<string, string>
            {
                ["/unread"] = "<!doctype html><html><head><title>unread</title></head><body><h1>Tasks</h1><script>fetch('/api/me').then(r => document.body.append(r.status));</script></body></html>",
                ["/api/me"] = "{}",
            },
            headers: new Dictionary<string, IReadOnlyDictionary<string, string>> { ["/api/me"] = new Dictionary<string, string> { ["Cache-Control"] = "no-store" } });
        var result = await RunAsync(server, "fcp: 10s, lcp: 10s", pages: "[/unread]");

        Assert.True(Metric(result, "page_lcp", "/unread") > 0);
        Assert.Empty(result.Findings);
        Assert.Equal(CheckStatus.Pass, result.Status);
    }

    [Fact]
    public async Task A_page_that_answers_404_is_not_measured_rather_than_passing()
    {
        using var server = new PageServer(new Dictionary<string, string> { ["/"] = FastPage });
        var result = await RunAsync(server, "fcp: 1.8s", pages: "[/missing]");

        var finding = Assert.Single(result.Findings);
        Assert.Equal("AG8032", finding.Rule);
        Assert.Contains("answered 404", finding.Message, StringComparison.Ordinal);
        Assert.StartsWith("load 1 of 3 failed", finding.Evidence, StringComparison.Ordinal); // no more loads of a failed page
    }

    [Fact]
    public async Task A_page_that_paints_nothing_is_not_measured_after_waiting_for_a_late_first_paint()
    {
        using var server = new PageServer(new Dictionary<string, string> { ["/blank"] = "<!doctype html><html><head><title>blank</title></head><body></body></html>" });
        var result = await RunAsync(server, "fcp: 1.8s", pages: "[/blank]");

        var finding = Assert.Single(result.Findings);
        Assert.Equal(("AG8032", "/blank"), (finding.Rule, finding.Location));
        Assert.Equal("/blank could not be measured: the page painted no content", finding.Message);
        Assert.Empty(result.Metrics);
    }

    [Fact]
    public async Task Paints_are_timed_from_the_navigation_and_the_largest_paint_is_the_last_candidate()
    {
        // Lower bounds only, which a slow machine cannot break: the document answers 1.2 s after it is asked for, so
        // a paint timed from the answer, the load event or the moment Playwright returned would come in under 1.2 s;
        // the largest element appears 500 ms after the script runs, so an LCP that kept the first candidate (the text)
        // would come in under that. Agreement with Lighthouse is measured by bench/frontend/run.sh, not asserted here:
        // two tools' latencies on a shared 2-core machine differ by a neighbour's burst (ci94).
        using var server = new PageServer(
            new Dictionary<string, string> { ["/late"] = LatePage },
            new Dictionary<string, TimeSpan> { ["/late"] = TimeSpan.FromMilliseconds(1200) });
        var result = await RunAsync(server, "fcp: 30s, lcp: 30s", pages: "[/late]");

        var (fcp, lcp) = (Metric(result, "page_fcp", "/late"), Metric(result, "page_lcp", "/late"));
        output.WriteLine($"/late (answered after 1.2 s) FCP {fcp} ms, LCP {lcp} ms");
        Assert.True(fcp >= 1200, $"FCP {fcp} ms comes after the document's 1.2 s answer");
        Assert.True(lcp >= 1200 + 500, $"LCP {lcp} ms comes 500 ms after the script that the 1.2 s answer carries");
        Assert.Empty(result.Findings);
        Assert.Equal(CheckStatus.Pass, result.Status);
    }

    private static async Task<CheckResult> RunAsync(PageServer server, string slo, string pages = "[/, /late]")
    {
        var system = TestSystems.Load($$"""
            version: 1
            system: { name: pages }
            components:
              - { name: web, kind: frontend, url: "{{server.Url}}", pages: {{pages}} }
            slo:
              web: { {{slo}} }
            """);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        var check = new FrontendTimingCheck(system.Find<Archgate.Model.FrontendComponent>("web")!, new Archgate.Model.PageTimingOptions { Loads = 3 });
        return await check.RunAsync(TestSystems.Context(system, http), CancellationToken.None);
    }

    /// <summary>The value of a page's timing; a page the check could not measure fails with its reason.</summary>
    private static double Metric(CheckResult result, string name, string page) =>
        result.Metrics.SingleOrDefault(m => m.Name == name && m.Tags["page"] == page)?.Value
        ?? throw new Xunit.Sdk.XunitException($"no {name} for {page}: {Unmeasured(result)}");

    /// <summary>Why the check measured nothing (its reason or its not-measured findings), or null when it measured.</summary>
    private static string? Unmeasured(CheckResult result) =>
        result.Metrics.Any(m => m.Name == "page_lcp") ? null
            : result.Reason ?? string.Join("; ", result.Findings.Select(f => $"{f.Rule} {f.Message} ({f.Evidence})"));
}

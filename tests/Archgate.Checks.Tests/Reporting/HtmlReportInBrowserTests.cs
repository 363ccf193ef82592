using Archgate.Checks.Browser;
using Archgate.Protocol;
using Archgate.Reporting;
using Microsoft.Playwright;

namespace Archgate.Checks.Tests.Reporting;

/// <summary>The HTML report opened in Chromium: no console error, no script, the severity filters work; a screenshot is kept.</summary>
public sealed class HtmlReportInBrowserTests
{
    private static RunRecord Run()
    {
        var started = new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);
        var check = new CheckResult
        {
            Id = "services.health:api",
            Title = "api is healthy",
            Status = CheckStatus.Fail,
            Findings =
            [
                new Finding { Rule = "AG4001", Severity = Severity.High, Component = "api", Message = "answered 503 <script>document.title='owned'</script>", Evidence = "<img src=x onerror=\"document.title='owned'\">\u0000\u001b[2J" },
                new Finding { Rule = "AG4014", Severity = Severity.Info, Component = "api", Message = "the breaker works" },
            ],
            Metrics =
            [
                new Metric("http_req_duration", new Dictionary<string, string> { ["route"] = "GET /products", ["stage"] = "baseline", ["stat"] = "p95" }, 42, "ms"),
            ],
        };
        Metric Rate(string stage, int t, double value) =>
            new(HtmlReporter.ThroughputMetric, new Dictionary<string, string> { ["component"] = "api", ["stage"] = stage, ["t"] = t.ToString(System.Globalization.CultureInfo.InvariantCulture) }, value, "req/s");
        var load = new CheckResult
        {
            Id = "performance.load:api",
            Title = "load",
            Status = CheckStatus.Pass,
            Metrics = [.. Enumerable.Range(0, 10).Select(t => Rate(t < 5 ? "baseline" : "stress", t, t < 5 ? 90 + t : 300 - (t * 10)))],
        };
        var steps = new List<StepResult>
        {
            new() { Number = 4, Name = "Service-to-service", Status = CheckStatus.Fail, StartedAt = started, Checks = [check] },
            new() { Number = 8, Name = "Performance and load", Status = CheckStatus.Pass, StartedAt = started, Checks = [load] },
        };
        return new RunRecord
        {
            RunId = "20261203-100000-html",
            System = "shop",
            ManifestPath = "/work/shop/archgate.yaml",
            ManifestSha256 = "0123456789abcdef",
            StartedAt = started,
            FinishedAt = started.AddSeconds(2),
            State = RunState.Completed,
            Steps = steps,
            Criteria = [new Criterion("services", "Service-to-service communication operational", CriterionStatus.Fail, "1 failing", "every service healthy")],
            Verdict = Verdict.NoGo,
            Graph =
            [
                new GraphNode("db", Archgate.Model.ComponentKind.Database, 1, []),
                new GraphNode("payments", Archgate.Model.ComponentKind.ThirdParty, 1, []),
                new GraphNode("api", Archgate.Model.ComponentKind.Service, 2, ["db", "payments"]),
                new GraphNode("web", Archgate.Model.ComponentKind.Frontend, 3, ["api"]),
            ],
            RollbackFor = [4],
            Snapshots =
            [
                new StateSnapshot
                {
                    Component = "db", Engine = Archgate.Model.DatabaseEngine.Sqlite, Method = "sqlite online backup", BeforeStep = 5, State = SnapshotState.Restored,
                    Rows = new Dictionary<string, long> { ["orders"] = 2 }, RowsBeforeRestore = new Dictionary<string, long> { ["orders"] = 5 },
                    RowsAfterRestore = new Dictionary<string, long> { ["orders"] = 2 }, SchemaSha256 = "abc", SchemaSha256AfterRestore = "abc",
                },
            ],
        };
    }

    [Fact]
    public async Task The_report_renders_in_Chromium_without_console_errors_and_its_filters_hide_a_severity()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "artifacts");
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, "integration-validation-report.html");
        await File.WriteAllTextAsync(file, HtmlReporter.Render(Run()));

        await using var chromium = await Chromium.StartAsync(Chromium.DefaultPath, ["127.0.0.1"], TimeSpan.FromMinutes(1));
        var page = await chromium.Browser.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning")
            {
                errors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => errors.Add(error);
        await page.GotoAsync(new Uri(file).AbsoluteUri, new PageGotoOptions { Timeout = 60_000 });

        Assert.Empty(errors);
        Assert.Equal("Integration validation report: shop", await page.TitleAsync()); // no planted script ran
        Assert.Equal(0, await page.Locator("script, img").CountAsync());
        Assert.True(await page.Locator("li.high").IsVisibleAsync());
        Assert.Equal(4, await page.Locator("svg.graph g.node").CountAsync());
        Assert.Equal(3, await page.Locator("svg.graph path.edge").CountAsync());
        Assert.Equal(["api"], await page.Locator("svg.graph g.node.failing title").EvaluateAllAsync<string[]>("ts => ts.map(t => t.textContent.split(' ')[0])"));
        var graph = await page.Locator("svg.graph").BoundingBoxAsync();
        Assert.True(graph is { Width: > 500, Height: > 100 }, "the graph is laid out: three waves side by side");
        Assert.Equal(10, (await page.Locator("svg.throughput polyline.rate").GetAttributeAsync("points"))!.Split(' ').Length);
        Assert.True(await page.Locator("svg.throughput").IsVisibleAsync());
        Assert.Contains("orders 5", await page.Locator("text=Rollback and database state >> xpath=..").InnerTextAsync(), StringComparison.Ordinal);
        Assert.False(await page.Locator("li.info").IsVisibleAsync()); // info is hidden by default

        await page.Locator("label[for=hide-high]").ClickAsync();
        await page.Locator("label[for=hide-info]").ClickAsync();

        Assert.False(await page.Locator("li.high").IsVisibleAsync());
        Assert.True(await page.Locator("li.info").IsVisibleAsync());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, "integration-validation-report.png"), FullPage = true });
        Assert.True(new FileInfo(Path.Combine(folder, "integration-validation-report.png")).Length > 1000);
        Assert.Empty(errors);
    }
}

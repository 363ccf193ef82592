using System.Xml.Linq;
using Archgate.Protocol;
using Archgate.Reporting;

namespace Archgate.Core.Tests.Reporting;

public sealed class HtmlReporterTests
{
    private static RunRecord RunWithLoad()
    {
        var run = ReporterGoldenTests.SampleRun();
        Metric Latency(string route, string stat, double value) =>
            new("http_req_duration", new Dictionary<string, string> { ["component"] = "api", ["route"] = route, ["stage"] = "baseline", ["stat"] = stat }, value, "ms");
        var load = new CheckResult
        {
            Id = "load:api",
            Title = "load",
            Status = CheckStatus.Pass,
            Metrics =
            [
                Latency("GET /products", "p50", 12), Latency("GET /products", "p95", 40), Latency("GET /products", "p99", 80),
                Latency("POST /orders <img src=x onerror=alert(2)>", "p50", 30), Latency("POST /orders <img src=x onerror=alert(2)>", "p95", 150),
                new("page_fcp", new Dictionary<string, string> { ["component"] = "web", ["page"] = "/" }, 204, "ms"),
                new("page_lcp", new Dictionary<string, string> { ["component"] = "web", ["page"] = "/" }, 310, "ms"),
            ],
        };
        var step8 = new StepResult { Number = 8, Name = "Performance and load", Status = CheckStatus.Pass, Checks = [load] };
        return run with { Steps = [.. run.Steps, step8] };
    }

    [Fact]
    public void The_page_is_self_contained_with_the_verdict_first_and_every_quoted_text_inert()
    {
        var html = HtmlReporter.Render(RunWithLoad());

        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.True(html.IndexOf("class=\"verdict nogo\">NO-GO", StringComparison.Ordinal) < html.IndexOf("Validation criteria", StringComparison.Ordinal));
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase); // the sample's finding says <script>alert(1)</script>
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", string.Empty, StringComparison.Ordinal)
            .Replace("http://127.0.0.1:7101/health", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal); // nothing to fetch
        Assert.Contains("default-src 'none'", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Screenshots_a_finding_names_are_linked_relative_to_the_run_folder_and_paths_leaving_it_are_not()
    {
        var run = ReporterGoldenTests.SampleRun();
        var check = new CheckResult
        {
            Id = "frontend.browser:web",
            Title = "pages",
            Status = CheckStatus.Fail,
            Findings =
            [
                new Finding { Rule = "AG5053", Severity = Severity.High, Component = "web", Location = "/", Message = "/ is blank while the API is down", Evidence = "the page says: ; screenshot evidence/browser/web/index-error.png" },
                new Finding { Rule = "AG5054", Severity = Severity.High, Component = "web", Location = "/x", Message = "raw", Evidence = "the page says: screenshot evidence/../../etc/x.png\"><b>; screenshot evidence/browser/web/x-error.png" },
            ],
        };
        var html = HtmlReporter.Render(run with { Steps = [.. run.Steps, new StepResult { Number = 5, Name = "Frontend-backend", Status = CheckStatus.Fail, Checks = [check] }] });

        Assert.Contains("<p class=\"shots\">screenshots: <a href=\"evidence/browser/web/index-error.png\">index-error.png</a></p>", html, StringComparison.Ordinal);
        Assert.Contains("<p class=\"shots\">screenshots: <a href=\"evidence/browser/web/x-error.png\">x-error.png</a></p>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"evidence/..", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_escalation_is_listed_with_its_id_for_archgate_ack_and_one_not_yet_recorded_shows_none()
    {
        var run = ReporterGoldenTests.SampleRun();
        run = run with { Escalations = [.. run.Escalations, new Escalation("resource-exhaustion", 2, "api <b>memory</b> 95 %")] };

        var html = HtmlReporter.Render(run);

        var section = html[html.IndexOf("<h2>Escalations</h2>", StringComparison.Ordinal)..html.IndexOf("<h2>Sign-off</h2>", StringComparison.Ordinal)];
        Assert.Contains("<th>id</th><th>level</th><th>trigger</th><th>message</th>", section, StringComparison.Ordinal);
        Assert.Contains("<tr><td><code>e-0123456789</code></td><td>3</td><td>dependent-services-failing</td><td>4 services failing</td></tr>", section, StringComparison.Ordinal);
        Assert.Contains("<tr><td><code>-</code></td><td>2</td><td>resource-exhaustion</td><td>api &lt;b&gt;memory&lt;/b&gt; 95 %</td></tr>", section, StringComparison.Ordinal);
    }

    [Fact]
    public void Latency_by_route_is_drawn_per_stage_and_page_timings_are_listed()
    {
        var html = HtmlReporter.Render(RunWithLoad());

        Assert.Contains("Latency by route, stage baseline", html, StringComparison.Ordinal);
        var svg = html[html.IndexOf("<svg", StringComparison.Ordinal)..(html.IndexOf("</svg>", StringComparison.Ordinal) + 6)];
        var chart = XElement.Parse(svg); // well-formed SVG
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.Equal(5, chart.Elements(ns + "rect").Count()); // 3 bars for GET /products, 2 for POST /orders (no p99)
        Assert.True(chart.Elements(ns + "rect").Any(r => r.Element(ns + "title")!.Value == "POST /orders <img src=x onerror=alert(2)> p95 150 ms" && r.Attribute("width")!.Value == "460"), svg); // the longest bar is the largest value
        Assert.True(chart.Elements(ns + "rect").Any(r => r.Element(ns + "title")!.Value == "GET /products p99 80 ms" && r.Attribute("width")!.Value == "245.3"), svg);
        Assert.Contains("<td>204 ms</td><td>310 ms</td>", html, StringComparison.Ordinal);
    }

    private static RunRecord RunWithGraph()
    {
        var run = RunWithLoad();
        Metric Rate(string stage, int t, double value) =>
            new(HtmlReporter.ThroughputMetric, new Dictionary<string, string> { ["component"] = "api", ["stage"] = stage, ["t"] = t.ToString(System.Globalization.CultureInfo.InvariantCulture) }, value, "req/s");
        var failing = new CheckResult
        {
            Id = "services.health:api",
            Status = CheckStatus.Fail,
            Findings = [new Finding { Rule = "AG4001", Severity = Severity.High, Component = "api", Message = "503" }, new Finding { Rule = "AG4014", Severity = Severity.Info, Component = "db", Message = "fine" }],
        };
        var timeline = new CheckResult { Id = "performance.load:api", Status = CheckStatus.Pass, Metrics = [Rate("baseline", 0, 50), Rate("baseline", 1, 100), Rate("stress <b>", 2, 400), Rate("stress <b>", 3, 200)] };
        return run with
        {
            Steps = [.. run.Steps.Where(s => s.Number != 8), new StepResult { Number = 8, Name = "Performance and load", Status = CheckStatus.Fail, Checks = [failing, timeline] }],
            Graph =
            [
                new GraphNode("db", Archgate.Model.ComponentKind.Database, 1, []),
                new GraphNode("payments", Archgate.Model.ComponentKind.ThirdParty, 1, []),
                new GraphNode("api", Archgate.Model.ComponentKind.Service, 2, ["db", "payments"]),
                new GraphNode("web <i>", Archgate.Model.ComponentKind.Frontend, 3, ["api"]),
            ],
        };
    }

    private static XElement Svg(string html, string cls)
    {
        var start = html.IndexOf($"class=\"{cls}\"", StringComparison.Ordinal);
        start = html.LastIndexOf("<svg", start, StringComparison.Ordinal);
        return XElement.Parse(html[start..(html.IndexOf("</svg>", start, StringComparison.Ordinal) + 6)]);
    }

    [Fact]
    public void The_dependency_graph_puts_each_wave_in_a_column_draws_each_dependency_and_marks_failing_components()
    {
        var html = HtmlReporter.Render(RunWithGraph());

        XNamespace ns = "http://www.w3.org/2000/svg";
        var graph = Svg(html, "graph");
        var nodes = graph.Elements(ns + "g").ToDictionary(g => g.Element(ns + "title")!.Value.Split(' ')[0], g => g);
        Assert.Equal(["db", "payments", "api", "web"], nodes.Keys);
        string X(string name) => nodes[name].Element(ns + "rect")!.Attribute("x")!.Value;
        Assert.Equal(["10", "10", "230", "450"], new[] { X("db"), X("payments"), X("api"), X("web") });
        Assert.Equal("node failing", nodes["api"].Attribute("class")!.Value);
        Assert.Equal("node", nodes["db"].Attribute("class")!.Value); // an info finding does not mark it
        var edges = graph.Elements(ns + "path").Select(p => p.Element(ns + "title")!.Value).ToList();
        Assert.Equal(["api depends on db", "api depends on payments", "web <i> depends on api"], edges);
        Assert.Equal(["wave 1", "wave 2", "wave 3"], graph.Elements(ns + "text").Select(t => t.Value));
        Assert.DoesNotContain("web <i>", html, StringComparison.Ordinal);
        Assert.True(html.IndexOf("Dependency graph", StringComparison.Ordinal) < html.IndexOf("<h2>Steps", StringComparison.Ordinal));
    }

    [Fact]
    public void Throughput_over_time_is_one_line_over_bands_of_the_load_stages()
    {
        var html = HtmlReporter.Render(RunWithGraph());

        XNamespace ns = "http://www.w3.org/2000/svg";
        var chart = Svg(html, "throughput");
        var points = chart.Element(ns + "polyline")!.Attribute("points")!.Value.Split(' ');
        Assert.Equal(4, points.Length);
        Assert.Equal("22", points[2].Split(',')[1]); // the peak (400 req/s) touches the top of the plot
        Assert.Equal("162", points[0].Split(',')[1]); // 50 req/s: an eighth of the 160-pixel plot above the axis at 182
        var bands = chart.Elements(ns + "rect").Select(r => r.Element(ns + "title")!.Value).ToList();
        Assert.Equal(["stage baseline: 0-2 s, peak 100 req/s", "stage stress <b>: 2-4 s, peak 400 req/s"], bands);
        Assert.Contains("Throughput over time, api", html, StringComparison.Ordinal);
        Assert.DoesNotContain("stress <b>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Rollback_and_database_state_list_each_snapshot_with_its_row_counts()
    {
        var snapshot = new StateSnapshot
        {
            Component = "db",
            Engine = Archgate.Model.DatabaseEngine.Postgres,
            Method = "pg_dump -Fc / pg_restore --clean",
            BeforeStep = 5,
            State = SnapshotState.Restored,
            Rows = new Dictionary<string, long> { ["public.orders"] = 2, ["public.customers"] = 3 },
            RowsBeforeRestore = new Dictionary<string, long> { ["public.orders"] = 5, ["public.customers"] = 4 },
            RowsAfterRestore = new Dictionary<string, long> { ["public.orders"] = 2, ["public.customers"] = 3 },
            SchemaSha256 = "a",
            SchemaSha256AfterRestore = "a",
        };
        var run = ReporterGoldenTests.SampleRun() with { RollbackFor = [7], Snapshots = [snapshot, snapshot with { Component = "cache", State = SnapshotState.Skipped, Error = "an in-memory database" }] };

        var html = HtmlReporter.Render(run);
        var markdown = MarkdownReporter.Render(run);

        Assert.Contains("<tr><td>db</td><td class=\"st pass\">restored</td><td>public.customers 3, public.orders 2</td><td>public.customers 4, public.orders 5</td><td>public.customers 3, public.orders 2</td>", html, StringComparison.Ordinal);
        Assert.Contains("cache: not snapshotted: an in-memory database", html, StringComparison.Ordinal);
        Assert.Contains("| db | restored | public.customers 3, public.orders 2 | public.customers 4, public.orders 5 | public.customers 3, public.orders 2 |", markdown, StringComparison.Ordinal);
        Assert.Contains("Step 7 failed, but the manifest declares no rollback command", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Findings_carry_their_severity_for_the_filters()
    {
        var html = HtmlReporter.Render(ReporterGoldenTests.SampleRun());

        Assert.Contains("<li class=\"critical\"><span class=\"sev critical\">critical</span> <b>AG4001</b>", html, StringComparison.Ordinal);
        Assert.Contains("<input type=\"checkbox\" class=\"filter\" id=\"hide-info\" checked>", html, StringComparison.Ordinal);
        Assert.Contains("<label for=\"hide-high\" class=\"sev high\">high (1)</label>", html, StringComparison.Ordinal);
    }
}

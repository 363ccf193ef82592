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

    [Fact]
    public void Findings_carry_their_severity_for_the_filters()
    {
        var html = HtmlReporter.Render(ReporterGoldenTests.SampleRun());

        Assert.Contains("<li class=\"critical\"><span class=\"sev critical\">critical</span> <b>AG4001</b>", html, StringComparison.Ordinal);
        Assert.Contains("<input type=\"checkbox\" class=\"filter\" id=\"hide-info\" checked>", html, StringComparison.Ordinal);
        Assert.Contains("<label for=\"hide-high\" class=\"sev high\">high (1)</label>", html, StringComparison.Ordinal);
    }
}

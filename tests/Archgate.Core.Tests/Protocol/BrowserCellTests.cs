using System.Text.Json;
using Archgate.Protocol;
using Archgate.Reporting;

namespace Archgate.Core.Tests.Protocol;

public sealed class BrowserCellTests
{
    private static CheckResult Journey(string id, CheckStatus status, double? rate, string? reason = null, Severity? finding = null) => new()
    {
        Id = id,
        Status = status,
        Reason = reason,
        Metrics = rate is { } r ? [new Metric("journey_success_rate", new Dictionary<string, string>(), r, "%")] : [],
        Findings = finding is { } s ? [new Finding { Rule = "AG7002", Severity = s, Component = "api", Location = "step 3", Message = "'sign in': 1 of 2 runs succeeded (50 %); first failure in run 2" }] : [],
    };

    private static RunRecord Run() => new()
    {
        RunId = "20261204-040000-abcd",
        System = "shop",
        ManifestPath = "/work/shop/archgate.yaml",
        ManifestSha256 = "0123456789abcdef0123456789abcdef",
        StartedAt = new DateTimeOffset(2026, 12, 4, 4, 0, 0, TimeSpan.Zero),
        Steps =
        [
            new StepResult
            {
                Number = 7,
                Name = "Integration testing",
                Status = CheckStatus.Error,
                Checks =
                [
                    Journey("journeys.run:admin lists orders", CheckStatus.Pass, 100),
                    Journey("journeys.run:sign in@chromium", CheckStatus.Pass, 100),
                    Journey("journeys.run:sign in@firefox", CheckStatus.Warn, 50, finding: Severity.Medium),
                    Journey("journeys.run:sign in@webkit", CheckStatus.Error, null, "Webkit is not installed: WebKitWebDriver not found"),
                ],
            },
        ],
    };

    [Fact]
    public void Only_browser_journeys_are_cells_and_an_engine_that_did_not_run_is_not_evaluated_never_passed()
    {
        var cells = BrowserCell.Matrix(Run().Steps);

        Assert.Equal(
            [
                new BrowserCell("sign in", "chromium", "passed", 100, null),
                new BrowserCell("sign in", "firefox", "failed", 50, "'sign in': 1 of 2 runs succeeded (50 %); first failure in run 2"),
                new BrowserCell("sign in", "webkit", "not-evaluated", null, "Webkit is not installed: WebKitWebDriver not found"),
            ],
            cells);
    }

    [Fact]
    public void The_markdown_html_and_run_json_reports_show_the_journey_by_engine_matrix()
    {
        var run = Run();

        var md = MarkdownReporter.Render(run);
        Assert.Contains("### Browser journeys: journey × engine", md, StringComparison.Ordinal);
        Assert.Contains("| journey | chromium | firefox | webkit |", md, StringComparison.Ordinal);
        Assert.Contains("| sign in | passed (100 %) | failed (50 %) | not-evaluated: Webkit is not installed: WebKitWebDriver not found |", md, StringComparison.Ordinal);

        var html = HtmlReporter.Render(run);
        Assert.Contains("<td>sign in</td><td class=\"st pass\">passed (100 %)</td>", html, StringComparison.Ordinal);
        Assert.Contains(">not-evaluated: Webkit is not installed: WebKitWebDriver not found</td>", html, StringComparison.Ordinal);

        var json = JsonDocument.Parse(JsonSerializer.Serialize(run, ArchgateJson.Options)).RootElement.GetProperty("browserMatrix");
        Assert.Equal(3, json.GetArrayLength());
        Assert.Equal("not-evaluated", json[2].GetProperty("status").GetString());
        Assert.Equal("webkit", json[2].GetProperty("engine").GetString());
        Assert.False(json[2].TryGetProperty("text", out _)); // the reports' wording, not data
        Assert.Equal(50, json[1].GetProperty("successRate").GetDouble());
        Assert.False(JsonDocument.Parse(JsonSerializer.Serialize(run with { Steps = [] }, ArchgateJson.Options)).RootElement.TryGetProperty("browserMatrix", out _));
    }
}

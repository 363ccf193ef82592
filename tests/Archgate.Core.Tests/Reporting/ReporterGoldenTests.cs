using System.Text;
using System.Text.Json;
using Archgate.Judging;
using Archgate.Protocol;
using Archgate.Reporting;
using Archgate.Tests;

namespace Archgate.Core.Tests.Reporting;

/// <summary>Every reporter's output for one fixed run is committed and reviewed in the diff.</summary>
public sealed class ReporterGoldenTests
{
    private static readonly string Folder = Path.Combine(Golden.SourceDirectory(), "..", "Golden", "Reports");

    internal static RunRecord SampleRun()
    {
        var started = new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);
        var steps = new List<StepResult>
        {
            new()
            {
                Number = 1, Name = TestProtocol.Name(1), Status = CheckStatus.Warn, StartedAt = started, DurationMs = 4,
                Checks =
                [
                    new CheckResult
                    {
                        Id = "plan.graph", Title = "Dependency graph", Status = CheckStatus.Warn, DurationMs = 3,
                        Findings = [new Finding { Rule = "AG1012", Severity = Severity.High, Component = "gateway", Location = "archgate.yaml", Message = "third party 'gateway' has no timeout policy", Hint = "declare a policy" }],
                        Metrics = [new Metric("plan_waves", new Dictionary<string, string>(), 3, "count")],
                    },
                ],
            },
            new()
            {
                Number = 4, Name = TestProtocol.Name(4), Title = "Service-to-service integration", Status = CheckStatus.Fail, StartedAt = started, DurationMs = 3020,
                Checks =
                [
                    new CheckResult
                    {
                        Id = "services.health:api", Title = "api is healthy", Status = CheckStatus.Fail, DurationMs = 1,
                        Findings = [new Finding { Rule = "AG4001", Severity = Severity.Critical, Component = "api", Location = "GET http://127.0.0.1:7101/health", Message = "api health endpoint answered 503 | <script>alert(1)</script>", Evidence = "{\"db\":\"down\"}" }],
                        Attempts = [new CheckAttempt(1, CheckStatus.Fail, "HTTP 503", 1), new CheckAttempt(2, CheckStatus.Fail, "HTTP 503", 1)],
                        Metrics = [Metric.ForComponent("health_latency", "api", 1.25, "ms")],
                    },
                    CheckResult.NotImplemented() with { Id = "services.resilience", Title = "Circuit breakers" },
                ],
            },
        };
        var criteria = CriteriaEvaluator.Evaluate(TestProtocol.With(), TestSystems.Load(TestSystems.Shop), steps);
        return new RunRecord
        {
            RunId = "20261126-100000-abcd",
            System = "shop",
            ManifestPath = "/work/shop/archgate.yaml",
            ManifestSha256 = "0123456789abcdef0123456789abcdef",
            StartedAt = started,
            FinishedAt = started.AddSeconds(3.5),
            State = RunState.Completed,
            Steps = steps,
            Criteria = criteria,
            Verdict = CriteriaEvaluator.Decide(criteria),
            Escalations = [new Escalation("dependent-services-failing", 3, "4 services failing") { Id = "e-0123456789" }],
            SignoffPolicy = new Archgate.Model.SignoffPolicy
            {
                Approver = new("System-Architect", "alice@example.test"),
                Reviewers = [new("QA-Tester", null)],
            },
            Signoffs =
            [
                new SignoffRecord
                {
                    Seq = 1, RunId = "20261126-100000-abcd", System = "shop", ManifestSha256 = "0123456789abcdef0123456789abcdef", Kind = "review",
                    Role = "QA-Tester", Identity = "Quinn <quinn@example.test>", IdentitySource = IdentitySource.Git, Decision = SignoffDecision.Reject,
                    At = started.AddMinutes(5), Comment = "api | down <b>again</b>", PreviousHash = new string('0', 64), Hash = new string('a', 64),
                },
            ],
            Waivers =
            [
                new WaiverStatus(new Waiver("AG1012", "gateway policy lands next sprint", started.AddDays(30)), "alice", "System-Architect", "20261120-090000-0001", started.AddDays(-6), Expired: false, Used: false),
                new WaiverStatus(new Waiver("AG4001", "old outage", started.AddDays(-1)), "alice", "System-Architect", "20261101-090000-0002", started.AddDays(-25), Expired: true, Used: false),
            ],
        };
    }

    private static async Task<string> RenderAsync(IReporter reporter)
    {
        using var stream = new MemoryStream();
        await reporter.WriteAsync(SampleRun(), stream, CancellationToken.None);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    [Theory]
    [InlineData("json", "run.json")]
    [InlineData("md", "integration-validation-report.md")]
    [InlineData("junit", "junit.xml")]
    public async Task Report_matches_its_golden_file(string format, string file)
    {
        var text = await RenderAsync(Reporters.Find(format)!);

        Golden.Assert(Path.Combine(Folder, file), text);
    }

    [Fact]
    public async Task Markdown_escapes_what_came_from_the_target()
    {
        var text = await RenderAsync(new MarkdownReporter());

        Assert.DoesNotContain("<script>", text, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_json_round_trips_into_the_same_record()
    {
        var json = await RenderAsync(new JsonReporter());

        var back = JsonSerializer.Deserialize<RunRecord>(json, ArchgateJson.Options)!;

        Assert.Equal(Verdict.NoGo, back.Verdict);
        Assert.Equal("NO-GO", JsonDocument.Parse(json).RootElement.GetProperty("verdict").GetString());
        Assert.Equal("not-evaluated", JsonDocument.Parse(json).RootElement.GetProperty("criteria")[0].GetProperty("status").GetString());
        Assert.Equal(2, back.Steps[1].Checks[0].Attempts.Count);
    }

    [Fact]
    public async Task Writing_all_reports_leaves_no_temporary_files()
    {
        var dir = Directory.CreateTempSubdirectory("archgate-reports-").FullName;
        try
        {
            var written = await Reporters.WriteAllAsync(SampleRun(), dir, CancellationToken.None);

            Assert.Equal(["integration-validation-report.html", "integration-validation-report.md", "junit.xml", "run.json"], Directory.GetFiles(dir).Select(Path.GetFileName).Order());
            Assert.Equal(4, written.Count);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}

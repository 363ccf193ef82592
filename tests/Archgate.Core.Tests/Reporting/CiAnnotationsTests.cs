using System.Text.Json;
using Archgate.Protocol;
using Archgate.Reporting;

namespace Archgate.Core.Tests.Reporting;

/// <summary>
/// GitHub workflow commands as GitHub's toolkit documents them (data: %, CR, LF escaped; properties also ':' and ','), the job
/// summary, and GitLab's code quality report (description, check_name, fingerprint, severity, location.path, location.lines.begin).
/// </summary>
public sealed class CiAnnotationsTests
{
    private const string Manifest = """
        version: 1
        system: { name: shop }
        components:
          - name: gateway          # the payment provider
            kind: third-party
          - name: "api"
            kind: service
        """;

    [Theory]
    [InlineData("50% done", "50%25 done")]
    [InlineData("line 1\r\nline 2", "line 1%0D%0Aline 2")]
    [InlineData("a:b,c", "a:b,c")]
    [InlineData("%0A", "%250A")]
    public void EscapeData_EscapesPercentCarriageReturnAndLineFeed(string text, string expected) =>
        Assert.Equal(expected, GitHubAnnotations.EscapeData(text));

    [Theory]
    [InlineData("GET /a:b,c", "GET /a%3Ab%2Cc")]
    [InlineData("100%\n", "100%25%0A")]
    public void EscapeProperty_AlsoEscapesColonAndComma(string text, string expected) =>
        Assert.Equal(expected, GitHubAnnotations.EscapeProperty(text));

    [Fact]
    public void Commands_PutEachFindingAtItsComponentsLineOfTheManifest_ByLevel()
    {
        var findings = CiFindings.FromRun(ReporterGoldenTests.SampleRun(), Manifest, "deploy/archgate.yaml");

        var commands = GitHubAnnotations.Commands(findings).ToList();

        Assert.Equal(
            [
                "::error file=deploy/archgate.yaml,line=6,title=AG4001 api GET http%3A//127.0.0.1%3A7101/health::api health endpoint answered 503 | <script>alert(1)</script>",
                "::error file=deploy/archgate.yaml,line=4,title=AG1012 gateway archgate.yaml::third party 'gateway' has no timeout policy%0Ahint: declare a policy",
            ],
            commands);
    }

    [Fact]
    public void Commands_MapSeverities_AndEscapeControlCharactersAndNewlinesFromTargets()
    {
        var findings = new[]
        {
            new CiFinding("AG9001", Severity.Medium, "header missing\nsecond line") { Subject = "api GET /orders" },
            new CiFinding("AG9002", Severity.Low, "cookie \u001b[2J flag") { File = "archgate.yaml", Line = 3 },
            new CiFinding("AG9003", Severity.Info, "just so you know"),
        };

        var commands = GitHubAnnotations.Commands(findings).ToList();

        Assert.Equal("::warning title=AG9001 api GET /orders::header missing%0Asecond line", commands[0]);
        Assert.StartsWith("::notice file=archgate.yaml,line=3,title=AG9002::cookie ", commands[1], StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', commands[1]);
        Assert.Equal(2, commands.Count); // info only in the summary
        Assert.All(commands, c => Assert.DoesNotContain('\n', c));
    }

    [Fact]
    public void Summary_IsAppendedToTheStepSummaryFile_WithTargetTextEscaped()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "earlier step\n");
            var findings = CiFindings.FromRun(ReporterGoldenTests.SampleRun(), Manifest, "archgate.yaml");
            var markdown = GitHubAnnotations.Summary("archgate: shop", "NO-GO (exit 4)", [("contracts pass", "Fail", "2 / 0")], findings);

            Assert.True(GitHubAnnotations.AppendSummary(markdown, name => name == "GITHUB_STEP_SUMMARY" ? file : null));
            Assert.False(GitHubAnnotations.AppendSummary(markdown, _ => null));

            var text = File.ReadAllText(file);
            Assert.StartsWith("earlier step\n## archgate: shop: NO-GO (exit 4)\n", text, StringComparison.Ordinal);
            Assert.Contains("| contracts pass | Fail | 2 / 0 |", text, StringComparison.Ordinal);
            Assert.Contains("Findings: 1 critical, 1 high, 0 medium, 0 low, 0 info", text, StringComparison.Ordinal);
            Assert.Contains("answered 503 \\| \\<script\\>alert(1)\\</script\\>", text, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void GitLabCodeQuality_HasTheDocumentedFields_StableUniqueFingerprintsAndSeverities()
    {
        var findings = CiFindings.FromRun(ReporterGoldenTests.SampleRun(), Manifest, "archgate.yaml").ToList();
        findings.Add(new CiFinding("AG9003", Severity.Info, "no file") { Subject = "api" });

        var json = GitLabCodeQuality.Json(findings, "archgate.yaml");
        using var document = JsonDocument.Parse(json);
        var issues = document.RootElement.EnumerateArray().ToList();

        Assert.Equal(3, issues.Count);
        Assert.All(issues, i =>
        {
            Assert.Equal(["description", "check_name", "fingerprint", "severity", "location"], i.EnumerateObject().Select(p => p.Name));
            Assert.Contains(i.GetProperty("severity").GetString(), new[] { "info", "minor", "major", "critical", "blocker" });
            Assert.True(i.GetProperty("location").GetProperty("lines").GetProperty("begin").GetInt32() >= 1);
        });
        Assert.Equal("blocker", issues[0].GetProperty("severity").GetString());
        Assert.Equal("AG4001", issues[0].GetProperty("check_name").GetString());
        Assert.Equal(6, issues[0].GetProperty("location").GetProperty("lines").GetProperty("begin").GetInt32());
        Assert.Equal("critical", issues[1].GetProperty("severity").GetString());
        Assert.Equal("archgate.yaml", issues[2].GetProperty("location").GetProperty("path").GetString());
        Assert.Equal(3, issues.Select(i => i.GetProperty("fingerprint").GetString()).Distinct().Count());
        Assert.Equal(json, GitLabCodeQuality.Json(findings, "archgate.yaml")); // the same findings, the same fingerprints
    }
}

namespace Archgate.EndToEnd.Tests.Cli;

/// <summary>'--format github' and '--format gitlab' as a CI job runs them (a real archgate process, its environment set as the runner sets it).</summary>
public sealed class CiFormatTests : CliTestBase
{
    private const string Old = """
        openapi: 3.0.3
        info: {title: orders, version: '1'}
        paths:
          /orders/{id}:
            get:
              parameters:
                - {name: id, in: path, required: true, schema: {type: string}}
              responses:
                '200':
                  description: ok
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [id, total]
                        properties:
                          id: {type: string}
                          total: {type: number}
        """;

    [Fact]
    public async Task Diff_for_github_prints_workflow_commands_and_a_job_summary_and_for_gitlab_writes_code_quality_json()
    {
        Directory.CreateDirectory(Path.Combine(Folder, "contracts"));
        await File.WriteAllTextAsync(Path.Combine(Folder, "contracts", "old.yaml"), Old);
        await File.WriteAllTextAsync(Path.Combine(Folder, "contracts", "new.yaml"), Old.Replace("required: [id, total]", "required: [id]", StringComparison.Ordinal)
            .Replace("total: {type: number}", "currency: {type: string}", StringComparison.Ordinal));
        var summary = Path.Combine(Folder, "step-summary.md");
        Environment["GITHUB_STEP_SUMMARY"] = summary;

        var github = await ArchgateAsync("diff", "contracts/old.yaml", "contracts/new.yaml", "--format", "github");
        var gitlab = await ArchgateAsync("diff", "contracts/old.yaml", "contracts/new.yaml", "--format", "gitlab");
        var wrong = await ArchgateAsync("run", "--format", "teamcity");

        Assert.Equal(4, github.ExitCode);
        var command = Assert.Single(github.Stdout.Split('\n'), l => l.Contains("response-property-removed", StringComparison.Ordinal));
        Assert.StartsWith("::error file=contracts/new.yaml,title=response-property-removed GET /orders/{id} response 200 application/json $.total::", command, StringComparison.Ordinal);
        Assert.Contains("## archgate diff: contracts/new.yaml: changes at or above ERR (exit 4)", await File.ReadAllTextAsync(summary), StringComparison.Ordinal);

        Assert.Equal(4, gitlab.ExitCode);
        using var report = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Folder, "gl-code-quality-report.json")));
        var issue = Assert.Single(report.RootElement.EnumerateArray(), i => i.GetProperty("check_name").GetString() == "response-property-removed");
        Assert.Equal("critical", issue.GetProperty("severity").GetString());
        Assert.Equal("contracts/new.yaml", issue.GetProperty("location").GetProperty("path").GetString());

        Assert.Equal(1, wrong.ExitCode);
        Assert.Contains("--format must be github or gitlab", wrong.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_for_gitlab_writes_the_code_quality_report_and_for_github_the_job_summary_with_the_criteria()
    {
        // A manifest whose step 1 finds something: a service without a health path.
        var manifest = WriteMinimalManifest(text => text.Replace("    health: /health\n", string.Empty, StringComparison.Ordinal));
        var summary = Path.Combine(Folder, "step-summary.md");
        Environment["GITHUB_STEP_SUMMARY"] = summary;

        var gitlab = await ArchgateAsync("run", manifest, "--steps", "1", "--format", "gitlab");
        var github = await ArchgateAsync("run", manifest, "--steps", "1", "--format", "github");

        Assert.True(File.Exists(Path.Combine(Folder, "gl-code-quality-report.json")), gitlab.All);
        using var report = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Folder, "gl-code-quality-report.json")));
        Assert.Equal(System.Text.Json.JsonValueKind.Array, report.RootElement.ValueKind);
        Assert.All(report.RootElement.EnumerateArray(), i => Assert.Equal("archgate.yaml", i.GetProperty("location").GetProperty("path").GetString()));
        var text = await File.ReadAllTextAsync(summary);
        Assert.StartsWith("## archgate: minimal: ", text, StringComparison.Ordinal);
        Assert.Contains($"(exit {github.ExitCode})", text, StringComparison.Ordinal);
        Assert.Contains("| criterion | status | observed / target |", text, StringComparison.Ordinal);
        Assert.Contains(report.RootElement.EnumerateArray(), i => i.GetProperty("check_name").GetString() == "AG1010" && i.GetProperty("severity").GetString() == "major");
        Assert.Contains("::warning file=archgate.yaml,line=", github.Stdout, StringComparison.Ordinal);
        Assert.Contains(",title=AG1010 api archgate.yaml::service 'api' has no health endpoint%0Ahint: ", github.Stdout, StringComparison.Ordinal);
        Assert.Contains("| medium | AG1010 | api archgate.yaml | service 'api' has no health endpoint |", text, StringComparison.Ordinal);
    }
}

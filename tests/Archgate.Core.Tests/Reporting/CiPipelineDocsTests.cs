using System.Text.RegularExpressions;
using Archgate.Tests;
using YamlDotNet.RepresentationModel;

namespace Archgate.Core.Tests.Reporting;

/// <summary>docs/ci.md's pipelines parse and have the shape their CI system requires, and each does what the page promises.</summary>
public sealed partial class CiPipelineDocsTests
{
    private static readonly string Page = File.ReadAllText(Path.Combine(Golden.SourceDirectory(), "..", "..", "..", "docs", "ci.md"));

    private static YamlMappingNode Pipeline(string heading)
    {
        var section = Page[Page.IndexOf($"## {heading}\n", StringComparison.Ordinal)..];
        var yaml = YamlBlock().Match(section).Groups[1].Value;
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return Assert.IsType<YamlMappingNode>(Assert.Single(stream.Documents).RootNode);
    }

    private static YamlNode? Get(YamlNode? node, string key) =>
        node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static string? Text(YamlNode? node, string key) => (Get(node, key) as YamlScalarNode)?.Value;

    [Fact]
    public void GitHubWorkflow_HasTriggersJobsAndStepsOfOneKindEach_AndGates()
    {
        var workflow = Pipeline("GitHub Actions");

        Assert.NotNull(Get(workflow, "on"));
        var jobs = Assert.IsType<YamlMappingNode>(Get(workflow, "jobs"));
        var job = Assert.Single(jobs.Children).Value;
        Assert.NotNull(Text(job, "runs-on"));
        var steps = Assert.IsType<YamlSequenceNode>(Get(job, "steps")).Children;
        Assert.All(steps, step =>
        {
            Assert.True((Get(step, "uses") is null) != (Get(step, "run") is null), "a step has exactly one of uses and run");
            if (Text(step, "uses") is { } uses)
            {
                Assert.Matches(@"^[\w.-]+/[\w./-]+@v\d+$", uses);
            }

            Assert.All(((YamlMappingNode)step).Children.Keys, k => Assert.Contains(((YamlScalarNode)k).Value, new[] { "name", "id", "uses", "run", "with", "if", "env" }));
        });
        var gate = Assert.Single(steps, s => Text(s, "run")?.Contains("archgate run", StringComparison.Ordinal) == true);
        Assert.Contains("--format github", Text(gate, "run"), StringComparison.Ordinal);
        Assert.Contains("--out archgate-run", Text(gate, "run"), StringComparison.Ordinal);
        Assert.Contains(steps, s => Text(s, "uses")?.StartsWith("github/codeql-action/upload-sarif@", StringComparison.Ordinal) == true);
        Assert.Contains(steps, s => Text(s, "uses")?.StartsWith("actions/upload-artifact@", StringComparison.Ordinal) == true && Text(s, "if") == "always()");
        Assert.Contains(steps, s => Text(s, "run")?.Contains("dotnet tool install", StringComparison.Ordinal) == true);
        Assert.Equal("write", Text(Get(workflow, "permissions"), "security-events"));
    }

    [Fact]
    public void GitLabJob_KeepsTheRunFolderAndReportsJUnitAndCodeQuality()
    {
        var pipeline = Pipeline("GitLab CI");

        var job = Get(pipeline, "integration-gate");
        Assert.Equal("gate", Text(job, "stage"));
        var script = string.Join("\n", Assert.IsType<YamlSequenceNode>(Get(job, "script")).Children.Select(c => ((YamlScalarNode)c).Value));
        Assert.Contains("archgate run archgate.yaml --out archgate-run --format gitlab", script, StringComparison.Ordinal);
        var artifacts = Get(job, "artifacts");
        Assert.Equal("always", Text(artifacts, "when"));
        Assert.Equal("archgate-run/junit.xml", Text(Get(artifacts, "reports"), "junit"));
        Assert.Equal("gl-code-quality-report.json", Text(Get(artifacts, "reports"), "codequality"));
    }

    [Fact]
    public void AzurePipeline_PublishesJUnitSarifAndTheRunFolderAlways()
    {
        var pipeline = Pipeline("Azure Pipelines");

        var steps = Assert.IsType<YamlSequenceNode>(Get(pipeline, "steps")).Children;
        Assert.All(steps, s => Assert.True(new[] { "checkout", "task", "script" }.Count(k => Get(s, k) is not null) == 1));
        var junit = Assert.Single(steps, s => Text(s, "task") == "PublishTestResults@2");
        Assert.Equal("JUnit", Text(Get(junit, "inputs"), "testResultsFormat"));
        Assert.Equal("always()", Text(junit, "condition"));
        Assert.Contains(steps, s => Text(s, "task") == "PublishPipelineArtifact@1" && Text(Get(s, "inputs"), "artifact") == "CodeAnalysisLogs");
        Assert.Contains(steps, s => Text(s, "script")?.Contains("archgate run", StringComparison.Ordinal) == true);
    }

    [GeneratedRegex(@"```yaml\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex YamlBlock();
}

using Archgate.Manifest;
using Archgate.Tests;

namespace Archgate.Core.Tests.Manifest;

/// <summary>Each malformed manifest gives exactly the committed errors: file:line:column, message and hint.</summary>
public sealed class ManifestLoaderGoldenTests
{
    private static readonly string Cases = Path.Combine(Golden.SourceDirectory(), "..", "Golden", "Manifests");

    private static readonly Dictionary<string, string> Environment = new() { ["SHOP_PORT"] = "7101" };

    public static TheoryData<string> CaseNames()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Cases, "*.yaml").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Malformed_manifest_reports_every_error_with_its_position(string caseName)
    {
        var path = Path.Combine(Cases, caseName);
        var result = ManifestLoader.Parse(File.ReadAllText(path), caseName, Path.GetFullPath(path), "sha", Environment.GetValueOrDefault);

        Assert.False(result.Succeeded);
        Assert.NotEmpty(result.Errors);
        var text = string.Join("\n", result.Errors.Select(e => e.ToString())) + "\n";
        Golden.Assert(Path.ChangeExtension(path, ".expected"), text);
    }

    [Fact]
    public void There_are_at_least_fifteen_distinct_mistakes() =>
        Assert.True(Directory.GetFiles(Cases, "*.yaml").Length >= 15);

    [Fact]
    public void Secrets_in_values_never_reach_an_error_message()
    {
        foreach (var file in Directory.GetFiles(Cases, "*.expected"))
        {
            var text = File.ReadAllText(file);
            Assert.DoesNotContain("s3cr3t-pw", text, StringComparison.Ordinal);
            Assert.DoesNotContain("t0k3n-value", text, StringComparison.Ordinal);
            Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
        }
    }
}

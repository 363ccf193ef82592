using Archgate.Manifest;
using Archgate.Model;
using Archgate.Planning;
using Archgate.Protocol;

namespace Archgate.Checks.Tests;

internal static class TestSystems
{
    public static SystemModel Load(string yaml, string? directory = null)
    {
        directory ??= Path.Combine(Path.GetTempPath(), "archgate-checks-tests");
        Directory.CreateDirectory(directory);
        var result = ManifestLoader.Parse(yaml, "archgate.yaml", Path.Combine(directory, "archgate.yaml"), "sha", _ => null);
        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        return result.Model!;
    }

    public static CheckContext Context(SystemModel system, HttpClient http) => new()
    {
        System = system,
        Plan = Planner.Plan(system),
        Http = http,
        RunId = "test",
        OutputDirectory = Path.Combine(Path.GetTempPath(), "archgate-checks-tests", "out"),
    };
}

using System.Globalization;
using System.Text.RegularExpressions;

namespace Archgate.EndToEnd.Tests.Cli;

/// <summary>
/// The shop's own archgate.yaml, copied into a test's folder with free ports (so tests and a demo can run side
/// by side), absolute paths to the sample, and a short, light load (tests stay quick on a shared 2-core box).
/// </summary>
internal static partial class ShopManifest
{
    public static string ShopDirectory => Path.Combine(ArchgateProcess.RepositoryRoot, "samples", "shop");

    /// <summary>Writes the copy and returns its path.</summary>
    public static string Write(string folder, int baselineUsers = 5, int stressUsers = 10, string stage = "3s", string warmup = "1s") =>
        Write(folder, out _, baselineUsers, stressUsers, stage, warmup);

    /// <summary>As <see cref="Write(string, int, int, string, string)"/>, also telling the api's port.</summary>
    public static string Write(string folder, out int apiPort, int baselineUsers = 5, int stressUsers = 10, string stage = "3s", string warmup = "1s")
    {
        var text = File.ReadAllText(Path.Combine(ShopDirectory, "archgate.yaml"));
        apiPort = 0;
        foreach (var port in new[] { 7001, 7101, 7201, 7301 })
        {
            var free = ArchgateProcess.FreePort();
            apiPort = port == 7101 ? free : apiPort;
            text = text.Replace($"127.0.0.1:{port}", $"127.0.0.1:{free}", StringComparison.Ordinal);
        }

        // Every relative path of the manifest, made absolute: the copy lives in the test's folder.
        text = text.Replace("workdir: .", $"workdir: {ShopDirectory}", StringComparison.Ordinal)
            .Replace("contracts/", Path.Combine(ShopDirectory, "contracts") + "/", StringComparison.Ordinal)
            .Replace("folder: src/", $"folder: {ShopDirectory}/src/", StringComparison.Ordinal);
        text = BaselineStage().Replace(text, $"- {{ name: baseline, users: {baselineUsers}, duration: {stage} }}");
        text = StressStage().Replace(text, $"- {{ name: stress, users: {stressUsers}, duration: {stage}, rampUp: 1s }}");
        text = Warmup().Replace(text, $"warmup: {warmup}");

        // Fewer users than the demo, each pausing less: enough samples that one stall of a shared machine
        // does not make the p95.
        text = text.Replace("thinkTime: 1s", "thinkTime: 100ms", StringComparison.Ordinal);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"users: {stressUsers},"), text, StringComparison.Ordinal);
        var path = Path.Combine(folder, "archgate.yaml");
        File.WriteAllText(path, text);
        return path;
    }

    [GeneratedRegex(@"- \{ name: baseline, users: \d+, duration: \w+ \}")]
    private static partial Regex BaselineStage();

    [GeneratedRegex(@"- \{ name: stress, users: \d+, duration: \w+, rampUp: \w+ \}")]
    private static partial Regex StressStage();

    [GeneratedRegex(@"warmup: \w+")]
    private static partial Regex Warmup();
}

namespace Archgate.Tests;

/// <summary>
/// Golden files: the expected output is committed next to the input and reviewed in the diff. Set
/// ARCHGATE_UPDATE_GOLDEN=1 to rewrite them (in the source tree) after an intended change.
/// </summary>
internal static class Golden
{
    public static string SourceDirectory([System.Runtime.CompilerServices.CallerFilePath] string file = "") =>
        Path.GetDirectoryName(file)!;

    public static void Assert(string goldenPath, string actual)
    {
        actual = actual.Replace("\r\n", "\n", StringComparison.Ordinal);
        if (Environment.GetEnvironmentVariable("ARCHGATE_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(goldenPath, actual);
            return;
        }

        Xunit.Assert.True(File.Exists(goldenPath), $"missing golden file {goldenPath}; run with ARCHGATE_UPDATE_GOLDEN=1 and review it");
        var expected = File.ReadAllText(goldenPath).Replace("\r\n", "\n", StringComparison.Ordinal);
        Xunit.Assert.Equal(expected, actual);
    }
}

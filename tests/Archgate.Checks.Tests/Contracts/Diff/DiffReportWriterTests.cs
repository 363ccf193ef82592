using System.Runtime.CompilerServices;
using Archgate.Checks.Contracts;
using Archgate.Checks.Contracts.Diff;

namespace Archgate.Checks.Tests.Contracts.Diff;

/// <summary>
/// Golden files of the three output formats for one pair with many changes.
/// To update them on purpose: <c>ARCHGATE_UPDATE_GOLDEN=1 dotnet test --filter DiffReportWriter</c>, then review the diff.
/// </summary>
public class DiffReportWriterTests
{
    [Theory]
    [InlineData(DiffReportFormat.Markdown, "orders.md")]
    [InlineData(DiffReportFormat.Json, "orders.json")]
    [InlineData(DiffReportFormat.Junit, "orders.junit.xml")]
    public async Task The_report_of_a_multi_change_pair_matches_its_golden_file(DiffReportFormat format, string golden)
    {
        var report = await CompareGoldenPairAsync();

        var text = DiffReportWriter.Render(report, format, ChangeLevel.Err);

        AssertGolden(golden, text);
    }

    [Fact]
    public void An_empty_report_says_there_are_no_changes()
    {
        var empty = new DiffReport([]);

        Assert.Equal("# Contract diff\n\nNo changes.\n", DiffReportWriter.Render(empty, DiffReportFormat.Markdown));
        Assert.Contains("\"changes\": []", DiffReportWriter.Render(empty, DiffReportFormat.Json), StringComparison.Ordinal);
    }

    [Fact]
    public void Markdown_cells_escape_pipes_that_come_from_the_documents()
    {
        var report = new DiffReport([new ApiChange("x", "AG2101", ChangeLevel.Err, "GET /a|b", "path", "pattern a|b", null, null)]);

        Assert.Contains("GET /a\\|b", DiffReportWriter.Render(report, DiffReportFormat.Markdown), StringComparison.Ordinal);
    }

    internal static async Task<DiffReport> CompareGoldenPairAsync()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "Contracts", "Diff", "Golden");
        var old = await ContractDocumentLoader.LoadAsync(Path.Combine(folder, "orders-old.yaml"), CancellationToken.None);
        var @new = await ContractDocumentLoader.LoadAsync(Path.Combine(folder, "orders-new.yaml"), CancellationToken.None);
        Assert.True(old.Succeeded && @new.Succeeded, string.Join("; ", old.Errors.Concat(@new.Errors)));
        return ContractDiff.Compare(old.Document!, @new.Document!);
    }

    private static void AssertGolden(string name, string actual, [CallerFilePath] string source = "")
    {
        if (Environment.GetEnvironmentVariable("ARCHGATE_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(Path.Combine(Path.GetDirectoryName(source)!, "Golden", name), actual);
            return;
        }

        var expected = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Contracts", "Diff", "Golden", name));
        Assert.Equal(expected.Replace("\r\n", "\n", StringComparison.Ordinal), actual);
    }
}

using System.Reflection;
using Archgate.Checks.Services;

namespace Archgate.Checks.Tests.Services;

public sealed class ServiceRulesTests
{
    private static string Repository([System.Runtime.CompilerServices.CallerFilePath] string file = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, "..", "..", ".."));

    [Fact]
    public void Every_step_4_rule_is_unique_in_its_ranges_and_documented_in_the_rule_catalogue()
    {
        var catalogue = File.ReadAllLines(Path.Combine(Repository(), "docs", "rules.md"));
        var ids = typeof(ServiceRules).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => (string)f.GetValue(null)!).Where(v => v.StartsWith("AG", StringComparison.Ordinal)).ToList();

        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(ids, id =>
        {
            Assert.StartsWith("AG40", id, StringComparison.Ordinal);
            var row = catalogue.SingleOrDefault(l => l.StartsWith($"| {id} |", StringComparison.Ordinal));
            Assert.True(row is not null, $"{id} is not in docs/rules.md");
            Assert.True(row!.Split('|', StringSplitOptions.RemoveEmptyEntries).Length >= 4, $"{id} has no 'how to mend' column");
        });
    }
}

using System.Reflection;
using Archgate.Checks.Database;

namespace Archgate.Checks.Tests.Database;

public sealed class DatabaseRulesTests
{
    private static string Repository([System.Runtime.CompilerServices.CallerFilePath] string file = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, "..", "..", ".."));

    [Fact]
    public void Every_step_3_rule_is_documented_with_a_hint_in_the_rule_catalogue()
    {
        var catalogue = File.ReadAllLines(Path.Combine(Repository(), "docs", "rules.md"));
        var ids = typeof(DatabaseRules).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (string)f.GetValue(null)!).ToList();

        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(ids, id =>
        {
            var row = catalogue.SingleOrDefault(l => l.StartsWith($"| {id} |", StringComparison.Ordinal));
            Assert.True(row is not null, $"{id} is not in docs/rules.md");
            Assert.True(row!.Split('|', StringSplitOptions.RemoveEmptyEntries).Length >= 4, $"{id} has no 'how to mend' column");
        });
    }
}

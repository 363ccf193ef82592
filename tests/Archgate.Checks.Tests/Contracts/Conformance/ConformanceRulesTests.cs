using System.Reflection;
using Archgate.Checks.Contracts.Conformance;

namespace Archgate.Checks.Tests.Contracts.Conformance;

public sealed class ConformanceRulesTests
{
    private static IReadOnlyList<string> Ids() => typeof(ConformanceRules)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral)
        .Select(f => (string)f.GetValue(null)!)
        .ToList();

    [Fact]
    public void Every_rule_id_is_unique_in_AG20xx_has_a_hint_and_a_row_in_docs_rules()
    {
        var doc = File.ReadAllText(FindDoc());
        var ids = Ids();

        Assert.Equal(12, ids.Count);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Matches("^AG20[1-9][0-9]$", id));
        Assert.All(ids, id => Assert.DoesNotContain("docs/rules.md", ConformanceRules.Hint(id), StringComparison.Ordinal));
        Assert.All(ids, id => Assert.True(doc.Contains($"| {id} |", StringComparison.Ordinal), $"{id} is not in docs/rules.md"));
    }

    private static string FindDoc()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "docs", "rules.md");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("docs/rules.md not found above " + AppContext.BaseDirectory);
    }
}

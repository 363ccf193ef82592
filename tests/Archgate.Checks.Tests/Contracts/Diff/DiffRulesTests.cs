using Archgate.Checks.Contracts.Diff;

namespace Archgate.Checks.Tests.Contracts.Diff;

public class DiffRulesTests
{
    [Fact]
    public void Every_rule_has_a_unique_id_and_code()
    {
        Assert.Equal(DiffRules.All.Count, DiffRules.All.Select(r => r.Id).Distinct().Count());
        Assert.Equal(DiffRules.All.Count, DiffRules.All.Select(r => r.Code).Distinct().Count());
        Assert.All(DiffRules.All, r => Assert.Matches("^AG2[1-9][0-9]{2}$", r.Code));
        Assert.All(DiffRules.All, r => Assert.Matches("^[a-z0-9]+(-[a-z0-9]+)*$", r.Id));
    }

    [Fact]
    public void Every_rule_is_documented_with_its_code_and_level_in_docs_contract_diff()
    {
        var doc = File.ReadAllText(FindDoc());

        Assert.All(DiffRules.All, rule =>
            Assert.True(
                doc.Contains($"| `{rule.Id}` | {rule.Code} | {rule.Level.ToLabel()} |", StringComparison.Ordinal)
                || doc.Contains($"`{rule.Id}` {rule.Code} {rule.Level.ToLabel()}", StringComparison.Ordinal),
                $"{rule.Id} {rule.Code} {rule.Level.ToLabel()} is not in docs/contract-diff.md"));
    }

    private static string FindDoc()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "docs", "contract-diff.md");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("docs/contract-diff.md not found above " + AppContext.BaseDirectory);
    }
}

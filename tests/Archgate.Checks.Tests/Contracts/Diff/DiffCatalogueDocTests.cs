using System.Globalization;
using System.Text;
using Archgate.Checks.Contracts.Diff;

namespace Archgate.Checks.Tests.Contracts.Diff;

/// <summary>
/// docs/contract-diff.md's generated sections (the schema kinds and the full catalogue with oasdiff aliases) are
/// rendered from <see cref="DiffRules"/>. To update them on purpose: <c>ARCHGATE_UPDATE_GOLDEN=1 dotnet test --filter DiffCatalogueDoc</c>,
/// then review the diff. Levels follow oasdiff's unless the page argues otherwise, rule by rule.
/// </summary>
public class DiffCatalogueDocTests
{
    [Fact]
    public void The_generated_sections_of_the_page_are_up_to_date()
    {
        var path = FindDoc();
        var text = File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal);

        var updated = Replace(Replace(text, "schema-kinds", SchemaKinds()), "catalogue", Catalogue());

        if (Environment.GetEnvironmentVariable("ARCHGATE_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, updated);
            return;
        }

        Assert.Equal(updated, text);
    }

    [Fact]
    public void The_catalogue_has_at_least_250_rules_with_an_oasdiff_alias()
    {
        Assert.True(DiffRules.All.Count(r => r.Alias is not null) >= 250, $"{DiffRules.All.Count(r => r.Alias is not null)} rules with an alias");
        Assert.All(DiffRules.All.Where(r => r.Alias is not null), r => Assert.True(OasdiffCatalogue.Has(r.Alias!), r.Alias));
        Assert.All(DiffRules.All.Where(r => r.RootAlias is not null), r => Assert.True(OasdiffCatalogue.Has(r.RootAlias!), r.RootAlias));
    }

    [Fact]
    public void Every_level_that_differs_from_oasdiffs_is_argued_on_the_page()
    {
        var text = File.ReadAllText(FindDoc());
        var argued = Section(text, "## Where levels differ from oasdiff's");

        var unargued = DiffRules.All
            .Where(r => OasdiffCatalogue.Level(r.Alias) is { } level && level != r.Level)
            .Where(r => !argued.Contains($"`{r.Id}`", StringComparison.Ordinal))
            .Select(r => $"{r.Id} {r.Level.ToLabel()} (oasdiff {r.Alias} {OasdiffCatalogue.Level(r.Alias)!.Value.ToLabel()})")
            .ToList();

        Assert.True(unargued.Count == 0, "levels that differ from oasdiff's without a word on the page:\n" + string.Join("\n", unargued));
    }

    private static string SchemaKinds()
    {
        var text = new StringBuilder("| # | What | Example | request parameter (AG26xx) | request body (AG27xx) | response body (AG28xx) | response header (AG29xx) |\n|---|---|---|---|---|---|---|\n");
        foreach (var kind in DiffRules.SchemaKinds.Where(k => k.Scope != KindScope.Property).OrderBy(k => k.Number))
        {
            text.Append(CultureInfo.InvariantCulture, $"| {kind.Number:00} | {kind.Summary} | {kind.Example} |");
            foreach (var context in new[] { SchemaContext.RequestParameter, SchemaContext.RequestBody, SchemaContext.ResponseBody, SchemaContext.ResponseHeader })
            {
                var rule = DiffRules.HasSchemaRule(context, kind.Number) ? DiffRules.Schema(context, kind.Number) : null;
                text.Append(rule is null ? " - |" : $" `{rule.Id}` {rule.Code} {rule.Level.ToLabel()} |");
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    private static string Catalogue()
    {
        var text = new StringBuilder("| Rule id | Code | Level | oasdiff alias (at a body's root / inside it) | oasdiff level | What |\n|---|---|---|---|---|---|\n");
        foreach (var rule in DiffRules.All)
        {
            var alias = rule.Alias is null ? "-" : rule.RootAlias is { } root ? $"`{root}` / `{rule.Alias}`" : $"`{rule.Alias}`";
            var level = OasdiffCatalogue.Level(rule.Alias)?.ToLabel() ?? "-";
            text.Append(CultureInfo.InvariantCulture, $"| `{rule.Id}` | {rule.Code} | {rule.Level.ToLabel()} | {alias} | {level} | {rule.Summary} |\n");
        }

        return text.ToString();
    }

    private static string Replace(string text, string name, string content)
    {
        var begin = $"<!-- BEGIN generated: {name} (DiffCatalogueDocTests) -->\n";
        var end = $"<!-- END generated: {name} -->";
        var start = text.IndexOf(begin, StringComparison.Ordinal);
        var stop = text.IndexOf(end, StringComparison.Ordinal);
        Assert.True(start >= 0 && stop > start, $"docs/contract-diff.md has no generated section '{name}'");
        return text[..(start + begin.Length)] + content + text[stop..];
    }

    private static string Section(string text, string heading)
    {
        var start = text.IndexOf(heading, StringComparison.Ordinal);
        Assert.True(start >= 0, $"docs/contract-diff.md has no section '{heading}'");
        var next = text.IndexOf("\n## ", start + heading.Length, StringComparison.Ordinal);
        return next < 0 ? text[start..] : text[start..next];
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

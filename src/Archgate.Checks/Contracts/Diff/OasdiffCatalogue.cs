using System.Reflection;

namespace Archgate.Checks.Contracts.Diff;

/// <summary>
/// oasdiff's rule names and default levels (the embedded <c>oasdiff-rules.txt</c>): the aliases of Archgate's rules
/// come from it, and a test holds Archgate's levels to it except where docs/contract-diff.md argues otherwise.
/// </summary>
public static class OasdiffCatalogue
{
    private static readonly Dictionary<string, ChangeLevel> Rules = Read();

    /// <summary>Every oasdiff rule id with its default level.</summary>
    public static IReadOnlyDictionary<string, ChangeLevel> All => Rules;

    /// <summary>True when oasdiff has a rule named <paramref name="id"/>.</summary>
    public static bool Has(string id) => Rules.ContainsKey(id);

    /// <summary>oasdiff's default level of <paramref name="id"/>, or null when there is no such rule.</summary>
    public static ChangeLevel? Level(string? id) => id is not null && Rules.TryGetValue(id, out var level) ? level : null;

    private static Dictionary<string, ChangeLevel> Read()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Archgate.Checks.Contracts.Diff.oasdiff-rules.txt")
            ?? throw new InvalidOperationException("the oasdiff rule list is not embedded in Archgate.Checks");
        using var reader = new StreamReader(stream);
        var rules = new Dictionary<string, ChangeLevel>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && !line.StartsWith('#') && ChangeLevels.TryParse(parts[1], out var level))
            {
                rules[parts[0]] = level;
            }
        }

        return rules;
    }
}

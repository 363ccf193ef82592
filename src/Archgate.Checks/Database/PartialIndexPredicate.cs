using System.Text.RegularExpressions;

namespace Archgate.Checks.Database;

/// <summary>
/// The WHERE of a partial index, read and compared the way the manifest's <c>where:</c> is written. PostgreSQL gives a
/// predicate back deparsed (<c>(returned_at IS NULL)</c>), SQLite as written in its CREATE INDEX; so predicates are
/// compared without case, whitespace, parentheses and identifier quotes. Casts PostgreSQL adds (<c>'x'::text</c>) are
/// not removed: write them in the manifest as the finding shows the predicate.
/// </summary>
internal static partial class PartialIndexPredicate
{
    /// <summary>The predicate of a SQLite <c>CREATE INDEX ... ON t (cols) WHERE ...</c>, or null when it has none.</summary>
    public static string? FromSql(string? sql)
    {
        if (sql is null)
        {
            return null;
        }

        var match = WhereAfterColumns().Match(sql);
        return match.Success ? match.Groups["pred"].Value.Trim().TrimEnd(';').Trim() : null;
    }

    /// <summary>True when both predicates say the same, ignoring case, whitespace, parentheses and identifier quotes.</summary>
    public static bool Same(string? a, string? b) => a is not null && b is not null && Normalize(a) == Normalize(b);

    /// <summary>The predicate as it is compared.</summary>
    public static string Normalize(string predicate) =>
        new(predicate.Where(c => !char.IsWhiteSpace(c) && c is not ('(' or ')' or '"' or '`')).Select(char.ToLowerInvariant).ToArray());

    // The column list of CREATE INDEX ends with ')'; the first WHERE after one is the predicate (an expression column's
    // own parentheses are followed by ',' or ')', not by WHERE).
    [GeneratedRegex(@"\)\s*where\s+(?<pred>.+)$", RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex WhereAfterColumns();
}

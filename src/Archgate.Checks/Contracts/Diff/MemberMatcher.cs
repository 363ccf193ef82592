using Microsoft.OpenApi;

namespace Archgate.Checks.Contracts.Diff;

/// <summary>
/// Pairs the members of a oneOf/anyOf/allOf in two versions. A <c>$ref</c> member pairs with the member of the same
/// name. An inline member pairs first with an equivalent inline member wherever it stands (a reordered union is the
/// same union), then with the inline member most like it by shape (the same required properties, shared property
/// names, the same type), and only then with the inline member at its position. What stays unpaired was removed or added.
/// </summary>
internal static class MemberMatcher
{
    /// <summary>For each old member, the index of its new member, or -1 when it has none.</summary>
    /// <param name="equivalent">Whether two inline members differ in nothing the comparison would report.</param>
    public static int[] Match(IReadOnlyList<IOpenApiSchema> o, IReadOnlyList<IOpenApiSchema> n, Func<IOpenApiSchema, IOpenApiSchema, bool> equivalent)
    {
        var match = Enumerable.Repeat(-1, o.Count).ToArray();
        var taken = new bool[n.Count];
        void Pair(int i, int j) => (match[i], taken[j]) = (j, true);
        bool Open(int i, int j) => match[i] < 0 && !taken[j] && Name(o[i]) is null && Name(n[j]) is null;

        for (var i = 0; i < o.Count; i++)
        {
            var j = Name(o[i]) is { } name ? IndexOf(n, taken, name) : -1;
            if (j >= 0)
            {
                Pair(i, j);
            }
        }

        for (var i = 0; i < o.Count; i++)
        {
            for (var j = 0; j < n.Count; j++)
            {
                if (Open(i, j) && equivalent(o[i], n[j]))
                {
                    Pair(i, j);
                }
            }
        }

        var byShape = (from i in Enumerable.Range(0, o.Count)
                       from j in Enumerable.Range(0, n.Count)
                       where Open(i, j)
                       let score = Likeness(SchemaView.Of(o[i]), SchemaView.Of(n[j]))
                       where score > 0
                       orderby score descending, Math.Abs(i - j), i
                       select (i, j)).ToList();
        foreach (var (i, j) in byShape)
        {
            if (Open(i, j))
            {
                Pair(i, j);
            }
        }

        for (var i = 0; i < Math.Min(o.Count, n.Count); i++)
        {
            if (Open(i, i))
            {
                Pair(i, i);
            }
        }

        return match;
    }

    /// <summary>The name a member is matched by: the referenced schema's, none for an inline member.</summary>
    public static string? Name(IOpenApiSchema schema) =>
        schema is OpenApiSchemaReference { Reference.Id: { Length: > 0 } id } ? id : null;

    private static int IndexOf(IReadOnlyList<IOpenApiSchema> members, bool[] taken, string name)
    {
        for (var j = 0; j < members.Count; j++)
        {
            if (!taken[j] && string.Equals(Name(members[j]), name, StringComparison.Ordinal))
            {
                return j;
            }
        }

        return -1;
    }

    /// <summary>0 when two members share nothing; the same required set weighs most, then shared property names, then the type.</summary>
    private static double Likeness(SchemaView o, SchemaView n)
    {
        var score = o.Accepted == n.Accepted ? 1.0 : 0.0;
        if (o.Required.Count > 0 && o.Required.SetEquals(n.Required))
        {
            score += 4;
        }

        var all = o.Properties.Keys.Union(n.Properties.Keys, StringComparer.Ordinal).Count();
        if (all > 0)
        {
            score += 2.0 * o.Properties.Keys.Count(n.Properties.ContainsKey) / all;
        }

        return score;
    }
}

using System.Globalization;

namespace Archgate.Checks.Contracts.Pact;

/// <summary>The kinds of matcher the Pact specification defines (v2-v4) that this verifier applies.</summary>
internal enum MatcherKind
{
    /// <summary>Exact value (the default without a rule).</summary>
    Equality,

    /// <summary>The string form matches a regular expression, in full.</summary>
    Regex,

    /// <summary>Same JSON type; on arrays, optional <c>min</c>/<c>max</c> size (eachLike).</summary>
    Type,

    /// <summary>The string form contains a value.</summary>
    Include,

    /// <summary>A JSON integer.</summary>
    Integer,

    /// <summary>A JSON number with a fraction.</summary>
    Decimal,

    /// <summary>Any JSON number.</summary>
    Number,

    /// <summary>A JSON boolean (or the text <c>true</c>/<c>false</c>).</summary>
    Boolean,

    /// <summary>A string in a date format.</summary>
    Date,

    /// <summary>A string in a time format.</summary>
    Time,

    /// <summary>A string in a timestamp format.</summary>
    Timestamp,

    /// <summary>JSON null.</summary>
    Null,

    /// <summary>A map whose keys are free: every value is matched against the expected value(s).</summary>
    Values,

    /// <summary>A non-empty value (string, array, map).</summary>
    NotEmpty,

    /// <summary>v4: the status code is in a class (<c>success</c>, <c>clientError</c>...) or a list.</summary>
    StatusCode,

    /// <summary>v3/v4: the bytes (or the base64 text) are of a content type, by their magic bytes.</summary>
    ContentType,

    /// <summary>v4: a semantic version (<c>1.2.3-beta.1</c>).</summary>
    Semver,

    /// <summary>v4: every key of a map satisfies <see cref="Matcher.Rules"/>.</summary>
    EachKey,

    /// <summary>v4: every value of a map or list satisfies <see cref="Matcher.Rules"/> (against the example's first value).</summary>
    EachValue,

    /// <summary>v4: for each variant, some element of the actual list matches the variant's example under its rules.</summary>
    ArrayContains,

    /// <summary>
    /// A matcher this verifier does not know: not applied, reported as a warning (it never fails the provider).
    /// </summary>
    Unsupported,
}

/// <summary>One matcher with its parameters.</summary>
internal sealed record Matcher(MatcherKind Kind, string Name)
{
    /// <summary>Minimum array size (type matchers).</summary>
    public int? Min { get; init; }

    /// <summary>Maximum array size (type matchers).</summary>
    public int? Max { get; init; }

    /// <summary>The pattern of a regex matcher.</summary>
    public string? Regex { get; init; }

    /// <summary>The value of an include matcher.</summary>
    public string? Value { get; init; }

    /// <summary>The format of a date, time or timestamp matcher (Java DateTimeFormatter letters).</summary>
    public string? Format { get; init; }

    /// <summary>The status class or codes of a status-code matcher.</summary>
    public string? Status { get; init; }

    /// <summary>The matchers of an eachKey or eachValue matcher.</summary>
    public RuleList? Rules { get; init; }

    /// <summary>The variants of an arrayContains matcher.</summary>
    public IReadOnlyList<ArrayVariant> Variants { get; init; } = [];

    /// <summary>Whether this matcher lets an array's length vary (and so does its cascade).</summary>
    public bool IsTypeLike => Kind is MatcherKind.Type or MatcherKind.Values;

    /// <summary>Matchers about the shape of a map or list (keys, elements, size), not about it as a value.</summary>
    public bool IsStructural => Kind is MatcherKind.Type or MatcherKind.Values or MatcherKind.Equality or MatcherKind.NotEmpty
        or MatcherKind.EachKey or MatcherKind.EachValue or MatcherKind.ArrayContains or MatcherKind.Unsupported;
}

/// <summary>One variant of an arrayContains matcher: the example element at <paramref name="Index"/>, with rules relative to it.</summary>
internal sealed record ArrayVariant(int Index, MatchingRules Rules);

/// <summary>The matchers at one path, combined with AND (all must pass, the default) or OR (one must).</summary>
internal sealed record RuleList(IReadOnlyList<Matcher> Matchers, bool Or);

/// <summary>A path expression (<c>$.items[*].id</c>) and the matchers that apply there.</summary>
internal sealed record PathRule(string Expression, IReadOnlyList<string> Tokens, RuleList Rules);

/// <summary>The matching rules of a response, by category: body paths, header names, status.</summary>
internal sealed record MatchingRules(IReadOnlyList<PathRule> Body, IReadOnlyDictionary<string, RuleList> Headers, RuleList? Status)
{
    /// <summary>Rules on message metadata, by key.</summary>
    public IReadOnlyDictionary<string, RuleList> Metadata { get; init; } = new Dictionary<string, RuleList>(StringComparer.Ordinal);

    /// <summary>Matchers this verifier does not apply, each with where it is (<c>body $.x: 'foo'</c>); each is a warning.</summary>
    public IReadOnlyList<string> Unsupported { get; init; } = [];

    /// <summary>No rules: everything must equal the example.</summary>
    public static MatchingRules None { get; } = new([], new Dictionary<string, RuleList>(StringComparer.OrdinalIgnoreCase), null);

    /// <summary>
    /// The best rule for a body path, Pact style: among the rules whose expression matches the path or one
    /// of its ancestors (rules cascade to descendants), the one with the highest weight times length; exact
    /// names weigh 2, wildcards 1. <paramref name="exact"/> tells whether the rule names this very path.
    /// </summary>
    public RuleList? BodyRulesFor(IReadOnlyList<string> path, out bool exact)
    {
        exact = false;
        RuleList? best = null;
        var bestScore = 0L;
        var bestLength = 0;
        foreach (var rule in Body)
        {
            var weight = Weight(rule.Tokens, path);
            if (weight == 0)
            {
                continue;
            }

            var score = weight * rule.Tokens.Count;
            if (score > bestScore || (score == bestScore && rule.Tokens.Count > bestLength))
            {
                best = rule.Rules;
                bestScore = score;
                bestLength = rule.Tokens.Count;
                exact = rule.Tokens.Count == path.Count;
            }
        }

        return best;
    }

    private static long Weight(IReadOnlyList<string> tokens, IReadOnlyList<string> path)
    {
        if (tokens.Count > path.Count)
        {
            return 0;
        }

        long weight = 1;
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            var segment = path[i];
            var isIndex = segment.Length > 0 && segment.All(char.IsAsciiDigit);
            weight *= token switch
            {
                "*" => 1,
                "[*]" => isIndex ? 1 : 0,
                _ when token.StartsWith('[') => isIndex && token[1..^1] == segment ? 2 : 0,
                _ => token == segment ? 2 : 0,
            };
            if (weight == 0)
            {
                return 0;
            }
        }

        return weight;
    }

    /// <summary>
    /// Splits a path expression into tokens: <c>$</c>, field names, <c>[0]</c>, <c>[*]</c>, <c>*</c>. Returns
    /// null when it is not a path expression.
    /// </summary>
    public static List<string>? Tokenize(string expression)
    {
        if (!expression.StartsWith('$'))
        {
            return null;
        }

        var tokens = new List<string> { "$" };
        var i = 1;
        while (i < expression.Length)
        {
            if (expression[i] == '.')
            {
                var start = ++i;
                while (i < expression.Length && expression[i] is not '.' and not '[')
                {
                    i++;
                }

                if (i == start)
                {
                    return null;
                }

                tokens.Add(expression[start..i]);
            }
            else if (expression[i] == '[')
            {
                var close = expression.IndexOf(']', i);
                if (close < 0)
                {
                    return null;
                }

                var inner = expression[(i + 1)..close].Trim();
                if (inner.Length >= 2 && inner[0] is '\'' or '"' && inner[^1] == inner[0])
                {
                    tokens.Add(inner[1..^1]);
                }
                else if (inner == "*" || (inner.Length > 0 && inner.All(char.IsAsciiDigit)))
                {
                    tokens.Add($"[{inner}]");
                }
                else
                {
                    return null;
                }

                i = close + 1;
            }
            else
            {
                return null;
            }
        }

        return tokens;
    }

    /// <summary>A body path as Pact prints it: <c>$.items[0].id</c>.</summary>
    public static string Format(IReadOnlyList<string> path)
    {
        var text = new System.Text.StringBuilder("$");
        foreach (var segment in path.Skip(1))
        {
            if (segment.Length > 0 && segment.All(char.IsAsciiDigit))
            {
                text.Append('[').Append(segment).Append(']');
            }
            else if (segment.Length > 0 && segment.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            {
                text.Append('.').Append(segment);
            }
            else
            {
                text.Append("['").Append(segment).Append("']");
            }
        }

        return text.ToString();
    }

    /// <summary>Parses the number parameters of a matcher (<c>"min": 1</c> or <c>"min": "1"</c>).</summary>
    public static int? Int(string? text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;
}

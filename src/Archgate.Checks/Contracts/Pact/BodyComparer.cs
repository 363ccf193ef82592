using System.Text.Json.Nodes;

namespace Archgate.Checks.Contracts.Pact;

/// <summary>
/// Compares an actual JSON body with the pact's example under its matching rules, the way the Pact
/// verifier does: values are exact unless a rule says otherwise; rules cascade from a path to everything
/// below it; extra keys in the actual body are fine, missing ones are not; an array must have the
/// example's length and order unless a type matcher (eachLike) lets it vary within min/max, when every
/// element is matched against the example's element. v4's eachKey, eachValue and arrayContains judge the
/// keys, the values and the elements of the container they sit on.
/// </summary>
internal sealed class BodyComparer(MatchingRules rules)
{
    private readonly List<PactMismatch> _mismatches = [];
    private MatchingRules _rules = rules;

    /// <summary>Every difference between <paramref name="expected"/> and <paramref name="actual"/>.</summary>
    public static IReadOnlyList<PactMismatch> Compare(JsonNode? expected, JsonNode? actual, MatchingRules rules)
    {
        var comparer = new BodyComparer(rules);
        comparer.Compare(["$"], expected, actual);
        return comparer._mismatches;
    }

    private void Compare(List<string> path, JsonNode? expected, JsonNode? actual)
    {
        var list = _rules.BodyRulesFor(path, out var exact);
        switch (expected)
        {
            case JsonObject map:
                CompareObject(path, map, actual, list, exact);
                break;
            case JsonArray array:
                CompareArray(path, array, actual, list, exact);
                break;
            default:
                Add(path, list is null
                    ? ValueMatching.Apply(new Matcher(MatcherKind.Equality, "equality"), expected, actual) is { } failure ? [failure] : []
                    : ValueMatching.Apply(list, expected, actual));
                break;
        }
    }

    private void CompareObject(List<string> path, JsonObject expected, JsonNode? actual, RuleList? list, bool exact)
    {
        if (HasValueMatcher(list))
        {
            Add(path, ValueMatching.Apply(list!, expected, actual));
            return;
        }

        if (actual is not JsonObject actualMap)
        {
            Add(path, [$"Type mismatch: Expected {JsonShape.Describe(actual)} to be the same type as {JsonShape.Describe(expected)}"]);
            return;
        }

        if (exact && NotEmptyFails(list, actual) is { } empty)
        {
            Add(path, [empty]);
        }

        var eachKey = exact ? list?.Matchers.FirstOrDefault(m => m.Kind == MatcherKind.EachKey) : null;
        var eachValue = exact ? list?.Matchers.FirstOrDefault(m => m.Kind == MatcherKind.EachValue) : null;
        if (eachKey?.Rules is { } keyRules)
        {
            foreach (var key in actualMap.Select(p => p.Key))
            {
                Add([.. path, key], ValueMatching.ApplyText(keyRules, key, key));
            }
        }

        var keysAreFree = eachKey is not null || eachValue is not null || list?.Matchers.Any(m => m.Kind == MatcherKind.Values) == true;
        if (keysAreFree)
        {
            // Keys are free: every actual value is matched against the expected value of that key, else the first.
            var template = expected.FirstOrDefault().Value;
            WithRules(path, "*", eachValue?.Rules, () =>
            {
                foreach (var (key, value) in actualMap)
                {
                    if (expected.ContainsKey(key))
                    {
                        Compare([.. path, key], expected[key], value);
                    }
                    else if (expected.Count > 0 && (eachValue is not null || eachKey is null))
                    {
                        Compare([.. path, key], template, value);
                    }
                }
            });
            return;
        }

        foreach (var (key, value) in expected)
        {
            if (!actualMap.ContainsKey(key))
            {
                // The verifier reports missing keys on the map; the pointer names the key for the location.
                _mismatches.Add(new PactMismatch(MismatchKind.Body, MatchingRules.Format(path),
                    $"Actual map is missing the following keys: {key}", MatchingRules.Format([.. path, key])));
                continue;
            }

            Compare([.. path, key], value, actualMap[key]);
        }
    }

    private void CompareArray(List<string> path, JsonArray expected, JsonNode? actual, RuleList? list, bool exact)
    {
        if (HasValueMatcher(list))
        {
            Add(path, ValueMatching.Apply(list!, expected, actual));
            return;
        }

        if (actual is not JsonArray actualList)
        {
            Add(path, [$"Type mismatch: Expected {JsonShape.Describe(actual)} to be the same type as {JsonShape.Describe(expected)}"]);
            return;
        }

        if (exact && NotEmptyFails(list, actual) is { } empty)
        {
            Add(path, [empty]);
        }

        if (exact && list?.Matchers.FirstOrDefault(m => m.Kind == MatcherKind.ArrayContains) is { } contains)
        {
            foreach (var variant in contains.Variants)
            {
                var example = variant.Index < expected.Count ? expected[variant.Index] : null;
                if (!actualList.Any(element => Compare(example, element, variant.Rules).Count == 0))
                {
                    Add(path, [$"Variant at index {variant.Index} ({example?.ToJsonString() ?? "null"}) was not found in the actual list"]);
                }
            }

            return;
        }

        var eachValue = exact ? list?.Matchers.FirstOrDefault(m => m.Kind == MatcherKind.EachValue) : null;
        if (eachValue is not null || list?.Matchers.Any(m => m.Kind is MatcherKind.Type or MatcherKind.NotEmpty or MatcherKind.Values) == true)
        {
            var typed = list!.Matchers.FirstOrDefault(m => m.Kind == MatcherKind.Type);

            // Sizes are checked where the rule is written, not where it cascades to (nested lists).
            if (exact && typed?.Min is { } min && actualList.Count < min)
            {
                Add(path, [$"Expected {JsonShape.ShowList(actualList)} (size {actualList.Count}) to have minimum size of {min}"]);
            }

            if (exact && typed?.Max is { } max && actualList.Count > max)
            {
                Add(path, [$"Expected {JsonShape.ShowList(actualList)} (size {actualList.Count}) to have maximum size of {max}"]);
            }

            if (expected.Count == 0)
            {
                return;
            }

            WithRules(path, "[*]", eachValue?.Rules, () =>
            {
                for (var i = 0; i < actualList.Count; i++)
                {
                    Compare([.. path, Index(i)], expected[i < expected.Count && eachValue is null ? i : 0], actualList[i]);
                }
            });
            return;
        }

        if (expected.Count != actualList.Count)
        {
            Add(path, [$"Expected a List with {expected.Count} elements but received {actualList.Count} elements"]);
        }

        for (var i = 0; i < Math.Min(expected.Count, actualList.Count); i++)
        {
            Compare([.. path, Index(i)], expected[i], actualList[i]);
        }
    }

    /// <summary>Runs <paramref name="body"/> with <paramref name="extra"/> as the rule of every child of <paramref name="path"/> (eachValue).</summary>
    private void WithRules(List<string> path, string childToken, RuleList? extra, Action body)
    {
        if (extra is null)
        {
            body();
            return;
        }

        var saved = _rules;
        var tokens = path.Select((segment, i) => i == 0 ? segment : segment.All(char.IsAsciiDigit) && segment.Length > 0 ? $"[{segment}]" : segment).ToList();
        tokens.Add(childToken);
        _rules = saved with { Body = [.. saved.Body, new PathRule(string.Join(".", tokens), tokens, extra)] };
        try
        {
            body();
        }
        finally
        {
            _rules = saved;
        }
    }

    /// <summary>A rule that judges the container as a value (regex, null, integer...), not its structure.</summary>
    private static bool HasValueMatcher(RuleList? list) =>
        list is not null && list.Matchers.Count > 0 && list.Matchers.All(m => !m.IsStructural);

    private static string? NotEmptyFails(RuleList? list, JsonNode actual) =>
        list?.Matchers.FirstOrDefault(m => m.Kind == MatcherKind.NotEmpty) is { } notEmpty
            ? ValueMatching.Apply(notEmpty, null, actual)
            : null;

    private static string Index(int i) => i.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private void Add(List<string> path, IEnumerable<string> failures)
    {
        var where = MatchingRules.Format(path);
        _mismatches.AddRange(failures.Select(f => new PactMismatch(MismatchKind.Body, where, f)));
    }
}

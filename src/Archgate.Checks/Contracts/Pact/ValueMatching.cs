using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Archgate.Checks.Contracts.Pact;

/// <summary>
/// Applies one matcher to one value and words a failure as the Pact verifier does; null means it matched.
/// </summary>
internal static class ValueMatching
{
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromSeconds(1);

    /// <summary>Applies every matcher of <paramref name="rules"/>: all must pass (AND), or one (OR).</summary>
    public static List<string> Apply(RuleList rules, JsonNode? expected, JsonNode? actual)
    {
        var failures = new List<string>();
        foreach (var matcher in rules.Matchers)
        {
            if (Apply(matcher, expected, actual) is { } failure)
            {
                failures.Add(failure);
            }
            else if (rules.Or)
            {
                return [];
            }
        }

        return failures;
    }

    /// <summary>One matcher against one value.</summary>
    public static string? Apply(Matcher matcher, JsonNode? expected, JsonNode? actual)
    {
        var kind = JsonShape.Kind(actual);
        return matcher.Kind switch
        {
            MatcherKind.Equality or MatcherKind.Values or MatcherKind.StatusCode => JsonShape.Equal(expected, actual)
                ? null
                : $"Expected {JsonShape.Describe(actual)} to be equal to {JsonShape.Describe(expected)}",
            MatcherKind.Type => JsonShape.SameType(expected, actual)
                ? null
                : $"Expected {JsonShape.Describe(actual)} to be the same type as {JsonShape.Describe(expected)}",
            MatcherKind.Regex => JsonShape.TextOf(actual) is { } text && FullMatch(matcher.Regex!, text)
                ? null
                : $"Expected {JsonShape.Show(actual)} to match '{matcher.Regex}'",
            MatcherKind.Include => JsonShape.TextOf(actual) is { } text && text.Contains(matcher.Value ?? string.Empty, StringComparison.Ordinal)
                ? null
                : $"Expected {JsonShape.Show(actual)} to include '{matcher.Value}'",
            MatcherKind.Integer => kind == JsonShapeKind.Integer ? null : $"Expected {JsonShape.Describe(actual)} to be an integer",
            MatcherKind.Decimal => kind == JsonShapeKind.Decimal ? null : $"Expected {JsonShape.Describe(actual)} to be a decimal number",
            MatcherKind.Number => JsonShape.IsNumber(kind) ? null : $"Expected {JsonShape.Describe(actual)} to be a number",
            MatcherKind.Boolean => kind == JsonShapeKind.Boolean || (kind == JsonShapeKind.String && actual!.GetValue<string>() is "true" or "false")
                ? null
                : $"Expected {JsonShape.Describe(actual)} to be a boolean",
            MatcherKind.Null => kind == JsonShapeKind.Null ? null : $"Expected {JsonShape.Describe(actual)} to be a null value",
            MatcherKind.NotEmpty => kind switch
            {
                JsonShapeKind.Null => $"Expected {JsonShape.Describe(actual)} to not be empty",
                JsonShapeKind.String when actual!.GetValue<string>().Length == 0 => $"Expected {JsonShape.Describe(actual)} to not be empty",
                JsonShapeKind.Array when ((JsonArray)actual!).Count == 0 => $"Expected {JsonShape.Describe(actual)} to not be empty",
                JsonShapeKind.Object when ((JsonObject)actual!).Count == 0 => $"Expected {JsonShape.Describe(actual)} to not be empty",
                _ => null,
            },
            MatcherKind.Date => DateLike("date", matcher.Format ?? JavaDateFormat.DefaultDate, actual),
            MatcherKind.Time => DateLike("time", matcher.Format ?? JavaDateFormat.DefaultTime, actual),
            MatcherKind.Timestamp => DateLike("timestamp", matcher.Format, actual),
            _ => $"Unsupported matcher '{matcher.Name}': {JsonShape.Show(actual)} cannot be checked",
        };
    }

    /// <summary>Full match, as the Pact verifier anchors regex matchers.</summary>
    public static bool FullMatch(string pattern, string text)
    {
        try
        {
            return Regex.IsMatch(text, $"^(?:{pattern})$", RegexOptions.None, RegexTimeout);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    private static string? DateLike(string what, string? format, JsonNode? actual) =>
        JsonShape.Kind(actual) == JsonShapeKind.String && JavaDateFormat.Matches(actual!.GetValue<string>(), format)
            ? null
            : $"Expected {JsonShape.Show(actual)} to match a {what} pattern of '{format ?? "ISO 8601"}'";

    /// <summary>The verifier's name of a status class.</summary>
    public static string StatusClass(string? status) => status switch
    {
        "info" => "an Informational response (100–199)",
        "success" => "a Successful response (200–299)",
        "redirect" => "a Redirect (300–399)",
        "clientError" => "a Client error (400–499)",
        "serverError" => "a Server error (500–599)",
        "nonError" => "a non-error response (< 400)",
        "error" => "an error response (>= 400)",
        _ => $"one of {status}",
    };

    /// <summary>Whether <paramref name="status"/> satisfies a v4 status-code matcher (<c>success</c>, <c>200,201</c>...).</summary>
    public static bool StatusMatches(Matcher matcher, int status) => matcher.Status switch
    {
        "info" => status is >= 100 and < 200,
        "success" => status is >= 200 and < 300,
        "redirect" => status is >= 300 and < 400,
        "clientError" => status is >= 400 and < 500,
        "serverError" => status is >= 500 and < 600,
        "nonError" => status < 400,
        "error" => status >= 400,
        { } list => list.Split(',', StringSplitOptions.TrimEntries).Contains(status.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        null => false,
    };
}

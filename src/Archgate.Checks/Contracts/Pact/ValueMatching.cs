using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Archgate.Checks.Contracts.Pact;

/// <summary>
/// Applies one matcher to one value and words a failure as the Pact verifier does; null means it matched.
/// </summary>
internal static partial class ValueMatching
{
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromSeconds(1);

    /// <summary>Applies every matcher of <paramref name="rules"/>: all must pass (AND), or one (OR).</summary>
    public static List<string> Apply(RuleList rules, JsonNode? expected, JsonNode? actual) =>
        Combine(rules, m => Apply(m, expected, actual));

    /// <summary>Every matcher of <paramref name="rules"/> on text (a header, a query value, a text body).</summary>
    public static List<string> ApplyText(RuleList rules, string expected, string actual) =>
        Combine(rules, m => ApplyText(m, expected, actual));

    /// <summary>Every matcher of <paramref name="rules"/> on a binary body.</summary>
    public static List<string> ApplyBytes(RuleList rules, byte[] expected, byte[] actual) =>
        Combine(rules, m => ApplyBytes(m, expected, actual));

    private static List<string> Combine(RuleList rules, Func<Matcher, string?> apply)
    {
        if (rules.Or && rules.Matchers.Any(m => m.Kind == MatcherKind.Unsupported))
        {
            // One of the alternatives cannot be judged: it may be the one that holds (reported as a warning).
            return [];
        }

        var failures = new List<string>();
        foreach (var matcher in rules.Matchers)
        {
            if (apply(matcher) is { } failure)
            {
                failures.Add(failure);
            }
            else if (rules.Or && matcher.Kind != MatcherKind.Unsupported)
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
            MatcherKind.Date => DateLike("date", matcher.Format ?? JavaDateFormat.DefaultDate, JsonShape.TextOf(actual), JsonShape.Show(actual)),
            MatcherKind.Time => DateLike("time", matcher.Format ?? JavaDateFormat.DefaultTime, JsonShape.TextOf(actual), JsonShape.Show(actual)),
            MatcherKind.Timestamp => DateLike("timestamp", matcher.Format, JsonShape.TextOf(actual), JsonShape.Show(actual)),
            MatcherKind.Semver => kind == JsonShapeKind.String
                ? Semver(actual!.GetValue<string>())
                : $"Expected something that matches a semantic version, but got {JsonShape.Show(actual)}",
            MatcherKind.ContentType => ContentType(matcher.Value, JsonBytes(actual)) is { } failure
                ? $"Failed to match data to have a content type of '{matcher.Value}': {failure}"
                : null,
            // Structural matchers judge the container they sit on (BodyComparer); on a single value they pass,
            // and an unknown matcher is reported as a warning, never as a failure.
            _ => null,
        };
    }

    /// <summary>
    /// One matcher on text, as the Pact rules match headers, query values and text bodies: numbers, integers
    /// and booleans are text that parses as one.
    /// </summary>
    public static string? ApplyText(Matcher matcher, string expected, string actual) => matcher.Kind switch
    {
        MatcherKind.Equality or MatcherKind.Values => expected == actual ? null : $"Expected '{actual}' to be equal to '{expected}'",
        MatcherKind.Regex => FullMatch(matcher.Regex!, actual) ? null : $"Expected '{actual}' to match '{matcher.Regex}'",
        MatcherKind.Include => actual.Contains(matcher.Value ?? string.Empty, StringComparison.Ordinal) ? null : $"Expected '{actual}' to include '{matcher.Value}'",
        MatcherKind.Number or MatcherKind.Decimal => IsNumberText(actual) ? null : $"Expected '{actual}' to match a number",
        MatcherKind.Integer => ulong.TryParse(actual, NumberStyles.None, CultureInfo.InvariantCulture, out _) ? null : $"Expected '{actual}' to match an integer number",
        MatcherKind.Boolean => actual is "true" or "false" ? null : $"Expected '{actual}' to match a boolean",
        MatcherKind.Null => $"Expected '{actual}' to be a null value",
        MatcherKind.NotEmpty => actual.Length > 0 ? null : "Expected '' to not be empty",
        MatcherKind.Date => DateLike("date", matcher.Format ?? JavaDateFormat.DefaultDate, actual, $"'{actual}'"),
        MatcherKind.Time => DateLike("time", matcher.Format ?? JavaDateFormat.DefaultTime, actual, $"'{actual}'"),
        MatcherKind.Timestamp => DateLike("timestamp", matcher.Format ?? JavaDateFormat.DefaultTimestamp, actual, $"'{actual}'"),
        MatcherKind.Semver => Semver(actual),
        MatcherKind.StatusCode => int.TryParse(actual, NumberStyles.None, CultureInfo.InvariantCulture, out var code) && StatusMatches(matcher, code)
            ? null
            : $"Expected status code {actual} to be {StatusClass(matcher.Status)}",
        MatcherKind.ContentType => ContentType(matcher.Value, Encoding.UTF8.GetBytes(actual)),
        _ => null,
    };

    /// <summary>One matcher on a binary body: equality of the bytes, text matchers on their UTF-8, contentType and notEmpty on the bytes.</summary>
    public static string? ApplyBytes(Matcher matcher, byte[] expected, byte[] actual)
    {
        switch (matcher.Kind)
        {
            case MatcherKind.Equality:
                return expected.AsSpan().SequenceEqual(actual)
                    ? null
                    : $"Expected [{BodyKinds.Summary(actual)}] to be equal to [{BodyKinds.Summary(expected)}]";
            case MatcherKind.NotEmpty:
                return actual.Length > 0 ? null : "Expected [] (0 bytes) to not be empty";
            case MatcherKind.ContentType:
                return ContentType(matcher.Value, actual);
            case MatcherKind.Regex or MatcherKind.Include or MatcherKind.Semver or MatcherKind.Boolean or MatcherKind.Number
                or MatcherKind.Decimal or MatcherKind.Integer or MatcherKind.Date or MatcherKind.Time or MatcherKind.Timestamp:
                return BodyKinds.LooksLikeText(actual)
                    ? ApplyText(matcher, Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(actual))
                    : $"Could not convert actual bytes into a UTF-8 string [{BodyKinds.Summary(actual)}]";
            case MatcherKind.Null:
                return $"Expected [{BodyKinds.Summary(actual)}] to be a null value";
            default:
                return null;
        }
    }

    private static bool IsNumberText(string text) =>
        text.Length > 0 && !char.IsWhiteSpace(text[0]) && !char.IsWhiteSpace(text[^1])
        && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    /// <summary>The bytes a contentType matcher looks at in a JSON value: a string's base64, else its text.</summary>
    private static byte[] JsonBytes(JsonNode? actual)
    {
        if (JsonShape.Kind(actual) == JsonShapeKind.String)
        {
            var text = actual!.GetValue<string>();
            var buffer = new byte[text.Length];
            return Convert.TryFromBase64String(text, buffer, out var written) ? buffer[..written] : Encoding.UTF8.GetBytes(text);
        }

        return Encoding.UTF8.GetBytes(actual?.ToJsonString() ?? "null");
    }

    private static string? ContentType(string? expected, byte[] data)
    {
        var wanted = BodyKinds.Media(expected) ?? string.Empty;
        var detected = BodyKinds.Sniff(data);
        var same = detected == wanted
            || (PactReader.IsJson(wanted) && detected == "application/json")
            || (BodyKinds.IsXml(wanted) && detected == "application/xml")
            || (detected == "text/plain" && wanted.StartsWith("text/", StringComparison.Ordinal));
        return same ? null : $"Expected binary contents to have content type '{expected}' but detected contents was '{detected}'";
    }

    /// <summary>Semantic Versioning 2.0.0: MAJOR.MINOR.PATCH, optional pre-release and build metadata.</summary>
    private static string? Semver(string text) => SemverPattern().IsMatch(text)
        ? null
        : $"'{text}' is not a valid semantic version";

    [GeneratedRegex(@"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$", RegexOptions.CultureInvariant)]
    private static partial Regex SemverPattern();

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

    private static string? DateLike(string what, string? format, string? text, string shown) =>
        text is not null && JavaDateFormat.Matches(text, format)
            ? null
            : $"Expected {shown} to match a {what} pattern of '{format ?? "ISO 8601"}'";

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

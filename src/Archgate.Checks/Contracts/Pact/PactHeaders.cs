namespace Archgate.Checks.Contracts.Pact;

/// <summary>
/// How the Pact rules see header values: known list headers (RFC 9110: <c>Accept</c>, <c>Cache-Control</c>,
/// <c>Vary</c>...) are split on commas, every other header keeps its value whole (a date or a JSON value
/// has commas of its own); <c>Accept</c> and <c>Content-Type</c> carry parameters compared by name.
/// </summary>
internal static class PactHeaders
{
    private static readonly HashSet<string> MultiValue = new(StringComparer.OrdinalIgnoreCase)
    {
        "accept", "accept-encoding", "accept-language", "access-control-allow-headers", "access-control-allow-methods",
        "access-control-expose-headers", "access-control-request-headers", "allow", "cache-control", "if-match",
        "if-none-match", "vary",
    };

    private static readonly HashSet<string> Parameterised = new(StringComparer.OrdinalIgnoreCase) { "accept", "content-type" };

    /// <summary>The values of one header line.</summary>
    public static IReadOnlyList<string> Split(string name, string value) => MultiValue.Contains(name)
        ? value.Split(',').Select(v => v.Trim()).ToList()
        : [value.Trim()];

    /// <summary>Whether the header's values are a media type with parameters.</summary>
    public static bool HasParameters(string name) => Parameterised.Contains(name);

    /// <summary>
    /// A value with parameters (<c>text/html; charset=UTF-8; q=0.9</c>) against the expected one: the same
    /// value before the first <c>;</c>, and each parameter the pact names present with the same value, case
    /// aside; whitespace and parameter order do not matter, extra actual parameters are fine.
    /// </summary>
    public static bool SameWithParameters(string expected, string actual)
    {
        var (expectedValue, expectedParameters) = Parse(expected);
        var (actualValue, actualParameters) = Parse(actual);
        return expectedValue == actualValue
            && expectedParameters.All(p => actualParameters.TryGetValue(p.Key, out var v) && v.Equals(p.Value, StringComparison.OrdinalIgnoreCase));
    }

    private static (string Value, Dictionary<string, string> Parameters) Parse(string text)
    {
        var parts = text.Split(';').Select(p => p.Trim()).Where(p => p.Length > 0).ToList();
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in parts.Skip(1))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                parameters[part[..eq].Trim()] = part[(eq + 1)..].Trim();
            }
        }

        return (parts.FirstOrDefault() ?? string.Empty, parameters);
    }

    /// <summary>Commas with or without the optional whitespace after them read the same (<c>a,b</c> is <c>a, b</c>).</summary>
    public static string NormaliseCommas(string value) => string.Join(",", value.Split(',').Select(v => v.Trim()));
}

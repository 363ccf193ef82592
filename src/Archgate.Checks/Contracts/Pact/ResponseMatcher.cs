using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Archgate.Checks.Contracts.Pact;

/// <summary>A response as received: status, headers (names case-insensitive, repeated values joined), body bytes.</summary>
internal sealed record ActualResponse(int Status, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    /// <summary>The response's content type, or null.</summary>
    public string? ContentType => Headers.TryGetValue("Content-Type", out var value) ? value : null;
}

/// <summary>Matches an actual response against a pact's expected response: status, then headers, then body.</summary>
internal static class ResponseMatcher
{
    /// <summary>Every mismatch; empty when the response satisfies the pact.</summary>
    public static IReadOnlyList<PactMismatch> Match(PactResponse expected, ActualResponse actual)
    {
        var mismatches = new List<PactMismatch>();
        MatchStatus(expected, actual, mismatches);
        foreach (var (name, value) in expected.Headers)
        {
            MatchHeader(name, value, expected.Rules, actual, mismatches);
        }

        MatchBody(expected, actual, mismatches);
        return mismatches;
    }

    private static void MatchStatus(PactResponse expected, ActualResponse actual, List<PactMismatch> mismatches)
    {
        if (expected.Rules.Status?.Matchers.FirstOrDefault(m => m.Kind == MatcherKind.StatusCode) is { } statusRule)
        {
            if (!ValueMatching.StatusMatches(statusRule, actual.Status))
            {
                mismatches.Add(new PactMismatch(MismatchKind.Status, null, $"Expected status code {actual.Status} to be {ValueMatching.StatusClass(statusRule.Status)}"));
            }

            return;
        }

        if (expected.Status != actual.Status)
        {
            mismatches.Add(new PactMismatch(MismatchKind.Status, null, $"expected {expected.Status} but was {actual.Status}"));
        }
    }

    private static void MatchHeader(string name, string expected, MatchingRules rules, ActualResponse actual, List<PactMismatch> mismatches)
    {
        if (!actual.Headers.TryGetValue(name, out var value))
        {
            mismatches.Add(new PactMismatch(MismatchKind.Header, name, $"Expected a header '{name}' but was missing"));
            return;
        }

        if (rules.Headers.TryGetValue(name, out var list))
        {
            foreach (var failure in ValueMatching.Apply(list, JsonValue.Create(expected), JsonValue.Create(value)))
            {
                mismatches.Add(new PactMismatch(MismatchKind.Header, name, $"Mismatch with header '{name}': {failure}"));
            }

            return;
        }

        var equal = name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)
            ? SameContentType(expected, value)
            : Values(expected).SequenceEqual(Values(value), StringComparer.Ordinal);
        if (!equal)
        {
            mismatches.Add(new PactMismatch(MismatchKind.Header, name, $"Mismatch with header '{name}': Expected '{value}' to be equal to '{expected}'"));
        }
    }

    private static IEnumerable<string> Values(string header) => header.Split(',').Select(v => v.Trim());

    /// <summary>Same media type (case-insensitive), and every parameter the pact names has the same value.</summary>
    private static bool SameContentType(string expected, string actual)
    {
        static (string Media, Dictionary<string, string> Parameters) Parse(string text)
        {
            var parts = text.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var p in parts.Skip(1))
            {
                var eq = p.IndexOf('=', StringComparison.Ordinal);
                if (eq > 0)
                {
                    parameters[p[..eq].Trim()] = p[(eq + 1)..].Trim().Trim('"');
                }
            }

            return (parts.FirstOrDefault() ?? string.Empty, parameters);
        }

        var (expectedMedia, expectedParameters) = Parse(expected);
        var (actualMedia, actualParameters) = Parse(actual);
        return expectedMedia.Equals(actualMedia, StringComparison.OrdinalIgnoreCase)
            && expectedParameters.All(p => actualParameters.TryGetValue(p.Key, out var v) && v.Equals(p.Value, StringComparison.OrdinalIgnoreCase));
    }

    private static void MatchBody(PactResponse expected, ActualResponse actual, List<PactMismatch> mismatches)
    {
        if (expected.Body is not { } body)
        {
            return;
        }

        if (body.IsJson)
        {
            var expectedType = body.ContentType ?? "application/json";
            if (actual.ContentType is { } actualType && !PactReader.IsJson(actualType))
            {
                mismatches.Add(new PactMismatch(MismatchKind.BodyType, null,
                    $"Expected a body of '{expectedType.Split(';')[0]}' but the actual content type was '{actualType.Split(';')[0]}'"));
                return;
            }

            if (actual.Body.Length == 0)
            {
                mismatches.Add(new PactMismatch(MismatchKind.Body, "$", $"Expected body '{body.Json?.ToJsonString() ?? "null"}' but was empty"));
                return;
            }

            JsonNode? parsed;
            try
            {
                parsed = JsonNode.Parse(actual.Body);
            }
            catch (JsonException ex)
            {
                mismatches.Add(new PactMismatch(MismatchKind.Body, "$", $"Failed to parse the actual body as JSON: {ex.Message}"));
                return;
            }

            mismatches.AddRange(BodyComparer.Compare(body.Json, parsed, expected.Rules));
            return;
        }

        if (body.Bytes is { } bytes)
        {
            if (!bytes.AsSpan().SequenceEqual(actual.Body))
            {
                mismatches.Add(new PactMismatch(MismatchKind.Body, "$", $"Expected body of {bytes.Length} bytes to equal the actual {actual.Body.Length} bytes"));
            }

            return;
        }

        var text = body.Text ?? string.Empty;
        var actualText = Encoding.UTF8.GetString(actual.Body);
        var rules = expected.Rules.BodyRulesFor(["$"], out _);
        var failures = rules is null
            ? (text == actualText ? [] : [$"Expected body '{text}' to match '{actualText}' using equality but did not match"])
            : ValueMatching.Apply(rules, JsonValue.Create(text), JsonValue.Create(actualText));
        mismatches.AddRange(failures.Select(f => new PactMismatch(MismatchKind.Body, "$", f)));
    }
}

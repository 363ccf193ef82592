using System.Text.Json;
using System.Text.Json.Nodes;

namespace Archgate.Checks.Contracts.Pact;

/// <summary>
/// A message's metadata as the Pact message-verification convention carries it: the content type of the
/// answer, plus the base64 JSON object of the <c>Pact-Message-Metadata</c> header; matched key by key.
/// </summary>
internal static class MessageMetadata
{
    /// <summary>The header that carries the metadata.</summary>
    public const string Header = "Pact-Message-Metadata";

    /// <summary>The metadata of a message provider's answer.</summary>
    public static Dictionary<string, JsonNode?> Read(ActualResponse answer)
    {
        var metadata = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        if (answer.ContentType is { } contentType)
        {
            metadata["contentType"] = contentType;
        }

        if (answer.Headers.TryGetValue(Header, out var values) && values.Count > 0)
        {
            try
            {
                if (JsonNode.Parse(Convert.FromBase64String(values[0].Trim())) is JsonObject map)
                {
                    foreach (var (key, value) in map)
                    {
                        metadata[key] = value?.DeepClone();
                    }
                }
            }
            catch (Exception ex) when (ex is FormatException or JsonException)
            {
                // Not base64 JSON: the header gives no metadata, and the expected keys are reported missing.
            }
        }

        return metadata;
    }

    /// <summary>
    /// Every expected key must be there with an equal value (text compared as text), or one its rule accepts;
    /// a content type compares as a media type with the parameters the pact names.
    /// </summary>
    public static IEnumerable<PactMismatch> Match(IReadOnlyList<KeyValuePair<string, JsonNode?>> expected, MatchingRules rules, Dictionary<string, JsonNode?> actual)
    {
        foreach (var (key, value) in expected)
        {
            var isContentType = key.Replace("-", string.Empty, StringComparison.Ordinal).Equals("contentType", StringComparison.OrdinalIgnoreCase);
            var found = actual.TryGetValue(key, out var actualValue)
                || (isContentType && actual.TryGetValue("contentType", out actualValue));
            if (!found)
            {
                yield return new PactMismatch(MismatchKind.Metadata, key, $"Expected message metadata '{key}' but was missing");
                continue;
            }

            var want = PactReader.Text(value) ?? value?.ToJsonString() ?? "null";
            var got = PactReader.Text(actualValue) ?? actualValue?.ToJsonString() ?? "null";
            IEnumerable<string> failures = rules.Metadata.TryGetValue(key, out var list)
                ? ValueMatching.ApplyText(list, want, got)
                : isContentType
                    ? PactHeaders.SameWithParameters(want, got) ? [] : [$"Expected metadata key '{key}' to have value '{want}' but was '{got}'"]
                    : want == got ? [] : [$"Expected metadata key '{key}' to have value '{want}' but was '{got}'"];
            foreach (var failure in failures)
            {
                yield return new PactMismatch(MismatchKind.Metadata, key, failure);
            }
        }
    }
}

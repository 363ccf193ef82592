using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Archgate.Checks.Contracts.Pact;

/// <summary>
/// A response as received: status, headers (names case-insensitive; each value apart, list headers split on
/// commas as the Pact rules split them), body bytes.
/// </summary>
internal sealed record ActualResponse(int Status, IReadOnlyDictionary<string, IReadOnlyList<string>> Headers, byte[] Body)
{
    /// <summary>The response's content type, or null.</summary>
    public string? ContentType => Headers.TryGetValue("Content-Type", out var values) && values.Count > 0 ? values[0] : null;

    /// <summary>A response from header lines as they came (a name may repeat), each split as the Pact rules split it.</summary>
    public static ActualResponse From(int status, IEnumerable<KeyValuePair<string, string>> headerLines, byte[] body)
    {
        var headers = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in headerLines)
        {
            if (!headers.TryGetValue(name, out var values))
            {
                headers[name] = values = [];
            }

            values.AddRange(PactHeaders.Split(name, value));
        }

        return new ActualResponse(status, headers.ToDictionary(h => h.Key, h => (IReadOnlyList<string>)h.Value, StringComparer.OrdinalIgnoreCase), body);
    }
}

/// <summary>Matches an actual response against a pact's expected response: status, then headers, then body.</summary>
internal static class ResponseMatcher
{
    /// <summary>Every mismatch; empty when the response satisfies the pact. Unsupported matchers come first, as warnings.</summary>
    public static IReadOnlyList<PactMismatch> Match(PactResponse expected, ActualResponse actual)
    {
        var mismatches = expected.Rules.Unsupported
            .Select(u => new PactMismatch(MismatchKind.Unsupported, null, $"Matcher not supported, so not applied: {u}"))
            .ToList();
        MatchStatus(expected, actual, mismatches);
        foreach (var (name, values) in expected.Headers)
        {
            MatchHeader(name, values, expected.Rules, actual, mismatches);
        }

        MatchBody(expected, actual, mismatches);
        return mismatches;
    }

    /// <summary>
    /// A message as a message provider answered it: the contents matched as a body (the answer's status is not
    /// part of a message), then the metadata key by key.
    /// </summary>
    public static IReadOnlyList<PactMismatch> MatchMessage(PactInteraction interaction, ActualResponse answer) =>
    [
        .. Match(interaction.Response, answer with { Status = interaction.Response.Status }),
        .. MessageMetadata.Match(interaction.Message?.Metadata ?? [], interaction.Response.Rules, MessageMetadata.Read(answer)),
    ];

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

    /// <summary>
    /// A header as the Pact rules match it: each value apart (a rule applies to every value), values in
    /// order, parameters of <c>Accept</c> and <c>Content-Type</c> by name, whitespace after commas ignored.
    /// </summary>
    private static void MatchHeader(string name, IReadOnlyList<string> expected, MatchingRules rules, ActualResponse actual, List<PactMismatch> mismatches)
    {
        void Fail(string message) => mismatches.Add(new PactMismatch(MismatchKind.Header, name, $"Mismatch with header '{name}': {message}"));

        if (!actual.Headers.TryGetValue(name, out var values))
        {
            mismatches.Add(new PactMismatch(MismatchKind.Header, name, $"Expected a header '{name}' but was missing"));
            return;
        }

        if (expected.Count == 0 || (expected.Count == 1 && expected[0].Length == 0))
        {
            if (values.Any(v => v.Length > 0))
            {
                mismatches.Add(new PactMismatch(MismatchKind.Header, name, $"Expected an empty header '{name}' but actual value was '{string.Join(", ", values)}'"));
            }

            return;
        }

        var single = expected.Count == 1 && values.Count == 1;
        rules.Headers.TryGetValue(name, out var list);
        if (list is not null && !single)
        {
            // A rule on a header with several values applies to each value (against the example's value at that index, else its first).
            for (var i = 0; i < values.Count; i++)
            {
                foreach (var failure in ValueMatching.ApplyText(list, expected[i < expected.Count ? i : 0], values[i]))
                {
                    Fail($"{failure} for value at index {i}");
                }
            }

            return;
        }

        for (var i = 0; i < Math.Max(expected.Count, values.Count); i++)
        {
            if (i >= values.Count)
            {
                Fail($"Expected value '{expected[i]}' at index {i} but was missing (actual has {values.Count} value(s))");
                continue;
            }

            var want = i < expected.Count ? expected[i] : string.Empty;
            var failures = list is not null
                ? ValueMatching.ApplyText(list, want.Trim(), values[i].Trim())
                : PactHeaders.HasParameters(name)
                    ? PactHeaders.SameWithParameters(want, values[i]) ? [] : [$"Expected header '{name}'{(single ? string.Empty : $" at index {i}")} to have value '{want.Trim()}' but was '{values[i].Trim()}'"]
                    : PactHeaders.NormaliseCommas(want) == PactHeaders.NormaliseCommas(values[i]) ? [] : [$"Expected '{values[i].Trim()}' to be equal to '{want.Trim()}'"];
            foreach (var failure in failures)
            {
                Fail(single || PactHeaders.HasParameters(name) && list is null ? failure : $"{failure} for value at index {i}");
            }
        }
    }

    private static void MatchBody(PactResponse expected, ActualResponse actual, List<PactMismatch> mismatches)
    {
        if (expected.Body is not { } body)
        {
            return;
        }

        if (body.MustBeEmpty)
        {
            if (actual.Body.Length > 0)
            {
                mismatches.Add(new PactMismatch(MismatchKind.Body, "$", $"Expected empty body but received {Show(actual.Body, actual.ContentType)}"));
            }

            return;
        }

        // Without a content type, the pact's body tells (XML text reads as XML, as the Pact rules detect it).
        var expectedType = body.ContentType ?? (body.IsJson ? "application/json"
            : body.Bytes is not null ? "application/octet-stream"
            : BodyKinds.Sniff(Encoding.UTF8.GetBytes(body.Text ?? string.Empty)) == "application/xml" ? "application/xml"
            : "text/plain");
        if (actual.Body.Length == 0)
        {
            var shown = body.IsJson ? $"'{body.Json?.ToJsonString() ?? "null"}'" : body.Bytes is { } expectedBytes ? $"[{BodyKinds.Summary(expectedBytes)}]" : $"'{body.Text}'";
            mismatches.Add(new PactMismatch(MismatchKind.Body, "$", $"Expected body {shown} but was empty"));
            return;
        }

        // A text body without a declared content type may be anything textual; a declared one must agree.
        if (actual.ContentType is { } actualType && (body.IsJson || body.ContentType is not null) && !SameKind(expectedType, actualType))
        {
            mismatches.Add(new PactMismatch(MismatchKind.BodyType, null,
                $"Expected a body of '{BodyKinds.Media(expectedType)}' but the actual content type was '{BodyKinds.Media(actualType)}'"));
            return;
        }

        if (body.IsJson)
        {
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

        if (body.Text is { } xml && BodyKinds.IsXml(expectedType))
        {
            mismatches.AddRange(XmlComparer.Compare(xml, actual.Body, expected.Rules));
            return;
        }

        var rules = expected.Rules.BodyRulesFor(["$"], out _);
        if (body.Bytes is { } bytes)
        {
            var failures = rules is not null
                ? ValueMatching.ApplyBytes(rules, bytes, actual.Body)
                : bytes.AsSpan().SequenceEqual(actual.Body)
                    ? []
                    : [$"Actual body [{BodyKinds.Media(actual.ContentType ?? expectedType)}, {BodyKinds.Summary(actual.Body)}] is not equal to the expected body [{BodyKinds.Media(expectedType)}, {BodyKinds.Summary(bytes)}]"];
            mismatches.AddRange(failures.Select(f => new PactMismatch(MismatchKind.Body, "$", f)));
            return;
        }

        var text = body.Text ?? string.Empty;
        if (!BodyKinds.LooksLikeText(actual.Body))
        {
            mismatches.Add(new PactMismatch(MismatchKind.Body, "$", $"Expected body '{text}' but received {Show(actual.Body, actual.ContentType)}"));
            return;
        }

        var actualText = Encoding.UTF8.GetString(actual.Body);
        var textFailures = rules is null
            ? (text == actualText ? [] : [$"Expected body '{text}' to match '{ProbeText(actual.Body)}' using equality but did not match"])
            : ValueMatching.ApplyText(rules, text, actualText);
        mismatches.AddRange(textFailures.Select(f => new PactMismatch(MismatchKind.Body, "$", f)));
    }

    /// <summary>A body for a message: text as text, anything else as length, hash and a hex preview.</summary>
    private static string Show(byte[] body, string? contentType) =>
        BodyKinds.LooksLikeText(body) && !BodyKinds.IsBinary(contentType)
            ? $"'{ProbeText(body)}'"
            : $"[{BodyKinds.Summary(body)}]";

    private static string ProbeText(byte[] body) => Http.ProbeHttp.Excerpt(Encoding.UTF8.GetString(body));

    /// <summary>Bodies of the same kind: any JSON for JSON, any XML for XML, else the same media type.</summary>
    private static bool SameKind(string expected, string actual)
    {
        var e = BodyKinds.Media(expected);
        var a = BodyKinds.Media(actual);
        return e == a
            || (PactReader.IsJson(e) && PactReader.IsJson(a))
            || (BodyKinds.IsXml(e) && BodyKinds.IsXml(a));
    }
}

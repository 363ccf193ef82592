using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Archgate.Checks.Contracts.Pact;

/// <summary>What reading a pact file gave: the document, or every problem found in it.</summary>
internal sealed record PactReadResult(PactDocument? Document, IReadOnlyList<string> Errors);

/// <summary>
/// Reads Pact files of specification v1-v3 and the HTTP interactions of v4 (message and other
/// asynchronous interactions are listed as skipped). Never throws for a malformed file: every problem is
/// an error message naming where it is (<c>interactions[2].response.status</c>).
/// </summary>
internal static class PactReader
{
    private static readonly JsonDocumentOptions Options = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    private static readonly string[] Categories = ["body", "header", "headers", "status", "query", "path", "metadata", "content"];

    /// <summary>Reads the pact file at <paramref name="path"/>.</summary>
    public static Task<PactReadResult> ReadFileAsync(string path, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        // Only a regular file within the contract size cap: a FIFO would block, /dev/zero would never end.
        var text = RegularFile.ReadText(path, Manifest.ManifestLimits.MaxContractBytes, out var problem);
        return Task.FromResult(text is null ? new PactReadResult(null, [$"cannot read the file: {problem}"]) : Read(text));
    }

    /// <summary>Reads pact JSON text.</summary>
    public static PactReadResult Read(string json)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: Options);
        }
        catch (JsonException ex)
        {
            return new PactReadResult(null, [$"not valid JSON: {ex.Message}"]);
        }

        if (root is not JsonObject pact)
        {
            return new PactReadResult(null, ["a pact file is a JSON object with consumer, provider and interactions"]);
        }

        var errors = new List<string>();
        var consumer = Name(pact, "consumer", errors);
        var provider = Name(pact, "provider", errors);
        var version = SpecificationVersion(pact);
        var interactions = new List<PactInteraction>();
        var skipped = new List<string>();

        if (pact["messages"] is JsonArray messages)
        {
            skipped.AddRange(messages.Select((m, i) => $"message '{Text(m?["description"]) ?? $"messages[{i}]"}'"));
        }

        switch (pact["interactions"])
        {
            case JsonArray list:
                for (var i = 0; i < list.Count; i++)
                {
                    var where = $"interactions[{i}]";
                    if (list[i] is not JsonObject item)
                    {
                        errors.Add($"{where}: expected an object");
                        continue;
                    }

                    var type = Text(item["type"]);
                    if (type is not null && !type.Equals("Synchronous/HTTP", StringComparison.OrdinalIgnoreCase))
                    {
                        skipped.Add($"{type} interaction '{Text(item["description"]) ?? where}'");
                        continue;
                    }

                    if (ReadInteraction(item, where, version, errors) is { } interaction)
                    {
                        interactions.Add(interaction);
                    }
                }

                break;
            case null when pact["messages"] is JsonArray:
                break;
            default:
                errors.Add("interactions: expected a list of interactions");
                break;
        }

        return errors.Count > 0 || consumer is null || provider is null
            ? new PactReadResult(null, errors)
            : new PactReadResult(new PactDocument(consumer, provider, version, interactions, skipped), []);
    }

    private static string? Name(JsonObject pact, string key, List<string> errors)
    {
        var name = Text(pact[key]?["name"]);
        if (string.IsNullOrWhiteSpace(name))
        {
            errors.Add($"{key}.name: missing; a pact names its {key}");
            return null;
        }

        return name;
    }

    /// <summary>The major specification version from the metadata (any of the spellings in use); 2 when absent.</summary>
    private static int SpecificationVersion(JsonObject pact)
    {
        var metadata = pact["metadata"] as JsonObject;
        var text = Text(metadata?["pactSpecification"]?["version"])
            ?? Text(metadata?["pact-specification"]?["version"])
            ?? Text(metadata?["pactSpecificationVersion"]);
        if (text is not null && int.TryParse(text.Split('.')[0], out var major) && major is >= 1 and <= 4)
        {
            return major;
        }

        return pact["interactions"] is JsonArray list && list.OfType<JsonObject>().Any(i => i["type"] is not null) ? 4 : 2;
    }

    private static PactInteraction? ReadInteraction(JsonObject item, string where, int version, List<string> errors)
    {
        var description = Text(item["description"]);
        if (string.IsNullOrWhiteSpace(description))
        {
            errors.Add($"{where}.description: missing; every interaction has a description");
        }

        var states = new List<ProviderState>();
        if (Text(item["providerState"] ?? item["provider_state"]) is { Length: > 0 } single)
        {
            states.Add(new ProviderState(single, []));
        }

        if (item["providerStates"] is JsonArray stateList)
        {
            foreach (var state in stateList.OfType<JsonObject>())
            {
                var parameters = state["params"] is JsonObject p ? (JsonObject)p.DeepClone() : [];
                states.Add(new ProviderState(Text(state["name"]) ?? string.Empty, parameters));
            }
        }

        if (item["request"] is not JsonObject request)
        {
            errors.Add($"{where}.request: missing");
            return null;
        }

        if (item["response"] is not JsonObject response)
        {
            errors.Add($"{where}.response: missing");
            return null;
        }

        var requestHeaders = Headers(request["headers"], $"{where}.request.headers", errors);
        var responseHeaders = Headers(response["headers"], $"{where}.response.headers", errors);
        var pactRequest = new PactRequest(
            (Text(request["method"]) ?? "GET").ToUpperInvariant(),
            Text(request["path"]) is { Length: > 0 } path ? path : "/",
            Query(request["query"], $"{where}.request.query", errors),
            requestHeaders,
            Body(request, version, requestHeaders));

        var status = 200;
        if (response["status"] is { } statusNode)
        {
            if (statusNode.GetValueKind() == JsonValueKind.Number && statusNode.GetValue<JsonElement>().TryGetInt32(out var code) && code is >= 100 and <= 599)
            {
                status = code;
            }
            else
            {
                errors.Add($"{where}.response.status: expected an HTTP status code, found {statusNode.ToJsonString()}");
            }
        }

        var rules = Rules(response["matchingRules"], $"{where}.response.matchingRules", errors);
        return new PactInteraction(description ?? where, states, pactRequest,
            new PactResponse(status, responseHeaders, Body(response, version, responseHeaders), rules));
    }

    private static List<KeyValuePair<string, string>> Headers(JsonNode? node, string where, List<string> errors)
    {
        var result = new List<KeyValuePair<string, string>>();
        switch (node)
        {
            case null:
                break;
            case JsonObject map:
                foreach (var (name, value) in map)
                {
                    switch (value)
                    {
                        case JsonArray values:
                            // v4 keeps each header value apart; on the wire they are one comma-separated header.
                            result.Add(new(name, string.Join(", ", values.Select(Text))));
                            break;
                        default:
                            result.Add(new(name, Text(value) ?? string.Empty));
                            break;
                    }
                }

                break;
            default:
                errors.Add($"{where}: expected an object of header names to values");
                break;
        }

        return result;
    }

    private static List<KeyValuePair<string, string>> Query(JsonNode? node, string where, List<string> errors)
    {
        var result = new List<KeyValuePair<string, string>>();
        switch (node)
        {
            case null:
                break;
            case JsonValue when Text(node) is { } text:
                // v2: the query string as written.
                foreach (var pair in text.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
                {
                    var eq = pair.IndexOf('=', StringComparison.Ordinal);
                    result.Add(eq < 0
                        ? new(Uri.UnescapeDataString(pair), string.Empty)
                        : new(Uri.UnescapeDataString(pair[..eq]), Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' '))));
                }

                break;
            case JsonObject map:
                foreach (var (name, value) in map)
                {
                    if (value is JsonArray values)
                    {
                        result.AddRange(values.Select(v => new KeyValuePair<string, string>(name, Text(v) ?? string.Empty)));
                    }
                    else
                    {
                        result.Add(new(name, Text(value) ?? string.Empty));
                    }
                }

                break;
            default:
                errors.Add($"{where}: expected a query string or an object of names to values");
                break;
        }

        return result;
    }

    private static PactBody? Body(JsonObject part, int version, List<KeyValuePair<string, string>> headers)
    {
        if (!part.TryGetPropertyValue("body", out var body) || body is null)
        {
            return null;
        }

        var contentType = headers.FirstOrDefault(h => h.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)).Value;
        if (version >= 4 && body is JsonObject wrapped && wrapped.ContainsKey("content"))
        {
            // v4: { content, contentType, encoded: false | "base64" | "json" }.
            contentType = Text(wrapped["contentType"]) ?? contentType;
            var content = wrapped["content"];
            var encoded = wrapped["encoded"];
            var encoding = encoded?.GetValueKind() == JsonValueKind.String ? Text(encoded) : null;
            if (string.Equals(encoding, "base64", StringComparison.OrdinalIgnoreCase) && Text(content) is { } base64)
            {
                var bytes = Convert.FromBase64String(base64);
                return IsJson(contentType) && TryParse(Encoding.UTF8.GetString(bytes)) is { } parsed
                    ? new PactBody(true, parsed, null, null, contentType)
                    : new PactBody(false, null, null, bytes, contentType);
            }

            if (string.Equals(encoding, "json", StringComparison.OrdinalIgnoreCase) && Text(content) is { } jsonText && TryParse(jsonText) is { } json)
            {
                return new PactBody(true, json, null, null, contentType);
            }

            body = content?.DeepClone();
            if (body is null)
            {
                return null;
            }
        }

        if (body.GetValueKind() == JsonValueKind.String && !IsJson(contentType))
        {
            return new PactBody(false, null, Text(body), null, contentType);
        }

        return new PactBody(true, body.DeepClone(), null, null, contentType);
    }

    private static JsonNode? TryParse(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Whether a content type is JSON (<c>application/json</c>, <c>application/problem+json</c>...).</summary>
    public static bool IsJson(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return false;
        }

        var media = contentType.Split(';')[0].Trim();
        return media.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || media.EndsWith("+json", StringComparison.OrdinalIgnoreCase)
            || media.Equals("text/json", StringComparison.OrdinalIgnoreCase);
    }

    private static MatchingRules Rules(JsonNode? node, string where, List<string> errors)
    {
        if (node is not JsonObject map || map.Count == 0)
        {
            return MatchingRules.None;
        }

        var body = new List<PathRule>();
        var headers = new Dictionary<string, RuleList>(StringComparer.OrdinalIgnoreCase);
        RuleList? status = null;

        if (map.Any(p => p.Key.StartsWith('$')))
        {
            // v2: one flat map of path expressions to a matcher, $.body..., $.headers.NAME (or $.header.NAME).
            foreach (var (key, value) in map)
            {
                var matcher = Matcher(value, $"{where}['{key}']", errors);
                if (matcher is null)
                {
                    continue;
                }

                var list = new RuleList([matcher], Or: false);
                if (key == "$.body" || key.StartsWith("$.body.", StringComparison.Ordinal) || key.StartsWith("$.body[", StringComparison.Ordinal))
                {
                    AddBody(body, "$" + key["$.body".Length..], list, where, errors);
                }
                else if (HeaderName(key) is { } header)
                {
                    headers[header] = list;
                }
                else if (key == "$.status")
                {
                    status = list;
                }
            }

            return new MatchingRules(body, headers, status);
        }

        foreach (var (category, value) in map)
        {
            if (!Categories.Contains(category, StringComparer.Ordinal))
            {
                errors.Add($"{where}.{category}: unknown matching rule category");
                continue;
            }

            if (value is not JsonObject entries)
            {
                continue;
            }

            if (category is "status" or "path")
            {
                // These categories have no paths: { "combine": ..., "matchers": [...] } (as the reference verifier reads them).
                if (category == "status" && entries.ContainsKey("matchers"))
                {
                    status = RuleList(entries, $"{where}.status", errors);
                }

                continue;
            }

            foreach (var (key, rules) in entries)
            {
                var list = RuleList(rules, $"{where}.{category}['{key}']", errors);
                if (list is null)
                {
                    continue;
                }

                switch (category)
                {
                    case "body" or "content":
                        AddBody(body, key.StartsWith('$') ? key : $"$.{key}", list, where, errors);
                        break;
                    case "header" or "headers":
                        headers[key] = list;
                        break;
                    case "status":
                        status = list;
                        break;
                }
            }
        }

        return new MatchingRules(body, headers, status);
    }

    private static string? HeaderName(string key)
    {
        foreach (var prefix in new[] { "$.headers", "$.header" })
        {
            if (key.StartsWith(prefix + ".", StringComparison.Ordinal))
            {
                return key[(prefix.Length + 1)..];
            }

            if (key.StartsWith(prefix + "['", StringComparison.Ordinal) && key.EndsWith("']", StringComparison.Ordinal))
            {
                return key[(prefix.Length + 2)..^2];
            }
        }

        return null;
    }

    private static void AddBody(List<PathRule> body, string expression, RuleList list, string where, List<string> errors)
    {
        var tokens = MatchingRules.Tokenize(expression);
        if (tokens is null)
        {
            errors.Add($"{where}: '{expression}' is not a path expression (write $.field, $.list[*].field, $['odd name'])");
            return;
        }

        body.Add(new PathRule(expression, tokens, list));
    }

    private static RuleList? RuleList(JsonNode? node, string where, List<string> errors)
    {
        if (node is not JsonObject map)
        {
            errors.Add($"{where}: expected an object with 'matchers'");
            return null;
        }

        if (map["matchers"] is not JsonArray matchers)
        {
            // Some writers put a single matcher here without the list.
            return Matcher(map, where, errors) is { } single ? new RuleList([single], false) : null;
        }

        var list = new List<Matcher>();
        for (var i = 0; i < matchers.Count; i++)
        {
            if (Matcher(matchers[i], $"{where}.matchers[{i}]", errors) is { } matcher)
            {
                list.Add(matcher);
            }
        }

        var combine = Text(map["combine"]);
        return new RuleList(list, string.Equals(combine, "OR", StringComparison.OrdinalIgnoreCase));
    }

    private static Matcher? Matcher(JsonNode? node, string where, List<string> errors)
    {
        if (node is not JsonObject map)
        {
            errors.Add($"{where}: expected a matcher object such as {{\"match\": \"type\"}}");
            return null;
        }

        var name = Text(map["match"]);
        var min = MatchingRules.Int(Text(map["min"]));
        var max = MatchingRules.Int(Text(map["max"]));
        var regex = Text(map["regex"]);
        name ??= regex is not null ? "regex" : min is not null || max is not null ? "type" : "equality";
        var kind = name switch
        {
            "equality" => MatcherKind.Equality,
            "regex" => MatcherKind.Regex,
            "type" or "min" or "max" => MatcherKind.Type,
            "include" => MatcherKind.Include,
            "integer" => MatcherKind.Integer,
            "decimal" => MatcherKind.Decimal,
            "number" => MatcherKind.Number,
            "boolean" => MatcherKind.Boolean,
            "date" => MatcherKind.Date,
            "time" => MatcherKind.Time,
            "timestamp" or "datetime" => MatcherKind.Timestamp,
            "null" => MatcherKind.Null,
            "values" => MatcherKind.Values,
            "notEmpty" => MatcherKind.NotEmpty,
            "statusCode" => MatcherKind.StatusCode,
            _ => MatcherKind.Unsupported,
        };

        if (kind == MatcherKind.Regex && regex is null)
        {
            errors.Add($"{where}: a regex matcher needs 'regex'");
            return null;
        }

        if (kind == MatcherKind.Regex && !RegexValid(regex!))
        {
            errors.Add($"{where}: invalid regular expression '{regex}'");
            return null;
        }

        return new Matcher(kind, name)
        {
            Min = min,
            Max = max,
            Regex = regex,
            Value = Text(map["value"]),
            Format = Text(map["format"] ?? map[name]),
            Status = map["status"] is JsonArray codes ? string.Join(",", codes.Select(Text)) : Text(map["status"]),
        };
    }

    private static bool RegexValid(string pattern)
    {
        try
        {
            _ = new System.Text.RegularExpressions.Regex(pattern, System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>A scalar as text (strings unquoted, numbers and booleans as written); null for objects, lists and null.</summary>
    public static string? Text(JsonNode? node) => node switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => v.ToJsonString(),
        _ => null,
    };
}

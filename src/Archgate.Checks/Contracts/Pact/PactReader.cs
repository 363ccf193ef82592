using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Archgate.Checks.Contracts.Pact;

/// <summary>What reading a pact file gave: the document, or every problem found in it.</summary>
internal sealed record PactReadResult(PactDocument? Document, IReadOnlyList<string> Errors);

/// <summary>
/// Reads Pact files of specification v1-v4: HTTP interactions, v3 messages and v4 asynchronous and
/// synchronous messages (other v4 kinds, such as plugin interactions, are listed as skipped). Never throws
/// for a malformed file: every problem is
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
            for (var i = 0; i < messages.Count; i++)
            {
                if (messages[i] is JsonObject message && ReadMessage(message, "message", message, $"messages[{i}]", version, errors) is { } read)
                {
                    interactions.Add(read);
                }
                else if (messages[i] is not JsonObject)
                {
                    errors.Add($"messages[{i}]: expected an object");
                }
            }
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
                    if (type is "Asynchronous/Messages" or "Synchronous/Messages")
                    {
                        // A synchronous message's expected message is its first response.
                        var contents = type == "Asynchronous/Messages" ? item : (item["response"] as JsonArray)?.FirstOrDefault() as JsonObject;
                        if (contents is null)
                        {
                            errors.Add($"{where}.response: a synchronous message needs a list of responses");
                        }
                        else if (ReadMessage(item, type, contents, where, version, errors) is { } message)
                        {
                            interactions.Add(message);
                        }

                        continue;
                    }

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

        var states = States(item);

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
        var responseHeaders = HeaderLists(response["headers"], $"{where}.response.headers", errors);
        var pactRequest = new PactRequest(
            (Text(request["method"]) ?? "GET").ToUpperInvariant(),
            Text(request["path"]) is { Length: > 0 } path ? path : "/",
            Query(request["query"], $"{where}.request.query", errors),
            requestHeaders,
            Body(request, version, ContentTypeOf(requestHeaders), expectation: false),
            PactGenerators.Read(request["generators"], $"{where}.request.generators", errors));

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
        var responseType = responseHeaders.FirstOrDefault(h => h.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)).Value is { Count: > 0 } types ? types[0] : null;
        var pending = item["pending"] is JsonValue flag && flag.GetValueKind() == JsonValueKind.True;
        return new PactInteraction(description ?? where, states, pactRequest,
            new PactResponse(status, responseHeaders, Body(response, version, responseType, expectation: true), rules), pending);
    }

    /// <summary>
    /// A message interaction: <paramref name="item"/> has the description and states, <paramref name="contents"/>
    /// the expected message (<c>contents</c>, <c>metadata</c> or v3's <c>metaData</c>, <c>matchingRules</c>).
    /// </summary>
    private static PactInteraction? ReadMessage(JsonObject item, string kind, JsonObject contents, string where, int version, List<string> errors)
    {
        var description = Text(item["description"]);
        if (string.IsNullOrWhiteSpace(description))
        {
            errors.Add($"{where}.description: missing; every interaction has a description");
        }

        var metadata = (contents["metadata"] ?? contents["metaData"]) as JsonObject ?? [];
        var contentType = metadata.FirstOrDefault(m => m.Key.Replace("-", string.Empty, StringComparison.Ordinal).Equals("contentType", StringComparison.OrdinalIgnoreCase)).Value is { } declared
            ? Text(declared)
            : null;
        var payload = contents["contents"];
        if (payload is JsonObject wrapped && wrapped.ContainsKey("content") && Text(wrapped["contentType"]) is { } wrappedType)
        {
            contentType ??= wrappedType;
        }

        // v3 messages write JSON contents as they are; text contents need a text content type to stay text.
        var body = payload is null ? null : Body(new JsonObject { ["body"] = payload.DeepClone() }, Math.Max(version, payload is JsonObject w && w.ContainsKey("content") ? 4 : version), contentType, expectation: true);
        var rules = Rules(contents["matchingRules"], $"{where}.matchingRules", errors);
        var pending = item["pending"] is JsonValue flag && flag.GetValueKind() == JsonValueKind.True;
        var request = kind == "Synchronous/Messages" ? item["request"]?.DeepClone() as JsonObject : null;
        return new PactInteraction(description ?? where, States(item), new PactRequest("POST", "/", [], [], null),
            new PactResponse(200, [], body, rules), pending,
            new PactMessage(kind, metadata.Select(m => new KeyValuePair<string, JsonNode?>(m.Key, m.Value?.DeepClone())).ToList(), request));
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

    private static List<ProviderState> States(JsonObject item)
    {
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

        return states;
    }

    private static string? ContentTypeOf(List<KeyValuePair<string, string>> headers) =>
        headers.FirstOrDefault(h => h.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)).Value;

    /// <summary>Expected response headers with their values apart: v4 lists as written, strings split as HTTP splits them.</summary>
    private static List<KeyValuePair<string, IReadOnlyList<string>>> HeaderLists(JsonNode? node, string where, List<string> errors)
    {
        var result = new List<KeyValuePair<string, IReadOnlyList<string>>>();
        if (node is JsonObject map)
        {
            foreach (var (name, value) in map)
            {
                IReadOnlyList<string> values = value is JsonArray list
                    ? list.Select(v => (Text(v) ?? string.Empty).Trim()).ToList()
                    : PactHeaders.Split(name, Text(value) ?? string.Empty);
                result.Add(new(name, values));
            }
        }
        else if (node is not null)
        {
            errors.Add($"{where}: expected an object of header names to values");
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

    /// <summary>
    /// The body of a request or response. For an expected response (<paramref name="expectation"/>), a body of
    /// <c>null</c> or <c>""</c> means "no body", as the Pact rules read it; a missing body means "anything".
    /// </summary>
    private static PactBody? Body(JsonObject part, int version, string? contentType, bool expectation)
    {
        if (!part.TryGetPropertyValue("body", out var body))
        {
            return null;
        }

        if (body is null || (body.GetValueKind() == JsonValueKind.String && Text(body)!.Length == 0))
        {
            return expectation ? PactBody.Empty(contentType) : null;
        }

        if (version >= 4 && body is JsonObject wrapped && wrapped.ContainsKey("content"))
        {
            // v4: { content, contentType, encoded: false | "base64" | "json" }.
            contentType = Text(wrapped["contentType"]) ?? contentType;
            var content = wrapped["content"];
            var encoded = wrapped["encoded"];
            var encoding = encoded?.GetValueKind() == JsonValueKind.String ? Text(encoded) : null;
            if (string.Equals(encoding, "base64", StringComparison.OrdinalIgnoreCase) && Text(content) is { } base64)
            {
                if (TryBase64(base64) is not { } bytes)
                {
                    return new PactBody(false, null, base64, null, contentType);
                }

                return IsJson(contentType) && TryParse(Encoding.UTF8.GetString(bytes)) is { } parsed
                    ? new PactBody(true, parsed, null, null, contentType)
                    : new PactBody(false, null, null, bytes, contentType);
            }

            if (string.Equals(encoding, "json", StringComparison.OrdinalIgnoreCase) && Text(content) is { } jsonText && TryParse(jsonText) is { } json)
            {
                return new PactBody(true, json, null, null, contentType);
            }

            body = content?.DeepClone();
            if (body is null || (body.GetValueKind() == JsonValueKind.String && Text(body)!.Length == 0))
            {
                return expectation ? PactBody.Empty(contentType) : null;
            }
        }

        if (body.GetValueKind() == JsonValueKind.String && !IsJson(contentType))
        {
            // A binary content type's body is written as base64 text (v2/v3 and v4 without 'encoded').
            var text = Text(body)!;
            return BodyKinds.IsBinary(contentType) && TryBase64(text) is { } decoded
                ? new PactBody(false, null, null, decoded, contentType)
                : new PactBody(false, null, text, null, contentType);
        }

        return new PactBody(true, body.DeepClone(), null, null, contentType);
    }

    private static byte[]? TryBase64(string text)
    {
        var buffer = new byte[text.Length];
        return Convert.TryFromBase64String(text, buffer, out var written) ? buffer[..written] : null;
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
        var metadata = new Dictionary<string, RuleList>(StringComparer.Ordinal);
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

            return new MatchingRules(body, headers, status) { Unsupported = UnsupportedIn(body, headers, status) };
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
                    case "metadata":
                        metadata[key] = list;
                        break;
                    case "status":
                        status = list;
                        break;
                }
            }
        }

        return new MatchingRules(body, headers, status) { Unsupported = UnsupportedIn(body, headers, status), Metadata = metadata };
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
            "contentType" => MatcherKind.ContentType,
            "semver" => MatcherKind.Semver,
            "eachKey" => MatcherKind.EachKey,
            "eachValue" => MatcherKind.EachValue,
            "arrayContains" => MatcherKind.ArrayContains,
            _ => MatcherKind.Unsupported,
        };

        RuleList? nested = null;
        if (kind is MatcherKind.EachKey or MatcherKind.EachValue)
        {
            // { "match": "eachValue", "rules": [ { "match": "type" } ], "value": ... }
            nested = map["rules"] is JsonArray ruleNodes
                ? new RuleList(ruleNodes.Select((r, i) => Matcher(r, $"{where}.rules[{i}]", errors)).OfType<Matcher>().ToList(), false)
                : new RuleList([], false);
        }

        var variants = new List<ArrayVariant>();
        if (kind == MatcherKind.ArrayContains && map["variants"] is JsonArray variantNodes)
        {
            for (var i = 0; i < variantNodes.Count; i++)
            {
                var variant = variantNodes[i] as JsonObject;
                var index = MatchingRules.Int(Text(variant?["index"])) ?? i;
                var rules = variant?["rules"] is JsonObject variantRules
                    ? Rules(new JsonObject { ["body"] = variantRules.DeepClone() }, $"{where}.variants[{i}].rules", errors)
                    : MatchingRules.None;
                variants.Add(new ArrayVariant(index, rules));
            }
        }

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
            Rules = nested,
            Variants = variants,
        };
    }

    /// <summary>Where the rules use a matcher that is not applied (<c>body $.x: 'foo'</c>).</summary>
    private static List<string> UnsupportedIn(IEnumerable<PathRule> body, IReadOnlyDictionary<string, RuleList> headers, RuleList? status)
    {
        var found = new List<string>();
        void Visit(string where, RuleList? list)
        {
            foreach (var matcher in list?.Matchers ?? [])
            {
                if (matcher.Kind == MatcherKind.Unsupported)
                {
                    found.Add($"{where}: '{matcher.Name}'");
                }

                Visit(where, matcher.Rules);
                foreach (var variant in matcher.Variants)
                {
                    found.AddRange(variant.Rules.Unsupported.Select(u => $"{where} variant {variant.Index} {u}"));
                }
            }
        }

        foreach (var rule in body)
        {
            Visit($"body {rule.Expression}", rule.Rules);
        }

        foreach (var (name, list) in headers)
        {
            Visit($"header {name}", list);
        }

        Visit("status", status);
        return found;
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

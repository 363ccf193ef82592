using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Archgate.Checks.Contracts.Conformance;
using Archgate.Checks.Contracts.Diff;
using Microsoft.OpenApi;

namespace Archgate.Checks.Journeys;

/// <summary>What an edge case tries, and so what its answer must be.</summary>
internal enum EdgeCaseKind
{
    /// <summary>One input broken (a required property left out, a wrong type, a value outside its bounds or enum): 4xx with a readable problem.</summary>
    Invalid,

    /// <summary>One string or array at the longest the schema allows (maxLength, maxItems): not refused as invalid.</summary>
    Largest,

    /// <summary>One string or array one beyond the longest the schema allows: 4xx with a readable problem.</summary>
    BeyondLargest,

    /// <summary>A list operation with a filter that matches nothing: 200 with an empty list.</summary>
    Empty,
}

/// <summary>One request of the edge-case check: a journey's call with one thing changed.</summary>
/// <param name="Kind">What it tries.</param>
/// <param name="Purpose">What was changed, for messages: <c>body property 'items[0].quantity' is 0, below the minimum 1</c>.</param>
/// <param name="PathAndQuery">The path and query to send.</param>
/// <param name="Body">The JSON body to send, or null.</param>
internal sealed record EdgeCase(EdgeCaseKind Kind, string Purpose, string PathAndQuery, string? Body);

/// <summary>
/// Step 7's error scenarios and edge cases of one operation, derived from its contract and the request a journey sent
/// (the baseline, which the service accepted): each breaks or stretches one thing. The body is walked to any depth
/// (objects, and the first item of arrays); query parameters are varied in the query the journey used. Path parameters
/// and headers stay as the journey sent them (a wrong path is a 404, not a validation).
/// </summary>
internal static class EdgeCases
{
    /// <summary>A filter value no real data holds.</summary>
    public const string NoMatch = "archgate-matches-nothing";

    /// <summary>The edge cases of <paramref name="operation"/> around the journey's request, at most <paramref name="max"/>: stretched payloads first, then missing, wrong types, bounds.</summary>
    public static IReadOnlyList<EdgeCase> For(OperationInfo operation, string pathAndQuery, string? body, int max)
    {
        var largest = new List<EdgeCase>();
        var missing = new List<EdgeCase>();
        var wrong = new List<EdgeCase>();
        var ranges = new List<EdgeCase>();
        if (operation.Method != "DELETE" && JsonSchema(operation.Operation.RequestBody?.Content) is { } schema && Parse(body) is JsonObject root)
        {
            void Add(List<EdgeCase> list, EdgeCaseKind kind, string purpose, IReadOnlyList<object> at, Action<JsonObject, string> change) =>
                list.Add(new EdgeCase(kind, purpose, pathAndQuery, Mutate(root, at, change).ToJsonString()));
            Walk(schema, root, [], string.Empty, (bucket, kind, purpose, at, change) => Add(bucket switch
            {
                Bucket.Missing => missing,
                Bucket.Wrong => wrong,
                Bucket.Range => ranges,
                _ => largest,
            }, kind, purpose, at, change));
        }

        foreach (var parameter in operation.Parameters.Where(p => p.In == ParameterLocation.Query && p.Schema is not null))
        {
            if (operation.Method == "DELETE")
            {
                break;
            }

            var where = $"query parameter '{parameter.Name}'";
            if (ValueGenerator.WrongText(parameter.Schema!) is { } text)
            {
                wrong.Add(new EdgeCase(EdgeCaseKind.Invalid, $"{where} is {text.What}", WithQuery(pathAndQuery, parameter.Name!, text.Value), body));
            }

            foreach (var (value, broken) in ValueGenerator.OutOfRangeAll(parameter.Schema!))
            {
                if (ValueGenerator.AsText(value) is { } valueText && value is not JsonArray)
                {
                    ranges.Add(new EdgeCase(EdgeCaseKind.Invalid, $"{where} is {broken}", WithQuery(pathAndQuery, parameter.Name!, valueText), body));
                }
            }
        }

        var empty = operation.Method == "GET" && ListProperty(operation) is not null && EmptyFilter(operation, pathAndQuery) is { } filter ? [filter] : new List<EdgeCase>();
        return [.. empty.Concat(largest).Concat(missing).Concat(wrong).Concat(ranges).Take(max)];
    }

    /// <summary>
    /// Where a list operation's 200 answer holds its items: <c>$</c> for an array, else the name of its object's first
    /// array property (<c>items</c>); null when the operation answers no list.
    /// </summary>
    public static string? ListProperty(OperationInfo operation)
    {
        if (operation.Operation.Responses?.TryGetValue("200", out var ok) != true || JsonSchema(ok!.Content) is not { } schema)
        {
            return null;
        }

        var view = SchemaView.Of(schema);
        if (view.Types is { } types && types.HasFlag(JsonSchemaType.Array))
        {
            return "$";
        }

        return view.Properties.FirstOrDefault(p => SchemaView.Of(p.Value).Types is { } t && t.HasFlag(JsonSchemaType.Array)).Key;
    }

    /// <summary>
    /// A query that matches nothing: a free-text parameter (no enum, format or pattern) set to <see cref="NoMatch"/>, else
    /// an offset-like integer (<c>offset</c>, <c>skip</c>) set far beyond any data; null when the operation has neither.
    /// </summary>
    private static EdgeCase? EmptyFilter(OperationInfo operation, string pathAndQuery)
    {
        var query = operation.Parameters.Where(p => p.In == ParameterLocation.Query && p.Schema is not null && !IsPageToken(p)).ToList();
        var text = query.FirstOrDefault(p => SchemaView.Of(p.Schema!) is { Enum.Count: 0, Format: null, Pattern: null, Types: { } t } v && t.HasFlag(JsonSchemaType.String) && v.MinLength is null or <= 24);
        if (text is not null)
        {
            var value = SchemaView.Of(text.Schema!).MaxLength is { } maxLength && maxLength < NoMatch.Length ? NoMatch[..maxLength] : NoMatch;
            return new EdgeCase(EdgeCaseKind.Empty, $"query parameter '{text.Name}' is '{value}', which matches nothing", WithQuery(pathAndQuery, text.Name!, value), null);
        }

        var offset = query.FirstOrDefault(p => p.Name is { } n && (n.Equals("offset", StringComparison.OrdinalIgnoreCase) || n.Equals("skip", StringComparison.OrdinalIgnoreCase))
            && SchemaView.Of(p.Schema!).Types is { } t && t.HasFlag(JsonSchemaType.Integer));
        if (offset is null)
        {
            return null;
        }

        var far = SchemaView.Of(offset.Schema!).Maximum is { } max ? Math.Min(max.Value, 1_000_000) : 1_000_000;
        var farText = far.ToString(CultureInfo.InvariantCulture);
        return new EdgeCase(EdgeCaseKind.Empty, $"query parameter '{offset.Name}' is {farText}, beyond any data", WithQuery(pathAndQuery, offset.Name!, farText), null);
    }

    /// <summary>
    /// Whether a query parameter is a pagination token (a cursor the API handed out, not a filter): named so
    /// (<c>cursor</c>, <c>page_token</c>, <c>after</c>, <c>starting_after</c>, <c>marker</c>, <c>continuation</c>, a name
    /// ending in cursor or token) or described so. An API may rightly refuse one it never gave out.
    /// </summary>
    internal static bool IsPageToken(IOpenApiParameter parameter)
    {
        var name = (parameter.Name ?? string.Empty).Replace("_", string.Empty, StringComparison.Ordinal).Replace("-", string.Empty, StringComparison.Ordinal).ToLowerInvariant();
        return name is "after" or "before" or "startingafter" or "endingbefore" or "marker" or "continuation" or "next" or "prev" or "previous" or "page" or "startafter" or "exclusivestartkey"
            || name.EndsWith("cursor", StringComparison.Ordinal) || name.EndsWith("token", StringComparison.Ordinal)
            || (parameter.Description ?? string.Empty).Contains("cursor", StringComparison.OrdinalIgnoreCase)
            || (parameter.Description ?? string.Empty).Contains("page token", StringComparison.OrdinalIgnoreCase);
    }

    private enum Bucket
    {
        Largest,
        Missing,
        Wrong,
        Range,
    }

    private delegate void Emit(Bucket bucket, EdgeCaseKind kind, string purpose, IReadOnlyList<object> at, Action<JsonObject, string> change);

    /// <summary>The cases of one object of the body and, depth first, of the objects in it.</summary>
    private static void Walk(IOpenApiSchema schema, JsonObject node, IReadOnlyList<object> at, string label, Emit emit)
    {
        var view = SchemaView.Of(schema);
        foreach (var name in view.Required.Where(node.ContainsKey))
        {
            emit(Bucket.Missing, EdgeCaseKind.Invalid, $"required body property '{label}{name}' left out", [.. at, name], static (o, n) => o.Remove(n));
        }

        foreach (var (name, property) in view.Properties)
        {
            var pv = SchemaView.Of(property);
            if (pv.ReadOnly)
            {
                continue;
            }

            var where = $"body property '{label}{name}'";
            var here = (IReadOnlyList<object>)[.. at, name];
            var present = node.TryGetPropertyValue(name, out var value);
            var types = pv.Types ?? 0;
            var first = value is JsonArray { Count: > 0 } array ? array[0] : null;
            if (present && ValueGenerator.WrongType(property) is { } wrongType)
            {
                emit(Bucket.Wrong, EdgeCaseKind.Invalid, $"{where} is {wrongType.What}", here, Set(wrongType.Value));
            }

            if (types.HasFlag(JsonSchemaType.String) && pv.MaxLength is { } maxLength and < ValueGenerator.MaxGeneratedLength && pv.Pattern is null && pv.Enum.Count == 0)
            {
                // The largest must stay valid: of the format too (an e-mail padded in its local part), else not sent.
                if (LongestText.For(pv, maxLength) is { } longest)
                {
                    var what = longest.Length == maxLength ? "the maxLength" : $"the longest {pv.Format} within maxLength {maxLength}";
                    emit(Bucket.Largest, EdgeCaseKind.Largest, $"{where} is {longest.Length} characters, {what}", here, Set(longest));
                }

                emit(Bucket.Largest, EdgeCaseKind.BeyondLargest, $"{where} is {maxLength + 1} characters, longer than maxLength {maxLength}", here, Set(Text(maxLength + 1)));
            }

            if (types.HasFlag(JsonSchemaType.Array) && pv.MaxItems is { } maxItems and < ValueGenerator.MaxGeneratedLength
                && (first ?? ValueGenerator.Value(pv.Items, ValueKind.Example)) is { } item)
            {
                emit(Bucket.Largest, EdgeCaseKind.Largest, $"{where} has {maxItems} items, the maxItems", here, Set(Items(item, maxItems)));
                emit(Bucket.Largest, EdgeCaseKind.BeyondLargest, $"{where} has {maxItems + 1} items, more than maxItems {maxItems}", here, Set(Items(item, maxItems + 1)));
            }

            if (present)
            {
                foreach (var (broken, what) in ValueGenerator.OutOfRangeAll(property).Where(r => !r.What.Contains("maxLength", StringComparison.Ordinal) && !r.What.Contains("maxItems", StringComparison.Ordinal)))
                {
                    emit(Bucket.Range, EdgeCaseKind.Invalid, $"{where} is {what}", here, Set(broken));
                }
            }

            if (value is JsonObject inner)
            {
                Walk(property, inner, here, $"{label}{name}.", emit);
            }
            else if (first is JsonObject firstItem && pv.Items is not null)
            {
                Walk(pv.Items, firstItem, [.. here, 0], $"{label}{name}[0].", emit);
            }
        }
    }

    private static Action<JsonObject, string> Set(JsonNode? value) => (o, n) => o[n] = value?.DeepClone();

    /// <summary>A copy of <paramref name="root"/> with <paramref name="change"/> applied to the property <paramref name="at"/> names (its last segment) in its object.</summary>
    private static JsonNode Mutate(JsonObject root, IReadOnlyList<object> at, Action<JsonObject, string> change)
    {
        var copy = root.DeepClone();
        JsonNode? parent = copy;
        foreach (var segment in at.Take(at.Count - 1))
        {
            parent = segment is int index ? parent?.AsArray()[index] : parent?.AsObject()[(string)segment];
        }

        change(parent!.AsObject(), (string)at[^1]);
        return copy;
    }

    private static string Text(int length) => new('a', length);

    private static JsonArray Items(JsonNode item, int count) => new([.. Enumerable.Range(0, count).Select(_ => item.DeepClone())]);

    /// <summary><paramref name="pathAndQuery"/> with the query parameter <paramref name="name"/> set to <paramref name="value"/> (added, or its first value replaced).</summary>
    internal static string WithQuery(string pathAndQuery, string name, string value)
    {
        var cut = pathAndQuery.IndexOf('?', StringComparison.Ordinal);
        var path = cut < 0 ? pathAndQuery : pathAndQuery[..cut];
        var pairs = cut < 0 ? [] : pathAndQuery[(cut + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries).ToList();
        var encoded = $"{Uri.EscapeDataString(name)}={Uri.EscapeDataString(value)}";
        var at = pairs.FindIndex(p => Uri.UnescapeDataString(p.Split('=')[0]) == name);
        if (at < 0)
        {
            pairs.Add(encoded);
        }
        else
        {
            pairs[at] = encoded;
        }

        return $"{path}?{string.Join('&', pairs)}";
    }

    private static IOpenApiSchema? JsonSchema(IDictionary<string, IOpenApiMediaType>? content) =>
        content?.FirstOrDefault(c => c.Key.Contains("json", StringComparison.OrdinalIgnoreCase)).Value?.Schema;

    /// <summary>The items of a list operation's answer at <paramref name="listProperty"/> (<see cref="ListProperty"/>; <c>$</c> or null: the body itself), or null when it holds no list there.</summary>
    internal static JsonArray? ListIn(string body, string? listProperty) =>
        (listProperty is null or "$" ? Parse(body) : (Parse(body) as JsonObject)?[listProperty]) as JsonArray;

    private static JsonNode? Parse(string? body)
    {
        try
        {
            return body is null ? null : JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using Microsoft.OpenApi;

namespace Archgate.Checks.Contracts.Conformance;

/// <summary>One way a JSON value differs from its schema.</summary>
/// <param name="Path">JSON path of the mismatch, <c>$.items[0].price</c>.</param>
/// <param name="Expected">What the schema wants: <c>integer</c>, <c>required property (number)</c>, <c>minimum 0</c>.</param>
/// <param name="Actual">What the body has: <c>string "7"</c>, <c>missing</c>.</param>
/// <param name="Message">One sentence for a person.</param>
internal sealed record SchemaMismatch(string Path, string Expected, string Actual, string Message);

/// <summary>
/// Validates JSON values against OpenAPI schemas with JsonSchema.Net, after translating them to draft 2020-12
/// (<see cref="SchemaTranslator"/>). Every schema is registered up front and the bundle is built once; the
/// common, valid case is answered from the cheap "flag" output, details are computed only for a failure.
/// Thread-safe once built.
/// </summary>
internal sealed class BodyValidator
{
    private static readonly EvaluationOptions FlagOptions = new() { OutputFormat = OutputFormat.Flag, RequireFormatValidation = true };
    private static readonly EvaluationOptions ListOptions = new() { OutputFormat = OutputFormat.List, RequireFormatValidation = true };
    private static int s_instances;

    private readonly SchemaTranslator _translator;
    private readonly Dictionary<IOpenApiSchema, string> _names = new(ReferenceEqualityComparer.Instance);
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<string, JsonSchema> _roots = new(StringComparer.Ordinal);
    private readonly BuildOptions _build = new() { SchemaRegistry = new SchemaRegistry() };
    private readonly Uri _base;
    private readonly JsonObject _bundle;

    /// <summary>Registers <paramref name="schemas"/> and builds the bundle.</summary>
    public BodyValidator(IEnumerable<IOpenApiSchema> schemas, Direction direction)
    {
        _translator = new SchemaTranslator(direction);
        foreach (var schema in schemas)
        {
            _names.TryAdd(schema, _translator.Register(schema));
        }

        _base = new Uri($"https://archgate.invalid/contracts/{Interlocked.Increment(ref s_instances)}/bundle.json");
        _bundle = _translator.Bundle(_base);
        using var document = JsonDocument.Parse(_bundle.ToJsonString());
        JsonSchema.Build(document.RootElement.Clone(), _build, _base);
    }

    /// <summary>A validator for every response body and response header schema of <paramref name="document"/>.</summary>
    public static BodyValidator ForResponses(OpenApiDocument document)
    {
        var schemas = new List<IOpenApiSchema>();
        foreach (var (_, item) in document.Paths ?? [])
        {
            foreach (var (_, operation) in item.Operations ?? [])
            {
                foreach (var (_, response) in operation.Responses ?? [])
                {
                    schemas.AddRange((response.Content ?? new Dictionary<string, IOpenApiMediaType>()).Values.Select(m => m.Schema).OfType<IOpenApiSchema>());
                    schemas.AddRange((response.Headers ?? new Dictionary<string, IOpenApiHeader>()).Values.Select(h => h.Schema).OfType<IOpenApiSchema>());
                }
            }
        }

        return new BodyValidator(schemas, Direction.Response);
    }

    /// <summary>The translated bundle (draft 2020-12), for reports and tests.</summary>
    public JsonObject Bundle => _bundle;

    /// <summary>Whether <paramref name="value"/> is valid against <paramref name="schema"/> (which must have been registered).</summary>
    public bool IsValid(IOpenApiSchema schema, JsonElement value)
    {
        lock (_gate)
        {
            return Root(schema).Evaluate(value, FlagOptions).IsValid;
        }
    }

    /// <summary>
    /// Every mismatch of <paramref name="value"/> against <paramref name="schema"/>, at most <paramref name="max"/>. One
    /// evaluation at a time: the schemas are built into one registry on first use and resolve their references through it,
    /// and the proxies validate their requests side by side (ci31: a valid body was judged invalid, 1 of 20).
    /// </summary>
    public IReadOnlyList<SchemaMismatch> Validate(IOpenApiSchema schema, JsonElement value, int max = 10)
    {
        lock (_gate)
        {
            return ValidateOne(schema, value, max);
        }
    }

    private List<SchemaMismatch> ValidateOne(IOpenApiSchema schema, JsonElement value, int max)
    {
        var root = Root(schema);
        if (root.Evaluate(value, FlagOptions).IsValid)
        {
            return [];
        }

        // The detailed evaluation is the second opinion: when it finds the value valid, the quick one was wrong. Seen once in
        // ~90 runs on a loaded machine with no concurrent use (ci91: a valid e-mail body to the vendor judged invalid, 1 of
        // 20, with no error to name): a format check timing out under a stall is the likely cause.
        var listed = root.Evaluate(value, ListOptions);
        if (listed.IsValid)
        {
            return [];
        }

        var errors = new List<(string Pointer, string Keyword, string SchemaLocation, string Message, string EvaluationPath)>();
        var details = listed.Details ?? [];
        // A branch that failed inside an anyOf/oneOf that passed (the null branch of a nullable value that is
        // not null) is no mismatch: an error counts only when every schema above it failed too.
        var passed = details.Where(d => d.IsValid)
            .Select(d => (Schema: d.EvaluationPath.ToString(), Instance: d.InstanceLocation.ToString()))
            .Where(p => p.Schema.Length > 0)
            .ToList();
        foreach (var detail in details)
        {
            var at = detail.EvaluationPath.ToString();
            var instance = detail.InstanceLocation.ToString();
            if (passed.Any(p => at.StartsWith(p.Schema + "/", StringComparison.Ordinal)
                && (instance == p.Instance || instance.StartsWith(p.Instance + "/", StringComparison.Ordinal))))
            {
                continue;
            }

            foreach (var (keyword, message) in detail.Errors ?? new Dictionary<string, string>())
            {
                errors.Add((detail.InstanceLocation.ToString(), keyword, detail.SchemaLocation.ToString(), message, at));
            }
        }

        // The properties every schema that judged an object declares (its allOf parts, a $ref'd base): a property one of
        // them declares is no rename of a required one another misses.
        var declaredAt = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var detail in details)
        {
            if (Node(detail.SchemaLocation.ToString()) is JsonObject { } node && node["properties"] is JsonObject properties)
            {
                var instance = detail.InstanceLocation.ToString();
                if (!declaredAt.TryGetValue(instance, out var names))
                {
                    declaredAt[instance] = names = new HashSet<string>(StringComparer.Ordinal);
                }

                names.UnionWith(properties.Select(p => p.Key));
            }
        }

        // A nullable value is anyOf [null, X]: when X has errors, "should be null" from the other branch is noise.
        var described = new List<(string Pointer, string EvaluationPath, SchemaMismatch Mismatch)>();
        foreach (var error in errors)
        {
            var keywordNode = KeywordAt(error.SchemaLocation, error.Keyword);
            if (error.Keyword == "type" && keywordNode?.GetValueKind() == JsonValueKind.String && keywordNode.GetValue<string>() == "null"
                && errors.Any(e => e != error && e.Pointer.StartsWith(error.Pointer, StringComparison.Ordinal)))
            {
                continue;
            }

            described.AddRange(Describe(value, error.Pointer, error.Keyword, error.SchemaLocation, keywordNode, error.Message, declaredAt).Select(m => (error.Pointer, error.EvaluationPath, m)));
            if (described.Count >= 4 * max)
            {
                break;
            }
        }

        var result = Alternatives(value, described);
        if (result.Count == 0)
        {
            result.Add(new SchemaMismatch("$", "valid against the schema", Describe(value), "the body does not match its schema"));
        }

        return result.DistinctBy(m => (m.Path, m.Expected)).Take(max).ToList();
    }

    /// <summary>
    /// Mismatches of one value against every branch of a oneOf/anyOf are one mismatch (the value matched none of the
    /// alternatives), named with what each branch wanted; others pass through unchanged.
    /// </summary>
    private static List<SchemaMismatch> Alternatives(JsonElement root, List<(string Pointer, string EvaluationPath, SchemaMismatch Mismatch)> described)
    {
        var keys = described.Select(d => Branch(d.EvaluationPath, d.Pointer)).ToList();
        var result = new List<SchemaMismatch>();
        var merged = new HashSet<int>();
        for (var i = 0; i < described.Count; i++)
        {
            if (merged.Contains(i))
            {
                continue;
            }

            if (keys[i] is not { } alternatives)
            {
                result.Add(described[i].Mismatch);
                continue;
            }

            var group = Enumerable.Range(i, described.Count - i).Where(j => keys[j] is { } k && k.Alternatives == alternatives.Alternatives).ToList();
            var branches = group.Select(j => keys[j]!.Value.Index).Distinct().Count();
            if (branches < 2)
            {
                result.Add(described[i].Mismatch);
                continue;
            }

            merged.UnionWith(group);
            var (path, instance) = Navigate(root, alternatives.Alternatives.Instance);
            var actual = instance is { } v ? Describe(v) : "missing";
            var wanted = group.GroupBy(j => keys[j]!.Value.Index)
                .Select(g => string.Join(" and ", g.Select(j => described[j].Mismatch.Path == path ? described[j].Mismatch.Expected : described[j].Mismatch.Message)));
            var keyword = alternatives.Alternatives.Keyword;
            result.Add(new SchemaMismatch(path, $"one of {branches} {keyword} alternatives", actual,
                $"{path}: matches none of the {branches} {keyword} alternatives (expected {string.Join(" or ", wanted)}), found {actual}"));
        }

        return result;
    }

    /// <summary>Keywords whose subschema applies to a child of the instance (one pointer segment deeper).</summary>
    private static readonly HashSet<string> ChildKeywords = new(StringComparer.Ordinal)
    {
        "properties", "items", "prefixItems", "additionalProperties", "patternProperties", "unevaluatedProperties", "unevaluatedItems", "contains",
    };

    /// <summary>
    /// The innermost oneOf/anyOf an error came through: which alternatives (the evaluation path up to the keyword,
    /// the keyword, and the instance it judged) and the branch index; null when the error is in no alternative.
    /// </summary>
    private static ((string Prefix, string Keyword, string Instance) Alternatives, int Index)? Branch(string evaluationPath, string pointer)
    {
        var segments = evaluationPath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var k = segments.Length - 2; k >= 0; k--)
        {
            if (segments[k] is "oneOf" or "anyOf" && int.TryParse(segments[k + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                // The instance the alternatives judged: as many pointer segments as child keywords on the way there
                // ("properties/name" and "patternProperties/p" take two path segments but one instance segment).
                var depth = 0;
                for (var s = 0; s < k; s++)
                {
                    if (ChildKeywords.Contains(segments[s]) && (s == 0 || segments[s - 1] is not ("properties" or "patternProperties")))
                    {
                        depth++;
                    }
                }

                var instance = "/" + string.Join('/', pointer.Split('/', StringSplitOptions.RemoveEmptyEntries).Take(depth));
                return ((string.Join('/', segments.Take(k)), segments[k], instance == "/" ? string.Empty : instance), index);
            }
        }

        return null;
    }

    private JsonSchema Root(IOpenApiSchema schema)
    {
        if (!_names.TryGetValue(schema, out var name))
        {
            throw new ArgumentException("schema was not registered with this validator", nameof(schema));
        }

        return _roots.GetOrAdd(name, n =>
        {
            using var wrapper = JsonDocument.Parse(new JsonObject { ["$ref"] = _base + SchemaTranslator.Pointer(n) }.ToJsonString());
            return JsonSchema.Build(wrapper.RootElement.Clone(), _build, new Uri(_base, $"roots/{Uri.EscapeDataString(n)}"));
        });
    }

    private IEnumerable<SchemaMismatch> Describe(JsonElement root, string pointer, string keyword, string schemaLocation, JsonNode? keywordNode, string message, Dictionary<string, HashSet<string>> declaredAt)
    {
        var (path, instance) = Navigate(root, pointer);
        if (keyword == "required" && instance is { ValueKind: JsonValueKind.Object } obj && keywordNode is JsonArray required)
        {
            var schemaNode = Node(schemaLocation) as JsonObject;
            var declared = (schemaNode?["properties"] as JsonObject)?.Select(p => p.Key).ToHashSet(StringComparer.Ordinal) ?? [];
            declared.UnionWith(declaredAt.GetValueOrDefault(pointer) ?? []);
            var undeclared = obj.EnumerateObject().Select(p => p.Name).Where(n => declared.Count > 0 && !declared.Contains(n)).ToList();
            foreach (var name in required.Select(r => r?.GetValue<string>()).OfType<string>().Where(n => !obj.TryGetProperty(n, out _)))
            {
                var type = (schemaNode?["properties"]?[name] as JsonObject)?["type"];
                var expected = type is null ? "required property" : $"required property ({TypeText(type)})";
                var hint = undeclared.Count > 0 ? $"; the body has undeclared {string.Join(", ", undeclared.Select(u => $"'{u}'"))} instead (renamed?)" : "";
                var at = Child(path, name);
                yield return new SchemaMismatch(at, expected, "missing", $"{at}: required property '{name}' is missing{hint}");
            }

            yield break;
        }

        if (keyword.Length == 0 && Forbidding(schemaLocation) is { } rule)
        {
            // A property the schema forbids (additionalProperties: false, or a false subschema): say so, not JsonSchema.Net's words.
            var name = pointer.Split('/').LastOrDefault() ?? string.Empty;
            yield return new SchemaMismatch(path, "no such property", instance is { } forbidden ? Describe(forbidden) : "missing",
                $"{path}: property '{name.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)}' is not declared ({rule})");
            yield break;
        }

        var expectedText = keyword switch
        {
            "type" when keywordNode is not null => TypeText(keywordNode),
            "enum" when keywordNode is not null => $"one of {Excerpt(keywordNode.ToJsonString())}",
            "const" when keywordNode is not null => $"the value {Excerpt(keywordNode.ToJsonString())}",
            "format" when keywordNode is not null => $"format {keywordNode}",
            "additionalProperties" => "no undeclared properties",
            _ when keywordNode is not null => $"{keyword} {Excerpt(keywordNode.ToJsonString())}",
            _ => message,
        };
        var actual = instance is { } value ? Describe(value) : "missing";
        yield return new SchemaMismatch(path, expectedText, actual, $"{path}: expected {expectedText}, found {actual}");
    }

    /// <summary>
    /// Which false schema an error with no keyword comes from: <c>additionalProperties: false</c>,
    /// <c>unevaluatedProperties: false</c>, or another false subschema; null when the location is no false schema.
    /// </summary>
    private string? Forbidding(string schemaLocation)
    {
        foreach (var keyword in new[] { "additionalProperties", "unevaluatedProperties" })
        {
            var at = schemaLocation.LastIndexOf("/" + keyword, StringComparison.Ordinal);
            if (at >= 0 && Node(schemaLocation[..(at + keyword.Length + 1)]) is JsonValue value && value.GetValueKind() == JsonValueKind.False)
            {
                return keyword + ": false";
            }
        }

        return Node(schemaLocation) is JsonValue never && never.GetValueKind() == JsonValueKind.False ? "a false schema" : null;
    }

    private JsonNode? KeywordAt(string schemaLocation, string keyword) => (Node(schemaLocation) as JsonObject)?[keyword];

    /// <summary>The node of the bundle at an absolute schema location (<c>base#/$defs/Order/properties/id</c>).</summary>
    private JsonNode? Node(string schemaLocation)
    {
        var hash = schemaLocation.IndexOf('#', StringComparison.Ordinal);
        if (hash < 0 || !schemaLocation.StartsWith(_base.ToString(), StringComparison.Ordinal))
        {
            return null;
        }

        JsonNode? node = _bundle;
        var segments = schemaLocation[(hash + 1)..].Split('/', StringSplitOptions.RemoveEmptyEntries)
            .Select(raw => Uri.UnescapeDataString(raw).Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToList();
        for (var i = 0; i < segments.Count; i++)
        {
            var segment = segments[i];
            // JsonSchema.Net locates the subschema of an 'items' keyword as ".../NAME/items/NAME" (ex13: an inline item's
            // required property was printed in the validator's raw words, its schema not found): a copy of the segment
            // before the keyword that names nothing in the item's schema is skipped.
            if (i >= 2 && segments[i - 1] == "items" && segment == segments[i - 2] && segments[i - 2] is not ("properties" or "patternProperties" or "$defs")
                && node is JsonObject item && !item.ContainsKey(segment))
            {
                continue;
            }

            node = node switch
            {
                JsonObject o => o[segment],
                JsonArray a when int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var at) && at < a.Count => a[at],
                _ => null,
            };
        }

        return node;
    }

    /// <summary>The JSON path of a JSON pointer into <paramref name="root"/>, and the value there (if any).</summary>
    internal static (string Path, JsonElement? Value) Navigate(JsonElement root, string pointer)
    {
        var path = new StringBuilder("$");
        JsonElement? current = root;
        foreach (var raw in pointer.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var segment = raw.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (current is { ValueKind: JsonValueKind.Array } array && int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                path.Append('[').Append(index).Append(']');
                current = index < array.GetArrayLength() ? array[index] : null;
            }
            else
            {
                var next = Child(path.ToString(), segment);
                path.Clear().Append(next);
                current = current is { ValueKind: JsonValueKind.Object } obj && obj.TryGetProperty(segment, out var child) ? child : null;
            }
        }

        return (path.ToString(), current);
    }

    /// <summary><c>$.a</c> for a plain name, <c>$['odd name']</c> otherwise.</summary>
    internal static string Child(string path, string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')
            ? $"{path}.{name}"
            : $"{path}['{name.Replace("'", "\\'", StringComparison.Ordinal)}']";

    /// <summary>A short description of a value: <c>string "7"</c>, <c>number 1.5</c>, <c>object</c>, <c>array of 3</c>.</summary>
    internal static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"string {Excerpt(value.GetRawText())}",
        JsonValueKind.Number => $"{(value.TryGetInt64(out _) ? "integer" : "number")} {value.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => $"boolean {value.GetRawText()}",
        JsonValueKind.Null => "null",
        JsonValueKind.Object => "object",
        JsonValueKind.Array => $"array of {value.GetArrayLength()}",
        _ => "nothing",
    };

    private static string TypeText(JsonNode type) => type is JsonArray list
        ? string.Join(" or ", list.Select(t => t?.GetValue<string>()))
        : type.GetValue<string>();

    private static string Excerpt(string text, int max = 80) => text.Length <= max ? text : text[..max] + "...";
}

using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace Archgate.Checks.Contracts.Conformance;

/// <summary>Which way a body travels; readOnly and writeOnly properties mean different things each way.</summary>
internal enum Direction
{
    /// <summary>Client to server: readOnly properties must not be sent and are never required.</summary>
    Request,

    /// <summary>Server to client: writeOnly properties must not be returned and are never required.</summary>
    Response,
}

/// <summary>
/// Translates OpenAPI schemas (3.0 as Microsoft.OpenApi reads them, or 3.1) into one JSON Schema draft 2020-12
/// bundle whose <c>$defs</c> hold every schema reached, so a validator that knows nothing of OpenAPI can check
/// bodies. What the translation does, and why:
/// <list type="bullet">
/// <item>3.0 <c>nullable: true</c> becomes <c>"null"</c> in <c>type</c> (and in <c>enum</c>); a nullable schema
/// without a type of its own (<c>allOf: [$ref], nullable: true</c>) becomes <c>anyOf: [{type: null}, ...]</c>.</item>
/// <item>3.0 boolean <c>exclusiveMinimum</c>/<c>exclusiveMaximum</c> become the 2020-12 numeric form.</item>
/// <item><c>discriminator</c> over a <c>oneOf</c>/<c>anyOf</c> of references becomes an <c>if/then</c> per
/// mapping value, so a body is checked against the schema its discriminator names (and errors point there)
/// instead of failing a <c>oneOf</c> as a whole; unknown values fail an <c>enum</c>.</item>
/// <item><c>readOnly</c>/<c>writeOnly</c> per direction: a property that must not travel this way is
/// <c>false</c> and leaves <c>required</c>.</item>
/// <item>Only formats JSON Schema validates are kept; <c>int32</c> becomes bounds; OpenAPI-only formats
/// (<c>int64</c>, <c>password</c>, <c>byte</c>...) are annotations and dropped.</item>
/// </list>
/// </summary>
internal sealed class SchemaTranslator(Direction direction)
{
    private static readonly HashSet<string> ValidatedFormats = new(StringComparer.Ordinal)
    {
        "date-time", "date", "time", "duration", "email", "uuid", "uri", "uri-reference", "ipv4", "ipv6", "hostname",
    };

    private readonly JsonObject _defs = [];
    private readonly Dictionary<string, string> _namesByReference = new(StringComparer.Ordinal);
    private readonly Dictionary<IOpenApiSchema, string> _namesByInline = new(ReferenceEqualityComparer.Instance);
    private readonly Queue<(string Name, IOpenApiSchema Schema)> _pending = new();
    private readonly HashSet<string> _usedNames = new(StringComparer.Ordinal);

    /// <summary>The direction this translator writes for.</summary>
    public Direction Direction => direction;

    /// <summary>
    /// The <c>$defs</c> name under which <paramref name="schema"/> is (or will be) in the bundle: a component's
    /// own name for a reference, a generated one for an inline schema.
    /// </summary>
    public string Register(IOpenApiSchema schema)
    {
        if (schema is OpenApiSchemaReference reference)
        {
            return NameFor(reference);
        }

        if (!_namesByInline.TryGetValue(schema, out var name))
        {
            name = Unique("inline");
            _namesByInline[schema] = name;
            _pending.Enqueue((name, schema));
        }

        return name;
    }

    /// <summary>The bundle: <c>{ $schema, $id, $defs }</c> with every registered schema and all they reference.</summary>
    public JsonObject Bundle(Uri id)
    {
        Drain();
        return new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$id"] = id.ToString(),
            ["$defs"] = _defs.DeepClone(),
        };
    }

    /// <summary>One schema translated on its own, with its references as <c>#/$defs/NAME</c> (for tests and reports).</summary>
    public JsonNode Translate(IOpenApiSchema schema) => schema is OpenApiSchemaReference reference ? Ref(NameFor(reference)) : Node(schema);

    /// <summary>A JSON pointer fragment to a def: <c>#/$defs/NAME</c>, escaped.</summary>
    public static string Pointer(string name) =>
        "#/$defs/" + Uri.EscapeDataString(name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal));

    private void Drain()
    {
        while (_pending.TryDequeue(out var item))
        {
            _defs[item.Name] = item.Schema is OpenApiSchemaReference { Target: null } ? true : Node(Resolve(item.Schema));
        }
    }

    private static IOpenApiSchema Resolve(IOpenApiSchema schema) =>
        schema is OpenApiSchemaReference { Target: { } target } ? target : schema;

    private string NameFor(OpenApiSchemaReference reference)
    {
        var key = reference.Reference.ReferenceV3 ?? reference.Reference.Id ?? "unnamed";
        if (!_namesByReference.TryGetValue(key, out var name))
        {
            name = Unique(reference.Reference.IsExternal ? "external-" + reference.Reference.Id : reference.Reference.Id ?? "unnamed");
            _namesByReference[key] = name;
            _pending.Enqueue((name, reference));
        }

        return name;
    }

    private string Unique(string wanted)
    {
        var clean = new StringBuilder();
        foreach (var c in wanted)
        {
            clean.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_');
        }

        var name = clean.Length == 0 ? "schema" : clean.ToString();
        var candidate = name;
        for (var i = 2; !_usedNames.Add(candidate); i++)
        {
            candidate = $"{name}-{i}";
        }

        return candidate;
    }

    private static JsonObject Ref(string name) => new() { ["$ref"] = Pointer(name) };

    private JsonNode Child(IOpenApiSchema schema) => schema is OpenApiSchemaReference reference
        ? reference.Target is null ? true : Ref(NameFor(reference))
        : Node(schema);

    private JsonObject Node(IOpenApiSchema s)
    {
        var o = new JsonObject();
        var types = s.Type;
        var nullOnlyWrapper = (types == JsonSchemaType.Null && (s.AllOf is { Count: > 0 } || s.OneOf is { Count: > 0 } || s.AnyOf is { Count: > 0 }))
            || ((types is null || types == JsonSchemaType.Null) && Nullable30.IsMarked(s));
        if (types is { } t && !nullOnlyWrapper)
        {
            var names = TypeNames(t);
            o["type"] = names.Count == 1 ? names[0] : new JsonArray([.. names.Select(n => (JsonNode)n)]);
        }

        if (s.Const is not null)
        {
            o["const"] = Const(s.Const, types);
        }

        if (s.Enum is { Count: > 0 } values)
        {
            var list = new JsonArray([.. values.Select(v => v?.DeepClone())]);
            if (types is { } et && et.HasFlag(JsonSchemaType.Null) && !values.Any(v => v is null))
            {
                list.Add(null);
            }

            o["enum"] = list;
        }

        Format(s, o);
        Bounds(s, o);
        Number(o, "multipleOf", s.MultipleOf?.ToString(CultureInfo.InvariantCulture));
        Int(o, "minLength", s.MinLength);
        Int(o, "maxLength", s.MaxLength);
        if (s.Pattern is not null)
        {
            o["pattern"] = s.Pattern;
        }

        Int(o, "minItems", s.MinItems);
        Int(o, "maxItems", s.MaxItems);
        if (s.UniqueItems == true)
        {
            o["uniqueItems"] = true;
        }

        if (s.Items is not null)
        {
            o["items"] = Child(s.Items);
        }

        Int(o, "minProperties", s.MinProperties);
        Int(o, "maxProperties", s.MaxProperties);
        Properties(s, o);
        if (s.AdditionalProperties is not null)
        {
            o["additionalProperties"] = Child(s.AdditionalProperties);
        }
        else if (!s.AdditionalPropertiesAllowed)
        {
            o["additionalProperties"] = false;
        }

        if (s.PatternProperties is { Count: > 0 } patterns)
        {
            o["patternProperties"] = new JsonObject(patterns.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)Child(p.Value))));
        }

        if (s.DependentRequired is { Count: > 0 } dependent)
        {
            o["dependentRequired"] = new JsonObject(dependent.Select(d =>
                KeyValuePair.Create(d.Key, (JsonNode?)new JsonArray([.. d.Value.Select(v => (JsonNode)v)]))));
        }

        Combinators(s, o);
        if (s.Not is not null)
        {
            o["not"] = Child(s.Not);
        }

        return nullOnlyWrapper ? new JsonObject { ["anyOf"] = new JsonArray(new JsonObject { ["type"] = "null" }, o) } : o;
    }

    private void Properties(IOpenApiSchema s, JsonObject o)
    {
        var excluded = new HashSet<string>(StringComparer.Ordinal);
        if (s.Properties is { Count: > 0 } properties)
        {
            var map = new JsonObject();
            foreach (var (name, property) in properties)
            {
                var wrongWay = direction == Direction.Response ? property.WriteOnly : property.ReadOnly;
                if (wrongWay)
                {
                    excluded.Add(name);
                    map[name] = false;
                }
                else
                {
                    map[name] = Child(property);
                }
            }

            o["properties"] = map;
        }

        if (s.Required is { Count: > 0 } required)
        {
            var kept = required.Where(r => !excluded.Contains(r)).ToList();
            if (kept.Count > 0)
            {
                o["required"] = new JsonArray([.. kept.Select(r => (JsonNode)r)]);
            }
        }
    }

    private void Combinators(IOpenApiSchema s, JsonObject o)
    {
        var allOf = (s.AllOf ?? []).Select(Child).ToList();
        var union = s.OneOf is { Count: > 0 } ? s.OneOf : s.AnyOf is { Count: > 0 } ? s.AnyOf : null;
        var unionKeyword = s.OneOf is { Count: > 0 } ? "oneOf" : "anyOf";
        if (s.Discriminator is { PropertyName: { Length: > 0 } property } discriminator && union is not null
            && union.All(u => u is OpenApiSchemaReference))
        {
            // Select by the discriminator instead of trying every branch: explicit mapping first, then the
            // implicit one (the component's name) for branches the mapping does not name.
            var mapping = new List<(string Value, OpenApiSchemaReference Target)>();
            foreach (var (value, target) in discriminator.Mapping ?? new Dictionary<string, OpenApiSchemaReference>())
            {
                mapping.Add((value, target));
            }

            foreach (var branch in union.Cast<OpenApiSchemaReference>())
            {
                if (!mapping.Any(m => m.Target.Reference.Id == branch.Reference.Id) && branch.Reference.Id is { } id)
                {
                    mapping.Add((id, branch));
                }
            }

            var required = o["required"] as JsonArray ?? [];
            if (!required.Any(r => r?.GetValue<string>() == property))
            {
                required.Add(property);
            }

            o["required"] = required;
            allOf.Add(new JsonObject
            {
                ["properties"] = new JsonObject
                {
                    [property] = new JsonObject { ["enum"] = new JsonArray([.. mapping.Select(m => (JsonNode)m.Value)]) },
                },
            });
            foreach (var (value, target) in mapping)
            {
                allOf.Add(new JsonObject
                {
                    ["if"] = new JsonObject
                    {
                        ["properties"] = new JsonObject { [property] = new JsonObject { ["const"] = value } },
                    },
                    ["then"] = Child(target),
                });
            }
        }
        else if (union is not null)
        {
            o[unionKeyword] = new JsonArray([.. union.Select(Child)]);
        }

        if (allOf.Count > 0)
        {
            o["allOf"] = new JsonArray([.. allOf]);
        }
    }

    /// <summary>The reader keeps <c>const</c> as text; give it back its JSON type when the schema says which.</summary>
    private static JsonNode Const(string text, JsonSchemaType? types)
    {
        if (types is { } t && (t.HasFlag(JsonSchemaType.Number) || t.HasFlag(JsonSchemaType.Integer))
            && decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        if (types is { } b && b.HasFlag(JsonSchemaType.Boolean) && bool.TryParse(text, out var flag))
        {
            return flag;
        }

        return text;
    }

    private static void Format(IOpenApiSchema s, JsonObject o)
    {
        switch (s.Format)
        {
            case null:
                return;
            case "int32":
                Number(o, "minimum", s.Minimum ?? int.MinValue.ToString(CultureInfo.InvariantCulture));
                Number(o, "maximum", s.Maximum ?? int.MaxValue.ToString(CultureInfo.InvariantCulture));
                return;
            case var f when ValidatedFormats.Contains(f):
                o["format"] = f;
                return;
        }
    }

    private static void Bounds(IOpenApiSchema s, JsonObject o)
    {
        // Microsoft.OpenApi reads 3.0's boolean form into the numeric one; a document written by hand for an
        // older reader may still carry "true" here, so both spellings are accepted.
        Bound(o, "minimum", "exclusiveMinimum", s.Minimum, s.ExclusiveMinimum);
        Bound(o, "maximum", "exclusiveMaximum", s.Maximum, s.ExclusiveMaximum);
    }

    private static void Bound(JsonObject o, string inclusiveKey, string exclusiveKey, string? inclusive, string? exclusive)
    {
        if (o.ContainsKey(inclusiveKey))
        {
            return;
        }

        switch (exclusive)
        {
            case "true" when inclusive is not null:
                Number(o, exclusiveKey, inclusive);
                return;
            case null or "true" or "false":
                Number(o, inclusiveKey, inclusive);
                return;
            default:
                Number(o, exclusiveKey, exclusive);
                Number(o, inclusiveKey, inclusive);
                return;
        }
    }

    private static void Number(JsonObject o, string key, string? text)
    {
        if (text is not null && decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            o[key] = value;
        }
    }

    private static void Int(JsonObject o, string key, int? value)
    {
        if (value is { } v)
        {
            o[key] = v;
        }
    }

    private static List<string> TypeNames(JsonSchemaType t)
    {
        var names = new List<string>();
        foreach (var (flag, name) in new[]
                 {
                     (JsonSchemaType.Object, "object"), (JsonSchemaType.Array, "array"), (JsonSchemaType.String, "string"),
                     (JsonSchemaType.Number, "number"), (JsonSchemaType.Integer, "integer"), (JsonSchemaType.Boolean, "boolean"),
                     (JsonSchemaType.Null, "null"),
                 })
        {
            if (t.HasFlag(flag))
            {
                names.Add(name);
            }
        }

        return names;
    }
}

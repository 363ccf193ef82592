using System.Globalization;
using System.Text.Json.Nodes;
using Archgate.Checks.Contracts.Diff;
using Microsoft.OpenApi;

namespace Archgate.Checks.Contracts.Conformance;

/// <summary>Which value a schema should give: the document's own example, or a boundary of its constraints.</summary>
internal enum ValueKind
{
    /// <summary>The example, default, first enum value or const; else a typical value for the type and format.</summary>
    Example,

    /// <summary>The lower boundaries: minLength, minimum, minItems; optional properties left out.</summary>
    Minimum,

    /// <summary>The upper boundaries: maxLength, maximum, maxItems; every optional property given.</summary>
    Maximum,
}

/// <summary>
/// Values for parameters and request bodies, from an OpenAPI schema: examples first (example, examples,
/// default, first enum value, const), then values derived from the constraints (length, numeric bounds, items,
/// formats such as uuid, date-time and email). Request direction: readOnly properties are never sent.
/// </summary>
internal static class ValueGenerator
{
    /// <summary>Longest string or array generated, whatever the schema allows.</summary>
    public const int MaxGeneratedLength = 1000;

    /// <summary>Most array items generated when the schema sets no maxItems.</summary>
    public const int DefaultMaxItems = 2;

    private const int MaxDepth = 8;

    /// <summary>A value for <paramref name="schema"/>, or null when none can be made (a depth limit, an empty enum).</summary>
    public static JsonNode? Value(IOpenApiSchema? schema, ValueKind kind) => Value(schema, kind, 0);

    /// <summary>The document's own example for the schema (example, examples, default, first enum, const), if any.</summary>
    public static JsonNode? DocumentExample(IOpenApiSchema schema)
    {
        var view = SchemaView.Of(schema);
#pragma warning disable CS0618 // "example" is the 3.0 spelling, and documents written for 3.0 still use it.
        var single = schema.Example;
#pragma warning restore CS0618
        return single?.DeepClone()
            ?? schema.Examples?.FirstOrDefault()?.DeepClone()
            ?? schema.Default?.DeepClone()
            ?? schema.Enum?.FirstOrDefault(e => e is not null)?.DeepClone()
            ?? (schema.Const is { } c ? JsonValue.Create(c) : null)
            ?? (view.Enum.Count > 0 ? JsonNode.Parse(view.Enum[0]) : null);
    }

    private static JsonNode? Value(IOpenApiSchema? schema, ValueKind kind, int depth)
    {
        if (schema is null)
        {
            return "archgate";
        }

        if (depth > MaxDepth)
        {
            return null;
        }

        if (kind == ValueKind.Example && DocumentExample(schema) is { } example)
        {
            return example;
        }

        var view = SchemaView.Of(schema);
        if (view.Enum.Count > 0)
        {
            return JsonNode.Parse(kind == ValueKind.Maximum ? view.Enum[^1] : view.Enum[0]);
        }

        if (view.Union.Count > 0 && view.Properties.Count == 0)
        {
            return Value(view.Union[0], kind, depth + 1);
        }

        var types = view.Types ?? (view.Properties.Count > 0 ? JsonSchemaType.Object : JsonSchemaType.String);
        if (types.HasFlag(JsonSchemaType.Object))
        {
            return Object(view, kind, depth);
        }

        if (types.HasFlag(JsonSchemaType.Array))
        {
            return Array(view, kind, depth);
        }

        if (types.HasFlag(JsonSchemaType.Integer))
        {
            return Integer(view, kind);
        }

        if (types.HasFlag(JsonSchemaType.Number))
        {
            return Number(view, kind);
        }

        if (types.HasFlag(JsonSchemaType.Boolean))
        {
            return kind != ValueKind.Minimum;
        }

        return types.HasFlag(JsonSchemaType.String) ? Text(view, kind) : null;
    }

    private static JsonObject Object(SchemaView view, ValueKind kind, int depth)
    {
        var result = new JsonObject();
        foreach (var (name, property) in view.Properties)
        {
            if (property.ReadOnly)
            {
                continue;
            }

            var include = view.Required.Contains(name)
                || kind == ValueKind.Maximum
                || (kind == ValueKind.Example && DocumentExample(property) is not null);
            if (include && Value(property, kind, depth + 1) is { } value)
            {
                result[name] = value;
            }
        }

        return result;
    }

    private static JsonArray Array(SchemaView view, ValueKind kind, int depth)
    {
        var count = kind switch
        {
            ValueKind.Minimum => view.MinItems ?? 0,
            ValueKind.Maximum => Math.Min(view.MaxItems ?? Math.Max(DefaultMaxItems, view.MinItems ?? 0), MaxGeneratedLength),
            _ => Math.Max(1, view.MinItems ?? 0),
        };
        var result = new JsonArray();
        for (var i = 0; i < count; i++)
        {
            if (Value(view.Items, kind, depth + 1) is { } item)
            {
                result.Add(item);
            }
        }

        return result;
    }

    private static JsonNode Integer(SchemaView view, ValueKind kind)
    {
        var min = view.Minimum is { } lo ? (long)Math.Ceiling(lo.Value) + (lo.Exclusive && lo.Value == Math.Ceiling(lo.Value) ? 1 : 0) : (long?)null;
        var max = view.Maximum is { } hi ? (long)Math.Floor(hi.Value) - (hi.Exclusive && hi.Value == Math.Floor(hi.Value) ? 1 : 0) : (long?)null;
        long value = kind switch
        {
            ValueKind.Minimum => min ?? 0,
            ValueKind.Maximum => max ?? min ?? 1,
            _ => min ?? Math.Min(1, max ?? 1),
        };
        return value;
    }

    private static JsonNode Number(SchemaView view, ValueKind kind)
    {
        var min = view.Minimum is { } lo ? lo.Value + (lo.Exclusive ? 0.5m : 0) : (decimal?)null;
        var max = view.Maximum is { } hi ? hi.Value - (hi.Exclusive ? 0.5m : 0) : (decimal?)null;
        var value = kind switch
        {
            ValueKind.Minimum => min ?? 0m,
            ValueKind.Maximum => max ?? min ?? 1.5m,
            _ => min ?? Math.Min(1.5m, max ?? 1.5m),
        };
        return value;
    }

    private static string Text(SchemaView view, ValueKind kind)
    {
        var formatted = view.Format switch
        {
            "uuid" => "3fa85f64-5717-4562-b3fc-2c963f66afa6",
            "date-time" => "2026-01-05T10:00:00Z",
            "date" => "2026-01-05",
            "time" => "10:00:00Z",
            "email" => "archgate@example.test",
            "uri" or "url" => "https://example.test/archgate",
            "uri-reference" => "/archgate",
            "hostname" => "example.test",
            "ipv4" => "127.0.0.1",
            "ipv6" => "::1",
            "byte" => "YXJjaGdhdGU=",
            _ => null,
        };
        if (formatted is not null)
        {
            return formatted;
        }

        var min = view.MinLength ?? 0;
        var max = Math.Min(view.MaxLength ?? MaxGeneratedLength, MaxGeneratedLength);
        var length = kind switch
        {
            ValueKind.Minimum => min,
            ValueKind.Maximum => view.MaxLength is null ? Math.Max(min, 8) : max,
            _ => Math.Clamp(8, min, Math.Max(min, max)),
        };
        const string Seed = "archgate";
        return length <= Seed.Length ? Seed[..length] : Seed + new string('a', length - Seed.Length);
    }

    /// <summary>A parameter value as text: numbers and booleans as JSON writes them, strings as they are.</summary>
    public static string? AsText(JsonNode? value) => value switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v when v.TryGetValue<bool>(out var b) => b ? "true" : "false",
        JsonValue v => v.ToJsonString(),
        JsonArray a => string.Join(",", a.Select(AsText)),
        _ => null,
    };

    /// <summary>A value of the wrong JSON type for <paramref name="schema"/>, with what it is, or null when every type fits.</summary>
    public static (JsonNode? Value, string What)? WrongType(IOpenApiSchema schema)
    {
        var view = SchemaView.Of(schema);
        return view.Types switch
        {
            null => null,
            var t when t.Value.HasFlag(JsonSchemaType.String) => (12345, "a number where a string is expected"),
            var t when t.Value.HasFlag(JsonSchemaType.Integer) || t.Value.HasFlag(JsonSchemaType.Number) => ("not-a-number", "a string where a number is expected"),
            var t when t.Value.HasFlag(JsonSchemaType.Boolean) => ("not-a-boolean", "a string where a boolean is expected"),
            var t when t.Value.HasFlag(JsonSchemaType.Array) => ("not-an-array", "a string where an array is expected"),
            var t when t.Value.HasFlag(JsonSchemaType.Object) => ("not-an-object", "a string where an object is expected"),
            _ => null,
        };
    }

    /// <summary>A value just outside the schema's constraints, with what it breaks, or null when it has none.</summary>
    public static (JsonNode? Value, string What)? OutOfRange(IOpenApiSchema schema)
    {
        var view = SchemaView.Of(schema);
        var types = view.Types ?? 0;
        if (view.Enum.Count > 0 && types.HasFlag(JsonSchemaType.String))
        {
            return ("not-a-listed-value", $"a value outside the enum {string.Join(", ", view.Enum.Take(5))}");
        }

        if (types.HasFlag(JsonSchemaType.Integer) || types.HasFlag(JsonSchemaType.Number))
        {
            if (view.Maximum is { } hi)
            {
                var above = hi.Exclusive ? hi.Value : hi.Value + 1;
                return (above, $"{Text(above)}, above the maximum {hi}");
            }

            if (view.Minimum is { } lo)
            {
                var below = lo.Exclusive ? lo.Value : lo.Value - 1;
                return (below, $"{Text(below)}, below the minimum {lo}");
            }
        }

        if (types.HasFlag(JsonSchemaType.String))
        {
            if (view.MaxLength is { } maxLength and < MaxGeneratedLength)
            {
                return (new string('a', maxLength + 1), $"{maxLength + 1} characters, longer than maxLength {maxLength}");
            }

            if (view.MinLength is { } minLength and > 0)
            {
                return (new string('a', minLength - 1), $"{minLength - 1} characters, shorter than minLength {minLength}");
            }
        }

        if (types.HasFlag(JsonSchemaType.Array) && view.MaxItems is { } maxItems and < MaxGeneratedLength && Value(view.Items, ValueKind.Example) is { } item)
        {
            var items = new JsonArray();
            for (var i = 0; i <= maxItems; i++)
            {
                items.Add(item.DeepClone());
            }

            return (items, $"{maxItems + 1} items, more than maxItems {maxItems}");
        }

        return null;
    }

    private static string Text(decimal value) => value.ToString(CultureInfo.InvariantCulture);
}

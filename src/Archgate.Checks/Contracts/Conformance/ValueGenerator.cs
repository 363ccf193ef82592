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
        var min = view.MinLength ?? 0;
        var max = Math.Min(view.MaxLength ?? MaxGeneratedLength, MaxGeneratedLength);
        if (Formatted(view.Format) is { } formatted && formatted.Length >= min && formatted.Length <= max
            && (view.Pattern is null || PatternGenerator.Matches(view.Pattern, formatted)))
        {
            return formatted;
        }

        if (view.Pattern is { } pattern)
        {
            var longest = kind == ValueKind.Maximum ? (view.MaxLength is null ? Math.Max(min, 16) : max) : Math.Max(min, 64);
            if (PatternGenerator.Generate(pattern, kind, min, view.MaxLength, longest) is { } matching)
            {
                return matching;
            }
        }

        var length = kind switch
        {
            ValueKind.Minimum => min,
            ValueKind.Maximum => view.MaxLength is null ? Math.Max(min, 8) : max,
            _ => Math.Clamp(8, min, Math.Max(min, max)),
        };
        const string Seed = "archgate";
        return length <= Seed.Length ? Seed[..length] : Seed + new string('a', length - Seed.Length);
    }

    /// <summary>A valid value for a string format, or null for a format without one (or none).</summary>
    private static string? Formatted(string? format) => format switch
    {
        "uuid" => "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "date-time" => "2026-01-05T10:00:00Z",
        "date" => "2026-01-05",
        "time" => "10:00:00Z",
        "duration" => "P1D",
        "email" or "idn-email" => "archgate@example.test",
        "uri" or "url" or "iri" => "https://example.test/archgate",
        "uri-reference" or "iri-reference" => "/archgate",
        "uri-template" => "https://example.test/{id}",
        "json-pointer" => "/archgate",
        "relative-json-pointer" => "0/archgate",
        "regex" => "^archgate$",
        "hostname" or "idn-hostname" => "example.test",
        "ipv4" => "127.0.0.1",
        "ipv6" => "::1",
        "byte" => "YXJjaGdhdGU=",
        "int32" or "int64" or "integer" => "1",
        "number" or "float" or "double" or "decimal" => "1.5",
        _ => null,
    };

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

    /// <summary>
    /// A value of a JSON type <paramref name="schema"/> does not allow, with what it is, or null when no type is left
    /// out (no <c>type</c> at all, or every type listed). Every listed type counts, not the first: OpenAPI 3.1's
    /// <c>type: [integer, string]</c> (ASP.NET Core's generated int) takes <c>12345</c> as well as <c>"12345"</c>, so
    /// the value is a boolean there. An <c>anyOf</c>/<c>oneOf</c> of types allows what any branch allows; null is never
    /// the wrong value (a nullable value allows it, and elsewhere it reads as "left out").
    /// <paramref name="rejected"/>, when given, must say no to a value the schema would accept (the validator's
    /// verdict): a candidate it accepts is not sent as wrong.
    /// </summary>
    public static (JsonNode? Value, string What)? WrongType(IOpenApiSchema schema, Func<JsonNode, bool>? rejected = null)
    {
        if (AllowedTypes(schema, 0) is not { } allowed)
        {
            return null;
        }

        var names = TypeNames.Where(t => (allowed & t.Type) != 0).Select(t => t.Name).Distinct().ToList();
        var expected = names.Count == 0 ? "null" : string.Join(" or ", names);
        // Strings first (the historic choice, and the plainest mistake), a number where a string is all that fits.
        (JsonNode Value, JsonSchemaType Type, string Name)[] candidates =
        [
            ("not-" + (names.Count == 0 ? "null" : names[0].Replace(' ', '-')), JsonSchemaType.String, "a string"),
            (12345, JsonSchemaType.Integer, "a number"),
            (true, JsonSchemaType.Boolean, "a boolean"),
            (new JsonArray(), JsonSchemaType.Array, "an array"),
            (new JsonObject(), JsonSchemaType.Object, "an object"),
        ];
        foreach (var (value, type, name) in candidates)
        {
            if ((allowed & type) == 0 && (rejected is null || rejected(value)))
            {
                return (value, $"{name} where {expected} is expected");
            }
        }

        return null;
    }

    private static readonly (JsonSchemaType Type, string Name)[] TypeNames =
    [
        (JsonSchemaType.Integer, "a number"), (JsonSchemaType.Number, "a number"), (JsonSchemaType.String, "a string"),
        (JsonSchemaType.Boolean, "a boolean"), (JsonSchemaType.Array, "an array"), (JsonSchemaType.Object, "an object"),
    ];

    /// <summary>The JSON types a value of the schema may have (number includes integer, null left aside), or null when any type goes.</summary>
    private static JsonSchemaType? AllowedTypes(IOpenApiSchema schema, int depth)
    {
        var view = SchemaView.Of(schema);
        if (view.Types is not null)
        {
            return view.Accepted;
        }

        if (view.Union.Count == 0 || depth > MaxDepth)
        {
            return null;
        }

        JsonSchemaType allowed = 0;
        foreach (var branch in view.Union)
        {
            if (AllowedTypes(branch, depth + 1) is not { } types)
            {
                return null;
            }

            allowed |= types;
        }

        return allowed == 0 ? null : allowed;
    }

    /// <summary>
    /// Text that is of the wrong type where every value travels as text (parameters, form fields): only a
    /// number or a boolean can be wrong (<c>12345</c> is a fine string), and a single value is a valid
    /// one-item array, so an array is wrong only through its items. Null when no text is wrong.
    /// </summary>
    public static (string Value, string What)? WrongText(IOpenApiSchema schema, bool arrayAsItems = true)
    {
        var view = SchemaView.Of(schema);
        if (view.Types is not { } types || types.HasFlag(JsonSchemaType.String))
        {
            return null;
        }

        if (types.HasFlag(JsonSchemaType.Array))
        {
            return arrayAsItems && view.Items is not null && WrongText(view.Items, false) is { } item
                ? (item.Value, $"an array whose item is {item.What}")
                : null;
        }

        if (types.HasFlag(JsonSchemaType.Integer) || types.HasFlag(JsonSchemaType.Number))
        {
            return ("not-a-number", "a string where a number is expected");
        }

        return types.HasFlag(JsonSchemaType.Boolean) && !types.HasFlag(JsonSchemaType.Object) ? ("not-a-boolean", "a string where a boolean is expected") : null;
    }

    /// <summary>A value just outside the schema's constraints, with what it breaks, or null when it has none.</summary>
    public static (JsonNode? Value, string What)? OutOfRange(IOpenApiSchema schema) =>
        OutOfRangeAll(schema).Select(v => ((JsonNode?, string)?)v).FirstOrDefault();

    /// <summary>
    /// Every value just outside one of the schema's constraints, each with what it breaks: above the maximum,
    /// below the minimum, one character too long or too short, outside the enum, not matching the pattern, one
    /// item too many or too few. Each breaks that constraint only, as far as the others allow.
    /// </summary>
    public static IReadOnlyList<(JsonNode? Value, string What)> OutOfRangeAll(IOpenApiSchema schema)
    {
        var view = SchemaView.Of(schema);
        var types = view.Types ?? 0;
        var result = new List<(JsonNode?, string)>();
        var numeric = types.HasFlag(JsonSchemaType.Integer) || types.HasFlag(JsonSchemaType.Number);
        if (view.Enum.Count > 0)
        {
            if (types.HasFlag(JsonSchemaType.String))
            {
                result.Add(("not-a-listed-value", $"a value outside the enum {string.Join(", ", view.Enum.Take(5))}"));
            }
            else if (numeric)
            {
                var listed = view.Enum.Select(e => decimal.TryParse(e, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : (decimal?)null).OfType<decimal>().ToList();
                var outside = listed.Count == 0 ? 0 : listed.Max() + 1;
                result.Add((outside, $"{Text(outside)}, outside the enum {string.Join(", ", view.Enum.Take(5))}"));
            }

            return result;
        }

        if (numeric)
        {
            if (view.Maximum is { } hi)
            {
                var above = hi.Exclusive ? hi.Value : types.HasFlag(JsonSchemaType.Integer) ? Math.Floor(hi.Value) + 1 : hi.Value + 1;
                result.Add((above, $"{Text(above)}, above the maximum {hi}"));
            }

            if (view.Minimum is { } lo)
            {
                var below = lo.Exclusive ? lo.Value : types.HasFlag(JsonSchemaType.Integer) ? Math.Ceiling(lo.Value) - 1 : lo.Value - 1;
                result.Add((below, $"{Text(below)}, below the minimum {lo}"));
            }
        }

        if (types.HasFlag(JsonSchemaType.String))
        {
            if (view.MaxLength is { } maxLength and < MaxGeneratedLength)
            {
                result.Add((Padded(view, maxLength + 1), $"{maxLength + 1} characters, longer than maxLength {maxLength}"));
            }

            if (view.MinLength is { } minLength and > 0)
            {
                result.Add((Padded(view, minLength - 1), $"{minLength - 1} characters, shorter than minLength {minLength}"));
            }

            if (view.Pattern is { } pattern && NotMatching(pattern, view) is { } wrong)
            {
                result.Add((wrong, $"'{wrong}', which does not match the pattern {pattern}"));
            }
        }

        if (types.HasFlag(JsonSchemaType.Array) && Value(view.Items, ValueKind.Example) is { } item)
        {
            if (view.MaxItems is { } maxItems and < MaxGeneratedLength)
            {
                result.Add((Items(item, maxItems + 1), $"{maxItems + 1} items, more than maxItems {maxItems}"));
            }

            if (view.MinItems is { } minItems and > 0)
            {
                result.Add((Items(item, minItems - 1), $"{minItems - 1} items, fewer than minItems {minItems}"));
            }
        }

        return result;
    }

    /// <summary>A string of exactly <paramref name="length"/> characters that keeps the pattern where it can (only the length is wrong).</summary>
    private static string Padded(SchemaView view, int length)
    {
        if (view.Pattern is { } pattern && PatternGenerator.Generate(pattern, ValueKind.Minimum, length, length, length) is { } matching)
        {
            return matching;
        }

        return new string('a', length);
    }

    /// <summary>A string within the length bounds that does not match <paramref name="pattern"/>, or null when none was found.</summary>
    private static string? NotMatching(string pattern, SchemaView view)
    {
        var min = view.MinLength ?? 0;
        var max = view.MaxLength ?? int.MaxValue;
        foreach (var seed in new[] { "!", "~", " ", "-", "0", "a", "A", "archgate!" })
        {
            var candidate = seed.Length >= min ? seed : seed + new string(seed[^1], min - seed.Length);
            if (candidate.Length <= max && !PatternGenerator.Matches(pattern, candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static JsonArray Items(JsonNode item, int count)
    {
        var items = new JsonArray();
        for (var i = 0; i < count; i++)
        {
            items.Add(item.DeepClone());
        }

        return items;
    }

    private static string Text(decimal value) => value.ToString(CultureInfo.InvariantCulture);
}

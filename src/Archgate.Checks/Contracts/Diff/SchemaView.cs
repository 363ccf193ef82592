using System.Globalization;
using Microsoft.OpenApi;

namespace Archgate.Checks.Contracts.Diff;

/// <summary>
/// The constraints of a schema that matter for compatibility, read through references, allOf and the
/// 3.0 / 3.1 spellings of nullability, so that equivalent documents compare equal.
/// </summary>
internal sealed record SchemaView(
    JsonSchemaType? Types,
    bool Nullable,
    string? Format,
    IReadOnlyList<string> Enum,
    int? MaxLength,
    int? MinLength,
    Bound? Maximum,
    Bound? Minimum,
    int? MaxItems,
    int? MinItems,
    string? Pattern,
    IReadOnlyDictionary<string, IOpenApiSchema> Properties,
    IReadOnlySet<string> Required,
    IOpenApiSchema? Items,
    bool AdditionalAllowed,
    IOpenApiSchema? AdditionalSchema,
    IReadOnlyList<IOpenApiSchema> OneOf,
    IReadOnlyList<IOpenApiSchema> AnyOf,
    bool Deprecated,
    bool ReadOnly,
    bool WriteOnly)
{
    /// <summary>The keywords of JSON Schema 2020-12 and the extensions read beyond the classic ones (<see cref="SchemaExtras"/>).</summary>
    public SchemaExtras Extras { get; init; } = SchemaExtras.None;

    /// <summary>The alternatives of <c>oneOf</c>, else of <c>anyOf</c>.</summary>
    public IReadOnlyList<IOpenApiSchema> Union => OneOf.Count > 0 ? OneOf : AnyOf;

    /// <summary>Which keyword <see cref="Union"/> comes from.</summary>
    public string UnionKeyword => OneOf.Count > 0 ? "oneOf" : "anyOf";

    private const JsonSchemaType AllTypes = JsonSchemaType.Boolean | JsonSchemaType.Integer | JsonSchemaType.Number
        | JsonSchemaType.String | JsonSchemaType.Object | JsonSchemaType.Array;

    /// <summary>The types accepted, with integer counted inside number; every type when none is declared.</summary>
    public JsonSchemaType Accepted => Types switch
    {
        null => AllTypes,
        { } t when t.HasFlag(JsonSchemaType.Number) => t | JsonSchemaType.Integer,
        { } t => t,
    };

    /// <summary>Type as written in a document: <c>string</c>, <c>[number, null]</c>, <c>any</c>.</summary>
    public string TypeText
    {
        get
        {
            if (Types is null)
            {
                return "any";
            }

            var names = System.Enum.GetValues<JsonSchemaType>()
                .Where(t => t != JsonSchemaType.Null && Types.Value.HasFlag(t))
                .Select(Name)
                .ToList();
            if (Nullable)
            {
                names.Add("null");
            }

            return names.Count == 1 ? names[0] : $"[{string.Join(", ", names)}]";
        }
    }

    // Views are read again for every route that reaches a shared schema; documents are not changed while compared.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IOpenApiSchema, SchemaView> Cache = [];

    public static SchemaView Of(IOpenApiSchema schema) => Cache.GetValue(schema, Read);

    private static SchemaView Read(IOpenApiSchema schema)
    {
        var parts = new List<IOpenApiSchema>();
        var (core, nullableByUnion) = UnwrapNullUnion(schema);
        Flatten(core, parts, 0);

        JsonSchemaType? types = null;
        var nullable = nullableByUnion;
        var typedParts = 0;
        var nullableParts = 0;
        foreach (var part in parts)
        {
            if (part.Type is { } t)
            {
                typedParts++;
                nullableParts += t.HasFlag(JsonSchemaType.Null) ? 1 : 0;
                var withoutNull = t & ~JsonSchemaType.Null;
                types = types is null ? withoutNull : types & withoutNull;
            }
        }

        nullable |= typedParts > 0 && nullableParts == typedParts;
        var properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal);
        var required = new HashSet<string>(StringComparer.Ordinal);
        foreach (var part in parts)
        {
            foreach (var (name, property) in part.Properties ?? new Dictionary<string, IOpenApiSchema>())
            {
                properties.TryAdd(name, property);
            }

            required.UnionWith(part.Required ?? new HashSet<string>());
        }

        var items = parts.Select(p => p.Items).FirstOrDefault(i => i is not null);
        if (types is null && properties.Count > 0)
        {
            types = JsonSchemaType.Object;
        }
        else if (types is null && items is not null)
        {
            types = JsonSchemaType.Array;
        }

        var oneOf = parts.Select(p => p.OneOf).FirstOrDefault(u => u is { Count: > 0 })?.ToList() ?? [];
        var anyOf = parts.Select(p => p.AnyOf).FirstOrDefault(u => u is { Count: > 0 })?.ToList() ?? [];

        return new SchemaView(
            types,
            nullable,
            First(parts, p => p.Format),
            parts.Select(p => p.Enum).FirstOrDefault(e => e is { Count: > 0 })?.Select(v => v?.ToJsonString() ?? "null").ToList() ?? [],
            First(parts, p => p.MaxLength),
            First(parts, p => p.MinLength),
            Bound.Read(parts, p => p.Maximum, p => p.ExclusiveMaximum),
            Bound.Read(parts, p => p.Minimum, p => p.ExclusiveMinimum),
            First(parts, p => p.MaxItems),
            First(parts, p => p.MinItems),
            First(parts, p => p.Pattern),
            properties,
            required,
            items,
            parts.All(p => p.AdditionalPropertiesAllowed),
            parts.Select(p => p.AdditionalProperties).FirstOrDefault(a => a is not null),
            oneOf,
            anyOf,
            schema.Deprecated || parts.Any(p => p.Deprecated),
            schema.ReadOnly || parts.Any(p => p.ReadOnly),
            schema.WriteOnly || parts.Any(p => p.WriteOnly))
        {
            Extras = SchemaExtras.Read(schema, parts),
        };
    }

    /// <summary>The object a schema (or a reference to it) stands for: the identity used against recursion.</summary>
    public static object Identity(IOpenApiSchema schema) => schema is OpenApiSchemaReference { Target: { } target } ? target : schema;

    /// <summary>A label for a union branch: the referenced schema's name, else its position.</summary>
    public static string Label(IOpenApiSchema schema, int index) =>
        MemberMatcher.Name(schema) ?? index.ToString(CultureInfo.InvariantCulture);

    /// <summary>3.1 writes "nullable X" as <c>oneOf/anyOf: [X, {type: null}]</c>; read it as X, nullable.</summary>
    private static (IOpenApiSchema Core, bool Nullable) UnwrapNullUnion(IOpenApiSchema schema)
    {
        var branches = schema.OneOf is { Count: 2 } ? schema.OneOf : schema.AnyOf is { Count: 2 } ? schema.AnyOf : null;
        if (branches is null || schema.Properties is { Count: > 0 })
        {
            return (schema, false);
        }

        var nullBranch = branches.FirstOrDefault(b => b.Type == JsonSchemaType.Null);
        return nullBranch is null ? (schema, false) : (branches.First(b => !ReferenceEquals(b, nullBranch)), true);
    }

    private static void Flatten(IOpenApiSchema schema, List<IOpenApiSchema> parts, int depth)
    {
        if (depth > 16 || parts.Any(p => ReferenceEquals(Identity(p), Identity(schema))))
        {
            return;
        }

        // A reference resolves its target on every property read; the view reads dozens, so it reads the target.
        var resolved = Identity(schema) as IOpenApiSchema ?? schema;
        parts.Add(resolved);
        foreach (var member in resolved.AllOf ?? [])
        {
            Flatten(member, parts, depth + 1);
        }
    }

    private static T? First<T>(List<IOpenApiSchema> parts, Func<IOpenApiSchema, T?> read) where T : class =>
        parts.Select(read).FirstOrDefault(v => v is not null);

    private static T? First<T>(List<IOpenApiSchema> parts, Func<IOpenApiSchema, T?> read) where T : struct =>
        parts.Select(read).FirstOrDefault(v => v is not null);

    private static string Name(JsonSchemaType type) => type.ToString().ToLowerInvariant();
}

/// <summary>A numeric bound (maximum or minimum), exclusive or not.</summary>
internal sealed record Bound(decimal Value, bool Exclusive)
{
    public static Bound? Read(List<IOpenApiSchema> parts, Func<IOpenApiSchema, string?> inclusive, Func<IOpenApiSchema, string?> exclusive)
    {
        foreach (var part in parts)
        {
            if (Parse(exclusive(part)) is { } e)
            {
                return new Bound(e, true);
            }

            if (Parse(inclusive(part)) is { } i)
            {
                return new Bound(i, false);
            }
        }

        return null;
    }

    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture) + (Exclusive ? " (exclusive)" : "");

    private static decimal? Parse(string? text) =>
        decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;
}

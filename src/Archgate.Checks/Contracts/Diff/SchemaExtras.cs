using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace Archgate.Checks.Contracts.Diff;

/// <summary>
/// What a schema says beyond the classic OpenAPI keywords: JSON Schema 2020-12 keywords (<c>const</c>, <c>contains</c>,
/// <c>dependentRequired</c>, <c>prefixItems</c>...), <c>multipleOf</c>, <c>uniqueItems</c>, <c>min/maxProperties</c>, <c>not</c>, the discriminator, and the <c>x-extensible-enum</c>, <c>x-sunset</c>
/// and <c>x-stability-level</c> extensions. Read through <c>allOf</c> like the rest of <see cref="SchemaView"/>.
/// </summary>
internal sealed record SchemaExtras
{
    public static readonly SchemaExtras None = new();

    public string? Const { get; init; }
    public string? Default { get; init; }
    public IReadOnlyList<string> ExtensibleEnum { get; init; } = [];
    public bool HasDiscriminator { get; init; }
    public string? DiscriminatorProperty { get; init; }
    public IReadOnlyDictionary<string, string> DiscriminatorMapping { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<IOpenApiSchema> AllOf { get; init; } = [];
    public string? PrefixItems { get; init; }
    public string? UnevaluatedItems { get; init; }
    public string? UnevaluatedProperties { get; init; }
    public IOpenApiSchema? Contains { get; init; }
    public int? MinContains { get; init; }
    public int? MaxContains { get; init; }
    public IOpenApiSchema? PropertyNames { get; init; }
    public IReadOnlyDictionary<string, IReadOnlySet<string>> DependentRequired { get; init; } = new Dictionary<string, IReadOnlySet<string>>();
    public IReadOnlyDictionary<string, IOpenApiSchema> DependentSchemas { get; init; } = new Dictionary<string, IOpenApiSchema>();
    public IReadOnlyDictionary<string, IOpenApiSchema> PatternProperties { get; init; } = new Dictionary<string, IOpenApiSchema>();
    public string? ContentMediaType { get; init; }
    public string? ContentEncoding { get; init; }
    public IOpenApiSchema? ContentSchema { get; init; }
    public IOpenApiSchema? If { get; init; }
    public IOpenApiSchema? Then { get; init; }
    public IOpenApiSchema? Else { get; init; }
    public string? Sunset { get; init; }
    public string? Stability { get; init; }
    public decimal? MultipleOf { get; init; }
    public bool UniqueItems { get; init; }
    public int? MinProperties { get; init; }
    public int? MaxProperties { get; init; }
    public IOpenApiSchema? Not { get; init; }

    public static SchemaExtras Read(IOpenApiSchema schema, IReadOnlyList<IOpenApiSchema> parts)
    {
        var more = parts.OfType<IOpenApiSchemaMissingProperties>().ToList();
        var discriminator = parts.Select(p => p.Discriminator).FirstOrDefault(d => d is not null);
        var dependentRequired = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);
        var dependentSchemas = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal);
        var patternProperties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal);
        foreach (var part in parts)
        {
            foreach (var (name, names) in part.DependentRequired ?? new Dictionary<string, HashSet<string>>())
            {
                dependentRequired.TryAdd(name, names);
            }

            foreach (var (pattern, value) in part.PatternProperties ?? new Dictionary<string, IOpenApiSchema>())
            {
                patternProperties.TryAdd(pattern, value);
            }
        }

        foreach (var part in more)
        {
            foreach (var (name, value) in part.DependentSchemas ?? new Dictionary<string, IOpenApiSchema>())
            {
                dependentSchemas.TryAdd(name, value);
            }
        }

        return new SchemaExtras
        {
            Const = parts.Select(p => p.Const).FirstOrDefault(c => c is not null),
            Default = parts.Select(p => p.Default).FirstOrDefault(d => d is not null)?.ToJsonString(),
            ExtensibleEnum = Extension(parts, "x-extensible-enum") is JsonArray values ? values.Select(v => v?.ToJsonString() ?? "null").ToList() : [],
            HasDiscriminator = discriminator is not null,
            DiscriminatorProperty = discriminator?.PropertyName,
            DiscriminatorMapping = discriminator?.Mapping?.ToDictionary(kv => kv.Key, kv => kv.Value.Reference?.ReferenceV3 ?? kv.Value.Reference?.Id ?? "", StringComparer.Ordinal)
                ?? new Dictionary<string, string>(),
            AllOf = schema.AllOf?.ToList() ?? [],
            PrefixItems = Keyword(parts, "prefixItems"),
            UnevaluatedItems = Keyword(parts, "unevaluatedItems"),
            UnevaluatedProperties = more.Any(m => m.UnevaluatedPropertiesSchema is not null) ? "schema" : Keyword(parts, "unevaluatedProperties"),
            Contains = more.Select(m => m.Contains).FirstOrDefault(c => c is not null),
            MinContains = more.Select(m => (int?)m.MinContains).FirstOrDefault(c => c is not null),
            MaxContains = more.Select(m => (int?)m.MaxContains).FirstOrDefault(c => c is not null),
            PropertyNames = more.Select(m => m.PropertyNames).FirstOrDefault(c => c is not null),
            DependentRequired = dependentRequired,
            DependentSchemas = dependentSchemas,
            PatternProperties = patternProperties,
            ContentMediaType = more.Select(m => m.ContentMediaType).FirstOrDefault(c => c is not null),
            ContentEncoding = more.Select(m => m.ContentEncoding).FirstOrDefault(c => c is not null),
            ContentSchema = more.Select(m => m.ContentSchema).FirstOrDefault(c => c is not null),
            If = more.Select(m => m.If).FirstOrDefault(c => c is not null),
            Then = more.Select(m => m.Then).FirstOrDefault(c => c is not null),
            Else = more.Select(m => m.Else).FirstOrDefault(c => c is not null),
            Sunset = Text(Extension(parts, "x-sunset")),
            Stability = Text(Extension(parts, "x-stability-level")),
            MultipleOf = parts.Select(p => p.MultipleOf).FirstOrDefault(m => m is not null),
            UniqueItems = parts.Any(p => p.UniqueItems == true),
            MinProperties = parts.Select(p => p.MinProperties).FirstOrDefault(m => m is not null),
            MaxProperties = parts.Select(p => p.MaxProperties).FirstOrDefault(m => m is not null),
            Not = parts.Select(p => p.Not).FirstOrDefault(m => m is not null),
        };
    }

    /// <summary>The JSON of a keyword the reader keeps as unrecognized (2020-12 keywords it has no property for).</summary>
    private static string? Keyword(IReadOnlyList<IOpenApiSchema> parts, string name) =>
        parts.Select(p => p.UnrecognizedKeywords is { } k && k.TryGetValue(name, out var node) ? node?.ToJsonString() ?? "null" : null)
            .FirstOrDefault(v => v is not null);

    private static JsonNode? Extension(IReadOnlyList<IOpenApiSchema> parts, string name) =>
        parts.Select(p => p.Extensions is { } e && e.TryGetValue(name, out var x) && x is JsonNodeExtension j ? j.Node : null)
            .FirstOrDefault(n => n is not null);

    /// <summary>A string extension's text (dates may be read as JSON strings), or the JSON of anything else.</summary>
    internal static string? Text(JsonNode? node) =>
        node is null ? null : node is JsonValue v && v.TryGetValue<string>(out var s) ? s : node.ToJsonString();
}

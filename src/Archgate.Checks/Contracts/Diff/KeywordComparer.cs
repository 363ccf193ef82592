using Microsoft.OpenApi;

namespace Archgate.Checks.Contracts.Diff;

/// <summary>
/// The part of a schema comparison about <see cref="SchemaExtras"/>: const, default, x-extensible-enum, the discriminator,
/// and the JSON Schema 2020-12 keywords of arrays and objects. Rule kinds are those of <see cref="DiffRules.SchemaKinds"/>.
/// </summary>
internal sealed class KeywordComparer(SchemaComparer comparer, SchemaExtras o, SchemaExtras n, string path, int depth)
{
    public void Compare()
    {
        Value("const", o.Const, n.Const, added: 42, removed: 43, changed: 44);
        Value("default", o.Default, n.Default, added: 45, removed: 46, changed: 47);
        ExtensibleEnum();
        Discriminator();
        Presence("prefixItems", o.PrefixItems, n.PrefixItems, added: 57, removed: 58);
        Subschema("contains", o.Contains, n.Contains, added: 59, removed: 60, "[contains]");
        comparer.Lower(path, "minContains", SchemaComparer.Int(o.MinContains), SchemaComparer.Int(n.MinContains), increased: 61, decreased: 62, set: 61, unset: 62);
        comparer.Upper(path, "maxContains", SchemaComparer.Int(o.MaxContains), SchemaComparer.Int(n.MaxContains), decreased: 64, increased: 63, set: 64, unset: 63);
        DependentRequired();
        Map("dependentSchemas", o.DependentSchemas, n.DependentSchemas, added: 68, removed: 69);
        Map("patternProperties", o.PatternProperties, n.PatternProperties, added: 70, removed: 71);
        Subschema("propertyNames", o.PropertyNames, n.PropertyNames, added: 72, removed: 73, ".propertyNames");
        Presence("unevaluatedItems", o.UnevaluatedItems, n.UnevaluatedItems, added: 74, removed: 75);
        Presence("unevaluatedProperties", o.UnevaluatedProperties, n.UnevaluatedProperties, added: 76, removed: 77);
        Subschema("contentSchema", o.ContentSchema, n.ContentSchema, added: 78, removed: 79, ".contentSchema");
        Changed("contentMediaType", o.ContentMediaType, n.ContentMediaType, 80);
        Changed("contentEncoding", o.ContentEncoding, n.ContentEncoding, 81);
        Subschema("if", o.If, n.If, added: 88, removed: 89, ".if");
        Subschema("then", o.Then, n.Then, added: 90, removed: 91, ".then");
        Subschema("else", o.Else, n.Else, added: 92, removed: 93, ".else");
        Stability();
        MultipleOf();
        if (o.UniqueItems != n.UniqueItems)
        {
            comparer.Report(n.UniqueItems ? 104 : 105, path, $"uniqueItems of {comparer.Subject(path)} became {(n.UniqueItems ? "true" : "false")}", o.UniqueItems ? "true" : null, n.UniqueItems ? "true" : null);
        }

        comparer.Upper(path, "maxProperties", SchemaComparer.Int(o.MaxProperties), SchemaComparer.Int(n.MaxProperties), decreased: 106, increased: 107, set: 106, unset: 107);
        comparer.Lower(path, "minProperties", SchemaComparer.Int(o.MinProperties), SchemaComparer.Int(n.MinProperties), increased: 108, decreased: 109, set: 108, unset: 109);
        Not();
    }

    /// <summary>
    /// Every value valid under the old multipleOf stays valid when the old divisor is a whole multiple of the new one
    /// (10 -> 5, 0.1 -> 0.05): widened; otherwise (5 -> 10, 4 -> 6) some old values are refused: narrowed.
    /// </summary>
    private void MultipleOf()
    {
        if (o.MultipleOf == n.MultipleOf)
        {
            return;
        }

        var (before, after) = (o.MultipleOf, n.MultipleOf);
        var (kind, text) = (before, after) switch
        {
            (null, _) => (100, $"multipleOf {after} was set on {comparer.Subject(path)}"),
            (_, null) => (101, $"multipleOf {before} was removed from {comparer.Subject(path)}"),
            ({ } b, { } a) when a != 0 && b % a == 0 => (103, $"multipleOf of {comparer.Subject(path)} was widened from {b} to {a}"),
            _ => (102, $"multipleOf of {comparer.Subject(path)} changed from {before} to {after}: values valid before may be refused"),
        };
        comparer.Report(kind, path, text, before?.ToString(System.Globalization.CultureInfo.InvariantCulture), after?.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// <c>not</c> inverts its subschema, so its own changes are not compared as the schema's: added or removed is
    /// judged, a change is a warning naming both versions.
    /// </summary>
    private void Not()
    {
        var (before, after) = (Json(o.Not), Json(n.Not));
        if (string.Equals(before, after, StringComparison.Ordinal))
        {
            return;
        }

        var (kind, text) = (before, after) switch
        {
            (null, _) => (110, $"not {after} was added to {comparer.Subject(path)}"),
            (_, null) => (111, $"not {before} was removed from {comparer.Subject(path)}"),
            _ => (112, $"not of {comparer.Subject(path)} changed from {before} to {after}"),
        };
        comparer.Report(kind, path, text, before, after);
    }

    private static string? Json(IOpenApiSchema? schema)
    {
        if (schema is null)
        {
            return null;
        }

        using var text = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        schema.SerializeAsV31(new OpenApiJsonWriter(text, new OpenApiJsonWriterSettings { Terse = true }));
        return text.ToString();
    }

    private void Value(string keyword, string? oldValue, string? newValue, int added, int removed, int changed)
    {
        if (string.Equals(oldValue, newValue, StringComparison.Ordinal))
        {
            return;
        }

        var (kind, text) = (oldValue, newValue) switch
        {
            (null, _) => (added, $"{keyword} {newValue} was set on {comparer.Subject(path)}"),
            (_, null) => (removed, $"{keyword} {oldValue} was removed from {comparer.Subject(path)}"),
            _ => (changed, $"{keyword} of {comparer.Subject(path)} changed from {oldValue} to {newValue}"),
        };
        comparer.Report(kind, path, text, oldValue, newValue);
    }

    private void ExtensibleEnum()
    {
        foreach (var value in o.ExtensibleEnum.Except(n.ExtensibleEnum, StringComparer.Ordinal))
        {
            comparer.Report(48, path, $"x-extensible-enum value {value} was removed from {comparer.Subject(path)}", value, null);
        }

        foreach (var value in n.ExtensibleEnum.Except(o.ExtensibleEnum, StringComparer.Ordinal))
        {
            comparer.Report(49, path, $"x-extensible-enum value {value} was added to {comparer.Subject(path)}", null, value);
        }
    }

    private void Discriminator()
    {
        if (!o.HasDiscriminator && n.HasDiscriminator)
        {
            comparer.Report(82, path, $"a discriminator ({n.DiscriminatorProperty}) was added to {comparer.Subject(path)}", null, n.DiscriminatorProperty);
            return;
        }

        if (o.HasDiscriminator && !n.HasDiscriminator)
        {
            comparer.Report(83, path, $"the discriminator ({o.DiscriminatorProperty}) was removed from {comparer.Subject(path)}", o.DiscriminatorProperty, null);
            return;
        }

        if (!o.HasDiscriminator)
        {
            return;
        }

        if (!string.Equals(o.DiscriminatorProperty, n.DiscriminatorProperty, StringComparison.Ordinal))
        {
            comparer.Report(84, path, $"the discriminator property of {comparer.Subject(path)} changed from {o.DiscriminatorProperty} to {n.DiscriminatorProperty}", o.DiscriminatorProperty, n.DiscriminatorProperty);
        }

        foreach (var (value, target) in n.DiscriminatorMapping)
        {
            if (!o.DiscriminatorMapping.TryGetValue(value, out var oldTarget))
            {
                comparer.Report(85, path, $"discriminator mapping {value} was added to {comparer.Subject(path)}", null, $"{value}: {target}");
            }
            else if (!string.Equals(oldTarget, target, StringComparison.Ordinal))
            {
                comparer.Report(87, path, $"discriminator mapping {value} of {comparer.Subject(path)} changed from {oldTarget} to {target}", oldTarget, target);
            }
        }

        foreach (var (value, target) in o.DiscriminatorMapping.Where(m => !n.DiscriminatorMapping.ContainsKey(m.Key)))
        {
            comparer.Report(86, path, $"discriminator mapping {value} was removed from {comparer.Subject(path)}", $"{value}: {target}", null);
        }
    }

    private void Presence(string keyword, string? oldValue, string? newValue, int added, int removed)
    {
        if (oldValue is null && newValue is not null)
        {
            comparer.Report(added, path, $"{keyword} was set on {comparer.Subject(path)}", null, newValue);
        }
        else if (oldValue is not null && newValue is null)
        {
            comparer.Report(removed, path, $"{keyword} was removed from {comparer.Subject(path)}", oldValue, null);
        }
    }

    private void Subschema(string keyword, IOpenApiSchema? oldSchema, IOpenApiSchema? newSchema, int added, int removed, string suffix)
    {
        Presence(keyword, oldSchema is null ? null : keyword, newSchema is null ? null : keyword, added, removed);
        comparer.CompareChild(oldSchema, newSchema, path + suffix, depth);
    }

    private void Changed(string keyword, string? oldValue, string? newValue, int kind)
    {
        if (!string.Equals(oldValue, newValue, StringComparison.Ordinal))
        {
            comparer.Report(kind, path, $"{keyword} of {comparer.Subject(path)} changed from {oldValue ?? "(none)"} to {newValue ?? "(none)"}", oldValue, newValue);
        }
    }

    private void DependentRequired()
    {
        foreach (var (name, needs) in n.DependentRequired)
        {
            if (!o.DependentRequired.TryGetValue(name, out var oldNeeds))
            {
                comparer.Report(65, path, $"dependentRequired {name} -> [{Join(needs)}] was added to {comparer.Subject(path)}", null, Join(needs));
            }
            else if (!oldNeeds.SetEquals(needs))
            {
                comparer.Report(67, path, $"dependentRequired {name} of {comparer.Subject(path)} changed from [{Join(oldNeeds)}] to [{Join(needs)}]", Join(oldNeeds), Join(needs));
            }
        }

        foreach (var (name, needs) in o.DependentRequired.Where(d => !n.DependentRequired.ContainsKey(d.Key)))
        {
            comparer.Report(66, path, $"dependentRequired {name} -> [{Join(needs)}] was removed from {comparer.Subject(path)}", Join(needs), null);
        }
    }

    private void Map(string keyword, IReadOnlyDictionary<string, IOpenApiSchema> oldMap, IReadOnlyDictionary<string, IOpenApiSchema> newMap, int added, int removed)
    {
        foreach (var (key, schema) in oldMap)
        {
            if (newMap.TryGetValue(key, out var newSchema))
            {
                comparer.CompareChild(schema, newSchema, $"{path}.{keyword}['{key}']", depth);
            }
            else
            {
                comparer.Report(removed, path, $"{keyword} entry {key} was removed from {comparer.Subject(path)}", key, null);
            }
        }

        foreach (var key in newMap.Keys.Where(k => !oldMap.ContainsKey(k)))
        {
            comparer.Report(added, path, $"{keyword} entry {key} was added to {comparer.Subject(path)}", null, key);
        }
    }

    private void Stability()
    {
        if (path == "$" || string.Equals(o.Stability, n.Stability, StringComparison.Ordinal))
        {
            return;
        }

        var (before, after) = (StabilityLevels.Rank(o.Stability), StabilityLevels.Rank(n.Stability));
        if (before is { } b && after is { } a && a != b)
        {
            comparer.Report(a < b ? 94 : 95, path, $"stability of {comparer.Subject(path)} changed from {o.Stability ?? "stable"} to {n.Stability ?? "stable"}", o.Stability, n.Stability);
        }
    }

    private static string Join(IEnumerable<string> names) => string.Join(", ", names.Order(StringComparer.Ordinal));
}

/// <summary>The <c>x-stability-level</c> extension: draft &lt; alpha &lt; beta &lt; stable; absent means stable.</summary>
internal static class StabilityLevels
{
    private static readonly string[] Order = ["draft", "alpha", "beta", "stable"];

    /// <summary>0 (draft) to 3 (stable); 3 when absent; null when not one of the four.</summary>
    public static int? Rank(string? level) =>
        level is null ? 3 : Array.IndexOf(Order, level.Trim().ToLowerInvariant()) is var i and >= 0 ? i : null;
}

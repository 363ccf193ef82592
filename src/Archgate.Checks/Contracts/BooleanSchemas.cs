using System.Text;
using YamlDotNet.RepresentationModel;

namespace Archgate.Checks.Contracts;

/// <summary>
/// JSON Schema 2020-12 (OpenAPI 3.1) allows a boolean wherever a schema goes: <c>true</c> accepts anything, <c>false</c>
/// nothing. The OpenAPI reader takes only objects there, so before it reads a document each boolean subschema is
/// rewritten in place into its object form, <c>{}</c> or <c>{"not": {}}</c>: the same meaning, on the same line, so
/// positions in errors stay right. <c>additionalProperties</c> and <c>unevaluatedProperties</c> keep their booleans
/// (the reader understands those).
/// </summary>
internal static class BooleanSchemas
{
    private static readonly HashSet<string> SchemaValued =
        ["items", "additionalItems", "contains", "not", "if", "then", "else", "propertyNames", "unevaluatedItems", "contentSchema"];

    private static readonly HashSet<string> SchemaMaps = ["properties", "patternProperties", "dependentSchemas", "$defs", "definitions"];

    private static readonly HashSet<string> SchemaLists = ["allOf", "anyOf", "oneOf", "prefixItems"];

    private static readonly HashSet<string> NotSchemas = ["example", "examples", "default", "enum", "const"];

    /// <summary><paramref name="text"/> with every boolean subschema in its object form; unchanged when there is none or it does not parse.</summary>
    public static string Rewrite(string text, YamlNode? root)
    {
        if (root is null)
        {
            return text;
        }

        var found = new List<YamlScalarNode>();
        Walk(root, found);
        if (found.Count == 0)
        {
            return text;
        }

        // Marks count characters of the text as read; replace from the end so earlier offsets stay valid.
        var result = new StringBuilder(text);
        foreach (var scalar in found.OrderByDescending(s => s.Start.Index))
        {
            var start = (int)scalar.Start.Index;
            var length = (int)(scalar.End.Index - scalar.Start.Index);
            if (start < 0 || start + length > result.Length)
            {
                continue;
            }

            result.Remove(start, length).Insert(start, scalar.Value == "true" ? "{}" : "{\"not\": {}}");
        }

        return result.ToString();
    }

    /// <summary>Outside schemas: every value under a <c>schema</c> key, and every entry of <c>components.schemas</c>, is a schema.</summary>
    private static void Walk(YamlNode node, List<YamlScalarNode> found)
    {
        switch (node)
        {
            case YamlMappingNode map:
                foreach (var (key, value) in map.Children)
                {
                    var name = (key as YamlScalarNode)?.Value ?? string.Empty;
                    if (name == "schema")
                    {
                        Schema(value, found);
                    }
                    else if (name == "schemas" && value is YamlMappingNode schemas)
                    {
                        foreach (var entry in schemas.Children.Values)
                        {
                            Schema(entry, found);
                        }
                    }
                    else if (!NotSchemas.Contains(name) && !name.StartsWith("x-", StringComparison.Ordinal))
                    {
                        Walk(value, found);
                    }
                }

                break;
            case YamlSequenceNode list:
                foreach (var item in list.Children)
                {
                    Walk(item, found);
                }

                break;
        }
    }

    private static void Schema(YamlNode node, List<YamlScalarNode> found)
    {
        if (node is YamlScalarNode { Value: "true" or "false", Style: YamlDotNet.Core.ScalarStyle.Plain } boolean)
        {
            found.Add(boolean);
            return;
        }

        if (node is not YamlMappingNode map)
        {
            return;
        }

        foreach (var (key, value) in map.Children)
        {
            var name = (key as YamlScalarNode)?.Value ?? string.Empty;
            if (SchemaValued.Contains(name))
            {
                Schema(value, found);
            }
            else if (SchemaMaps.Contains(name) && value is YamlMappingNode entries)
            {
                foreach (var entry in entries.Children.Values)
                {
                    Schema(entry, found);
                }
            }
            else if (SchemaLists.Contains(name) && value is YamlSequenceNode items)
            {
                foreach (var item in items.Children)
                {
                    Schema(item, found);
                }
            }
            else if (name is "additionalProperties" or "unevaluatedProperties" && value is YamlMappingNode)
            {
                Schema(value, found);
            }
        }
    }
}

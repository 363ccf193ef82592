using YamlDotNet.RepresentationModel;

namespace Archgate.Checks.Contracts.Conformance;

/// <summary>
/// Microsoft.OpenApi forgets an OpenAPI 3.0 <c>nullable: true</c> on a schema without a <c>type</c> (the usual
/// <c>allOf: [$ref], nullable: true</c>). Before reading a 3.0 document for validation, such schemas get an
/// <c>x-nullable: true</c> extension, which the reader keeps and <see cref="SchemaTranslator"/> honours.
/// </summary>
internal static class Nullable30
{
    /// <summary>The extension added.</summary>
    public const string Extension = "x-nullable";

    /// <summary>The text with the extension added where needed; 3.1 documents and unreadable text come back unchanged.</summary>
    public static string Mark(string text)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlDotNet.Core.YamlException)
        {
            return text; // the loader reports the syntax error at its position
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root
            || !(root.Children.TryGetValue(new YamlScalarNode("openapi"), out var version) && version is YamlScalarNode { Value: { } v } && v.StartsWith("3.0", StringComparison.Ordinal)))
        {
            return text;
        }

        var changed = 0;
        Visit(root, ref changed, 0);
        if (changed == 0)
        {
            return text;
        }

        using var writer = new StringWriter();
        stream.Save(writer, assignAnchors: false);
        // YamlDotNet ends the stream with a "..." document marker, which a JSON reader refuses.
        var saved = writer.ToString().TrimEnd();
        return (saved.EndsWith("...", StringComparison.Ordinal) ? saved[..^3] : saved) + "\n";
    }

    private static void Visit(YamlNode node, ref int changed, int depth)
    {
        if (depth > 200)
        {
            return;
        }

        switch (node)
        {
            case YamlMappingNode map:
                if (map.Children.TryGetValue(new YamlScalarNode("nullable"), out var nullable) && nullable is YamlScalarNode { Value: "true" }
                    && !map.Children.ContainsKey(new YamlScalarNode("type")) && !map.Children.ContainsKey(new YamlScalarNode(Extension)))
                {
                    // Double-quoted key: a document written as JSON stays JSON when it is saved again.
                    map.Children.Add(new YamlScalarNode(Extension) { Style = YamlDotNet.Core.ScalarStyle.DoubleQuoted }, new YamlScalarNode("true"));
                    changed++;
                }

                foreach (var child in map.Children.Values.ToList())
                {
                    Visit(child, ref changed, depth + 1);
                }

                break;
            case YamlSequenceNode list:
                foreach (var child in list.Children)
                {
                    Visit(child, ref changed, depth + 1);
                }

                break;
        }
    }
}

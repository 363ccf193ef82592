using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Archgate.Checks.Contracts;

/// <summary>Finds the line and column of a JSON pointer (<c>#/paths/~1orders/get</c>) in a YAML or JSON text.</summary>
internal static class YamlPointer
{
    /// <summary>The position of the deepest node the pointer reaches; 1:1 when the text cannot be parsed.</summary>
    public static (int Line, int Column) Locate(string text, string? pointer)
    {
        YamlNode node;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            if (stream.Documents.Count == 0)
            {
                return (1, 1);
            }

            node = stream.Documents[0].RootNode;
        }
        catch (YamlException)
        {
            return (1, 1);
        }

        // The position reported is the key's (where a reader looks), or the list item's.
        var position = node.Start;
        foreach (var raw in (pointer ?? string.Empty).TrimStart('#').Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var part = raw.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (node is YamlMappingNode map && map.Children.FirstOrDefault(kv => kv.Key is YamlScalarNode k && k.Value == part) is { Key: not null } entry)
            {
                position = entry.Key.Start;
                node = entry.Value;
            }
            else if (node is YamlSequenceNode seq && int.TryParse(part, out var i) && i >= 0 && i < seq.Children.Count)
            {
                node = seq.Children[i];
                position = node.Start;
            }
            else
            {
                break;
            }
        }

        return ((int)position.Line, (int)position.Column);
    }

    /// <summary>Local <c>$ref</c>s (<c>#/...</c>) that point at nothing, with the position of each.</summary>
    public static IReadOnlyList<(string Reference, int Line, int Column)> UnresolvedReferences(string text)
    {
        YamlNode root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            if (stream.Documents.Count == 0)
            {
                return [];
            }

            root = stream.Documents[0].RootNode;
        }
        catch (YamlException)
        {
            return [];
        }

        var result = new List<(string, int, int)>();
        foreach (var node in root.AllNodes.OfType<YamlMappingNode>())
        {
            if (node.Children.FirstOrDefault(kv => kv.Key is YamlScalarNode { Value: "$ref" }) is { Key: not null } entry
                && entry.Value is YamlScalarNode { Value: { } reference } value
                && reference.StartsWith("#/", StringComparison.Ordinal)
                && !Resolves(root, reference))
            {
                result.Add((reference, (int)value.Start.Line, (int)value.Start.Column));
            }
        }

        return result;
    }

    private static bool Resolves(YamlNode root, string pointer)
    {
        var node = root;
        foreach (var raw in pointer[2..].Split('/'))
        {
            var part = Uri.UnescapeDataString(raw).Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            switch (node)
            {
                case YamlMappingNode map when map.Children.FirstOrDefault(kv => kv.Key is YamlScalarNode k && k.Value == part) is { Key: not null } entry:
                    node = entry.Value;
                    break;
                case YamlSequenceNode seq when int.TryParse(part, out var i) && i >= 0 && i < seq.Children.Count:
                    node = seq.Children[i];
                    break;
                default:
                    return false;
            }
        }

        return true;
    }
}

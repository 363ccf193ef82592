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

        foreach (var raw in (pointer ?? string.Empty).TrimStart('#').Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var part = raw.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            YamlNode? next = node switch
            {
                YamlMappingNode map => map.Children.TryGetValue(new YamlScalarNode(part), out var v) ? v : null,
                YamlSequenceNode seq when int.TryParse(part, out var i) && i < seq.Children.Count => seq.Children[i],
                _ => null,
            };
            if (next is null)
            {
                break;
            }

            node = next;
        }

        return ((int)node.Start.Line, (int)node.Start.Column);
    }
}

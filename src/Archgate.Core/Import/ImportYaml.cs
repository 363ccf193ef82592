using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Archgate.Import;

/// <summary>Small reads over YamlDotNet's node tree for the importers (their inputs are trusted files of the user's own).</summary>
internal static class ImportYaml
{
    /// <summary>Every non-empty document of a (multi-document) YAML text.</summary>
    public static List<YamlNode> Documents(string text)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            throw new ImportException($"invalid YAML at line {ex.Start.Line}, column {ex.Start.Column}: {ex.InnerException?.Message ?? ex.Message}");
        }

        return stream.Documents.Select(d => d.RootNode).Where(n => n is not YamlScalarNode { Value: null or "" }).ToList();
    }

    public static YamlNode? Get(YamlMappingNode map, string key) =>
        map.Children.FirstOrDefault(p => p.Key is YamlScalarNode s && s.Value == key).Value;

    public static YamlMappingNode? Map(YamlMappingNode map, string key) => Get(map, key) as YamlMappingNode;

    public static string? Text(YamlMappingNode map, string key) => (Get(map, key) as YamlScalarNode)?.Value;

    public static YamlNode? Path(YamlNode? node, params string[] keys)
    {
        foreach (var key in keys)
        {
            node = node is YamlMappingNode m ? Get(m, key) : null;
        }

        return node;
    }
}

/// <summary>A source file 'init --from' cannot read; its message says what and where.</summary>
internal sealed class ImportException(string message) : Exception(message);

/// <summary>Edges from the hosts a component's environment names.</summary>
internal static class Edges
{
    public static void FromMentions(ImportedSystem system)
    {
        var names = system.Components.Select(c => c.Name).ToList();
        foreach (var component in system.Components)
        {
            foreach (var host in component.MentionedHosts)
            {
                if (ImportRules.Resolve(host, names) is { } target && target != component.Name && !component.DependsOn.Any(d => d.Name == target))
                {
                    component.DependOn(target, "its environment names " + host);
                }
            }
        }
    }
}

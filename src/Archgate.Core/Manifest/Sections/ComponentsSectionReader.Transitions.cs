using Archgate.Model;
using YamlDotNet.RepresentationModel;

namespace Archgate.Manifest;

public static partial class ManifestLoader
{
    private sealed partial class ComponentsSectionReader
    {
        /// <summary>
        /// A service's <c>transitions</c>: by item template, each state and the actions allowed after it. Only the shape is
        /// read here; whether a template is a resource with actions, and its names actions, only the contract can say (step 7).
        /// </summary>
        private List<DeclaredTransitions> ReadTransitions(YamlNode? node, string path)
        {
            var result = new List<DeclaredTransitions>();
            foreach (var (keyNode, valueNode) in r.Mapping(node, path)?.Children ?? Enumerable.Empty<KeyValuePair<YamlNode, YamlNode>>())
            {
                var item = (keyNode as YamlScalarNode)?.Value ?? string.Empty;
                var at = $"{path}.{item}";
                if (r.Mapping(valueNode, at) is not { } states)
                {
                    continue;
                }

                var allowed = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
                foreach (var (stateNode, next) in states.Children)
                {
                    var state = (stateNode as YamlScalarNode)?.Value ?? string.Empty;
                    allowed[state] = [.. r.StringList(next, $"{at}.{state}").Select(a => a.Value)];
                }

                if (YamlReader.Get(states, DeclaredTransitions.Start) is null)
                {
                    r.Error(states, $"{at}.{DeclaredTransitions.Start}", $"missing required field '{DeclaredTransitions.Start}'",
                        "list the actions a fresh object takes, for example 'start: [submit]'");
                }

                result.Add(new DeclaredTransitions(item, allowed, new SourceLocation(displayName, (int)keyNode.Start.Line, (int)keyNode.Start.Column)));
            }

            return result;
        }
    }
}

using System.Text.RegularExpressions;
using Archgate.Model;
using YamlDotNet.RepresentationModel;

namespace Archgate.Manifest;

public static partial class ManifestLoader
{
    private sealed partial class ComponentsSectionReader
    {
        private ModularMonolith? ReadModules(YamlNode? node, string path)
        {
            var map = r.Mapping(node, path);
            if (map is null)
            {
                return null;
            }

            r.AllowKeys(map, path, "assemblies", "allow", "startup");
            var folder = r.String(r.Required(map, path, "assemblies", "the folder of the compiled module assemblies (MODULE.dll), relative to the manifest"), $"{path}.assemblies");
            var allowMap = r.Mapping(r.Required(map, path, "allow", "each module and the modules it may depend on: { Shop.Orders: [Shop.Catalog], Shop.Catalog: [] }"), $"{path}.allow");
            var allowed = new List<KeyValuePair<string, IReadOnlyList<string>>>();
            if (allowMap is not null)
            {
                var names = allowMap.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value ?? string.Empty).ToHashSet(StringComparer.Ordinal);
                foreach (var (key, value) in allowMap.Children)
                {
                    var module = (key as YamlScalarNode)?.Value ?? string.Empty;
                    var deps = r.StringList(value, $"{path}.allow.{module}");
                    foreach (var (dep, depNode) in deps.Where(d => !names.Contains(d.Value)))
                    {
                        r.Error(depNode, $"{path}.allow.{module}", $"'{dep}' is not a declared module", Suggest.DidYouMean(dep, names.Order(StringComparer.Ordinal), "declared modules: "));
                    }

                    allowed.Add(new(module, [.. deps.Select(d => d.Value)]));
                }

                if (allowed.Count == 0)
                {
                    r.Error(allowMap, $"{path}.allow", "no module is declared", "list each module (assembly name) with the modules it may depend on");
                }
            }

            StartupLog? startup = null;
            if (r.Mapping(YamlReader.Get(map, "startup"), $"{path}.startup") is { } startupMap)
            {
                r.AllowKeys(startupMap, $"{path}.startup", "log", "pattern");
                var log = r.String(YamlReader.Get(startupMap, "log"), $"{path}.startup.log");
                var patternNode = r.Required(startupMap, $"{path}.startup", "pattern", "a regular expression with a group (?<module>...) matching a 'module initialized' line");
                var pattern = r.String(patternNode, $"{path}.startup.pattern");
                if (pattern is not null)
                {
                    try
                    {
                        if (!new Regex(pattern, RegexOptions.None, TimeSpan.FromSeconds(1)).GetGroupNames().Contains("module"))
                        {
                            r.Error(patternNode!, $"{path}.startup.pattern", "the pattern has no group named 'module'", "name the module's group: 'Module (?<module>[\\w.]+) initialized'");
                            pattern = null;
                        }
                    }
                    catch (ArgumentException ex)
                    {
                        r.Error(patternNode!, $"{path}.startup.pattern", $"invalid regular expression: {ex.Message}", "write a .NET regular expression");
                        pattern = null;
                    }
                }

                startup = pattern is null ? null : new StartupLog(log is null ? null : Path.GetFullPath(Path.Combine(baseDirectory, log)), pattern);
            }

            return folder is null || allowMap is null
                ? null
                : new ModularMonolith(Path.GetFullPath(Path.Combine(baseDirectory, folder)), allowed)
                {
                    Startup = startup,
                    Location = new SourceLocation(displayName, (int)map.Start.Line, (int)map.Start.Column),
                };
        }
    }
}

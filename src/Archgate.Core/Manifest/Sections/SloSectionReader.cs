using Archgate.Model;
using YamlDotNet.RepresentationModel;

namespace Archgate.Manifest;

public static partial class ManifestLoader
{
    /// <summary>The <c>slo</c> section: per-component targets that criteria and thresholds read.</summary>
    private sealed class SloSectionReader(SectionContext context) : SectionReader(context)
    {
        public Dictionary<string, Slo> ReadSlos(YamlMappingNode root, HashSet<string> names)
        {
            var result = new Dictionary<string, Slo>(StringComparer.Ordinal);
            var slo = r.Mapping(YamlReader.Get(root, "slo"), "slo");
            if (slo is null)
            {
                return result;
            }

            foreach (var (keyNode, valueNode) in slo.Children)
            {
                var component = (keyNode as YamlScalarNode)?.Value ?? string.Empty;
                var path = $"slo.{component}";
                if (!names.Contains(component))
                {
                    r.Error(keyNode, path, $"unknown component '{component}'",
                        Suggest.DidYouMean(component, names.Order(StringComparer.Ordinal), "declared components: "));
                }

                var map = r.Mapping(valueNode, path);
                if (map is null)
                {
                    continue;
                }

                r.AllowKeys(map, path, "p95", "errorRate", "fcp", "lcp");
                result[component] = new Slo
                {
                    P95 = r.Duration(YamlReader.Get(map, "p95"), $"{path}.p95"),
                    ErrorRate = r.Percent(YamlReader.Get(map, "errorRate"), $"{path}.errorRate"),
                    Fcp = r.Duration(YamlReader.Get(map, "fcp"), $"{path}.fcp"),
                    Lcp = r.Duration(YamlReader.Get(map, "lcp"), $"{path}.lcp"),
                };
            }

            return result;
        }
    }
}

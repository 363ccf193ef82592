using Archgate.Model;
using YamlDotNet.RepresentationModel;

namespace Archgate.Manifest;

public static partial class ManifestLoader
{
    /// <summary>The top-level <c>auth</c> section: named identities that the rest of the manifest refers to.</summary>
    private sealed class AuthSectionReader(SectionContext context) : SectionReader(context)
    {
        /// <summary>The top-level <c>auth</c> section: named identities that the rest of the manifest refers to.</summary>
        public Dictionary<string, ServiceAuth> ReadAuthSection(YamlMappingNode root)
        {
            var named = new Dictionary<string, ServiceAuth>(StringComparer.Ordinal);
            var section = r.Mapping(YamlReader.Get(root, "auth"), "auth");
            foreach (var (keyNode, valueNode) in section?.Children ?? Enumerable.Empty<KeyValuePair<YamlNode, YamlNode>>())
            {
                var name = (keyNode as YamlScalarNode)?.Value ?? string.Empty;
                if (!AuthName().IsMatch(name))
                {
                    r.Error(keyNode, "auth", $"invalid identity name '{name}'", "name an identity with letters, digits, '-' and '_', for example 'ann' or 'admin-user'");
                    continue;
                }

                if (ReadAuthDefinition(valueNode, $"auth.{name}") is { } auth)
                {
                    named[name] = auth with { Name = name };
                }
            }

            return named;
        }
    }
}

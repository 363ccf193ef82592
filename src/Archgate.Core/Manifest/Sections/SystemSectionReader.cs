using Archgate.Model;
using YamlDotNet.RepresentationModel;

namespace Archgate.Manifest;

public static partial class ManifestLoader
{
    /// <summary>The <c>system</c> section: the system's name and owners.</summary>
    private sealed class SystemSectionReader(SectionContext context) : SectionReader(context)
    {
        public (string? Name, Dictionary<string, string> Owners) ReadSystem(YamlMappingNode root)
        {
            var system = r.Mapping(r.Required(root, string.Empty, "system", "add 'system: { name: my-system }'"), "system");
            if (system is null)
            {
                return (null, []);
            }

            r.AllowKeys(system, "system", "name", "owners");
            var name = r.String(r.Required(system, "system", "name", "name the system, for example 'name: shop'"), "system.name");
            return (name, r.StringMap(YamlReader.Get(system, "owners"), "system.owners"));
        }
    }
}

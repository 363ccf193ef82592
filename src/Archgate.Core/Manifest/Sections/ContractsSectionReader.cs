using Archgate.Model;
using YamlDotNet.RepresentationModel;

namespace Archgate.Manifest;

public static partial class ManifestLoader
{
    /// <summary>The <c>contracts</c> section: Pact files and how to verify them.</summary>
    private sealed partial class ContractsSectionReader(SectionContext context) : SectionReader(context)
    {
        public (List<string> Pacts, PactSettings Settings) ReadPacts(YamlMappingNode root, HashSet<string> names)
        {
            var contracts = r.Mapping(YamlReader.Get(root, "contracts"), "contracts");
            if (contracts is null)
            {
                return ([], new PactSettings());
            }

            r.AllowKeys(contracts, "contracts", "pacts", "providers", "stateChange", "auth", "messages");
            var result = new List<string>();
            var index = 0;
            foreach (var (_, node) in r.StringList(YamlReader.Get(contracts, "pacts"), "contracts.pacts"))
            {
                var file = ExistingFile(node, $"contracts.pacts[{index++}]");
                if (file is not null)
                {
                    result.Add(file);
                }
            }

            return (result, ReadPactSettings(contracts, names));
        }
    }
}

using Archgate.Model;
using YamlDotNet.RepresentationModel;

namespace Archgate.Manifest;

public static partial class ManifestLoader
{
    /// <summary>The <c>targets</c> section: the hosts Archgate may probe.</summary>
    private sealed class TargetsSectionReader(SectionContext context) : SectionReader(context)
    {
        /// <summary>The allowed hosts: <c>targets.allow</c> when given, else the loopback hosts.</summary>
        public IReadOnlyList<string> ReadTargets(YamlMappingNode root)
        {
            var targets = r.Mapping(YamlReader.Get(root, "targets"), "targets");
            if (targets is null)
            {
                return allowedHosts;
            }

            r.AllowKeys(targets, "targets", "allow");
            var allow = r.StringList(YamlReader.Get(targets, "allow"), "targets.allow");
            return allow.Count > 0 ? allow.Select(a => a.Value).ToList() : allowedHosts;
        }
    }
}

using Archgate.Model;
using YamlDotNet.RepresentationModel;

namespace Archgate.Manifest;

public static partial class ManifestLoader
{
    /// <summary>The <c>recovery</c> section: rollback commands and state snapshots (P-RECOVERY).</summary>
    private sealed class RecoverySectionReader(SectionContext context) : SectionReader(context)
    {
        public RecoveryPolicy ReadRecovery(YamlMappingNode root)
        {
            var recovery = r.Mapping(YamlReader.Get(root, "recovery"), "recovery");
            if (recovery is null)
            {
                return new RecoveryPolicy();
            }

            r.AllowKeys(recovery, "recovery", "retries", "backoff", "rollback", "snapshots", "snapshotMaxMb");
            var defaults = new RecoveryPolicy();
            return new RecoveryPolicy
            {
                Retries = r.Int(YamlReader.Get(recovery, "retries"), "recovery.retries", 0, 10) ?? defaults.Retries,
                Backoff = r.Duration(YamlReader.Get(recovery, "backoff"), "recovery.backoff") ?? defaults.Backoff,
                Rollback = r.StringList(YamlReader.Get(recovery, "rollback"), "recovery.rollback").Select(c => c.Value).ToList(),
                Snapshots = r.Bool(YamlReader.Get(recovery, "snapshots"), "recovery.snapshots") ?? defaults.Snapshots,
                SnapshotMaxMb = r.Int(YamlReader.Get(recovery, "snapshotMaxMb"), "recovery.snapshotMaxMb", 1, 1_048_576) ?? defaults.SnapshotMaxMb,
            };
        }
    }
}

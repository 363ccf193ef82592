using Archgate.Model;
using YamlDotNet.RepresentationModel;

namespace Archgate.Manifest;

public static partial class ManifestLoader
{
    /// <summary>The <c>signoff</c> section: who signs step 10 off.</summary>
    private sealed class SignoffSectionReader(SectionContext context) : SectionReader(context)
    {
        public SignoffPolicy ReadSignoff(YamlMappingNode root, Dictionary<string, string> owners)
        {
            // A role's person: the owner under the role's own name, or under the well-known key that maps to it.
            string? PersonOf(string role) => owners.FirstOrDefault(o =>
                string.Equals(o.Key, role, StringComparison.OrdinalIgnoreCase) ||
                string.Equals(SignoffPolicy.RoleOfOwnerKey(o.Key), role, StringComparison.OrdinalIgnoreCase)).Value;

            var signoff = r.Mapping(YamlReader.Get(root, "signoff"), "signoff");
            var approver = SignoffPolicy.DefaultApprover;
            List<string>? reviewers = null;
            if (signoff is not null)
            {
                if (YamlReader.Get(signoff, "approvers") is { } old)
                {
                    r.Error(old, "signoff.approvers", "'approvers' is no longer read",
                        "write 'approver: ROLE' (the one role that signs off, default System-Architect) and 'reviewers: [ROLE, ...]' (roles whose review comes first)");
                }

                r.AllowKeys(signoff, "signoff", "approver", "reviewers", "approvers");
                if (r.String(YamlReader.Get(signoff, "approver"), "signoff.approver") is { Length: > 0 } a)
                {
                    approver = a;
                }

                if (YamlReader.Get(signoff, "reviewers") is { } list)
                {
                    reviewers = r.StringList(list, "signoff.reviewers").Select(x => x.Value).ToList();
                }
            }

            reviewers ??= owners.Keys.Select(SignoffPolicy.RoleOfOwnerKey).ToList();
            return new SignoffPolicy
            {
                Approver = new SignoffRole(approver, PersonOf(approver)),
                Reviewers = reviewers
                    .Where(x => !string.Equals(x, approver, StringComparison.OrdinalIgnoreCase))
                    .Distinct(StringComparer.OrdinalIgnoreCase)
                    .Select(x => new SignoffRole(x, PersonOf(x)))
                    .ToList(),
            };
        }
    }
}

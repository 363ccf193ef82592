using Archgate.Model;
using YamlDotNet.RepresentationModel;

namespace Archgate.Manifest;

/// <summary>Reading the top-level sections after <c>components</c>: contracts, slo, security, recovery, escalation, signoff (load: ManifestLoader.Load.cs).</summary>
public static partial class ManifestLoader
{
    private sealed partial class Builder
    {
        private (List<string> Pacts, PactSettings Settings) ReadPacts(YamlMappingNode root, HashSet<string> names)
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

        private Dictionary<string, Slo> ReadSlos(YamlMappingNode root, HashSet<string> names)
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

        private SecurityPolicy ReadSecurity(YamlMappingNode root, IReadOnlyList<Component> components)
        {
            var security = r.Mapping(YamlReader.Get(root, "security"), "security");
            if (security is null)
            {
                return new SecurityPolicy();
            }

            r.AllowKeys(security, "security", "protected", "identities", "adminOnly", "safe", "rules", "configPaths", "audit");
            var identities = new List<ServiceAuth>();
            var index = 0;
            foreach (var item in r.Sequence(YamlReader.Get(security, "identities"), "security.identities")?.Children ?? [])
            {
                var path = $"security.identities[{index++}]";
                var identity = item is YamlMappingNode map && YamlReader.Get(map, "login") is null
                    ? ReadOldIdentity(map, path, components)
                    : ReadAuthReference(item, path);
                if (identity is not null)
                {
                    identities.Add(identity);
                }
            }

            return new SecurityPolicy
            {
                Protected = r.StringList(YamlReader.Get(security, "protected"), "security.protected").Select(p => p.Value).ToList(),
                Identities = identities,
                AdminOnly = r.StringList(YamlReader.Get(security, "adminOnly"), "security.adminOnly").Select(p => p.Value).ToList(),
                Safe = r.Bool(YamlReader.Get(security, "safe"), "security.safe") ?? false,
                Rules = ReadRuleOverrides(r.Mapping(YamlReader.Get(security, "rules"), "security.rules")),
                ConfigPaths = ReadConfigPaths(security),
                Audit = ReadAudit(security),
            };
        }

        private Dictionary<string, RuleOverride> ReadRuleOverrides(YamlMappingNode? rules)
        {
            var result = new Dictionary<string, RuleOverride>(StringComparer.Ordinal);
            foreach (var (key, value) in rules?.Children ?? Enumerable.Empty<KeyValuePair<YamlNode, YamlNode>>())
            {
                var id = (key as YamlScalarNode)?.Value ?? string.Empty;
                var path = $"security.rules.{id}";
                if (!RuleId().IsMatch(id))
                {
                    r.Error(key, path, $"'{id}' is not a rule id", "write a rule id of docs/rules.md, for example AG9001");
                    continue;
                }

                var action = r.String(value, path);
                RuleAction? parsed = action switch
                {
                    "ignore" => RuleAction.Ignore,
                    "warn" => RuleAction.Warn,
                    "fail" => RuleAction.Fail,
                    _ => null,
                };
                if (parsed is null)
                {
                    if (action is not null)
                    {
                        r.Error(value, path, $"unknown action '{action}'", "write ignore, warn or fail");
                    }

                    continue;
                }

                result[id] = new RuleOverride(parsed.Value, new SourceLocation(displayName, (int)key.Start.Line, (int)key.Start.Column));
            }

            return result;
        }

        /// <summary>
        /// The old spelling of an identity, <c>{ user, password }</c>: it signs in through the first login of the
        /// manifest (an <c>auth</c> definition's, else a service's, else any other, such as the old <c>contracts.auth</c>). Loads with a warning.
        /// </summary>
        private LoginAuth? ReadOldIdentity(YamlMappingNode map, string path, IReadOnlyList<Component> components)
        {
            r.AllowKeys(map, path, "user", "password");
            var user = r.String(r.Required(map, path, "user"), $"{path}.user");
            var password = r.String(r.Required(map, path, "password"), $"{path}.password");
            var login = _auth.Values.OfType<LoginAuth>().FirstOrDefault() ?? components.Select(c => c.Auth).OfType<LoginAuth>().FirstOrDefault() ?? _logins.FirstOrDefault();
            if (login is null)
            {
                r.Error(map, path, "this identity has no login operation",
                    $"define it in the top-level 'auth' section with its login (auth: {{ {user ?? "ann"}: {{ login: POST /auth/login, user: ..., password: ... }} }}) and list its name here");
                return null;
            }

            r.Warn(map, path, "an identity written as { user, password } is deprecated",
                $"define it once in the top-level 'auth' section (auth: {{ {user ?? "ann"}: {{ login: {login.Method} {login.Path}, user: ..., password: ... }} }}) and list its name here");
            return user is null || password is null ? null : login with { User = user, Password = password, Name = user, Roles = [] };
        }

        private RecoveryPolicy ReadRecovery(YamlMappingNode root)
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

        private EscalationPolicy ReadEscalation(YamlMappingNode root)
        {
            var escalation = r.Mapping(YamlReader.Get(root, "escalation"), "escalation");
            if (escalation is null)
            {
                return new EscalationPolicy();
            }

            r.AllowKeys(escalation, "escalation", "channels", "owners");
            var channels = new List<EscalationChannel>();
            var index = 0;
            var channelList = r.Sequence(YamlReader.Get(escalation, "channels"), "escalation.channels");
            foreach (var item in channelList?.Children ?? [])
            {
                var path = $"escalation.channels[{index++}]";
                var map = r.Mapping(item, path);
                if (map is null)
                {
                    continue;
                }

                r.AllowKeys(map, path, "console", "file", "webhook");
                if (map.Children.Count != 1)
                {
                    r.Error(map, path, "a channel has exactly one of 'console', 'file' or 'webhook'", "write one channel per list item");
                    continue;
                }

                var (keyNode, valueNode) = map.Children.First();
                var kind = ((YamlScalarNode)keyNode).Value!;
                switch (kind)
                {
                    case "console" when r.Bool(valueNode, $"{path}.console") == true:
                        channels.Add(new EscalationChannel("console", null));
                        break;
                    case "file" when r.String(valueNode, $"{path}.file") is { Length: > 0 } file:
                        channels.Add(new EscalationChannel("file", Path.GetFullPath(Path.Combine(baseDirectory, file))));
                        break;
                    case "webhook" when r.String(valueNode, $"{path}.webhook") is { Length: > 0 } hook:
                        // An empty webhook (from ${VAR:-}) means "not configured here".
                        if (!Uri.TryCreate(hook, UriKind.Absolute, out _))
                        {
                            r.Error(valueNode, $"{path}.webhook", $"invalid webhook URL '{Redact.Url(hook)}'", "write an absolute http or https URL");
                        }

                        channels.Add(new EscalationChannel("webhook", hook));
                        break;
                }
            }

            var owners = new Dictionary<int, IReadOnlyList<string>>();
            var ownerMap = r.Mapping(YamlReader.Get(escalation, "owners"), "escalation.owners");
            foreach (var (keyNode, valueNode) in ownerMap?.Children ?? Enumerable.Empty<KeyValuePair<YamlNode, YamlNode>>())
            {
                var level = r.Int(keyNode, "escalation.owners", 1, 4);
                var people = r.StringList(valueNode, $"escalation.owners.{(keyNode as YamlScalarNode)?.Value}").Select(p => p.Value).ToList();
                if (level is not null)
                {
                    owners[level.Value] = people;
                }
            }

            return new EscalationPolicy { Channels = channelList is null ? new EscalationPolicy().Channels : channels, Owners = owners };
        }

        private SignoffPolicy ReadSignoff(YamlMappingNode root, Dictionary<string, string> owners)
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

        [System.Text.RegularExpressions.GeneratedRegex("^AG[0-9]{4}$")]
        private static partial System.Text.RegularExpressions.Regex RuleId();
    }
}

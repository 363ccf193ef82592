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

            r.AllowKeys(security, "security", "protected", "identities", "adminOnly", "safe", "rules", "configPaths", "audit", "signingKey");
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
                SigningKey = ReadSigningKey(security),
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
            var login = _auth.Values.OfType<LoginAuth>().FirstOrDefault() ?? components.OfType<HttpComponent>().Select(c => c.Auth).OfType<LoginAuth>().FirstOrDefault() ?? _logins.FirstOrDefault();
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

            r.AllowKeys(escalation, "escalation", "channels", "owners", "executive", "ackWithin", "resources");
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

                r.AllowKeys(map, path, "console", "file", "webhook", "email");
                if (map.Children.Count != 1)
                {
                    r.Error(map, path, "a channel has exactly one of 'console', 'file', 'webhook' or 'email'", "write one channel per list item");
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
                    case "webhook" when ReadWebhookChannel(valueNode, $"{path}.webhook") is { } hook:
                        channels.Add(hook);
                        break;
                    case "email" when ReadEmailChannel(valueNode, $"{path}.email") is { } email:
                        channels.Add(email);
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

            var executive = YamlReader.Get(escalation, "executive") switch
            {
                null => [],
                YamlScalarNode one => r.String(one, "escalation.executive") is { Length: > 0 } person ? [person] : [],
                var many => r.StringList(many, "escalation.executive").Select(p => p.Value).ToList(),
            };

            var ackWithin = new Dictionary<int, TimeSpan>(EscalationPolicy.DefaultAckWithin);
            if (r.Mapping(YamlReader.Get(escalation, "ackWithin"), "escalation.ackWithin") is { } ackMap)
            {
                ackWithin.Clear();
                foreach (var (keyNode, valueNode) in ackMap.Children)
                {
                    // Level 4 is the top: nothing to rise to.
                    var level = r.Int(keyNode, "escalation.ackWithin", 1, 3);
                    var within = r.Duration(valueNode, $"escalation.ackWithin.{(keyNode as YamlScalarNode)?.Value}");
                    if (level is not null && within is not null)
                    {
                        ackWithin[level.Value] = within.Value;
                    }
                }
            }

            return new EscalationPolicy
            {
                Channels = channelList is null ? new EscalationPolicy().Channels : channels,
                Owners = owners,
                Executive = executive,
                AckWithin = ackWithin,
                Resources = ReadResourceLimits(escalation),
            };
        }

        private EscalationChannel? ReadWebhookChannel(YamlNode node, string path)
        {
            string? url;
            var format = WebhookFormat.Json;
            if (node is YamlMappingNode map)
            {
                r.AllowKeys(map, path, "url", "format");
                url = r.String(r.Required(map, path, "url"), $"{path}.url");
                switch (r.String(YamlReader.Get(map, "format"), $"{path}.format"))
                {
                    case null or "json":
                        break;
                    case "slack":
                        format = WebhookFormat.Slack;
                        break;
                    case "teams":
                        format = WebhookFormat.Teams;
                        break;
                    case var other:
                        r.Error(YamlReader.Get(map, "format")!, $"{path}.format", $"unknown webhook format '{other}'", "write json, slack or teams");
                        break;
                }
            }
            else
            {
                url = r.String(node, path);
            }

            // An empty webhook (from ${VAR:-}) means "not configured here".
            if (url is not { Length: > 0 })
            {
                return null;
            }

            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                r.Error(node, path, $"invalid webhook URL '{Redact.Url(url)}'", "write an absolute http or https URL");
            }

            return new EscalationChannel("webhook", url) { Format = format };
        }

        private EscalationChannel? ReadEmailChannel(YamlNode node, string path)
        {
            var map = r.Mapping(node, path);
            if (map is null)
            {
                return null;
            }

            r.AllowKeys(map, path, "host", "port", "from", "to", "starttls", "user", "password");
            var host = r.String(r.Required(map, path, "host"), $"{path}.host");
            var from = r.String(r.Required(map, path, "from"), $"{path}.from");
            var to = YamlReader.Get(map, "to") switch
            {
                null => [],
                YamlScalarNode one => r.String(one, $"{path}.to") is { Length: > 0 } address ? [address] : [],
                var many => r.StringList(many, $"{path}.to").Select(a => a.Value).Where(a => a.Length > 0).ToList(),
            };
            var port = r.Int(YamlReader.Get(map, "port"), $"{path}.port", 1, 65535) ?? 25;
            var user = r.String(YamlReader.Get(map, "user"), $"{path}.user");
            var password = r.String(YamlReader.Get(map, "password"), $"{path}.password");
            if (user is { Length: > 0 } && password is not { Length: > 0 })
            {
                r.Error(map, $"{path}.password", "a user without a password", "give password: \"${SMTP_PASSWORD}\", or leave out user");
            }

            if (from is { Length: > 0 } && !from.Contains('@', StringComparison.Ordinal))
            {
                r.Error(YamlReader.Get(map, "from")!, $"{path}.from", $"'{from}' is not an e-mail address", "write an address such as archgate@example.test");
            }

            return host is not { Length: > 0 } || from is null
                ? null
                : new EscalationChannel("email", $"{host}:{port}")
                {
                    Email = new SmtpSettings
                    {
                        Host = host,
                        Port = port,
                        From = from,
                        To = to,
                        StartTls = r.Bool(YamlReader.Get(map, "starttls"), $"{path}.starttls") ?? false,
                        User = user is { Length: > 0 } ? user : null,
                        Password = password is { Length: > 0 } ? password : null,
                    },
                };
        }

        private ResourceLimits ReadResourceLimits(YamlMappingNode escalation)
        {
            var map = r.Mapping(YamlReader.Get(escalation, "resources"), "escalation.resources");
            var defaults = new ResourceLimits();
            if (map is null)
            {
                return defaults;
            }

            r.AllowKeys(map, "escalation.resources", "cpu", "memory", "diskFree");
            long? Bytes(string key)
            {
                var node = YamlReader.Get(map, key);
                var text = r.String(node, $"escalation.resources.{key}");
                if (text is null)
                {
                    return null;
                }

                if (ValueParsers.TryParseBytes(text, out var bytes))
                {
                    return bytes;
                }

                r.Error(node!, $"escalation.resources.{key}", $"invalid size '{text}'", "write a number of bytes with a unit: 512MiB, 2GiB, 100MB");
                return null;
            }

            return new ResourceLimits
            {
                Cpu = r.Percent(YamlReader.Get(map, "cpu"), "escalation.resources.cpu"),
                Memory = Bytes("memory"),
                DiskFree = YamlReader.Get(map, "diskFree") is null ? defaults.DiskFree : Bytes("diskFree"),
            };
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

using Archgate.Model;
using YamlDotNet.RepresentationModel;

namespace Archgate.Manifest;

public static partial class ManifestLoader
{
    /// <summary>The <c>escalation</c> section: who is told at levels 1-4, through which channels.</summary>
    private sealed class EscalationSectionReader(SectionContext context) : SectionReader(context)
    {
        public EscalationPolicy ReadEscalation(YamlMappingNode root)
        {
            var escalation = r.Mapping(YamlReader.Get(root, "escalation"), "escalation");
            if (escalation is null)
            {
                return new EscalationPolicy();
            }

            r.AllowKeys(escalation, "escalation", "channels", "owners", "executive", "ackWithin", "resources");
            var channels = new List<EscalationChannel>();
            var channelList = r.Sequence(YamlReader.Get(escalation, "channels"), "escalation.channels");
            foreach (var (map, path) in r.MappingItems(channelList, "escalation.channels"))
            {
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
    }
}

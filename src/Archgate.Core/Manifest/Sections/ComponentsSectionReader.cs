using Archgate.Model;
using YamlDotNet.RepresentationModel;

namespace Archgate.Manifest;

public static partial class ManifestLoader
{
    /// <summary>A component as read, with its mapping and the dependsOn entries' nodes, for errors placed where they are written.</summary>
    private sealed record Parsed(Component Component, YamlMappingNode Node, IReadOnlyList<(string Value, YamlNode Node)> Deps);

    /// <summary>
    /// What the <c>components</c> section gives: the components, and the names its databases' probes and clients and its
    /// services' resources refer to, for the cross-reference validator.
    /// </summary>
    private sealed record ComponentsSection(
        List<Parsed> Parsed,
        IReadOnlyList<(string Database, string Target, YamlNode Node, string Path, bool ServiceOnly)> DatabaseReferences,
        IReadOnlyList<(string Database, YamlNode Node, string Path)> ResourceDatabases);

    /// <summary>The <c>components</c> list: each component's record of its kind, and the references to other components that
    /// the cross-reference validator checks once every section is read.</summary>
    private sealed partial class ComponentsSectionReader(SectionContext context) : SectionReader(context)
    {
        /// <summary>Stands in for a url the loader reported as wrong, so that later checks still see the component.</summary>
        private static readonly Uri Unresolved = new("http://unresolved.invalid/");

        /// <summary>Reads the section; each reader reads one manifest, once.</summary>
        public ComponentsSection Read(YamlMappingNode root) => new(ReadComponents(root), _databaseReferences, _resourceDatabases);

        private List<Parsed> ReadComponents(YamlMappingNode root)
        {
            var list = r.Sequence(r.Required(root, string.Empty, "components", "list the system's services, databases, frontends and third parties"), "components");
            var result = new List<Parsed>();
            if (list is null)
            {
                return result;
            }

            var seen = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
            foreach (var (map, fallbackPath) in r.MappingItems(list, "components"))
            {
                var nameNode = YamlReader.Get(map, "name");
                var name = nameNode is YamlScalarNode { Value.Length: > 0 } n ? n.Value! : null;
                var path = name is null ? fallbackPath : $"components.{name}";
                var parsed = ReadComponent(map, path);
                if (parsed is null)
                {
                    continue;
                }

                if (seen.TryGetValue(parsed.Component.Name, out var first))
                {
                    r.Error(nameNode!, $"{path}.name", $"duplicate component '{parsed.Component.Name}'",
                        $"it is first declared at line {first.Start.Line}; component names must be unique");
                    continue;
                }

                seen[parsed.Component.Name] = nameNode!;
                result.Add(parsed);
            }

            return result;
        }

        private Parsed? ReadComponent(YamlMappingNode map, string path)
        {
            r.AllowKeys(map, path, ComponentKeys);
            var name = r.String(r.Required(map, path, "name"), $"{path}.name");
            ComponentKind? kind = null;
            var kindNode = r.Required(map, path, "kind", "one of: service, database, frontend, third-party");
            var kindText = r.String(kindNode, $"{path}.kind");
            if (kindText is not null)
            {
                if (Kinds.TryGetValue(kindText, out var k))
                {
                    kind = k;
                }
                else
                {
                    r.Error(kindNode!, $"{path}.kind", $"unknown kind '{kindText}'",
                        Suggest.DidYouMean(kindText, Kinds.Keys, "one of: "));
                }
            }

            var deps = r.StringList(YamlReader.Get(map, "dependsOn"), $"{path}.dependsOn");
            var critical = r.Bool(YamlReader.Get(map, "critical"), $"{path}.critical");
            var owner = r.String(YamlReader.Get(map, "owner"), $"{path}.owner");
            var health = r.String(YamlReader.Get(map, "health"), $"{path}.health");
            if (health is not null && !health.StartsWith('/'))
            {
                r.Error(YamlReader.Get(map, "health")!, $"{path}.health", $"health path '{health}' must start with '/'", $"write '/{health}'");
            }

            Uri? url = null;
            var urlNode = YamlReader.Get(map, "url");
            if (kind is ComponentKind.Service or ComponentKind.Frontend or ComponentKind.ThirdParty)
            {
                url = ReadUrl(r.Required(map, path, "url", "give the base URL, for example http://127.0.0.1:8080"), $"{path}.url");
            }
            else if (urlNode is not null && kind is not null)
            {
                NotForKind(map, path, "url", "service, frontend and third-party components");
            }

            string? connection = null;
            DatabaseEngine? engine = null;
            var database = DatabaseSpec.None;
            if (kind is ComponentKind.Database)
            {
                database = ReadDatabaseSpec(map, path, name);
                var connectionNode = r.Required(map, path, "connection", "give a connection string, for example 'Data Source=app.db' or 'Host=127.0.0.1;Database=app;Username=app'");
                connection = r.String(connectionNode, $"{path}.connection");
                engine = ReadEngine(map, path, connection);
                if (engine == DatabaseEngine.Sqlite && connection is not null)
                {
                    connection = ResolveSqlitePath(connection);
                }
            }
            else if (kind is ComponentKind.Broker)
            {
                var connectionNode = r.Required(map, path, "connection", "give the AMQP URI, for example 'amqp://user:${BROKER_PASSWORD}@127.0.0.1:5672/'");
                connection = ReadAmqpUri(connectionNode, $"{path}.connection");
                NotForKind(map, path, "engine", "database components");
                foreach (var key in DatabaseKeys)
                {
                    NotForKind(map, path, key, "database components");
                }
            }
            else if (kind is not null)
            {
                NotForKind(map, path, "connection", "database and broker components");
                NotForKind(map, path, "engine", "database components");
                foreach (var key in DatabaseKeys)
                {
                    NotForKind(map, path, key, "database components");
                }
            }

            if (kind is not null and not ComponentKind.Frontend)
            {
                NotForKind(map, path, "pages", "frontend components");
                NotForKind(map, path, "states", "frontend components");
            }

            var states = ReadPageStates(YamlReader.Get(map, "states"), $"{path}.states");

            var pages = r.StringList(YamlReader.Get(map, "pages"), $"{path}.pages").Select(p => p.Value).ToList();
            var openApi = ReadOpenApi(YamlReader.Get(map, "openapi"), $"{path}.openapi");
            var run = ReadRun(YamlReader.Get(map, "run"), $"{path}.run", health, url);
            var policy = ReadPolicy(YamlReader.Get(map, "policy"), $"{path}.policy");
            ServiceAuth? auth = null;
            if (kind is ComponentKind.Service or ComponentKind.ThirdParty)
            {
                auth = ReadAuthReference(YamlReader.Get(map, "auth"), $"{path}.auth");
            }
            else if (kind is ComponentKind.Frontend)
            {
                auth = ReadFrontendAuth(YamlReader.Get(map, "auth"), $"{path}.auth");
            }
            else if (kind is not null)
            {
                NotForKind(map, path, "auth", "service, frontend and third-party components");
            }

            WebhookSpec? webhook = null;
            OidcSpec? oidc = null;
            VendorContract? contract = null;
            LedgerSpec? ledger = null;
            if (kind is ComponentKind.ThirdParty)
            {
                ledger = ReadLedger(YamlReader.Get(map, "ledger"), $"{path}.ledger");
                webhook = ReadWebhook(YamlReader.Get(map, "webhook"), $"{path}.webhook");
                oidc = ReadOidc(YamlReader.Get(map, "oidc"), $"{path}.oidc");
                contract = ReadVendorContract(YamlReader.Get(map, "contract"), $"{path}.contract");
            }
            else if (kind is not null)
            {
                NotForKind(map, path, "webhook", "third-party components");
                NotForKind(map, path, "oidc", "third-party components");
                NotForKind(map, path, "contract", "third-party components");
                NotForKind(map, path, "ledger", "third-party components");
            }

            IReadOnlyList<ResourceMapping> resources = [];
            IReadOnlyList<RealtimeEndpoint> realtime = [];
            IReadOnlyList<DeclaredTransitions> transitions = [];
            DiscoverySpec? discovery = null;
            ModularMonolith? modules = null;
            EdgeProbe? requiresAuth = null;
            if (kind is ComponentKind.Service)
            {
                discovery = ReadDiscovery(YamlReader.Get(map, "discovery"), $"{path}.discovery");
                modules = ReadModules(YamlReader.Get(map, "modules"), $"{path}.modules");
                requiresAuth = ReadEdgeProbe(YamlReader.Get(map, "requiresAuth"), $"{path}.requiresAuth");
                if (requiresAuth?.Via is not null)
                {
                    r.Error(YamlReader.Get(map, "requiresAuth")!, $"{path}.requiresAuth.via", "'via' does not apply here", "requiresAuth is sent to this service directly");
                }
                resources = ReadResources(YamlReader.Get(map, "resources"), $"{path}.resources");
                realtime = ReadRealtime(YamlReader.Get(map, "realtime"), $"{path}.realtime");
                transitions = ReadTransitions(YamlReader.Get(map, "transitions"), $"{path}.transitions");
            }
            else if (kind is not null)
            {
                NotForKind(map, path, "resources", "service components");
                NotForKind(map, path, "realtime", "service components");
                NotForKind(map, path, "transitions", "service components");
                NotForKind(map, path, "discovery", "service components");
                NotForKind(map, path, "modules", "service components");
                NotForKind(map, path, "requiresAuth", "service components");
            }

            var broker = BrokerSpec.None;
            if (kind is ComponentKind.Broker)
            {
                broker = ReadBrokerSpec(map, path);
            }
            else if (kind is not null)
            {
                foreach (var key in BrokerKeys)
                {
                    NotForKind(map, path, key, "broker components");
                }
            }

            if (name is null || kind is null)
            {
                return null;
            }

            var location = new SourceLocation(displayName, (int)map.Start.Line, (int)map.Start.Column);
            var dependsOn = deps.Select(d => d.Value).ToList();
            // A url or connection in error has been reported; the component is still built (with a stand-in that never
            // leaves the loader: a manifest with errors gives no model) so that the checks across sections report
            // every other mistake at once. A url from an unset variable, when the load allows one (plan, validate), leaves
            // with the stand-in: a reserved .invalid host that nothing resolves, never a made-up address that works.
            var address = url ?? Unresolved;
            Component component = kind.Value switch
            {
                ComponentKind.Service => new ServiceComponent
                {
                    Name = name, Url = address, Auth = auth, Resources = resources, Realtime = realtime, Transitions = transitions, Discovery = discovery, Modules = modules, RequiresAuth = requiresAuth,
                    HealthPath = health, OpenApi = openApi, DependsOn = dependsOn, Owner = owner, Critical = critical ?? false, Run = run, Policy = policy, Location = location,
                },
                ComponentKind.Frontend => new FrontendComponent
                {
                    Name = name, Url = address, Auth = auth, Pages = pages, States = states,
                    HealthPath = health, OpenApi = openApi, DependsOn = dependsOn, Owner = owner, Critical = critical ?? false, Run = run, Policy = policy, Location = location,
                },
                ComponentKind.ThirdParty => new ThirdPartyComponent
                {
                    Name = name, Url = address, Auth = auth, Webhook = webhook, Oidc = oidc, Contract = contract, Ledger = ledger,
                    HealthPath = health, OpenApi = openApi, DependsOn = dependsOn, Owner = owner, Critical = critical ?? false, Run = run, Policy = policy, Location = location,
                },
                ComponentKind.Database => new DatabaseComponent
                {
                    Name = name, Connection = connection ?? string.Empty, Engine = engine ?? DatabaseEngine.Sqlite, Database = database,
                    HealthPath = health, OpenApi = openApi, DependsOn = dependsOn, Owner = owner, Critical = critical ?? false, Run = run, Policy = policy, Location = location,
                },
                _ => new BrokerComponent
                {
                    Name = name, Connection = connection ?? string.Empty, Broker = broker,
                    HealthPath = health, OpenApi = openApi, DependsOn = dependsOn, Owner = owner, Critical = critical ?? false, Run = run, Policy = policy, Location = location,
                },
            };
            return new Parsed(component, map, deps);
        }

        /// <summary>
        /// A frontend's identity: the name of a login of the top-level <c>auth</c> section, whose user and password step 5's
        /// browser check types into the page's own login form.
        /// </summary>
        private LoginAuth? ReadFrontendAuth(YamlNode? node, string path)
        {
            if (node is null)
            {
                return null;
            }

            if (node is not YamlScalarNode scalar)
            {
                r.Error(node, path, "a frontend's auth names an identity", "define it in the top-level 'auth' section and write 'auth: ann' here");
                return null;
            }

            var auth = AuthByName(scalar, path);
            if (auth is not null and not LoginAuth)
            {
                r.Error(node, path, $"identity '{scalar.Value}' has no user and password to type into a login form",
                    "name an identity with login, user and password: the browser check signs in through the page's form");
                return null;
            }

            return auth as LoginAuth;
        }

        private void NotForKind(YamlMappingNode map, string path, string key, string appliesTo)
        {
            var node = YamlReader.Get(map, key);
            if (node is not null)
            {
                var keyNode = map.Children.Keys.First(k => k is YamlScalarNode s && s.Value == key);
                r.Error(keyNode, $"{path}.{key}", $"'{key}' does not apply to this kind of component",
                    $"'{key}' is for {appliesTo}; remove it or change 'kind'");
            }
        }

        private DatabaseEngine? ReadEngine(YamlMappingNode map, string path, string? connection)
        {
            var node = YamlReader.Get(map, "engine");
            var text = r.String(node, $"{path}.engine");
            switch (text)
            {
                case "sqlite":
                    return DatabaseEngine.Sqlite;
                case "postgres" or "postgresql":
                    return DatabaseEngine.Postgres;
                case null when node is null:
                    // Guess from the connection string's shape; the hint in docs says to be explicit.
                    return connection is not null && (connection.Contains("Host=", StringComparison.OrdinalIgnoreCase) || connection.StartsWith("postgres", StringComparison.OrdinalIgnoreCase))
                        ? DatabaseEngine.Postgres
                        : DatabaseEngine.Sqlite;
                case null:
                    return null;
                default:
                    r.Error(node!, $"{path}.engine", $"unknown database engine '{text}'",
                        Suggest.DidYouMean(text, ["sqlite", "postgres"], "one of: "));
                    return null;
            }
        }

        private string ResolveSqlitePath(string connection)
        {
            // A relative SQLite file is relative to the manifest, like every other path in it.
            var parts = connection.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            for (var i = 0; i < parts.Length; i++)
            {
                var eq = parts[i].IndexOf('=', StringComparison.Ordinal);
                if (eq < 0)
                {
                    continue;
                }

                var key = parts[i][..eq].Trim();
                var value = parts[i][(eq + 1)..].Trim();
                if ((key.Equals("Data Source", StringComparison.OrdinalIgnoreCase) || key.Equals("DataSource", StringComparison.OrdinalIgnoreCase) || key.Equals("Filename", StringComparison.OrdinalIgnoreCase))
                    && value != ":memory:" && !Path.IsPathRooted(value))
                {
                    parts[i] = $"{key}={Path.GetFullPath(Path.Combine(baseDirectory, value))}";
                }
            }

            return string.Join(';', parts);
        }

        private OpenApiSpec? ReadOpenApi(YamlNode? node, string path)
        {
            switch (node)
            {
                case null:
                    return null;
                case YamlScalarNode:
                    {
                        var file = ExistingFile(node, path);
                        return file is null ? null : new OpenApiSpec(file, null);
                    }

                case YamlMappingNode map:
                    {
                        r.AllowKeys(map, path, "path", "baseline", "fixtures", "conformance");
                        var file = ExistingFile(r.Required(map, path, "path", "the OpenAPI document, relative to the manifest"), $"{path}.path");
                        var baselineNode = YamlReader.Get(map, "baseline");
                        var baseline = baselineNode is null ? null : ExistingFile(baselineNode, $"{path}.baseline");
                        var fixtures = ReadFixtures(YamlReader.Get(map, "fixtures"), $"{path}.fixtures");
                        var limits = ReadConformanceLimits(YamlReader.Get(map, "conformance"), $"{path}.conformance");
                        return file is null ? null : new OpenApiSpec(file, baseline) { Fixtures = fixtures, Conformance = limits };
                    }

                default:
                    r.Error(node, path, $"expected a file path or a mapping with 'path', found {YamlReader.Describe(node)}");
                    return null;
            }
        }

        private RunSpec? ReadRun(YamlNode? node, string path, string? health, Uri? url)
        {
            var map = r.Mapping(node, path);
            if (map is null)
            {
                return null;
            }

            r.AllowKeys(map, path, "command", "workdir", "env", "ready");
            var command = r.String(r.Required(map, path, "command", "the command line that starts the component"), $"{path}.command");
            var workdir = r.String(YamlReader.Get(map, "workdir"), $"{path}.workdir");
            var env = r.StringMap(YamlReader.Get(map, "env"), $"{path}.env");
            var ready = ReadReadiness(YamlReader.Get(map, "ready"), $"{path}.ready", health, url, map);
            if (command is null || ready is null)
            {
                return null;
            }

            var directory = Path.GetFullPath(Path.Combine(baseDirectory, workdir ?? "."));
            return new RunSpec { Command = command, WorkingDirectory = directory, Environment = env, Ready = ready };
        }

        private ReadinessProbe? ReadReadiness(YamlNode? node, string path, string? health, Uri? url, YamlMappingNode run)
        {
            var defaultTimeout = TimeSpan.FromSeconds(30);
            var map = r.Mapping(node, path);
            if (map is null)
            {
                if (node is not null)
                {
                    return null;
                }

                if (health is not null)
                {
                    return new ReadinessProbe(health, null, null, defaultTimeout);
                }

                if (url is not null)
                {
                    return new ReadinessProbe(null, url.Port, null, defaultTimeout);
                }

                r.Error(run, path, "missing 'ready': Archgate cannot tell when this component is ready",
                    "add 'ready: { http: /health }', 'ready: { tcp: 5432 }' or 'ready: { log: \"listening\" }'");
                return null;
            }

            r.AllowKeys(map, path, "http", "tcp", "log", "timeout");
            var http = r.String(YamlReader.Get(map, "http"), $"{path}.http");
            var tcp = r.Int(YamlReader.Get(map, "tcp"), $"{path}.tcp", 1, 65535);
            var log = r.String(YamlReader.Get(map, "log"), $"{path}.log");
            var timeout = r.Duration(YamlReader.Get(map, "timeout"), $"{path}.timeout") ?? defaultTimeout;
            var count = (http is null ? 0 : 1) + (tcp is null ? 0 : 1) + (log is null ? 0 : 1);
            if (count != 1)
            {
                r.Error(map, path, count == 0 ? "no readiness probe given" : "more than one readiness probe given",
                    "give exactly one of 'http: /health', 'tcp: PORT' or 'log: TEXT'");
                return null;
            }

            return new ReadinessProbe(http, tcp, log, timeout);
        }

        /// <summary>A provider's published OpenAPI document (<c>contract: file</c> or <c>contract: { path: file }</c>).</summary>
        private VendorContract? ReadVendorContract(YamlNode? node, string path)
        {
            switch (node)
            {
                case null:
                    return null;
                case YamlScalarNode:
                    return ExistingFile(node, path) is { } document ? new VendorContract(document, new SourceLocation(displayName, (int)node.Start.Line, (int)node.Start.Column)) : null;
                case YamlMappingNode map:
                    {
                        r.AllowKeys(map, path, "path");
                        var file = ExistingFile(r.Required(map, path, "path", "the provider's OpenAPI document, relative to the manifest"), $"{path}.path");
                        return file is null ? null : new VendorContract(file, new SourceLocation(displayName, (int)map.Start.Line, (int)map.Start.Column));
                    }

                default:
                    r.Error(node, path, $"expected a file path or a mapping with 'path', found {YamlReader.Describe(node)}", "give the provider's published OpenAPI document, for example 'contract: contracts/vendors/sendgrid-mail-send.yaml'");
                    return null;
            }
        }

        private WebhookSpec? ReadWebhook(YamlNode? node, string path)
        {
            var map = r.Mapping(node, path);
            if (map is null)
            {
                return null;
            }

            r.AllowKeys(map, path, "to", "path", "secret", "signature", "event");
            var to = r.String(r.Required(map, path, "to", "the component that receives the provider's callbacks, for example 'to: payments'"), $"{path}.to");
            var target = r.String(r.Required(map, path, "path", "where it receives them, for example 'path: /webhooks/gateway'"), $"{path}.path");
            var secret = r.String(r.Required(map, path, "secret", "the signing secret, from the environment: 'secret: ${WEBHOOK_SECRET}'"), $"{path}.secret");
            if (target is not null && !target.StartsWith('/'))
            {
                r.Error(YamlReader.Get(map, "path")!, $"{path}.path", $"'{target}' is not a path", $"write '/{target}'");
            }

            var header = "X-Signature";
            var scheme = "stripe";
            if (r.Mapping(YamlReader.Get(map, "signature"), $"{path}.signature") is { } signature)
            {
                r.AllowKeys(signature, $"{path}.signature", "header", "scheme");
                header = r.String(YamlReader.Get(signature, "header"), $"{path}.signature.header") ?? header;
                var schemeNode = YamlReader.Get(signature, "scheme");
                scheme = r.String(schemeNode, $"{path}.signature.scheme") ?? scheme;
                string[] schemes = ["stripe", "github"];
                if (!schemes.Contains(scheme))
                {
                    r.Error(schemeNode!, $"{path}.signature.scheme", $"unknown signature scheme '{scheme}'", Suggest.DidYouMean(scheme, schemes, "one of: "));
                }
            }

            var eventNode = YamlReader.Get(map, "event");
            var json = eventNode is null ? null : ToJson(eventNode, $"{path}.event");
            return to is null || target is null || secret is null
                ? null
                : new WebhookSpec(to, target, secret) { Header = header, Scheme = scheme, Event = json, Location = new SourceLocation(displayName, (int)map.Start.Line, (int)map.Start.Column) };
        }
    }
}

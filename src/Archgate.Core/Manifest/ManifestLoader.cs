using System.Security.Cryptography;
using Archgate.Model;
using Archgate.Planning;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Archgate.Manifest;

/// <summary>
/// Reads <c>archgate.yaml</c> (schema version 1) into a <see cref="SystemModel"/>. Reports every problem at
/// once, each with file, line, column and a hint; never throws for a bad manifest.
/// </summary>
public static class ManifestLoader
{
    /// <summary>The schema version this loader reads.</summary>
    public const int SchemaVersion = 1;

    private static readonly string[] TopKeys =
        ["version", "system", "targets", "components", "contracts", "slo", "load", "security", "recovery", "escalation", "signoff"];

    private static readonly string[] ComponentKeys =
        ["name", "kind", "url", "connection", "engine", "health", "openapi", "dependsOn", "owner", "critical", "run", "policy", "pages"];

    private static readonly Dictionary<string, ComponentKind> Kinds = new(StringComparer.Ordinal)
    {
        ["service"] = ComponentKind.Service,
        ["database"] = ComponentKind.Database,
        ["frontend"] = ComponentKind.Frontend,
        ["third-party"] = ComponentKind.ThirdParty,
    };

    /// <summary>Loads the manifest at <paramref name="path"/>.</summary>
    /// <param name="path">The manifest file.</param>
    /// <param name="environment">Variable lookup for <c>${VAR}</c>; the process environment by default.</param>
    public static ManifestLoadResult Load(string path, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        if (!File.Exists(path))
        {
            return new ManifestLoadResult(null,
                [new ManifestError(path, 1, 1, string.Empty, "manifest not found",
                    "run 'archgate init' to write a starter archgate.yaml, or pass the path of yours")]);
        }

        var bytes = File.ReadAllBytes(path);
        var text = System.Text.Encoding.UTF8.GetString(bytes);
        var full = Path.GetFullPath(path);
        return Parse(text, path, full, Convert.ToHexStringLower(SHA256.HashData(bytes)), environment);
    }

    /// <summary>Parses manifest text; <paramref name="displayName"/> is used in error messages.</summary>
    /// <param name="text">The YAML text.</param>
    /// <param name="displayName">The file name errors show.</param>
    /// <param name="fullPath">The manifest's absolute path; relative paths in it resolve against its folder.</param>
    /// <param name="sha256">The SHA-256 recorded in runs.</param>
    /// <param name="environment">Variable lookup for <c>${VAR}</c>.</param>
    public static ManifestLoadResult Parse(string text, string displayName, string fullPath, string sha256, Func<string, string?> environment)
    {
        var reader = new YamlReader(displayName, environment);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            var message = ex.InnerException?.Message ?? ex.Message;
            // YamlDotNet prefixes its messages with the position; we print our own.
            var cut = message.IndexOf("): ", StringComparison.Ordinal);
            if (message.StartsWith("(Line", StringComparison.Ordinal) && cut > 0)
            {
                message = message[(cut + 3)..];
            }

            reader.Error(ex.Start.Line, ex.Start.Column, string.Empty, $"invalid YAML: {message}",
                "check the indentation and that every 'key: value' has a space after the colon");
            return new ManifestLoadResult(null, reader.Errors);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            reader.Error(1, 1, string.Empty, "the manifest is empty or not a mapping", "run 'archgate init' for a starter manifest");
            return new ManifestLoadResult(null, reader.Errors);
        }

        var builder = new Builder(reader, Path.GetDirectoryName(fullPath) ?? ".", displayName);
        var model = builder.Build(root, fullPath, sha256);
        return reader.Errors.Count == 0
            ? new ManifestLoadResult(model, [])
            : new ManifestLoadResult(null, reader.Errors.OrderBy(e => e.Line).ThenBy(e => e.Column).ToList());
    }

    private sealed class Builder(YamlReader r, string baseDirectory, string displayName)
    {
        private List<string> _allowed = [.. TargetPolicy.LoopbackHosts];

        public SystemModel? Build(YamlMappingNode root, string fullPath, string sha256)
        {
            r.AllowKeys(root, string.Empty, TopKeys);

            var versionNode = r.Required(root, string.Empty, "version", "start the manifest with 'version: 1'");
            if (versionNode is not null)
            {
                var version = r.String(versionNode, "version");
                if (version is not null && version != "1")
                {
                    r.Error(versionNode, "version", $"unsupported schema version '{version}'",
                        $"this Archgate reads schema version {SchemaVersion}");
                }
            }

            var (name, owners) = ReadSystem(root);
            ReadTargets(root);
            var components = ReadComponents(root);
            var byName = DeclaredNames(root);
            CheckReferences(components, byName);

            var pacts = ReadPacts(root);
            var slos = ReadSlos(root, byName);
            var load = ReadLoad(root);
            var security = ReadSecurity(root);
            var recovery = ReadRecovery(root);
            var escalation = ReadEscalation(root);
            var approvers = ReadSignoff(root);

            if (name is null)
            {
                return null;
            }

            return new SystemModel
            {
                Name = name,
                Owners = owners,
                Components = components.Select(c => c.Component).ToList(),
                PactFiles = pacts,
                Slos = slos,
                Load = load,
                Security = security,
                Recovery = recovery,
                Escalation = escalation,
                Approvers = approvers,
                AllowedHosts = _allowed,
                ManifestPath = fullPath,
                ManifestSha256 = sha256,
            };
        }

        private (string? Name, Dictionary<string, string> Owners) ReadSystem(YamlMappingNode root)
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

        private void ReadTargets(YamlMappingNode root)
        {
            var targets = r.Mapping(YamlReader.Get(root, "targets"), "targets");
            if (targets is null)
            {
                return;
            }

            r.AllowKeys(targets, "targets", "allow");
            var allow = r.StringList(YamlReader.Get(targets, "allow"), "targets.allow");
            if (allow.Count > 0)
            {
                _allowed = allow.Select(a => a.Value).ToList();
            }
        }

        /// <summary>Every name under components, even of components with errors, so one mistake does not cascade.</summary>
        private static HashSet<string> DeclaredNames(YamlMappingNode root) =>
            (YamlReader.Get(root, "components") as YamlSequenceNode)?.Children
                .OfType<YamlMappingNode>()
                .Select(m => (YamlReader.Get(m, "name") as YamlScalarNode)?.Value)
                .Where(n => !string.IsNullOrEmpty(n))
                .Select(n => n!)
                .ToHashSet(StringComparer.Ordinal) ?? [];

        private sealed record Parsed(Component Component, YamlMappingNode Node, IReadOnlyList<(string Value, YamlNode Node)> Deps);

        private List<Parsed> ReadComponents(YamlMappingNode root)
        {
            var list = r.Sequence(r.Required(root, string.Empty, "components", "list the system's services, databases, frontends and third parties"), "components");
            var result = new List<Parsed>();
            if (list is null)
            {
                return result;
            }

            var seen = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
            var index = 0;
            foreach (var item in list.Children)
            {
                var fallbackPath = $"components[{index++}]";
                var map = r.Mapping(item, fallbackPath);
                if (map is null)
                {
                    continue;
                }

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
            if (kind is ComponentKind.Database)
            {
                var connectionNode = r.Required(map, path, "connection", "give a connection string, for example 'Data Source=app.db' or 'Host=127.0.0.1;Database=app;Username=app'");
                connection = r.String(connectionNode, $"{path}.connection");
                engine = ReadEngine(map, path, connection);
                if (engine == DatabaseEngine.Sqlite && connection is not null)
                {
                    connection = ResolveSqlitePath(connection);
                }
            }
            else if (kind is not null)
            {
                NotForKind(map, path, "connection", "database components");
                NotForKind(map, path, "engine", "database components");
            }

            if (kind is not null and not ComponentKind.Frontend)
            {
                NotForKind(map, path, "pages", "frontend components");
            }

            var pages = r.StringList(YamlReader.Get(map, "pages"), $"{path}.pages").Select(p => p.Value).ToList();
            var openApi = ReadOpenApi(YamlReader.Get(map, "openapi"), $"{path}.openapi");
            var run = ReadRun(YamlReader.Get(map, "run"), $"{path}.run", health, url);
            var policy = ReadPolicy(YamlReader.Get(map, "policy"), $"{path}.policy");

            if (name is null || kind is null)
            {
                return null;
            }

            var component = new Component
            {
                Name = name,
                Kind = kind.Value,
                Url = url,
                Connection = connection,
                Engine = engine,
                HealthPath = health,
                OpenApi = openApi,
                DependsOn = deps.Select(d => d.Value).ToList(),
                Owner = owner,
                Critical = critical ?? false,
                Run = run,
                Policy = policy,
                Pages = pages,
                Location = new SourceLocation(displayName, (int)map.Start.Line, (int)map.Start.Column),
            };
            return new Parsed(component, map, deps);
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

        private Uri? ReadUrl(YamlNode? node, string path)
        {
            var text = r.String(node, path);
            if (text is null)
            {
                return null;
            }

            if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                r.Error(node!, path, $"invalid URL '{Redact.Url(text)}'", "write an absolute http or https URL, for example http://127.0.0.1:8080");
                return null;
            }

            if (!TargetPolicy.IsAllowed(url.Host, _allowed))
            {
                r.Error(node!, path, $"host '{url.Host}' is not in targets.allow",
                    $"Archgate only probes allowed hosts; add '{url.Host}' to targets.allow if it may be probed (allowed now: {string.Join(", ", _allowed)})");
            }

            return url;
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
                        r.AllowKeys(map, path, "path", "baseline");
                        var file = ExistingFile(r.Required(map, path, "path", "the OpenAPI document, relative to the manifest"), $"{path}.path");
                        var baselineNode = YamlReader.Get(map, "baseline");
                        var baseline = baselineNode is null ? null : ExistingFile(baselineNode, $"{path}.baseline");
                        return file is null ? null : new OpenApiSpec(file, baseline);
                    }

                default:
                    r.Error(node, path, $"expected a file path or a mapping with 'path', found {YamlReader.Describe(node)}");
                    return null;
            }
        }

        private string? ExistingFile(YamlNode? node, string path)
        {
            var text = r.String(node, path);
            if (text is null)
            {
                return null;
            }

            if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
            {
                return text;
            }

            var full = Path.GetFullPath(Path.Combine(baseDirectory, text));
            if (!File.Exists(full))
            {
                r.Error(node!, path, $"file not found: {text}", "paths are relative to the folder of the manifest");
                return null;
            }

            return full;
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

        private CallPolicy? ReadPolicy(YamlNode? node, string path)
        {
            var map = r.Mapping(node, path);
            if (map is null)
            {
                return null;
            }

            r.AllowKeys(map, path, "timeout", "retries", "backoff", "fallback");
            var timeout = r.Duration(YamlReader.Get(map, "timeout"), $"{path}.timeout");
            var retries = r.Int(YamlReader.Get(map, "retries"), $"{path}.retries", 0, 20);
            var backoffNode = YamlReader.Get(map, "backoff");
            var backoff = r.String(backoffNode, $"{path}.backoff");
            string[] backoffs = ["exponential", "linear", "constant", "none"];
            if (backoff is not null && !backoffs.Contains(backoff))
            {
                r.Error(backoffNode!, $"{path}.backoff", $"unknown backoff '{backoff}'", Suggest.DidYouMean(backoff, backoffs, "one of: "));
            }

            var fallback = r.String(YamlReader.Get(map, "fallback"), $"{path}.fallback");
            return new CallPolicy(timeout, retries, backoff, fallback);
        }

        private void CheckReferences(List<Parsed> components, HashSet<string> names)
        {
            foreach (var parsed in components)
            {
                foreach (var (dep, node) in parsed.Deps)
                {
                    if (dep == parsed.Component.Name)
                    {
                        r.Error(node, $"components.{parsed.Component.Name}.dependsOn", $"'{dep}' depends on itself", "remove it from its own dependsOn");
                    }
                    else if (!names.Contains(dep))
                    {
                        r.Error(node, $"components.{parsed.Component.Name}.dependsOn", $"unknown component '{dep}'",
                            Suggest.DidYouMean(dep, names.Order(StringComparer.Ordinal), "declared components: "));
                    }
                }
            }

            var graph = components.ToDictionary(
                c => c.Component.Name,
                c => (IReadOnlyList<string>)c.Component.DependsOn.Where(d => names.Contains(d) && d != c.Component.Name).ToList(),
                StringComparer.Ordinal);
            foreach (var cycle in DependencyGraph.FindCycles(graph))
            {
                var first = components.First(c => c.Component.Name == cycle[0]);
                var edge = first.Deps.First(d => d.Value == cycle[1]).Node;
                r.Error(edge, $"components.{cycle[0]}.dependsOn", $"dependency cycle: {string.Join(" -> ", cycle)}",
                    "a system needs an order to integrate in; break the cycle (for example with an event or a callback that is not a start-up dependency)");
            }
        }

        private List<string> ReadPacts(YamlMappingNode root)
        {
            var contracts = r.Mapping(YamlReader.Get(root, "contracts"), "contracts");
            if (contracts is null)
            {
                return [];
            }

            r.AllowKeys(contracts, "contracts", "pacts");
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

            return result;
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

        private LoadProfile ReadLoad(YamlMappingNode root)
        {
            var load = r.Mapping(YamlReader.Get(root, "load"), "load");
            if (load is null)
            {
                return LoadProfile.Default;
            }

            r.AllowKeys(load, "load", "stages", "thresholds");
            var stages = new List<LoadStage>();
            var stageList = r.Sequence(YamlReader.Get(load, "stages"), "load.stages");
            var index = 0;
            foreach (var item in stageList?.Children ?? [])
            {
                var path = $"load.stages[{index++}]";
                var map = r.Mapping(item, path);
                if (map is null)
                {
                    continue;
                }

                r.AllowKeys(map, path, "users", "duration");
                var users = r.Int(r.Required(map, path, "users"), $"{path}.users", 1, 100_000);
                var duration = r.Duration(r.Required(map, path, "duration"), $"{path}.duration");
                if (users is not null && duration is not null)
                {
                    stages.Add(new LoadStage(users.Value, duration.Value));
                }
            }

            var thresholds = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            var thresholdMap = r.Mapping(YamlReader.Get(load, "thresholds"), "load.thresholds");
            foreach (var (keyNode, valueNode) in thresholdMap?.Children ?? Enumerable.Empty<KeyValuePair<YamlNode, YamlNode>>())
            {
                var metric = (keyNode as YamlScalarNode)?.Value ?? string.Empty;
                thresholds[metric] = valueNode is YamlScalarNode
                    ? [r.String(valueNode, $"load.thresholds.{metric}") ?? string.Empty]
                    : r.StringList(valueNode, $"load.thresholds.{metric}").Select(v => v.Value).ToList();
            }

            return new LoadProfile { Stages = stageList is null ? LoadProfile.Default.Stages : stages, Thresholds = thresholds };
        }

        private SecurityPolicy ReadSecurity(YamlMappingNode root)
        {
            var security = r.Mapping(YamlReader.Get(root, "security"), "security");
            if (security is null)
            {
                return new SecurityPolicy();
            }

            r.AllowKeys(security, "security", "protected", "identities");
            var identities = new List<Identity>();
            var index = 0;
            foreach (var item in r.Sequence(YamlReader.Get(security, "identities"), "security.identities")?.Children ?? [])
            {
                var path = $"security.identities[{index++}]";
                var map = r.Mapping(item, path);
                if (map is null)
                {
                    continue;
                }

                r.AllowKeys(map, path, "user", "password");
                var user = r.String(r.Required(map, path, "user"), $"{path}.user");
                var password = r.String(r.Required(map, path, "password"), $"{path}.password");
                if (user is not null && password is not null)
                {
                    identities.Add(new Identity(user, password));
                }
            }

            return new SecurityPolicy
            {
                Protected = r.StringList(YamlReader.Get(security, "protected"), "security.protected").Select(p => p.Value).ToList(),
                Identities = identities,
            };
        }

        private RecoveryPolicy ReadRecovery(YamlMappingNode root)
        {
            var recovery = r.Mapping(YamlReader.Get(root, "recovery"), "recovery");
            if (recovery is null)
            {
                return new RecoveryPolicy();
            }

            r.AllowKeys(recovery, "recovery", "retries", "backoff", "rollback");
            var defaults = new RecoveryPolicy();
            return new RecoveryPolicy
            {
                Retries = r.Int(YamlReader.Get(recovery, "retries"), "recovery.retries", 0, 10) ?? defaults.Retries,
                Backoff = r.Duration(YamlReader.Get(recovery, "backoff"), "recovery.backoff") ?? defaults.Backoff,
                Rollback = r.StringList(YamlReader.Get(recovery, "rollback"), "recovery.rollback").Select(c => c.Value).ToList(),
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

        private List<string> ReadSignoff(YamlMappingNode root)
        {
            var signoff = r.Mapping(YamlReader.Get(root, "signoff"), "signoff");
            if (signoff is null)
            {
                return [];
            }

            r.AllowKeys(signoff, "signoff", "approvers");
            return r.StringList(YamlReader.Get(signoff, "approvers"), "signoff.approvers").Select(a => a.Value).ToList();
        }
    }
}

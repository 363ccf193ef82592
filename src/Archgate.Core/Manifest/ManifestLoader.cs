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
public static partial class ManifestLoader
{
    /// <summary>The schema version this loader reads.</summary>
    public const int SchemaVersion = 1;

    private static readonly string[] TopKeys =
        ["version", "system", "targets", "auth", "components", "contracts", "slo", "load", "journeys", "security", "recovery", "escalation", "signoff", "edges", "toxiproxy", "balancing", "checks"];

    private static readonly string[] ComponentKeys =
        ["name", "kind", "url", "connection", "engine", "health", "openapi", "dependsOn", "owner", "critical", "run", "policy", "pages", "auth",
            "expect", "probes", "pool", "clients", "faultTests", "resources", "realtime", "webhook", "oidc", "contract", "ledger",
            "exchanges", "queues", "probe", "asyncapi", "discovery", "modules", "requiresAuth", "states"];

    private static readonly Dictionary<string, ComponentKind> Kinds = new(StringComparer.Ordinal)
    {
        ["service"] = ComponentKind.Service,
        ["database"] = ComponentKind.Database,
        ["frontend"] = ComponentKind.Frontend,
        ["third-party"] = ComponentKind.ThirdParty,
        ["broker"] = ComponentKind.Broker,
    };

    /// <summary>Loads the manifest at <paramref name="path"/>.</summary>
    /// <param name="path">The manifest file.</param>
    /// <param name="environment">Variable lookup for <c>${VAR}</c>; the process environment by default.</param>
    public static ManifestLoadResult Load(string path, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var bytes = RegularFile.Read(path, ManifestLimits.MaxManifestBytes, out var problem);
        if (bytes is null)
        {
            return new ManifestLoadResult(null,
                [problem == "file not found"
                    ? new ManifestError(path, 1, 1, string.Empty, "manifest not found",
                        "run 'archgate init' to write a starter archgate.yaml, or pass the path of yours")
                    : new ManifestError(path, 1, 1, string.Empty, $"cannot read the manifest: {problem}",
                        $"a manifest is a regular file of at most {ManifestLimits.MaxManifestBytes / (1024 * 1024)} MB")]);
        }

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
        using var stores = new Secrets.SecretStores(environment);
        var reader = new YamlReader(displayName, environment, stores.Resolve);
        var stream = new YamlStream();
        var guard = new YamlGuard(new Parser(new StringReader(text)));
        try
        {
            stream.Load(guard);
        }
        catch (ManifestLimitException ex)
        {
            reader.Error(ex.Start.Line, ex.Start.Column, string.Empty, ex.Message, ex.Hint);
            return new ManifestLoadResult(null, reader.Errors);
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

            var at = ex.Start.Line > 0 ? ex.Start : guard.Last;
            reader.Error(Math.Max(1, at.Line), Math.Max(1, at.Column), string.Empty, $"invalid YAML: {Printable.Escape(message)}",
                "check the indentation, that every 'key: value' has a space after the colon, and that every [ and { is closed");
            return new ManifestLoadResult(null, reader.Errors);
        }
#pragma warning disable CA1031 // YamlDotNet throws other exceptions on some malformed input; each is the manifest's fault, not ours.
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException or OverflowException or InvalidCastException)
#pragma warning restore CA1031
        {
            reader.Error(Math.Max(1, guard.Last.Line), Math.Max(1, guard.Last.Column), string.Empty, $"invalid YAML: {Printable.Escape(ex.Message)}",
                "check the indentation and that every [ and { is closed");
            return new ManifestLoadResult(null, reader.Errors);
        }

        if (guard.Problems.Count > 0)
        {
            foreach (var (start, message, hint) in guard.Problems)
            {
                reader.Error(start.Line, start.Column, string.Empty, message, hint);
            }

            return new ManifestLoadResult(null, reader.Errors);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            reader.Error(1, 1, string.Empty, "the manifest is empty or not a mapping", "run 'archgate init' for a starter manifest");
            return new ManifestLoadResult(null, reader.Errors);
        }

        var builder = new Builder(reader, Path.GetDirectoryName(fullPath) ?? ".", displayName);
        var model = builder.Build(root, fullPath, sha256);
        var warnings = reader.Warnings.OrderBy(e => e.Line).ThenBy(e => e.Column).ToList();
        return reader.Errors.Count == 0
            ? new ManifestLoadResult(model, []) { Warnings = warnings }
            : new ManifestLoadResult(null, reader.Errors.OrderBy(e => e.Line).ThenBy(e => e.Column).ToList()) { Warnings = warnings };
    }

    private sealed partial class Builder(YamlReader r, string baseDirectory, string displayName)
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
            ReadAuthSection(root);
            var components = ReadComponents(root);
            var byName = DeclaredNames(root);
            CheckReferences(components, byName);
            CheckDatabaseReferences(components, byName);
            CheckEdgeAddresses(components, byName);
            CheckWebhooks(components, byName);
            CheckOidc(components, byName);
            CheckBrokers(components, byName);
            var toxiproxy = ReadToxiproxy(root);
            var edges = ReadEdges(root, components, byName, YamlReader.Get(root, "toxiproxy") is not null);
            CheckResourceDatabases(components);
            var balancing = ReadBalancing(root, components, byName);

            var (pacts, pact) = ReadPacts(root, byName);
            var slos = ReadSlos(root, byName);
            var load = ReadLoad(root, components.Select(c => c.Component).ToList());
            var journeys = ReadJourneySection(root, components.Select(c => c.Component).ToList());
            var security = ReadSecurity(root, components.Select(c => c.Component).ToList());
            var recovery = ReadRecovery(root);
            var escalation = ReadEscalation(root);
            var signoff = ReadSignoff(root, owners);
            var checks = ReadChecks(root);

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
                Pact = pact,
                Slos = slos,
                Load = load,
                Journeys = journeys,
                Security = security,
                Recovery = recovery,
                Escalation = escalation,
                Signoff = signoff,
                Auth = _auth,
                Edges = edges,
                Toxiproxy = toxiproxy,
                Balancing = balancing,
                Checks = checks,
                AllowedHosts = _allowed,
                ValueSources = r.Sources,
                StoreSecrets = r.StoreSecrets,
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
    }
}

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
            "exchanges", "queues", "probe", "asyncapi", "discovery", "modules", "requiresAuth", "states", "transitions"];

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
    /// <param name="options">What the command loading it may do without; <see cref="ManifestLoadOptions.Default"/> when null.</param>
    public static ManifestLoadResult Load(string path, Func<string, string?>? environment = null, ManifestLoadOptions? options = null)
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
        return Parse(text, path, full, Convert.ToHexStringLower(SHA256.HashData(bytes)), environment, options);
    }

    /// <summary>Parses manifest text; <paramref name="displayName"/> is used in error messages.</summary>
    /// <param name="text">The YAML text.</param>
    /// <param name="displayName">The file name errors show.</param>
    /// <param name="fullPath">The manifest's absolute path; relative paths in it resolve against its folder.</param>
    /// <param name="sha256">The SHA-256 recorded in runs.</param>
    /// <param name="environment">Variable lookup for <c>${VAR}</c>.</param>
    /// <param name="options">What the command loading it may do without; <see cref="ManifestLoadOptions.Default"/> when null.</param>
    public static ManifestLoadResult Parse(string text, string displayName, string fullPath, string sha256, Func<string, string?> environment,
        ManifestLoadOptions? options = null)
    {
        options ??= ManifestLoadOptions.Default;
        using var stores = new Secrets.SecretStores(environment, read: options.ReadSecretStores);
        var reader = new YamlReader(displayName, environment, stores.Resolve, options.AllowUnsetVariables);
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

        var model = Build(reader, root, Path.GetDirectoryName(fullPath) ?? ".", displayName, fullPath, sha256);
        var warnings = reader.Warnings.OrderBy(e => e.Line).ThenBy(e => e.Column).ToList();
        return reader.Errors.Count == 0
            ? new ManifestLoadResult(model, []) { Warnings = warnings, UnsetVariables = reader.Unset, UnreadSecrets = reader.Unread }
            : new ManifestLoadResult(null, reader.Errors.OrderBy(e => e.Line).ThenBy(e => e.Column).ToList()) { Warnings = warnings, UnsetVariables = reader.Unset, UnreadSecrets = reader.Unread };
    }

    /// <summary>
    /// Reads each section with its own reader, in the order their inputs require (targets and named identities are read
    /// before the sections that refer to them; each reader gets them as immutable values), then runs the one
    /// cross-reference validator over what the sections returned.
    /// </summary>
    private static SystemModel? Build(YamlReader r, YamlMappingNode root, string baseDirectory, string displayName, string fullPath, string sha256)
    {
        r.AllowKeys(root, string.Empty, TopKeys);
        ReadVersion(r, root);

        var context = new SectionContext(r, baseDirectory, displayName);
        var (name, owners) = new SystemSectionReader(context).ReadSystem(root);
        context = context with { AllowedHosts = new TargetsSectionReader(context).ReadTargets(root) };
        context = context with { Identities = new AuthSectionReader(context).ReadAuthSection(root) };
        context = context with { DriveJourneys = ManifestLoader.DriveJourneys.Scan(root) };

        var names = CrossReferenceValidator.DeclaredNames(root);
        var components = new ComponentsSectionReader(context).Read(root);
        var declared = components.Parsed.Select(c => c.Component).ToList();
        var edgeReader = new EdgesSectionReader(context);
        var toxiproxy = edgeReader.ReadToxiproxy(root);
        var edges = edgeReader.ReadEdges(root, components.Parsed, names, YamlReader.Get(root, "toxiproxy") is not null);
        var balancing = edgeReader.ReadBalancing(root, components.Parsed, names);
        var (pacts, pact) = new ContractsSectionReader(context).ReadPacts(root, names);
        var slos = new SloSectionReader(context).ReadSlos(root, names);
        var load = new LoadSectionReader(context).ReadLoad(root, declared);
        var journeys = new JourneysSectionReader(context).ReadJourneySection(root, declared);
        var security = new SecuritySectionReader(context).ReadSecurity(root, declared, pact);
        var recovery = new RecoverySectionReader(context).ReadRecovery(root);
        var escalation = new EscalationSectionReader(context).ReadEscalation(root);
        var signoff = new SignoffSectionReader(context).ReadSignoff(root, owners);
        var checks = new ChecksSectionReader(context).ReadChecks(root);
        new CrossReferenceValidator(context).Validate(root, components, names);

        if (name is null)
        {
            return null;
        }

        // A journey drive goes to its journey's service, which may be the journeys' default (known only now).
        EdgeProbe? Resolved(EdgeProbe? drive) =>
            drive is { Journey: { } journey } && journeys.FirstOrDefault(j => j.Name == journey) is { } found ? drive with { Via = found.Service } : drive;
        declared = [.. declared.Select(c => c is BrokerComponent { Broker.AsyncApi: { Drive: { } } asyncApi } broker
            ? broker with { Broker = broker.Broker with { AsyncApi = asyncApi with { Drive = Resolved(asyncApi.Drive) } } }
            : c)];
        return new SystemModel
        {
            Name = name,
            Owners = owners,
            Components = declared,
            PactFiles = pacts,
            Pact = pact,
            Slos = slos,
            Load = load,
            Journeys = journeys,
            Security = security,
            Recovery = recovery,
            Escalation = escalation,
            Signoff = signoff,
            Auth = context.Identities,
            Edges = [.. edges.Select(e => e with { Drive = Resolved(e.Drive) })],
            Toxiproxy = toxiproxy,
            Balancing = [.. balancing.Select(b => b with { Drive = Resolved(b.Drive)! })],
            Checks = checks,
            AllowedHosts = context.AllowedHosts,
            ValueSources = r.Sources,
            StoreSecrets = r.StoreSecrets,
            ManifestPath = fullPath,
            ManifestSha256 = sha256,
        };
    }

    private static void ReadVersion(YamlReader r, YamlMappingNode root)
    {
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
    }

    /// <summary>What the section readers are given: where errors go, the manifest's place, and what earlier sections declared.</summary>
    private sealed record SectionContext(YamlReader Reader, string BaseDirectory, string DisplayName)
    {
        /// <summary>The hosts Archgate may probe; loopback until <c>targets.allow</c> is read.</summary>
        public IReadOnlyList<string> AllowedHosts { get; init; } = [.. TargetPolicy.LoopbackHosts];

        /// <summary>The named identities; none until the <c>auth</c> section is read.</summary>
        public IReadOnlyDictionary<string, ServiceAuth> Identities { get; init; } = new Dictionary<string, ServiceAuth>(StringComparer.Ordinal);

        /// <summary>The journeys a drive may name (<c>drive: { journey: NAME }</c>), scanned before the sections that hold drives.</summary>
        public IReadOnlyDictionary<string, DriveJourneys.Entry> DriveJourneys { get; init; } = new Dictionary<string, DriveJourneys.Entry>(StringComparer.Ordinal);
    }
}

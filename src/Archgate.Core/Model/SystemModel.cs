namespace Archgate.Model;

/// <summary>
/// The whole system as described by <c>archgate.yaml</c>. Built only by the manifest loader, immutable.
/// </summary>
public sealed record SystemModel
{
    /// <summary>The system's name (<c>system.name</c>).</summary>
    public required string Name { get; init; }

    /// <summary>Role to person, for example <c>architect: alice@example.test</c>.</summary>
    public IReadOnlyDictionary<string, string> Owners { get; init; } = new Dictionary<string, string>();

    /// <summary>All components, in manifest order.</summary>
    public required IReadOnlyList<Component> Components { get; init; }

    /// <summary>Pact files (absolute paths).</summary>
    public IReadOnlyList<string> PactFiles { get; init; } = [];

    /// <summary>How pacts are verified: provider mapping, provider states, live auth.</summary>
    public PactSettings Pact { get; init; } = new();

    /// <summary>Service-level objectives per component.</summary>
    public IReadOnlyDictionary<string, Slo> Slos { get; init; } = new Dictionary<string, Slo>();

    /// <summary>Load profile for step 8.</summary>
    public LoadProfile Load { get; init; } = LoadProfile.Default;

    /// <summary>Declarative user journeys of step 7 (<c>journeys</c>). <value>None</value>.</summary>
    public IReadOnlyList<Journey> Journeys { get; init; } = [];

    /// <summary>Security policy for step 9.</summary>
    public SecurityPolicy Security { get; init; } = new();

    /// <summary>
    /// The named identities of the top-level <c>auth</c> section, by name: services, pacts, probes, load set-up and
    /// security checks refer to them. <value>Empty</value> by default.
    /// </summary>
    public IReadOnlyDictionary<string, ServiceAuth> Auth { get; init; } = new Dictionary<string, ServiceAuth>();

    /// <summary>Retries and rollback.</summary>
    public RecoveryPolicy Recovery { get; init; } = new();

    /// <summary>Where escalations go.</summary>
    public EscalationPolicy Escalation { get; init; } = new();

    /// <summary>Edges the manifest describes (<c>edges</c>): their Toxiproxy proxies and policies.</summary>
    public IReadOnlyList<EdgeSpec> Edges { get; init; } = [];

    /// <summary>Callers that balance their calls over several instances of a dependency (<c>balancing</c>). <value>None</value>.</summary>
    public IReadOnlyList<BalancingSpec> Balancing { get; init; } = [];

    /// <summary>The check families' options (<c>checks</c>). <value>Each family's defaults</value>.</summary>
    public CheckOptions Checks { get; init; } = new();

    /// <summary>An existing Toxiproxy server whose proxies sit on edges (<c>toxiproxy</c>); null when none is declared.</summary>
    public ToxiproxyServer? Toxiproxy { get; init; }

    /// <summary>The edges that callers' <c>run.env</c> reach through <c>${url:NAME}</c>: proxied when Archgate starts the system.</summary>
    public IReadOnlyList<Edge> ProxiedEdges => [.. Components.SelectMany(EdgeAddress.Of)];

    /// <summary>Who reviews and who signs off a run (<c>signoff</c>, with the people of <c>system.owners</c>).</summary>
    public SignoffPolicy Signoff { get; init; } = new();

    /// <summary>Hosts that checks, probes and load may reach. Loopback only by default.</summary>
    public IReadOnlyList<string> AllowedHosts { get; init; } = TargetPolicy.LoopbackHosts;

    /// <summary>
    /// Where each <c>${...}</c> value of the manifest came from (the environment, the manifest's default, Vault, AWS Secrets
    /// Manager), in manifest order; never the values. <value>Empty</value> by default.
    /// </summary>
    public IReadOnlyList<SecretSource> ValueSources { get; init; } = [];

    /// <summary>The values read from secret stores (<c>${vault:...}</c>, <c>${aws-sm:...}</c>): masked like every declared secret.</summary>
    internal IReadOnlyList<string> StoreSecrets { get; init; } = [];

    /// <summary>Absolute path of the manifest file.</summary>
    public required string ManifestPath { get; init; }

    /// <summary>SHA-256 of the manifest's bytes, lowercase hex.</summary>
    public required string ManifestSha256 { get; init; }

    /// <summary>Folder relative paths in the manifest are resolved against.</summary>
    public string BaseDirectory => Path.GetDirectoryName(ManifestPath) ?? ".";

    /// <summary>
    /// Every secret the manifest declares for signing in (passwords, keys, tokens of the <c>auth</c> section, of
    /// components, pacts, probes and identities), for signing webhooks, and every value read from a secret store: masked in
    /// every result, whatever check copied it.
    /// </summary>
    public IReadOnlyCollection<string> DeclaredSecrets =>
        Auth.Values
            .Concat(OfKind<HttpComponent>().Select(c => c.Auth))
            .Concat(OfKind<DatabaseComponent>().SelectMany(c => c.Database.Probes.Select(p => p.Login)))
            .Append(Pact.Auth)
            .Concat(Security.Identities)
            .OfType<ServiceAuth>()
            .SelectMany(a => a.Secrets)
            .Concat(OfKind<ThirdPartyComponent>().Select(c => c.Webhook?.Secret).OfType<string>())
            .Concat(Security.SigningKey?.Secrets ?? [])
            .Concat(Escalation.Channels.Select(c => c.Email?.Password).OfType<string>().Where(p => p.Length > 0))
            .Concat(OfKind<ServiceComponent>().Select(c => c.Discovery switch { ConsulDiscovery d => d.Token, KubernetesDiscovery d => d.Token, _ => null }).OfType<string>())
            .Concat(StoreSecrets)
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>The component with this name, or null.</summary>
    public Component? Find(string name) => Components.FirstOrDefault(c => c.Name == name);

    /// <summary>Components of one kind, in manifest order.</summary>
    public IEnumerable<Component> OfKind(ComponentKind kind) => Components.Where(c => c.Kind == kind);

    /// <summary>The component named <paramref name="name"/> when it is of kind <typeparamref name="T"/>, else null.</summary>
    public T? Find<T>(string name)
        where T : Component => Find(name) as T;

    /// <summary>The components of kind <typeparamref name="T"/>, in manifest order.</summary>
    public IEnumerable<T> OfKind<T>()
        where T : Component => Components.OfType<T>();
}

/// <summary>Service-level objectives of one component; unset values fall back to the protocol's defaults.</summary>
public sealed record Slo
{
    /// <summary>95th percentile latency target.</summary>
    public TimeSpan? P95 { get; init; }

    /// <summary>Maximum error rate, as a fraction (0.01 = 1 %).</summary>
    public double? ErrorRate { get; init; }

    /// <summary>First Contentful Paint target of a frontend.</summary>
    public TimeSpan? Fcp { get; init; }

    /// <summary>Largest Contentful Paint target of a frontend.</summary>
    public TimeSpan? Lcp { get; init; }
}

/// <summary>Security policy of step 9.</summary>
public sealed record SecurityPolicy
{
    /// <summary>
    /// Patterns of the operations that must reject unauthenticated requests: a path pattern (<c>/orders/**</c>), or an
    /// upper-case method, one space and a path pattern (<c>PUT /events/*</c>) for that method only. <value>None</value>.
    /// </summary>
    public IReadOnlyList<string> Protected { get; init; } = [];

    /// <summary>Identities for authorization (BOLA/BFLA) checks: definitions of the top-level <c>auth</c> section.</summary>
    public IReadOnlyList<ServiceAuth> Identities { get; init; } = [];

    /// <summary>
    /// Patterns, as <see cref="Protected"/>'s, of the operations only an admin may call (<c>/admin/**</c>, <c>POST /events</c>);
    /// the first identity is the customer of BFLA probes. <value>None</value>.
    /// </summary>
    public IReadOnlyList<string> AdminOnly { get; init; } = [];

    /// <summary>
    /// The operations only some roles may call (<c>security.roles</c>): each a pattern, as <see cref="Protected"/>'s,
    /// and the roles whose identities may call what it matches (<c>POST /claims/*/approve: [approver]</c>), in the
    /// manifest's order. <value>None</value>.
    /// </summary>
    public IReadOnlyList<RoleRule> Roles { get; init; } = [];

    /// <summary>Whether step 9 skips every state-changing probe (<c>security.safe</c>). <value>false</value>.</summary>
    public bool Safe { get; init; }

    /// <summary>The gate's action per rule id (<c>security.rules: { AG9001: warn }</c>), with where each is set. <value>None</value>.</summary>
    public IReadOnlyDictionary<string, RuleOverride> Rules { get; init; } = new Dictionary<string, RuleOverride>();

    /// <summary>
    /// More deployed config folders or files scanned for secrets (<c>security.configPaths</c>), absolute. The folders of
    /// the components Archgate starts are scanned anyway. <value>None</value> by default.
    /// </summary>
    public IReadOnlyList<string> ConfigPaths { get; init; } = [];

    /// <summary>The dependency audit's inputs (<c>security.audit</c>). <value>Nothing to audit</value> by default.</summary>
    public DependencyAuditSpec Audit { get; init; } = new();

    /// <summary>
    /// The key the services' token issuer signs with, in a test environment (<c>security.signingKey</c>): step 9
    /// mints an expired token with it. <value>None</value>: the expired-token probe then waits out a short-lived
    /// login token, or is not evaluated.
    /// </summary>
    public JwtSigningKey? SigningKey { get; init; }
}

/// <summary>One entry of <c>security.roles</c>: the operations <paramref name="Pattern"/> matches are for <paramref name="Roles"/> only.</summary>
public sealed record RoleRule(string Pattern, IReadOnlyList<string> Roles);

/// <summary>A token issuer's signing key: an HMAC secret (HS256/384/512) or a PEM private key (RS*, PS*, ES*).</summary>
/// <param name="Secret">The shared secret's text, as the issuer reads it (UTF-8 bytes), or null.</param>
/// <param name="PrivateKeyPem">The PEM text of an RSA or EC private key, or null.</param>
public sealed record JwtSigningKey(string? Secret, string? PrivateKeyPem)
{
    /// <summary>What to mask wherever it might appear.</summary>
    public IReadOnlyList<string> Secrets => new[] { Secret, PrivateKeyPem }.OfType<string>().ToList();
}

/// <summary>What step 9's dependency audit reads: an offline OSV database and the dependency manifests, all absolute paths.</summary>
public sealed record DependencyAuditSpec
{
    /// <summary>A folder or zip of OSV JSON records (an ecosystem's <c>all.zip</c>), or null: the audit is then not evaluated.</summary>
    public string? OsvDatabase { get; init; }

    /// <summary>.NET projects or solutions (<c>dotnet list package --include-transitive</c>).</summary>
    public IReadOnlyList<string> DotNet { get; init; } = [];

    /// <summary>npm lockfiles (<c>package-lock.json</c>, v1-v3).</summary>
    public IReadOnlyList<string> Npm { get; init; } = [];

    /// <summary>Python lockfiles (<c>poetry.lock</c>, <c>uv.lock</c>, <c>pdm.lock</c>, <c>Pipfile.lock</c>) or requirements files (pinned <c>name==version</c> lines).</summary>
    public IReadOnlyList<string> Python { get; init; } = [];

    /// <summary>Go module checksums (<c>go.sum</c>): the modules whose code the build uses.</summary>
    public IReadOnlyList<string> Go { get; init; } = [];

    /// <summary>Rust lockfiles (<c>Cargo.lock</c>).</summary>
    public IReadOnlyList<string> Cargo { get; init; } = [];

    /// <summary>Bundler lockfiles (<c>Gemfile.lock</c>).</summary>
    public IReadOnlyList<string> Ruby { get; init; } = [];

    /// <summary>Maven and Gradle builds: a <c>pom.xml</c> (its dependencies with their versions, properties resolved) or a <c>gradle.lockfile</c>.</summary>
    public IReadOnlyList<string> Maven { get; init; } = [];

    /// <summary>Composer lockfiles (<c>composer.lock</c>).</summary>
    public IReadOnlyList<string> Composer { get; init; } = [];

    /// <summary>Whether anything is named to audit.</summary>
    public bool Any => DotNet.Count + Npm.Count + Python.Count + Go.Count + Cargo.Count + Ruby.Count + Maven.Count + Composer.Count > 0;
}

/// <summary>What the security gate does with a rule's findings (ZAP baseline's IGNORE / WARN / FAIL).</summary>
public enum RuleAction
{
    /// <summary>Findings are dropped from the gate and listed as ignored.</summary>
    Ignore,

    /// <summary>Findings are reported at most at medium: they warn and never fail the step.</summary>
    Warn,

    /// <summary>Findings are reported at least at high: they fail the step.</summary>
    Fail,
}

/// <summary>A rule's action as the manifest sets it, and where (<c>archgate.yaml:12:5</c>), for the report's list of ignores.</summary>
public sealed record RuleOverride(RuleAction Action, SourceLocation Location);

/// <summary>How the run recovers from failures.</summary>
public sealed record RecoveryPolicy
{
    /// <summary>Retries of a check that failed for a transient reason. <value>3</value> by default.</summary>
    public int Retries { get; init; } = 3;

    /// <summary>First backoff delay, doubled on each retry, with jitter. <value>500 ms</value> by default.</summary>
    public TimeSpan Backoff { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Commands run when steps 5-10 fail.</summary>
    public IReadOnlyList<string> Rollback { get; init; } = [];

    /// <summary>
    /// Whether every database is snapshotted before the first step of the rollback scope, restored when a step of the
    /// scope fails and dropped otherwise (docs/recovery.md). <value>true</value> by default.
    /// </summary>
    public bool Snapshots { get; init; } = true;

    /// <summary>Largest database (its size as the engine reports it, in MiB) that is snapshotted; a larger one is recorded as skipped. <value>1024</value> by default.</summary>
    public int SnapshotMaxMb { get; init; } = 1024;
}

/// <summary>Where escalations are sent: <c>console</c>, <c>file</c> (Target: the path), <c>webhook</c> (Target: the URL) or <c>email</c>.</summary>
public sealed record EscalationChannel(string Kind, string? Target)
{
    /// <summary>A webhook's payload shape. <value>Json</value>.</summary>
    public WebhookFormat Format { get; init; } = WebhookFormat.Json;

    /// <summary>An e-mail channel's SMTP settings; null for other kinds.</summary>
    public SmtpSettings? Email { get; init; }
}

/// <summary>The payload shape a webhook channel posts.</summary>
public enum WebhookFormat
{
    /// <summary>Archgate's own JSON: the run, its verdict and the escalations.</summary>
    Json,

    /// <summary>A Slack incoming-webhook message: <c>text</c> and Block Kit <c>blocks</c>.</summary>
    Slack,

    /// <summary>A Microsoft Teams message with one Adaptive Card attachment.</summary>
    Teams,
}

/// <summary>How the e-mail channel reaches its SMTP server.</summary>
public sealed record SmtpSettings
{
    /// <summary>The server's host name or address.</summary>
    public required string Host { get; init; }

    /// <summary>The server's port. <value>25</value>.</summary>
    public int Port { get; init; } = 25;

    /// <summary>The sender address.</summary>
    public required string From { get; init; }

    /// <summary>Addresses every notice goes to, besides the level's recipients that are e-mail addresses. <value>None</value>.</summary>
    public IReadOnlyList<string> To { get; init; } = [];

    /// <summary>Whether to upgrade the connection with STARTTLS (required when true). <value>false</value>.</summary>
    public bool StartTls { get; init; }

    /// <summary>The user to authenticate as, or null for no authentication.</summary>
    public string? User { get; init; }

    /// <summary>The password of <see cref="User"/>.</summary>
    public string? Password { get; init; }
}

/// <summary>Resource limits of the resource-exhaustion trigger; a null limit is not checked.</summary>
public sealed record ResourceLimits
{
    /// <summary>CPU of one started component, as a fraction of the whole machine (all cores) over a sampling interval. <value>None</value>.</summary>
    public double? Cpu { get; init; }

    /// <summary>Resident memory of one started component, in bytes. <value>None</value>.</summary>
    public long? Memory { get; init; }

    /// <summary>Free space of the run folder's filesystem below which the run escalates, in bytes. <value>256 MiB</value>.</summary>
    public long? DiskFree { get; init; } = 256L * 1024 * 1024;
}

/// <summary>Escalation channels, who is notified at each level (1-4), when an unacknowledged escalation rises, and resource limits.</summary>
public sealed record EscalationPolicy
{
    /// <summary>Channels, in order. Console only by default.</summary>
    public IReadOnlyList<EscalationChannel> Channels { get; init; } = [new EscalationChannel("console", null)];

    /// <summary>More people notified at each level, besides the level's routing (owners of components, the approver, the executive).</summary>
    public IReadOnlyDictionary<int, IReadOnlyList<string>> Owners { get; init; } = new Dictionary<int, IReadOnlyList<string>>();

    /// <summary>The executive contact(s) of level 4 (<c>escalation.executive</c>). <value>None</value>.</summary>
    public IReadOnlyList<string> Executive { get; init; } = [];

    /// <summary>
    /// How long an escalation at a level may stay unacknowledged before it rises one level (<c>escalation.ackWithin</c>);
    /// a level not listed never rises. <value>2: 4h, 3: 24h</value>.
    /// </summary>
    public IReadOnlyDictionary<int, TimeSpan> AckWithin { get; init; } = DefaultAckWithin;

    /// <summary>The resource-exhaustion trigger's limits (<c>escalation.resources</c>).</summary>
    public ResourceLimits Resources { get; init; } = new();

    /// <summary>The default of <see cref="AckWithin"/>.</summary>
    public static IReadOnlyDictionary<int, TimeSpan> DefaultAckWithin { get; } = new Dictionary<int, TimeSpan> { [2] = TimeSpan.FromHours(4), [3] = TimeSpan.FromHours(24) };
}

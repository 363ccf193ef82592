namespace Archgate.Model;

/// <summary>
/// Where a component's instances are registered (<c>discovery</c>): exactly one source. Step 4 resolves every
/// instance and probes each one's health (docs/manifest.md, "Discovery").
/// </summary>
public abstract record DiscoverySpec
{
    /// <summary>Fewer instances than this is a finding (<c>instances</c>). <value>1</value>.</summary>
    public int MinInstances { get; init; } = 1;

    /// <summary>Where it is declared.</summary>
    public SourceLocation? Location { get; init; }

    /// <summary>The source in words, for findings (<c>Consul http://127.0.0.1:8500 service payments</c>).</summary>
    public abstract string Describe();
}

/// <summary>A fixed list of instance base URLs (<c>discovery.static</c>).</summary>
/// <param name="Urls">The instances' base URLs.</param>
public sealed record StaticDiscovery(IReadOnlyList<Uri> Urls) : DiscoverySpec
{
    /// <inheritdoc />
    public override string Describe() => $"static list of {Urls.Count}";
}

/// <summary>The DNS record types discovery reads.</summary>
public enum DnsRecordKind
{
    /// <summary>A and AAAA records: every address of the name, on <see cref="DnsDiscovery.Port"/>.</summary>
    Address,

    /// <summary>SRV records (<c>_http._tcp.payments.default.svc.cluster.local</c>): target and port of each instance.</summary>
    Srv,
}

/// <summary>Instances from DNS (<c>discovery.dns</c>): A/AAAA or SRV records of a name, optionally from one server.</summary>
/// <param name="Name">The name to look up.</param>
/// <param name="Kind">Which records.</param>
/// <param name="Server">The DNS server as host:port (<c>server</c>); null: the machine's resolvers.</param>
/// <param name="Port">For A/AAAA: the port of every instance; null: the component url's port.</param>
public sealed record DnsDiscovery(string Name, DnsRecordKind Kind, string? Server, int? Port) : DiscoverySpec
{
    /// <summary>The scheme of the instances' URLs (<c>scheme</c>). <value>http</value>.</summary>
    public string Scheme { get; init; } = "http";

    /// <inheritdoc />
    public override string Describe() => $"DNS {(Kind == DnsRecordKind.Srv ? "SRV" : "A/AAAA")} {Name}{(Server is null ? string.Empty : $" at {Server}")}";
}

/// <summary>Instances from Consul's health API (<c>GET /v1/health/service/NAME</c>), with the state of their checks.</summary>
/// <param name="Api">Consul's HTTP API (<c>http://127.0.0.1:8500</c>).</param>
/// <param name="Service">The registered service name.</param>
public sealed record ConsulDiscovery(Uri Api, string Service) : DiscoverySpec
{
    /// <summary>An ACL token sent as <c>X-Consul-Token</c>; a secret. <value>None</value>.</summary>
    public string? Token { get; init; }

    /// <inheritdoc />
    public override string Describe() => $"Consul {Api} service {Service}";
}

/// <summary>Instances from Eureka's REST API (<c>GET {api}/apps/APP</c>, JSON), with their status.</summary>
/// <param name="Api">Eureka's base (<c>http://127.0.0.1:8761/eureka</c>).</param>
/// <param name="App">The application id.</param>
public sealed record EurekaDiscovery(Uri Api, string App) : DiscoverySpec
{
    /// <inheritdoc />
    public override string Describe() => $"Eureka {Api} app {App}";
}

/// <summary>Instances from the Kubernetes API: a service's EndpointSlices (discovery.k8s.io/v1) or its Endpoints (v1).</summary>
/// <param name="Api">The API server (<c>http://127.0.0.1:8001</c>, a <c>kubectl proxy</c>).</param>
/// <param name="Namespace">The service's namespace.</param>
/// <param name="Service">The service name.</param>
public sealed record KubernetesDiscovery(Uri Api, string Namespace, string Service) : DiscoverySpec
{
    /// <summary>Read the older Endpoints object instead of EndpointSlices (<c>resource: endpoints</c>). <value>false</value>.</summary>
    public bool Endpoints { get; init; }

    /// <summary>The port's name when the service has several (<c>port</c>); null: the first port.</summary>
    public string? PortName { get; init; }

    /// <summary>A bearer token for the API server; a secret. <value>None</value>.</summary>
    public string? Token { get; init; }

    /// <summary>The scheme of the instances' URLs (<c>scheme</c>). <value>http</value>.</summary>
    public string Scheme { get; init; } = "http";

    /// <inheritdoc />
    public override string Describe() => $"Kubernetes {(Endpoints ? "Endpoints" : "EndpointSlices")} {Namespace}/{Service} at {Api}";
}

/// <summary>
/// A component built as a modular monolith (<c>modules</c>): its module assemblies, the modules each may depend on,
/// and optionally where its startup log says in which order they initialized.
/// </summary>
/// <param name="AssemblyFolder">The folder holding the compiled <c>MODULE.dll</c> files, absolute.</param>
/// <param name="Allowed">Each module and the modules it may reference, in manifest order.</param>
public sealed record ModularMonolith(string AssemblyFolder, IReadOnlyList<KeyValuePair<string, IReadOnlyList<string>>> Allowed)
{
    /// <summary>The startup log and the pattern of its "module initialized" lines (<c>startup</c>); null when not declared.</summary>
    public StartupLog? Startup { get; init; }

    /// <summary>Where it is declared.</summary>
    public SourceLocation? Location { get; init; }
}

/// <summary>Where a monolith logs its modules' initialization.</summary>
/// <param name="Log">The log file, absolute; null: the log Archgate wrote when it started the component (<c>logs/NAME.log</c>).</param>
/// <param name="Pattern">A regular expression matching a "module initialized" line, with a named group <c>module</c>.</param>
public sealed record StartupLog(string? Log, string Pattern);

/// <summary>How a caller spreads its calls over a dependency's instances.</summary>
public enum BalancingPolicy
{
    /// <summary>In turn: each instance gets an equal share.</summary>
    RoundRobin,

    /// <summary>To the instance with the fewest calls in flight: a slow instance gets fewer.</summary>
    LeastConnections,
}

/// <summary>
/// A caller that balances its calls over several instances of a dependency (<c>balancing</c>), each instance a declared
/// component the caller reaches through its own <c>${url:NAME}</c> (so each has its own proxy that counts its calls).
/// </summary>
/// <param name="Caller">The calling component (<c>from</c>).</param>
/// <param name="Instances">The instances (<c>to</c>), at least two.</param>
/// <param name="Policy">The declared policy.</param>
/// <param name="Drive">The caller operation that makes it call the dependency once (<c>drive</c>).</param>
public sealed record BalancingSpec(string Caller, IReadOnlyList<string> Instances, BalancingPolicy Policy, EdgeProbe Drive)
{
    /// <summary>Which requests at the proxies count (a path prefix, <c>calls</c>); null: every request.</summary>
    public string? Calls { get; init; }

    /// <summary>Drive requests sent (<c>requests</c>). <value>40</value>.</summary>
    public int Requests { get; init; } = 40;

    /// <summary>Drive requests in flight at once (<c>concurrency</c>). <value>4</value>.</summary>
    public int Concurrency { get; init; } = 4;

    /// <summary>Where it is declared.</summary>
    public required SourceLocation Location { get; init; }
}

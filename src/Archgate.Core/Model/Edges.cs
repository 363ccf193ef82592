using System.Text.RegularExpressions;

namespace Archgate.Model;

/// <summary>A call path from one component to another (<c>api → payments</c>).</summary>
/// <param name="Caller">The component that calls.</param>
/// <param name="Dependency">The component it calls.</param>
public sealed record Edge(string Caller, string Dependency)
{
    /// <inheritdoc />
    public override string ToString() => $"{Caller} → {Dependency}";
}

/// <summary>What the manifest's <c>edges</c> section says about one edge (docs/manifest.md, "Edges").</summary>
public sealed record EdgeSpec
{
    /// <summary>The edge.</summary>
    public required Edge Edge { get; init; }

    /// <summary>The name of the proxy on the manifest's Toxiproxy server that sits on this edge, if any.</summary>
    public string? ToxiproxyProxy { get; init; }

    /// <summary>
    /// Which requests at the edge's proxy are the caller's guarded calls: a path prefix (<c>/payments</c>); null counts
    /// every request. Health probes the caller sends past its breaker are left out this way.
    /// </summary>
    public string? Calls { get; init; }

    /// <summary>The caller's circuit breaker on this edge (<c>breaker</c>); null when none is declared.</summary>
    public BreakerPolicy? Breaker { get; init; }

    /// <summary>The caller operation that makes the caller call the dependency (<c>drive</c>); null when none is declared.</summary>
    public EdgeProbe? Drive { get; init; }

    /// <summary>
    /// The statuses the drive operation may answer while the dependency fails (<c>fallback.status</c>), the caller's
    /// documented degraded answer. <value>Empty</value>: any status below 500.
    /// </summary>
    public IReadOnlyList<int> FallbackStatus { get; init; } = [];

    /// <summary>
    /// How long after a dependency's outage ends the work the caller queued meanwhile must complete without anyone
    /// asking again (<c>fallback.within</c>); null: the check's default (30 s).
    /// </summary>
    public TimeSpan? FallbackWithin { get; init; }

    /// <summary>
    /// The caller's timeout and retries on this edge (<c>policy</c>: timeout, retries, backoff); null: none declared here
    /// (a third party's own <c>policy</c> then applies).
    /// </summary>
    public CallPolicy? Policy { get; init; }

    /// <summary>Where the edge is declared.</summary>
    public required SourceLocation Location { get; init; }
}

/// <summary>A circuit breaker as the caller configures it.</summary>
/// <param name="Failures">Failed calls after which it opens (<c>failures</c>).</param>
/// <param name="BreakDuration">How long it stays open before a trial call (<c>breakDuration</c>).</param>
/// <param name="Timeout">How long one call may take (<c>timeout</c>); null when not declared.</param>
public sealed record BreakerPolicy(int Failures, TimeSpan BreakDuration, TimeSpan? Timeout);

/// <summary>
/// A request to the caller: <c>POST /orders</c> with an optional JSON body, sent with the caller's <c>auth</c>; <c>{uuid}</c>
/// (new each send) and <c>{run}</c> (the send's number in its check) are filled in its path and body. Or a journey's last step
/// (<see cref="Journey"/>).
/// </summary>
/// <param name="Method">The method, upper case.</param>
/// <param name="Path">The path, relative to the caller's URL.</param>
/// <param name="Json">The JSON body, or null.</param>
public sealed record EdgeProbe(string Method, string Path, string? Json)
{
    /// <summary>
    /// The component the request goes to, with its <c>auth</c> (<c>via</c>), when the caller is reached through another
    /// (an order placed at the api makes payments charge the gateway); null: the caller itself.
    /// </summary>
    public string? Via { get; init; }

    /// <summary>
    /// The step 7 journey this drive runs (<c>journey</c>): its setup once per check, its steps before each send, and its
    /// last step, an HTTP request, as the drive request whose answer is judged (<see cref="Method"/> and
    /// <see cref="Path"/> are that step's, <see cref="Via"/> the journey's service). <value>null: the request as written</value>.
    /// </summary>
    public string? Journey { get; init; }
}

/// <summary>An existing Toxiproxy server whose proxies sit on the system's edges (<c>toxiproxy.api</c>).</summary>
/// <param name="Api">The base URL of its HTTP API (<c>http://127.0.0.1:8474</c>).</param>
public sealed record ToxiproxyServer(Uri Api);

/// <summary>
/// <c>${url:NAME}</c> in a component's <c>run.env</c>: the address of component NAME as the caller should use it (a
/// broker's: its AMQP URI). When Archgate starts the system it puts a passthrough proxy on that edge and hands out the
/// proxy's address (for a broker, the same URI with the proxy's host and port).
/// </summary>
public static partial class EdgeAddress
{
    /// <summary>The components referenced in <paramref name="value"/>, in order.</summary>
    public static IEnumerable<string> References(string value) =>
        Reference().Matches(value ?? string.Empty).Select(m => m.Groups["name"].Value);

    /// <summary><paramref name="value"/> with each reference replaced by <paramref name="address"/> of the named component.</summary>
    public static string Expand(string value, Func<string, Uri> address) =>
        Reference().Replace(value ?? string.Empty, m => Format(address(m.Groups["name"].Value)));

    /// <summary>The edges a component's <c>run.env</c> declares, one per referenced dependency.</summary>
    public static IReadOnlyList<Edge> Of(Component component) =>
        component?.Run is null
            ? []
            : [.. component.Run.Environment.Values.SelectMany(References).Distinct(StringComparer.Ordinal).Select(d => new Edge(component.Name, d))];

    /// <summary>
    /// What <c>${url:NAME}</c> stands for when NAME is <paramref name="component"/>: the base URL of an HTTP component, the
    /// AMQP URI of a broker (credentials and virtual host included: a secret), or null for a component without an address
    /// (a database's connection string goes in as it is).
    /// </summary>
    public static Uri? Target(Component? component) => component switch
    {
        HttpComponent http => http.Url,
        BrokerComponent broker when Uri.TryCreate(broker.Connection, UriKind.Absolute, out var amqp) => amqp,
        _ => null,
    };

    /// <summary>A base URL as one writes it in configuration: no trailing slash on a bare authority.</summary>
    public static string Format(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return url.AbsolutePath == "/" && string.IsNullOrEmpty(url.Query) ? url.GetLeftPart(UriPartial.Authority) : url.ToString();
    }

    [GeneratedRegex(@"\$\{url:(?<name>[A-Za-z0-9][A-Za-z0-9._-]*)\}")]
    private static partial Regex Reference();
}

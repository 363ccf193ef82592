namespace Archgate.Launch;

/// <summary>
/// The proxies Archgate puts on the edges of a system it starts: a caller's <c>${url:NAME}</c> gets the address of a
/// passthrough proxy in front of NAME instead of NAME's own. They live in Archgate's process and die with the run.
/// The fault proxy (Archgate.Checks, <c>Faults/</c>) implements it; checks inject their faults through it.
/// </summary>
public interface IEdgeProxies
{
    /// <summary>The address to hand <paramref name="caller"/> for <paramref name="dependency"/>: its proxy's, started on first use.</summary>
    /// <param name="caller">The calling component.</param>
    /// <param name="dependency">The component called.</param>
    /// <param name="dependencyUrl">Where the dependency really listens: its base URL, or a broker's AMQP URI (the address handed out keeps its credentials and virtual host).</param>
    Uri Open(string caller, string dependency, Uri dependencyUrl);
}

namespace Archgate.Checks.Services.Discovery;

/// <summary>One instance a discovery source lists.</summary>
/// <param name="Url">Its base URL, as Archgate probes it (an address, never a name only the source's DNS knows).</param>
/// <param name="Id">How the source names it (Consul's service id, Eureka's instanceId, a pod, an SRV target).</param>
/// <param name="RegistryUp">Whether the source itself reports it as healthy (Consul checks passing, Eureka UP, Kubernetes
/// ready); null when the source has no such notion (static lists, DNS).</param>
/// <param name="RegistryStatus">The source's own word for its state (<c>critical</c>, <c>DOWN</c>, <c>not ready</c>), or null.</param>
internal sealed record DiscoveredInstance(Uri Url, string Id, bool? RegistryUp, string? RegistryStatus);

/// <summary>The source could not be read: what went wrong, and whether it may pass by itself.</summary>
internal sealed class DiscoveryException(string message, bool transient, Exception? inner = null) : Exception(message, inner)
{
    public bool Transient { get; } = transient;
}

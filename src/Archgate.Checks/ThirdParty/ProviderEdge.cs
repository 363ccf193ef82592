using Archgate.Checks.Faults;
using Archgate.Model;

namespace Archgate.Checks.ThirdParty;

/// <summary>
/// A caller → dependency edge that step 6 (a third party) or step 4 (a service with a declared <c>policy</c>) exercises:
/// what the manifest says about it, the policy judged, and which component the drive request goes to.
/// </summary>
internal sealed record ProviderEdge(EdgeSpec? Spec, HttpComponent Caller, HttpComponent Dependency, CallPolicy Policy)
{
    /// <summary>The protocol's ceiling for a third party's timeout. <value>10 s</value>.</summary>
    public static readonly TimeSpan ProtocolTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long queued work may take to complete after an outage when the edge does not say (<c>fallback.within</c>). <value>30 s</value>.</summary>
    public static readonly TimeSpan DefaultWithin = TimeSpan.FromSeconds(30);

    public Edge Edge => new(Caller.Name, Dependency.Name);

    /// <summary>The dependency when it is a third party (step 6), else null.</summary>
    public ThirdPartyComponent? Provider => Dependency as ThirdPartyComponent;

    public AttemptExpectations Expected =>
        new(Policy.Retries ?? 3, Policy.Timeout ?? ProtocolTimeout, Policy.Backoff, Policy.Fallback is { } f && CallPolicy.Queueing.Contains(f, StringComparer.OrdinalIgnoreCase));

    public TimeSpan Within => Spec?.FallbackWithin ?? DefaultWithin;

    public string Location => Spec is { } s ? $"{s.Location} edges {Edge}" : $"{Dependency.Location} {Edge}";

    /// <summary>Whether a request at the edge's proxy is one of the caller's calls: under <c>calls</c>, else anything but a health probe.</summary>
    public bool Counts(ProxiedRequest request) =>
        Spec?.Calls is { } prefix ? request.Target.StartsWith(prefix, StringComparison.Ordinal) : !request.Target.StartsWith("/health", StringComparison.OrdinalIgnoreCase);

    /// <summary>Step 6's edges: each service calling a third party, with the third party's policy unless the edge declares one.</summary>
    public static IEnumerable<ProviderEdge> ThirdParties(SystemModel system, IEnumerable<ThirdPartyComponent> providers)
    {
        foreach (var provider in providers)
        {
            foreach (var caller in system.OfKind<ServiceComponent>().Where(c => c.DependsOn.Contains(provider.Name)))
            {
                var spec = system.Edges.FirstOrDefault(e => e.Edge == new Edge(caller.Name, provider.Name));
                yield return new ProviderEdge(spec, caller, provider, spec?.Policy ?? provider.Policy ?? new CallPolicy(null, null, null, null));
            }
        }
    }

    /// <summary>Step 4's edges: service → service edges whose <c>edges</c> entry declares a <c>policy</c>.</summary>
    public static IEnumerable<ProviderEdge> Services(SystemModel system) =>
        system.Edges.Where(e => e.Policy is not null)
            .Select(e => (Spec: e, Caller: system.Find<HttpComponent>(e.Edge.Caller), Dependency: system.Find<ServiceComponent>(e.Edge.Dependency)))
            .Where(e => e.Caller is not null && e.Dependency is not null)
            .Select(e => new ProviderEdge(e.Spec, e.Caller!, e.Dependency!, e.Spec.Policy!));
}

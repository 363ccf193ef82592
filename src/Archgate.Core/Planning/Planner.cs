using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Planning;

/// <summary>
/// Builds the <see cref="IntegrationPlan"/>: waves by dependency depth (databases and other dependency-free
/// components first, frontends last), longest chain of dependants first within a wave.
/// </summary>
public static class Planner
{
    /// <summary>A critical component this many dependency hops deep or more is a risk.</summary>
    public const int LongChain = 3;

    /// <summary>The protocol's ceiling for a third-party call timeout.</summary>
    public static readonly TimeSpan MaxThirdPartyTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Plans a loaded (hence acyclic) system.</summary>
    public static IntegrationPlan Plan(SystemModel system)
    {
        var byName = system.Components.ToDictionary(c => c.Name, StringComparer.Ordinal);
        var dependants = system.Components.ToDictionary(c => c.Name, _ => new List<string>(), StringComparer.Ordinal);
        foreach (var c in system.Components)
        {
            foreach (var d in c.DependsOn.Where(byName.ContainsKey))
            {
                dependants[d].Add(c.Name);
            }
        }

        var depth = new Dictionary<string, int>(StringComparer.Ordinal);
        int Depth(string name) => depth.TryGetValue(name, out var v) ? v : depth[name] =
            byName[name].DependsOn.Where(byName.ContainsKey).Select(d => Depth(d) + 1).DefaultIfEmpty(0).Max();

        var chain = new Dictionary<string, int>(StringComparer.Ordinal);
        int Chain(string name) => chain.TryGetValue(name, out var v) ? v : chain[name] =
            dependants[name].Select(d => Chain(d) + 1).DefaultIfEmpty(0).Max();

        var backendLast = system.Components.Where(c => c.Kind != ComponentKind.Frontend).Select(c => Depth(c.Name)).DefaultIfEmpty(-1).Max();
        int WaveIndex(Component c) => c.Kind == ComponentKind.Frontend ? Math.Max(backendLast + 1, Depth(c.Name)) : Depth(c.Name);

        var waves = system.Components
            .GroupBy(WaveIndex)
            .OrderBy(g => g.Key)
            .Select((g, i) => (IReadOnlyList<PlannedComponent>)g
                .OrderBy(c => KindOrder(c.Kind))
                .ThenByDescending(c => Chain(c.Name))
                .ThenBy(c => c.Name, StringComparer.Ordinal)
                .Select(c => new PlannedComponent(c, i + 1, Depth(c.Name), Chain(c.Name), dependants[c.Name]))
                .ToList())
            .ToList();

        var points = system.Components
            .SelectMany(c => c.DependsOn.Where(byName.ContainsKey).Select(d => Point(c, byName[d])))
            .ToList();

        return new IntegrationPlan(system, waves, points, Risks(system, Depth).ToList());
    }

    private static int KindOrder(ComponentKind kind) => kind switch
    {
        ComponentKind.Database or ComponentKind.Broker => 0,
        ComponentKind.ThirdParty => 1,
        ComponentKind.Service => 2,
        _ => 3,
    };

    private static IntegrationPoint Point(Component from, Component to) => to switch
    {
        DatabaseComponent db => new(from.Name, to.Name, IntegrationPointKind.Database, $"{db.Engine.ToString().ToLowerInvariant()} connection"),
        ThirdPartyComponent provider => new(from.Name, to.Name, IntegrationPointKind.ThirdParty, provider.Url.ToString()),
        BrokerComponent broker => new(from.Name, to.Name, IntegrationPointKind.Broker, broker.Broker.Exchanges.Count == 0 ? "AMQP" : $"AMQP ({string.Join(", ", broker.Broker.Exchanges.Select(e => e.Name))})"),
        _ when from.Kind == ComponentKind.Frontend => new(from.Name, to.Name, IntegrationPointKind.Frontend, to.OpenApi is null ? "HTTP API (no contract)" : "HTTP API (OpenAPI)"),
        _ => new(from.Name, to.Name, IntegrationPointKind.Api, to.OpenApi is null ? "HTTP API (no contract)" : "HTTP API (OpenAPI)"),
    };

    private static IEnumerable<PlanRisk> Risks(SystemModel system, Func<string, int> depth)
    {
        foreach (var c in system.Components)
        {
            if (c.Kind == ComponentKind.Service && c.HealthPath is null)
            {
                yield return new PlanRisk(PlanRules.NoHealthEndpoint, Severity.Medium, c.Name, $"service '{c.Name}' has no health endpoint",
                    "expose a readiness endpoint (for example /health/ready) and declare it as 'health'");
            }

            if (c.Kind == ComponentKind.Service && c.OpenApi is null)
            {
                yield return new PlanRisk(PlanRules.NoContract, Severity.Medium, c.Name, $"service '{c.Name}' has no API contract",
                    "publish an OpenAPI document and declare it as 'openapi' so step 2 can verify it");
            }

            if (c.Kind == ComponentKind.ThirdParty)
            {
                var timeout = c.Policy?.Timeout;
                if (timeout is null)
                {
                    yield return new PlanRisk(PlanRules.ThirdPartyNoTimeout, Severity.High, c.Name, $"third party '{c.Name}' has no timeout policy",
                        "declare 'policy: { timeout: 10s, retries: 3, backoff: exponential, fallback: ... }' and configure the callers the same way");
                }
                else if (timeout > MaxThirdPartyTimeout)
                {
                    yield return new PlanRisk(PlanRules.ThirdPartyNoTimeout, Severity.High, c.Name,
                        $"third party '{c.Name}' timeout is {timeout.Value.TotalSeconds:0.#} s, above the protocol's 10 s",
                        "lower the timeout to 10 s or less and rely on retries with backoff");
                }
            }

            if (c.Critical && depth(c.Name) >= LongChain)
            {
                yield return new PlanRisk(PlanRules.CriticalLongChain, Severity.Medium, c.Name,
                    $"critical component '{c.Name}' sits on a dependency chain {depth(c.Name)} deep",
                    "every link is a failure point: add circuit breakers and fallbacks along the chain, or shorten it");
            }
        }
    }
}

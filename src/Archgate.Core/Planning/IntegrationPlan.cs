using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Planning;

/// <summary>A component's place in the integration sequence.</summary>
/// <param name="Component">The component.</param>
/// <param name="Wave">1-based wave: everything it depends on is in an earlier wave.</param>
/// <param name="Depth">Longest chain of dependencies below it (0 when it depends on nothing).</param>
/// <param name="Chain">Longest chain of dependants above it: how much of the system waits for it.</param>
/// <param name="Dependants">Components that depend on it directly.</param>
public sealed record PlannedComponent(Component Component, int Wave, int Depth, int Chain, IReadOnlyList<string> Dependants);

/// <summary>What kind of integration an edge of the graph is.</summary>
public enum IntegrationPointKind
{
    /// <summary>A service calling a service's API.</summary>
    Api,

    /// <summary>A component using a database.</summary>
    Database,

    /// <summary>A component calling an external provider.</summary>
    ThirdParty,

    /// <summary>A frontend calling a backend.</summary>
    Frontend,

    /// <summary>A component publishing to or consuming from a message broker.</summary>
    Broker,
}

/// <summary>One edge: <paramref name="From"/> uses <paramref name="To"/>.</summary>
public sealed record IntegrationPoint(string From, string To, IntegrationPointKind Kind, string Detail);

/// <summary>A risk the plan sees before anything runs (a finding of step 1).</summary>
public sealed record PlanRisk(string Rule, Severity Severity, string Component, string Message, string Hint);

/// <summary>Step 1's output: the order to integrate in, the integration points and the risks.</summary>
public sealed record IntegrationPlan(
    SystemModel System,
    IReadOnlyList<IReadOnlyList<PlannedComponent>> Waves,
    IReadOnlyList<IntegrationPoint> Points,
    IReadOnlyList<PlanRisk> Risks)
{
    /// <summary>Every component in integration order (wave by wave).</summary>
    public IEnumerable<PlannedComponent> Order => Waves.SelectMany(w => w);

    /// <summary>The planned entry of a component.</summary>
    public PlannedComponent Get(string name) => Order.First(p => p.Component.Name == name);
}

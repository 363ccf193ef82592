using Archgate.Model;
using Archgate.Planning;

namespace Archgate.Protocol;

/// <summary>
/// One step of the protocol, as the one step table (<see cref="ProtocolDefinition"/>) declares it: its name and
/// report title, when it has something to check, its checks, its validation criterion, the escalation triggers
/// that read its results, and whether a failure of it calls the rollback hooks. The runner, the judges and the
/// reports read this; nothing else keeps a list of steps.
/// </summary>
public sealed record StepDefinition
{
    /// <summary>1-10.</summary>
    public required int Number { get; init; }

    /// <summary>The step's name, for example <c>API contract validation</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Its section title in the report. <value>The name</value> by default.</summary>
    public string? ReportTitle { get; init; }

    /// <summary>
    /// Whether the manifest has anything for this step at all (no frontend: nothing for step 5). A step that does
    /// not apply is recorded as not applicable with the reason, and its criterion does not hold back GO.
    /// <value>Always applies</value> by default.
    /// </summary>
    public Func<SystemModel, Applicability> AppliesTo { get; init; } = _ => Applicability.Yes;

    /// <summary>The checks of this step for a system, in the order they run (per-component checks in plan order).</summary>
    public required Func<StepChecksContext, IEnumerable<ICheck>> Checks { get; init; }

    /// <summary>The validation criterion this step decides, or null (step 1 only plans).</summary>
    public CriterionDefinition? Criterion { get; init; }

    /// <summary>Escalation triggers that read this step's results.</summary>
    public IReadOnlyList<EscalationTrigger> Escalations { get; init; } = [];

    /// <summary>Whether a failure of this step runs the manifest's rollback hooks (P-RECOVERY). <value>false</value>.</summary>
    public bool RollbackOnFailure { get; init; }

    /// <summary>The section title of the report.</summary>
    public string Title => ReportTitle ?? Name;
}

/// <summary>What a step's check list is built from.</summary>
/// <param name="System">The system under test.</param>
/// <param name="Plan">Step 1's plan: per-component checks run in its order.</param>
public sealed record StepChecksContext(SystemModel System, IntegrationPlan Plan)
{
    /// <summary>Components of kind <typeparamref name="T"/> in integration order.</summary>
    public IReadOnlyList<T> InOrder<T>()
        where T : Component => Plan.Order.Select(p => p.Component).OfType<T>().ToList();
}

/// <summary>One validation criterion of the protocol.</summary>
/// <param name="Id">Stable id, for example <c>slo</c>.</param>
/// <param name="Description">What it asks, for example <c>Performance SLOs met</c>.</param>
/// <param name="Target">The target as the manifest sets it (its SLOs, policies, approvers).</param>
public sealed record CriterionDefinition(string Id, string Description, Func<SystemModel, string> Target)
{
    /// <summary>
    /// Whether the verdict waits for this criterion. <value>true</value>. Sign-off does not gate yet: the hook
    /// for step 10, which will make a GO run "awaiting sign-off" until the approvers sign.
    /// </summary>
    public bool GatesVerdict { get; init; } = true;
}

/// <summary>An escalation trigger over one step's results.</summary>
/// <param name="Id">Stable trigger id, for example <c>contract-mismatch-rate</c>.</param>
/// <param name="Level">1 (team) to 4 (leadership).</param>
/// <param name="Description">When it fires, for the docs and the report.</param>
/// <param name="Evaluate">The escalations it raises over the step's result (none: it did not fire).</param>
public sealed record EscalationTrigger(string Id, int Level, string Description, Func<SystemModel, StepResult, IEnumerable<EscalationHit>> Evaluate);

/// <summary>One firing of a trigger: its message, the components it concerns and its evidence.</summary>
public sealed record EscalationHit(string Message, IReadOnlyList<string> Components, IReadOnlyList<string> Evidence);

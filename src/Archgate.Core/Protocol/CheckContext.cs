using Archgate.Model;
using Archgate.Planning;

namespace Archgate.Protocol;

/// <summary>What a check may use: the model, the plan, time, a guarded HTTP client, the run's folder.</summary>
public sealed record CheckContext
{
    /// <summary>The system under test.</summary>
    public required SystemModel System { get; init; }

    /// <summary>Step 1's plan (integration order).</summary>
    public required IntegrationPlan Plan { get; init; }

    /// <summary>The clock; tests use a fake one.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>An HTTP client that refuses hosts outside <c>targets.allow</c> and does not follow redirects.</summary>
    public required HttpClient Http { get; init; }

    /// <summary>The run's id.</summary>
    public required string RunId { get; init; }

    /// <summary>Where the run writes its files (reports, plan, evidence).</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>Past runs of the store (regression baselines); null when the run has no store.</summary>
    public IRunHistory? History { get; init; }

    /// <summary>
    /// The results of the checks that ran before this one in the same step, in order: a step's final pass (step 3's
    /// failure scenario) judges from them.
    /// </summary>
    public IReadOnlyList<CheckResult> EarlierResults { get; init; } = [];

    /// <summary>
    /// The results of the steps finished before this one, and their criteria as judged so far (waivers in force
    /// applied): step 10 compiles them.
    /// </summary>
    public IReadOnlyList<StepResult> EarlierSteps { get; init; } = [];

    /// <summary>The criteria of <see cref="EarlierSteps"/> (later steps' criteria are not evaluated yet).</summary>
    public IReadOnlyList<Criterion> Criteria { get; init; } = [];

    /// <summary>Objects shared by every check of the run (the token cache, for one), created on first use.</summary>
    public RunServices Services { get; init; } = new();

    /// <summary>
    /// The proxies Archgate put on the edges of the system it started (<c>${url:NAME}</c>), through which checks inject
    /// faults; null when Archgate did not start the system.
    /// </summary>
    public Launch.IEdgeProxies? Edges { get; init; }

    /// <summary>
    /// The processes of the system Archgate started, watched for exits; null when Archgate did not start the system. A
    /// check that stops a component on purpose calls <see cref="Launch.IComponentProcesses.ExpectExit"/> first.
    /// </summary>
    public Launch.IComponentProcesses? Processes { get; init; }

    /// <summary>Reports what the check is doing now (shown as live progress).</summary>
    public IProgress<string>? Activity { get; init; }
}

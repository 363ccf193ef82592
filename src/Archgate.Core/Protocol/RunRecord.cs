using System.Text.Json.Serialization;
using Archgate.Model;

namespace Archgate.Protocol;

/// <summary>The result of one protocol step.</summary>
public sealed record StepResult
{
    /// <summary>1-10.</summary>
    public required int Number { get; init; }

    /// <summary>The step's name.</summary>
    public required string Name { get; init; }

    /// <summary>The step's section title in the report, when it differs from its name.</summary>
    public string? Title { get; init; }

    /// <summary>
    /// Set when the manifest has nothing for this step at all (for example "no frontend component declared"): the
    /// step ran no check and its criterion is not-applicable.
    /// </summary>
    public string? NotApplicable { get; init; }

    /// <summary>The worst status of its checks (error, fail, warn, pass), or skipped when all were skipped.</summary>
    public required CheckStatus Status { get; init; }

    /// <summary>When it started.</summary>
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>Wall time.</summary>
    public long DurationMs { get; init; }

    /// <summary>Its checks, in the order they ran.</summary>
    public required IReadOnlyList<CheckResult> Checks { get; init; }

    /// <summary>The step status implied by its checks.</summary>
    public static CheckStatus Aggregate(IEnumerable<CheckResult> checks)
    {
        var statuses = checks.Select(c => c.Status).ToList();
        if (statuses.Count == 0 || statuses.All(s => s == CheckStatus.Skipped))
        {
            return CheckStatus.Skipped;
        }

        foreach (var worst in new[] { CheckStatus.Error, CheckStatus.Fail, CheckStatus.Warn })
        {
            if (statuses.Contains(worst))
            {
                return worst;
            }
        }

        return CheckStatus.Pass;
    }
}

/// <summary>Whether a validation criterion is met.</summary>
public enum CriterionStatus
{
    /// <summary>Met.</summary>
    Pass,

    /// <summary>Not met.</summary>
    Fail,

    /// <summary>Not enough evidence to say.</summary>
    NotEvaluated,

    /// <summary>The manifest has nothing this criterion applies to; does not hold back GO.</summary>
    NotApplicable,

    /// <summary>
    /// The step was left out with <c>--steps</c>: holds back GO until the approver signs the run off with that scope
    /// (the report names the steps left out).
    /// </summary>
    NotSelected,

    /// <summary>Failed, and every failing rule is waived by the approver with a reason and an expiry date (<see cref="Criterion.WaivedRules"/>).</summary>
    Waived,
}

/// <summary>One of the protocol's validation criteria, with what was observed against its target.</summary>
public sealed record Criterion(string Id, string Description, CriterionStatus Status, string Observed, string Target)
{
    /// <summary>Whether the verdict waits for it.</summary>
    public bool GatesVerdict { get; init; } = true;

    /// <summary>For a waived criterion: the failing rules its waivers cover.</summary>
    public IReadOnlyList<string>? WaivedRules { get; init; }
}

/// <summary>The gate's answer.</summary>
public enum Verdict
{
    /// <summary>Every criterion passed.</summary>
    [JsonStringEnumMemberName("GO")]
    Go,

    /// <summary>At least one criterion failed.</summary>
    [JsonStringEnumMemberName("NO-GO")]
    NoGo,

    /// <summary>No criterion failed, but some were not evaluated.</summary>
    [JsonStringEnumMemberName("INCOMPLETE")]
    Incomplete,
}

/// <summary>An escalation raised by a rule over the run's results.</summary>
/// <param name="Trigger">Stable trigger id, for example <c>contract-mismatch-rate</c>.</param>
/// <param name="Level">The level it starts at: 1 self-recovery, 2 technical coordination (team leads), 3 human in the loop (System-Architect), 4 executive review.</param>
/// <param name="Message">What happened, with the values that tripped the rule.</param>
public sealed record Escalation(string Trigger, int Level, string Message)
{
    /// <summary>Its id in the run store (<c>archgate ack ID</c>); null until it is recorded.</summary>
    public string? Id { get; init; }

    /// <summary>The components it concerns: their owners are notified at level 2. <value>None</value>.</summary>
    public IReadOnlyList<string> Components { get; init; } = [];

    /// <summary>What tripped the rule: findings (<c>AG3046 orders: ...</c>) or measurements. <value>None</value>.</summary>
    public IReadOnlyList<string> Evidence { get; init; } = [];
}


/// <summary>One rollback command run after a late step failed.</summary>
/// <param name="Command">The command as the manifest wrote it (redacted).</param>
/// <param name="ExitCode">Its exit code, or null when it could not start or timed out.</param>
/// <param name="DurationMs">Wall time.</param>
/// <param name="Output">The last lines of its output, redacted.</param>
/// <param name="Error">Why it has no exit code, or null.</param>
public sealed record RollbackResult(string Command, int? ExitCode, long DurationMs, string Output, string? Error);

/// <summary>A component of the dependency graph: its kind, its integration wave (1 first) and what it depends on.</summary>
public sealed record GraphNode(string Name, ComponentKind Kind, int Wave, IReadOnlyList<string> DependsOn);

/// <summary>Where a run is in its life.</summary>
public enum RunState
{
    /// <summary>Started and not finished (or killed: see the store).</summary>
    Running,

    /// <summary>Every selected step ran and the verdict is set.</summary>
    Completed,

    /// <summary>Stopped by Ctrl+C or SIGTERM; can be resumed.</summary>
    Cancelled,
}

/// <summary>Everything about one run: the only input of reporters and the dashboard. Serialized as run.json.</summary>
public sealed record RunRecord
{
    /// <summary>run.json schema version.</summary>
    public int SchemaVersion { get; init; } = 1;

    /// <summary>Sortable unique id: <c>yyyyMMdd-HHmmss-xxxx</c>.</summary>
    public required string RunId { get; init; }

    /// <summary>The system's name.</summary>
    public required string System { get; init; }

    /// <summary>Absolute path of the manifest.</summary>
    public required string ManifestPath { get; init; }

    /// <summary>SHA-256 of the manifest as run.</summary>
    public required string ManifestSha256 { get; init; }

    /// <summary>When the run started.</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>When it finished, or null.</summary>
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>Where the run is in its life.</summary>
    public RunState State { get; init; } = RunState.Running;

    /// <summary>The verdict, once every selected step has run.</summary>
    public Verdict? Verdict { get; init; }

    /// <summary>Steps selected with <c>--steps</c> (all ten by default).</summary>
    public IReadOnlyList<int> SelectedSteps { get; init; } = Enumerable.Range(1, ProtocolSteps.Count).ToList();

    /// <summary>How many times the run was resumed.</summary>
    public int Resumes { get; init; }

    /// <summary>Step results in step order.</summary>
    public IReadOnlyList<StepResult> Steps { get; init; } = [];

    /// <summary>The validation criteria.</summary>
    public IReadOnlyList<Criterion> Criteria { get; init; } = [];

    /// <summary>Escalations raised.</summary>
    public IReadOnlyList<Escalation> Escalations { get; init; } = [];

    /// <summary>
    /// Why the run waits for people, when every other criterion passed and the reviews or the sign-off are still
    /// missing (<c>awaiting sign-off: ...</c>); null otherwise. The verdict is then INCOMPLETE and the exit code 6.
    /// </summary>
    public string? Awaiting { get; init; }

    /// <summary>Who must review and sign off this run, as the manifest said when it ran.</summary>
    public SignoffPolicy? SignoffPolicy { get; init; }

    /// <summary>The run's reviews and sign-offs, in the order they were recorded (a hash chain: see <c>archgate runs --verify</c>).</summary>
    public IReadOnlyList<SignoffRecord> Signoffs { get; init; } = [];

    /// <summary>The waivers of the system's runs known when this run was judged: in force or expired, and which this run used.</summary>
    public IReadOnlyList<WaiverStatus> Waivers { get; init; } = [];

    /// <summary>Rollback commands run because a step in the rollback scope failed, with their outcome.</summary>
    public IReadOnlyList<RollbackResult> Rollbacks { get; init; } = [];

    /// <summary>The failed steps whose failure called the rollback hooks (empty when none did).</summary>
    public IReadOnlyList<int> RollbackFor { get; init; } = [];

    /// <summary>
    /// The databases snapshotted before the first step of the rollback scope, and what became of each snapshot
    /// (restored after a failure there, dropped otherwise, kept with <c>--keep-state</c>); empty when none was taken.
    /// </summary>
    public IReadOnlyList<StateSnapshot> Snapshots { get; init; } = [];

    /// <summary>The dependency graph as step 1 planned it: every component with its kind, integration wave and dependencies.</summary>
    public IReadOnlyList<GraphNode> Graph { get; init; } = [];

    /// <summary>Wall time from start to finish.</summary>
    [JsonIgnore]
    public TimeSpan? Duration => FinishedAt - StartedAt;

    /// <summary>Step 7's journey × engine matrix of the journeys with browser steps; null (left out of run.json) when there are none.</summary>
    public IReadOnlyList<BrowserCell>? BrowserMatrix => BrowserCell.Matrix(Steps) is { Count: > 0 } cells ? cells : null;
}

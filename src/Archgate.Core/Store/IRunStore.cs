using Archgate.Launch;
using Archgate.Protocol;

namespace Archgate.Store;

/// <summary>A line of <c>archgate runs</c>.</summary>
public sealed record RunListEntry(string RunId, string System, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, string State, Verdict? Verdict, int StepsDone)
{
    /// <summary>Whether the run waits for its reviews and sign-off.</summary>
    public bool AwaitingSignoff { get; init; }
}

/// <summary>
/// Run history and checkpoints: what the runner, the commands and (later) the dashboard read and write. SQLite by
/// default (<see cref="RunStore"/>); a store shared by a team's CI runners implements the same contract.
/// </summary>
public interface IRunStore : IRunHistory, IDisposable
{
    /// <summary>Records the start of a run (or its new state), without steps; <paramref name="pid"/> is the process executing it.</summary>
    void SaveRun(RunRecord record, int? pid = null);

    /// <summary>The checkpoint: a finished step, durable before the next step starts.</summary>
    void SaveStep(string runId, StepResult step);

    /// <summary>A run with its checkpointed steps, or null.</summary>
    RunRecord? Load(string runId);

    /// <summary>A full id, a unique prefix or <c>last</c>, resolved to a run id; null when nothing or more than one run matches.</summary>
    string? ResolveId(string text);

    /// <summary>The most recent runs first; a run whose process is gone while it says running shows as <c>interrupted</c>.</summary>
    IReadOnlyList<RunListEntry> List(int limit = 50, string? system = null);

    /// <summary>
    /// Takes the run's lease for <paramref name="lease"/>'s owner when nobody holds it, its holder's heartbeat is
    /// older than <paramref name="expiry"/>, or its holder is a dead process on this host; atomically (one
    /// conditional UPDATE). Returns null when taken, else the live lease of the current holder.
    /// </summary>
    RunLease? TryAcquireLease(string runId, RunLease lease, TimeSpan expiry);

    /// <summary>The owner's heartbeat; false when the lease is no longer the owner's.</summary>
    bool RenewLease(string runId, RunLease lease, DateTimeOffset now);

    /// <summary>Gives the lease up (only when <paramref name="lease"/>'s owner holds it).</summary>
    void ReleaseLease(string runId, RunLease lease);

    /// <summary>The run's current lease, or null when nobody holds it.</summary>
    RunLease? LeaseOf(string runId);

    /// <summary>Records the processes started for a run (durable before its first step), so they can be stopped later.</summary>
    void SaveProcesses(string runId, IReadOnlyList<StartedComponent> processes);

    /// <summary>The processes recorded for a run.</summary>
    IReadOnlyList<StartedComponent> Processes(string runId);

    /// <summary>
    /// Appends a review or sign-off to its run's chain, atomically, when the chain's last hash is still
    /// <see cref="SignoffRecord.PreviousHash"/> (the head the caller judged against; 64 zeros for an empty chain);
    /// <see cref="SignoffRecord.Seq"/> is set here. Returns the record as stored, with its hash, or null when another
    /// record came first (judge again). Records are never updated or deleted.
    /// </summary>
    SignoffRecord? AppendSignoff(SignoffRecord record);

    /// <summary>Checks every run's chain of records; one break per broken chain (the first broken record), none when all hold.</summary>
    IReadOnlyList<ChainBreak> VerifySignoffs();

    /// <summary>Where the run's reports were written (null when not recorded).</summary>
    string? OutputDirectory(string runId);

    /// <summary>Records where the run's reports are written.</summary>
    void SaveOutputDirectory(string runId, string path);

    /// <summary>Records a raised escalation (without its notices).</summary>
    void AddEscalation(EscalationRecord record);

    /// <summary>Escalations with their notices, oldest first: of one run, or of every run when <paramref name="runId"/> is null.</summary>
    IReadOnlyList<EscalationRecord> Escalations(string? runId = null);

    /// <summary>A full escalation id or a unique prefix, resolved; null when nothing or more than one matches.</summary>
    EscalationRecord? FindEscalation(string idOrPrefix);

    /// <summary>Acknowledges an escalation; false when it is unknown or already acknowledged.</summary>
    bool AcknowledgeEscalation(string id, string by, string? note, DateTimeOffset at);

    /// <summary>Raises an unacknowledged escalation from level <paramref name="from"/> one level (atomically); false when it is no longer there.</summary>
    bool RaiseEscalationLevel(string id, int from, DateTimeOffset at);

    /// <summary>Records a delivery (or failed delivery) of an escalation.</summary>
    void AddEscalationNotice(string escalationId, EscalationNotice notice);

    /// <summary>When the first run of <paramref name="system"/> in this store started; null when it has none.</summary>
    DateTimeOffset? FirstRunStartedAt(string system);
}

/// <summary>The first record of a run's chain that does not hold.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Seq">The record's position in the run's chain (1-based).</param>
/// <param name="Problem">What does not hold (its hash, the link to the previous record, its position).</param>
public sealed record ChainBreak(string RunId, int Seq, string Problem);

using Archgate.Model;

namespace Archgate.Protocol;

/// <summary>Where a database snapshot is in its life (P-RECOVERY's branch: taken, then merged or discarded).</summary>
public enum SnapshotState
{
    /// <summary>Taken before the rollback scope and not settled yet (the run is going on, or crashed: resume settles it).</summary>
    Taken,

    /// <summary>Written back over the database after a step of the rollback scope failed (DiscardBranch).</summary>
    Restored,

    /// <summary>Deleted because nothing in the rollback scope failed (MergeBranch).</summary>
    Dropped,

    /// <summary>Left in the run folder and not restored: <c>--keep-state</c>.</summary>
    Kept,

    /// <summary>Not taken: the engine cannot be snapshotted, the database is in memory or larger than the limit.</summary>
    Skipped,

    /// <summary>Taking or restoring it failed; <see cref="StateSnapshot.Error"/> says why.</summary>
    Failed,
}

/// <summary>
/// The snapshot of one database taken before the first step of the rollback scope (step 5), and what became of it:
/// the file in the run folder, the row count of every table and a hash of the schema when it was taken, and after a
/// restore the same figures of the state the failed run left and of the state restored.
/// </summary>
public sealed record StateSnapshot
{
    /// <summary>The database component.</summary>
    public required string Component { get; init; }

    /// <summary>Its engine.</summary>
    public required DatabaseEngine Engine { get; init; }

    /// <summary>How it was taken (<c>sqlite online backup</c>, <c>pg_dump -Fc</c>).</summary>
    public string Method { get; init; } = string.Empty;

    /// <summary>The step it was taken before.</summary>
    public int BeforeStep { get; init; }

    /// <summary>Absolute path of the snapshot file in the run folder; null when none was written.</summary>
    public string? Path { get; init; }

    /// <summary>Size of the snapshot file in bytes.</summary>
    public long Bytes { get; init; }

    /// <summary>When it was taken (the run's clock; set by <see cref="StateRecovery.TakeAsync"/>).</summary>
    public DateTimeOffset TakenAt { get; init; }

    /// <summary>Rows per table when it was taken (tables of the user schemas, <c>schema.table</c> on PostgreSQL).</summary>
    public IReadOnlyDictionary<string, long> Rows { get; init; } = new Dictionary<string, long>();

    /// <summary>SHA-256 of the schema (tables, columns, types, indexes, constraints) when it was taken.</summary>
    public string? SchemaSha256 { get; init; }

    /// <summary>Where it is in its life.</summary>
    public required SnapshotState State { get; init; }

    /// <summary>When it was restored, dropped or kept.</summary>
    public DateTimeOffset? SettledAt { get; init; }

    /// <summary>Rows per table the failed run left, just before the restore.</summary>
    public IReadOnlyDictionary<string, long>? RowsBeforeRestore { get; init; }

    /// <summary>Rows per table after the restore: equal to <see cref="Rows"/> when it worked.</summary>
    public IReadOnlyDictionary<string, long>? RowsAfterRestore { get; init; }

    /// <summary>SHA-256 of the schema after the restore: equal to <see cref="SchemaSha256"/> when it worked.</summary>
    public string? SchemaSha256AfterRestore { get; init; }

    /// <summary>Why it was skipped or failed.</summary>
    public string? Error { get; init; }

    /// <summary>Whether a restored database has the row counts and the schema it had when the snapshot was taken.</summary>
    public bool RestoredExactly =>
        State == SnapshotState.Restored && SchemaSha256AfterRestore == SchemaSha256 && RowsAfterRestore is { } after
        && after.Count == Rows.Count && Rows.All(kv => after.TryGetValue(kv.Key, out var n) && n == kv.Value);
}

/// <summary>
/// Takes, restores and drops the snapshots of a system's databases. Archgate.Checks implements it for SQLite and
/// PostgreSQL; the step table carries it (<see cref="ProtocolDefinition.Snapshots"/>).
/// </summary>
public interface IStateSnapshots
{
    /// <summary>Snapshots <paramref name="database"/> into <paramref name="folder"/>; a failure is a snapshot in state <see cref="SnapshotState.Failed"/>, not an exception.</summary>
    Task<StateSnapshot> TakeAsync(DatabaseComponent database, string folder, long maxBytes, CancellationToken cancellationToken);

    /// <summary>Writes <paramref name="snapshot"/> back over <paramref name="database"/> and measures the result; a failure is state <see cref="SnapshotState.Failed"/>.</summary>
    Task<StateSnapshot> RestoreAsync(DatabaseComponent database, StateSnapshot snapshot, CancellationToken cancellationToken);

    /// <summary>
    /// Which database <paramref name="database"/>'s connection reaches (engine, server and database, or the file), so that
    /// two components on one database are snapshotted and restored once; null when it cannot be told.
    /// </summary>
    string? Target(DatabaseComponent database) => null;
}

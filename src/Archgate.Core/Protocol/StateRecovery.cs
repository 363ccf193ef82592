using Archgate.Model;

namespace Archgate.Protocol;

/// <summary>
/// P-RECOVERY's branch around the rollback scope: every database is snapshotted into the run folder before the first
/// step of the scope (CreateBranch); when a step of the scope fails the snapshots are written back after the rollback
/// commands (DiscardBranch), otherwise they are dropped (MergeBranch); <c>--keep-state</c> keeps them instead of
/// restoring. The snapshots are in the run record (stored before the scope's first step), so a resume after a crash
/// settles the very snapshots taken before it.
/// </summary>
public static class StateRecovery
{
    /// <summary>The folder of a run's snapshots.</summary>
    public static string Folder(string runOutput) => Path.Combine(runOutput, "snapshots");

    /// <summary>Whether a run of <paramref name="system"/> takes snapshots before step <paramref name="step"/>.</summary>
    public static bool SnapshotsBefore(ProtocolDefinition protocol, SystemModel system, StepDefinition step) =>
        step.RollbackOnFailure && protocol.Snapshots is not null && system.Recovery.Snapshots && system.OfKind<DatabaseComponent>().Any();

    /// <summary>Snapshots every database of <paramref name="system"/>, in manifest order; a database that an earlier component already reaches is recorded as skipped.</summary>
    public static async Task<IReadOnlyList<StateSnapshot>> TakeAsync(
        IStateSnapshots snapshots, SystemModel system, string runOutput, int beforeStep, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(snapshots);
        ArgumentNullException.ThrowIfNull(system);
        var folder = Folder(runOutput);
        Directory.CreateDirectory(folder);
        var maxBytes = system.Recovery.SnapshotMaxMb * 1024L * 1024L;
        var taken = new List<StateSnapshot>();
        var first = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var database in system.OfKind<DatabaseComponent>())
        {
            var at = time.GetUtcNow();
            if (snapshots.Target(database) is { } target && !first.TryAdd(target, database.Name))
            {
                // Two components on one database (a service's own table in the shared database): one snapshot, one restore.
                taken.Add(new StateSnapshot
                {
                    Component = database.Name, Engine = database.Engine, BeforeStep = beforeStep, TakenAt = at, State = SnapshotState.Skipped,
                    Error = $"the same database as '{first[target]}', whose snapshot covers it",
                });
                continue;
            }

            taken.Add(await snapshots.TakeAsync(database, folder, maxBytes, cancellationToken) with { BeforeStep = beforeStep, TakenAt = at });
        }

        return taken;
    }

    /// <summary>
    /// Restores (when <paramref name="restore"/>, unless <paramref name="keep"/>) or drops every snapshot still
    /// <see cref="SnapshotState.Taken"/>; the others stay as they are. Files are not deleted here: see <see cref="DeleteSettled"/>.
    /// </summary>
    public static async Task<IReadOnlyList<StateSnapshot>> SettleAsync(
        IStateSnapshots snapshots, SystemModel system, IReadOnlyList<StateSnapshot> taken, bool restore, bool keep, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(snapshots);
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(taken);
        ArgumentNullException.ThrowIfNull(time);
        var settled = new List<StateSnapshot>();
        foreach (var snapshot in taken)
        {
            if (snapshot.State != SnapshotState.Taken)
            {
                settled.Add(snapshot);
                continue;
            }

            if (!restore)
            {
                settled.Add(snapshot with { State = SnapshotState.Dropped, SettledAt = time.GetUtcNow() });
                continue;
            }

            if (keep)
            {
                settled.Add(snapshot with { State = SnapshotState.Kept, SettledAt = time.GetUtcNow() });
                continue;
            }

            var database = system.Find<DatabaseComponent>(snapshot.Component);
            var result = database is null
                ? snapshot with { State = SnapshotState.Failed, Error = $"the manifest has no database '{snapshot.Component}' any more: restore {snapshot.Path} by hand (docs/recovery.md)" }
                : snapshot.Path is null || !File.Exists(snapshot.Path)
                    ? snapshot with { State = SnapshotState.Failed, Error = $"the snapshot file {snapshot.Path} is gone" }
                    : await snapshots.RestoreAsync(database, snapshot, cancellationToken);
            settled.Add(result with { SettledAt = time.GetUtcNow() });
        }

        return settled;
    }

    /// <summary>The escalation a failed restore raises: the databases are left as the failed run left them, a person must restore them.</summary>
    public const string RestoreFailedTrigger = "state-restore-failed";

    /// <summary>One level 3 escalation per snapshot whose restore failed (<see cref="RestoreFailedTrigger"/>).</summary>
    public static IEnumerable<Escalation> Escalations(IEnumerable<StateSnapshot> settled)
    {
        ArgumentNullException.ThrowIfNull(settled);
        return settled.Where(s => s.State == SnapshotState.Failed && s.SettledAt is not null)
            .Select(s => new Escalation(RestoreFailedTrigger, 3, $"{Describe(s)}; the database is as the failed run left it: restore it by hand (docs/recovery.md)"));
    }

    /// <summary>One line on a snapshot and what became of it, with its row counts, for the reports and the console.</summary>
    public static string Describe(StateSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var taken = $"{snapshot.Rows.Count} table(s), {snapshot.Rows.Values.Sum()} row(s) ({Rows(snapshot.Rows)}), {Size(snapshot.Bytes)}";
        return snapshot.State switch
        {
            SnapshotState.Taken => $"{snapshot.Component}: snapshotted before step {snapshot.BeforeStep} with {snapshot.Method}: {taken}; kept at {snapshot.Path} until the run ends ('archgate resume' ends a cancelled or crashed run)",
            SnapshotState.Restored =>
                $"{snapshot.Component}: restored to its state before step {snapshot.BeforeStep} " +
                $"({(snapshot.RestoredExactly ? "row counts and schema as snapshotted" : "row counts or schema differ from the snapshot: a service wrote meanwhile?")}): " +
                $"rows now {Rows(snapshot.RowsAfterRestore ?? new Dictionary<string, long>())}; the failed run had left {Rows(snapshot.RowsBeforeRestore ?? new Dictionary<string, long>())}",
            SnapshotState.Dropped => $"{snapshot.Component}: snapshot dropped (nothing in the rollback scope failed); it held {taken}",
            SnapshotState.Kept => $"{snapshot.Component}: not restored (--keep-state); the snapshot of {taken} is kept at {snapshot.Path}",
            SnapshotState.Skipped => $"{snapshot.Component}: not snapshotted: {snapshot.Error}",
            _ => $"{snapshot.Component}: snapshot failed: {snapshot.Error}{(snapshot.Path is null ? string.Empty : $" (snapshot at {snapshot.Path})")}",
        };
    }

    /// <summary>Rows per table as <c>orders 12, customers 3</c>.</summary>
    public static string Rows(IReadOnlyDictionary<string, long> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return rows.Count == 0 ? "no tables" : string.Join(", ", rows.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key} {kv.Value}"));
    }

    private static string Size(long bytes) => bytes >= 1024 * 1024
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.#} MiB")
        : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KiB");

    /// <summary>
    /// Deletes the files of dropped and restored snapshots, once the record saying so is stored (a crash before that
    /// leaves the files for the resume). A failed restore keeps its file for a restore by hand.
    /// </summary>
    public static void DeleteSettled(IEnumerable<StateSnapshot> snapshots)
    {
        ArgumentNullException.ThrowIfNull(snapshots);
        foreach (var snapshot in snapshots.Where(s => s.State is SnapshotState.Dropped or SnapshotState.Restored && s.Path is not null))
        {
            try
            {
                // A SQLite snapshot of a WAL database may have grown its -wal and -shm files when it was read.
                foreach (var file in new[] { snapshot.Path!, snapshot.Path + "-wal", snapshot.Path + "-shm" })
                {
                    File.Delete(file);
                }
            }
            catch (IOException)
            {
                // Left behind: the run folder is the user's to clean; the record says it was settled.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}

using System.Security.Cryptography;
using System.Text;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Recovery;

/// <summary>
/// The snapshots of P-RECOVERY for the engines Archgate connects to: SQLite through the online backup API into a
/// file in the run folder (a consistent copy while the services keep writing), PostgreSQL with <c>pg_dump -Fc</c>
/// under an exported snapshot (row counts and dump see the same instant) and <c>pg_restore --clean</c> in one
/// transaction. Every snapshot records each table's row count and a hash of the schema, taken and after a restore.
/// </summary>
public sealed class DatabaseSnapshots : IStateSnapshots
{
    /// <summary>The one instance the step table uses.</summary>
    public static DatabaseSnapshots Default { get; } = new();

    /// <summary>How long one <c>pg_dump</c> or <c>pg_restore</c> may run. <value>30 min</value>.</summary>
    public TimeSpan ToolTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <inheritdoc />
    public async Task<StateSnapshot> TakeAsync(DatabaseComponent database, string folder, long maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(database);
        var engine = database.Engine;
        var blank = new StateSnapshot
        {
            Component = database.Name,
            Engine = engine,
            Method = engine == DatabaseEngine.Postgres ? PostgresSnapshot.Method : SqliteSnapshot.Method,
            State = SnapshotState.Taken,
        };
        if (string.IsNullOrWhiteSpace(database.Connection))
        {
            return blank with { State = SnapshotState.Skipped, Error = "no connection string" };
        }

        var file = Path.Combine(folder, FileName(database.Name, engine));
        try
        {
            return engine == DatabaseEngine.Postgres
                ? await PostgresSnapshot.TakeAsync(blank, database.Connection, file, maxBytes, ToolTimeout, cancellationToken)
                : await SqliteSnapshot.TakeAsync(blank, database.Connection, file, maxBytes, cancellationToken);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException)
        {
            return blank with { State = SnapshotState.Failed, Error = Redact.Text($"{ex.GetType().Name}: {ex.Message}") };
        }
    }

    /// <inheritdoc />
    public async Task<StateSnapshot> RestoreAsync(DatabaseComponent database, StateSnapshot snapshot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(snapshot);
        try
        {
            return snapshot.Engine == DatabaseEngine.Postgres
                ? await PostgresSnapshot.RestoreAsync(snapshot, database.Connection, ToolTimeout, cancellationToken)
                : await SqliteSnapshot.RestoreAsync(snapshot, database.Connection, cancellationToken);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException)
        {
            return snapshot with { State = SnapshotState.Failed, Error = Redact.Text($"restore failed, the snapshot is kept: {ex.GetType().Name}: {ex.Message}") };
        }
    }

    /// <inheritdoc />
    public string? Target(DatabaseComponent database)
    {
        ArgumentNullException.ThrowIfNull(database);
        try
        {
            if (database.Engine == DatabaseEngine.Postgres)
            {
                var pg = new Npgsql.NpgsqlConnectionStringBuilder(database.Connection);
                return pg.Host is null ? null : $"postgres://{pg.Host.ToLowerInvariant()}:{pg.Port}/{pg.Database ?? pg.Username}";
            }

            return Database.DatabaseAccess.SqliteFile(database.Connection) is { } file ? "sqlite:" + Path.GetFullPath(file) : null;
        }
        catch (ArgumentException)
        {
            return null; // an unreadable connection string: its snapshot says why
        }
    }

    /// <summary>The snapshot file of a component: its name made safe for a file name, and the engine's extension.</summary>
    internal static string FileName(string component, DatabaseEngine engine)
    {
        var safe = new string([.. component.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_')]).TrimStart('.');
        return (safe.Length == 0 ? "db" : safe) + (engine == DatabaseEngine.Postgres ? ".pgdump" : ".sqlite");
    }

    /// <summary>SHA-256 of schema lines, sorted ordinally, lowercase hex.</summary>
    internal static string Hash(IEnumerable<string> lines) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', lines.Order(StringComparer.Ordinal)))));
}

using Archgate.Checks.Database;
using Archgate.Protocol;
using Microsoft.Data.Sqlite;

namespace Archgate.Checks.Recovery;

/// <summary>
/// SQLite: the online backup API copies the live database page by page into the snapshot file (a consistent copy
/// while services write; no lock held for long), and back over the live file to restore it (the services' open
/// connections see the restored content: the backup goes through SQLite's own locking).
/// </summary>
internal static class SqliteSnapshot
{
    public const string Method = "sqlite online backup";

    /// <summary>A restore that finds the database locked tries again this often before it gives up (5 s in all).</summary>
    private const int BusyAttempts = 25;

    public static async Task<StateSnapshot> TakeAsync(StateSnapshot blank, string connection, string file, long maxBytes, CancellationToken cancellationToken)
    {
        var source = DatabaseAccess.SqliteFile(connection);
        if (source is null)
        {
            return blank with { State = SnapshotState.Skipped, Error = "an in-memory database lives and dies with its process: nothing to snapshot" };
        }

        if (!File.Exists(source))
        {
            return blank with { State = SnapshotState.Failed, Error = $"no such file: {source}" };
        }

        var size = new FileInfo(source).Length + (File.Exists(source + "-wal") ? new FileInfo(source + "-wal").Length : 0);
        if (size > maxBytes)
        {
            return blank with { State = SnapshotState.Skipped, Error = $"{size / (1024 * 1024)} MiB is above recovery.snapshotMaxMb ({maxBytes / (1024 * 1024)} MiB)" };
        }

        File.Delete(file);
        await using (var live = Open(connection, SqliteOpenMode.ReadOnly))
        await using (var copy = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Pooling = false, Mode = SqliteOpenMode.ReadWriteCreate }.ConnectionString))
        {
            await live.OpenAsync(cancellationToken);
            await copy.OpenAsync(cancellationToken);
            await BusyRetryAsync(() => live.BackupDatabase(copy), cancellationToken);
        }

        // Counted in the copy: exactly the state the snapshot holds, whatever was written since.
        await using var snapshot = Open($"Data Source={file}", SqliteOpenMode.ReadOnly);
        await snapshot.OpenAsync(cancellationToken);
        return blank with
        {
            Path = Path.GetFullPath(file),
            Bytes = new FileInfo(file).Length,
            Rows = await RowsAsync(snapshot, cancellationToken),
            SchemaSha256 = await SchemaAsync(snapshot, cancellationToken),
        };
    }

    public static async Task<StateSnapshot> RestoreAsync(StateSnapshot snapshot, string connection, CancellationToken cancellationToken)
    {
        await using var copy = Open($"Data Source={snapshot.Path}", SqliteOpenMode.ReadOnly);
        await using var live = Open(connection, SqliteOpenMode.ReadWrite);
        await copy.OpenAsync(cancellationToken);
        await live.OpenAsync(cancellationToken);
        var before = await RowsAsync(live, cancellationToken);
        await BusyRetryAsync(() => copy.BackupDatabase(live), cancellationToken);
        return snapshot with
        {
            State = SnapshotState.Restored,
            RowsBeforeRestore = before,
            RowsAfterRestore = await RowsAsync(live, cancellationToken),
            SchemaSha256AfterRestore = await SchemaAsync(live, cancellationToken),
        };
    }

    private static SqliteConnection Open(string connection, SqliteOpenMode mode) =>
        new(new SqliteConnectionStringBuilder(connection) { Mode = mode, Pooling = false, DefaultTimeout = 30 }.ConnectionString);

    private static async Task BusyRetryAsync(Action backup, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                backup();
                return;
            }
            catch (SqliteException ex) when (ex.SqliteErrorCode is 5 or 6 && attempt < BusyAttempts)
            {
                // SQLITE_BUSY / SQLITE_LOCKED: a service is in the middle of a write transaction.
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
            }
        }
    }

    private static async Task<IReadOnlyDictionary<string, long>> RowsAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        var tables = await DatabaseAccess.QueryAsync(connection, "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name", cancellationToken);
        var rows = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var name in tables.Select(t => DatabaseAccess.Text(t["name"])))
        {
            var count = await DatabaseAccess.QueryAsync(connection, $"select count(*) as n from {DatabaseAccess.Quote(name)}", cancellationToken);
            rows[name] = DatabaseAccess.Long(count[0]["n"]);
        }

        return rows;
    }

    private static async Task<string> SchemaAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        var objects = await DatabaseAccess.QueryAsync(connection, "select type, name, tbl_name, coalesce(sql, '') as sql from sqlite_master where name not like 'sqlite_%'", cancellationToken);
        return DatabaseSnapshots.Hash(objects.Select(o => $"{DatabaseAccess.Text(o["type"])}|{DatabaseAccess.Text(o["name"])}|{DatabaseAccess.Text(o["tbl_name"])}|{DatabaseAccess.Text(o["sql"])}"));
    }
}

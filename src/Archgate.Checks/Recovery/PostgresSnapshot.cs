using System.Data;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Archgate.Checks.Database;
using Archgate.Protocol;
using Npgsql;

namespace Archgate.Checks.Recovery;

/// <summary>
/// PostgreSQL: <c>pg_dump -Fc</c> of the database under a snapshot exported by Archgate's own repeatable-read
/// transaction, in which the row counts and the schema hash are read too (they describe the dump exactly, however
/// busy the services are). A restore drops the relations created since (their names are not in the dump's table of
/// contents), then <c>pg_restore --clean --if-exists --single-transaction --no-owner</c> writes the dump back: all or
/// nothing. Extensions are left as they are (dropping one needs its owner). The connection's user must be able to
/// read every table and own what it restores. The password goes to the tools through the environment, never argv.
/// </summary>
internal static partial class PostgresSnapshot
{
    public const string Method = "pg_dump -Fc / pg_restore --clean";

    /// <summary>The predicate of a user schema (not the catalog's, not a temporary or toast one) over <paramref name="column"/>.</summary>
    private static string User(string column) => $"{column} not in ('pg_catalog', 'information_schema') and {column} not like 'pg\\_%'";

    public static async Task<StateSnapshot> TakeAsync(StateSnapshot blank, string connection, string file, long maxBytes, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var pgDump = Tool("pg_dump");
        if (pgDump is null)
        {
            return blank with { State = SnapshotState.Failed, Error = Prerequisites.Prerequisites.MissingHint(Prerequisites.Prerequisites.PgDump) };
        }

        await using var conn = new NpgsqlConnection(Builder(connection).ConnectionString);
        await conn.OpenAsync(cancellationToken);
        var size = DatabaseAccess.Long((await DatabaseAccess.QueryAsync(conn, "select pg_database_size(current_database()) as n", cancellationToken))[0]["n"]);
        if (size > maxBytes)
        {
            return blank with { State = SnapshotState.Skipped, Error = $"{size / (1024 * 1024)} MiB is above recovery.snapshotMaxMb ({maxBytes / (1024 * 1024)} MiB)" };
        }

        // The dump, the counts and the schema hash all read the instant this transaction exported.
        await using var transaction = await conn.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        var id = DatabaseAccess.Text((await DatabaseAccess.QueryAsync(conn, "select pg_export_snapshot() as id", cancellationToken))[0]["id"]);
        var rows = await RowsAsync(conn, cancellationToken);
        var schema = await SchemaAsync(conn, cancellationToken);
        File.Delete(file);
        var (exit, output) = await RunAsync(pgDump, ["-Fc", "--snapshot=" + id, "-f", file], connection, timeout, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (exit != 0)
        {
            return blank with { State = SnapshotState.Failed, Error = $"pg_dump exited with {exit}: {output}" };
        }

        return blank with { Path = Path.GetFullPath(file), Bytes = new FileInfo(file).Length, Rows = rows, SchemaSha256 = schema };
    }

    public static async Task<StateSnapshot> RestoreAsync(StateSnapshot snapshot, string connection, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var pgRestore = Tool("pg_restore");
        if (pgRestore is null)
        {
            return snapshot with { State = SnapshotState.Failed, Error = Prerequisites.Prerequisites.MissingHint(Prerequisites.Prerequisites.PgDump) };
        }

        var (listed, contents) = await RunAsync(pgRestore, ["-l", snapshot.Path!], connection, timeout, cancellationToken, keepOutput: true);
        if (listed != 0)
        {
            return snapshot with { State = SnapshotState.Failed, Error = $"pg_restore -l exited with {listed}: {Tail(contents)}" };
        }

        // The dump's table of contents without extensions (and the public schema itself): those stay as they are.
        var list = Path.ChangeExtension(snapshot.Path!, ".list");
        var entries = contents.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        await File.WriteAllLinesAsync(list, entries.Select(l => Kept(l) ? l : ";" + l), cancellationToken);
        var dumped = entries.Select(l => RelationEntry().Match(l)).Where(m => m.Success).Select(m => $"{m.Groups[2].Value}.{m.Groups[3].Value}").ToHashSet(StringComparer.Ordinal);

        IReadOnlyDictionary<string, long> before;
        await using (var conn = new NpgsqlConnection(Builder(connection).ConnectionString))
        {
            await conn.OpenAsync(cancellationToken);
            before = await RowsAsync(conn, cancellationToken);
            var extra = await DatabaseAccess.QueryAsync(conn, $"""
                select n.nspname as s, c.relname as r, c.relkind::text as k from pg_class c join pg_namespace n on n.oid = c.relnamespace
                where c.relkind in ('r', 'p', 'v', 'm', 'S', 'f') and {User("n.nspname")}
                  and not exists (select 1 from pg_depend d where d.objid = c.oid and d.deptype in ('e', 'a', 'i'))
                """, cancellationToken);
            foreach (var relation in extra.Where(r => !dumped.Contains($"{DatabaseAccess.Text(r["s"])}.{DatabaseAccess.Text(r["r"])}")))
            {
                var kind = DatabaseAccess.Text(relation["k"]) switch
                {
                    "v" => "view",
                    "m" => "materialized view",
                    "S" => "sequence",
                    "f" => "foreign table",
                    _ => "table",
                };
                var name = DatabaseAccess.Quote($"{DatabaseAccess.Text(relation["s"])}.{DatabaseAccess.Text(relation["r"])}");
                await DatabaseAccess.ExecuteAsync(conn, $"drop {kind} if exists {name} cascade", cancellationToken);
            }
        }

        var (exit, output) = await RunAsync(pgRestore, ["--clean", "--if-exists", "--single-transaction", "--no-owner", "-L", list, "-d", Builder(connection).Database ?? "postgres", snapshot.Path!], connection, timeout, cancellationToken);
        File.Delete(list);
        if (exit != 0)
        {
            return snapshot with { State = SnapshotState.Failed, RowsBeforeRestore = before, Error = $"pg_restore exited with {exit} (nothing restored, the snapshot is kept): {output}" };
        }

        await using var after = new NpgsqlConnection(Builder(connection).ConnectionString);
        await after.OpenAsync(cancellationToken);
        return snapshot with
        {
            State = SnapshotState.Restored,
            RowsBeforeRestore = before,
            RowsAfterRestore = await RowsAsync(after, cancellationToken),
            SchemaSha256AfterRestore = await SchemaAsync(after, cancellationToken),
        };
    }

    /// <summary>Table-of-contents lines that are restored: everything but extensions and the public schema's own entry.</summary>
    private static bool Kept(string line) =>
        line.StartsWith(';') || line.Length == 0 || !(line.Contains(" EXTENSION ", StringComparison.Ordinal) || SchemaPublic().IsMatch(line));

    [GeneratedRegex(@"^\d+; \d+ \d+ (MATERIALIZED VIEW|FOREIGN TABLE|TABLE|VIEW|SEQUENCE) (?!DATA |SET |OWNED BY )(\S+) (\S+) ")]
    private static partial Regex RelationEntry();

    [GeneratedRegex(@"^\d+; \d+ \d+ (SCHEMA|COMMENT|ACL) - (SCHEMA )?public ")]
    private static partial Regex SchemaPublic();

    private static async Task<IReadOnlyDictionary<string, long>> RowsAsync(NpgsqlConnection conn, CancellationToken cancellationToken)
    {
        var tables = await DatabaseAccess.QueryAsync(conn, $"""
            select n.nspname as s, c.relname as r from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where c.relkind in ('r', 'p') and not c.relispartition and {User("n.nspname")}
              and not exists (select 1 from pg_depend d where d.objid = c.oid and d.deptype = 'e')
            """, cancellationToken);
        var rows = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            var name = $"{DatabaseAccess.Text(table["s"])}.{DatabaseAccess.Text(table["r"])}";
            rows[name] = DatabaseAccess.Long((await DatabaseAccess.QueryAsync(conn, $"select count(*) as n from {DatabaseAccess.Quote(name)}", cancellationToken))[0]["n"]);
        }

        return rows;
    }

    private static async Task<string> SchemaAsync(NpgsqlConnection conn, CancellationToken cancellationToken)
    {
        var lines = await DatabaseAccess.QueryAsync(conn, $"""
            select 'rel|' || n.nspname || '.' || c.relname || '|' || c.relkind::text as line from pg_class c join pg_namespace n on n.oid = c.relnamespace
              where c.relkind in ('r', 'p', 'v', 'm', 'S', 'f') and {User("n.nspname")}
            union all
            select 'col|' || table_schema || '.' || table_name || '.' || column_name || '|' || data_type || '|' || is_nullable || '|' || coalesce(column_default, '')
              from information_schema.columns where {User("table_schema")}
            union all
            select 'idx|' || schemaname || '.' || indexname || '|' || indexdef from pg_indexes where {User("schemaname")}
            union all
            select 'con|' || n.nspname || '.' || c.conname || '|' || pg_get_constraintdef(c.oid) from pg_constraint c join pg_namespace n on n.oid = c.connamespace
              where {User("n.nspname")}
            """, cancellationToken, limit: 1_000_000);
        return DatabaseSnapshots.Hash(lines.Select(l => DatabaseAccess.Text(l["line"])));
    }

    private static NpgsqlConnectionStringBuilder Builder(string connection) => new(connection)
    {
        Pooling = false,
        ApplicationName = DatabaseAccess.ApplicationName,
        CommandTimeout = 300,
    };

    /// <summary>pg_dump and pg_restore come from the same folder: the one doctor finds pg_dump in.</summary>
    private static string? Tool(string name) =>
        Prerequisites.Prerequisites.PgDump.Locate() is { } dump && Path.Combine(Path.GetDirectoryName(dump)!, name) is var tool && File.Exists(tool) ? tool : null;

    /// <summary>Runs a libpq tool with the connection in its environment (the password never on a command line).</summary>
    private static async Task<(int ExitCode, string Output)> RunAsync(
        string tool, IReadOnlyList<string> arguments, string connection, TimeSpan timeout, CancellationToken cancellationToken, bool keepOutput = false)
    {
        var builder = new NpgsqlConnectionStringBuilder(connection);
        var start = new ProcessStartInfo(tool) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        void Set(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                start.Environment[name] = value;
            }
        }

        Set("PGHOST", builder.Host);
        Set("PGPORT", builder.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Set("PGDATABASE", builder.Database);
        Set("PGUSER", builder.Username);
        Set("PGPASSWORD", builder.Password);
        Set("PGAPPNAME", DatabaseAccess.ApplicationName);
        Set("PGCONNECT_TIMEOUT", Math.Max(2, builder.Timeout).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Set("PGSSLMODE", builder.SslMode switch
        {
            SslMode.Disable => "disable",
            SslMode.Allow => "allow",
            SslMode.Require => "require",
            SslMode.VerifyCA => "verify-ca",
            SslMode.VerifyFull => "verify-full",
            _ => "prefer",
        });
        // A service idle in a transaction must not hang the restore: its locks make it fail (and keep the snapshot) instead.
        Set("PGOPTIONS", "-c lock_timeout=30s");

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            return (-1, $"{Path.GetFileName(tool)} timed out after {timeout.TotalMinutes:0} min");
        }

        var output = await stdout;
        var errors = await stderr;
        return (process.ExitCode, keepOutput ? output : Tail(errors + output));
    }

    private static string Tail(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return Redact.Text(string.Join(" / ", lines.Skip(Math.Max(0, lines.Length - 5))));
    }
}

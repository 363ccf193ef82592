using System.Text.Json;
using Archgate.Protocol;
using Microsoft.Data.Sqlite;

namespace Archgate.Store;

/// <summary>
/// The run store: a SQLite file (WAL mode) holding each run's header and a checkpoint per finished step, so
/// a killed run can be resumed from its first unfinished step. The schema is versioned with migrations.
/// </summary>
public sealed partial class RunStore : IRunStore
{
    /// <summary>The default location, relative to the working directory.</summary>
    public const string DefaultPath = ".archgate/archgate.db";

    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE runs (
            id TEXT PRIMARY KEY,
            system TEXT NOT NULL,
            manifest_path TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            state TEXT NOT NULL,
            verdict TEXT,
            pid INTEGER,
            record_json TEXT NOT NULL
        );
        CREATE TABLE steps (
            run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            number INTEGER NOT NULL,
            status TEXT NOT NULL,
            finished_at TEXT NOT NULL,
            result_json TEXT NOT NULL,
            PRIMARY KEY (run_id, number)
        );
        CREATE INDEX runs_system_started ON runs(system, started_at);
        """,
        """
        ALTER TABLE runs ADD COLUMN lease_pid INTEGER;
        ALTER TABLE runs ADD COLUMN lease_host TEXT;
        ALTER TABLE runs ADD COLUMN lease_process_start INTEGER;
        ALTER TABLE runs ADD COLUMN lease_acquired_ms INTEGER;
        ALTER TABLE runs ADD COLUMN lease_heartbeat_ms INTEGER;
        CREATE TABLE run_processes (
            run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            component TEXT NOT NULL,
            pid INTEGER NOT NULL,
            process_start INTEGER NOT NULL,
            command TEXT NOT NULL,
            port INTEGER,
            log_file TEXT NOT NULL,
            started_at TEXT NOT NULL,
            PRIMARY KEY (run_id, component, pid)
        );
        """,
        """
        ALTER TABLE runs ADD COLUMN output_dir TEXT;
        CREATE TABLE signoffs (
            run_id TEXT NOT NULL REFERENCES runs(id),
            seq INTEGER NOT NULL,
            system TEXT NOT NULL,
            body TEXT NOT NULL,
            hash TEXT NOT NULL,
            PRIMARY KEY (run_id, seq)
        );
        CREATE INDEX signoffs_system ON signoffs(system);
        CREATE TRIGGER signoffs_no_update BEFORE UPDATE ON signoffs BEGIN SELECT RAISE(ABORT, 'sign-off records are append-only'); END;
        CREATE TRIGGER signoffs_no_delete BEFORE DELETE ON signoffs BEGIN SELECT RAISE(ABORT, 'sign-off records are append-only'); END;
        """,
        """
        CREATE TABLE escalations (
            id TEXT PRIMARY KEY,
            run_id TEXT NOT NULL REFERENCES runs(id),
            system TEXT NOT NULL,
            trigger TEXT NOT NULL,
            source TEXT NOT NULL,
            start_level INTEGER NOT NULL,
            level INTEGER NOT NULL,
            message TEXT NOT NULL,
            components TEXT NOT NULL,
            evidence TEXT NOT NULL,
            report TEXT,
            raised_by TEXT,
            raised_at TEXT NOT NULL,
            level_since TEXT NOT NULL,
            acked_by TEXT,
            acked_at TEXT,
            ack_note TEXT
        );
        CREATE INDEX escalations_run ON escalations(run_id);
        CREATE INDEX escalations_system ON escalations(system, trigger);
        CREATE TABLE escalation_notices (
            escalation_id TEXT NOT NULL REFERENCES escalations(id),
            level INTEGER NOT NULL,
            channel TEXT NOT NULL,
            target TEXT NOT NULL,
            recipients TEXT NOT NULL,
            attempts INTEGER NOT NULL,
            delivered INTEGER NOT NULL,
            error TEXT,
            at TEXT NOT NULL
        );
        CREATE INDEX escalation_notices_escalation ON escalation_notices(escalation_id);
        """,
    ];

    private readonly SqliteConnection _connection;
    private readonly TimeProvider _time;

    // One connection, used by the runner and by the lease's heartbeat timer: SQLite connections are not thread-safe.
    private readonly Lock _gate = new();

    private RunStore(SqliteConnection connection, TimeProvider time)
    {
        _connection = connection;
        _time = time;
    }

    /// <summary>The schema version after migrations.</summary>
    public static int LatestSchemaVersion => Migrations.Length;

    /// <summary>Opens (creating if needed) and migrates the store at <paramref name="path"/>.</summary>
    public static RunStore Open(string path, TimeProvider? time = null)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        Execute(connection, "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON;");
        Migrate(connection);
        return new RunStore(connection, time ?? TimeProvider.System);
    }

    /// <summary>The schema version of the open file.</summary>
    public int SchemaVersion => ReadVersion(_connection);

    private static int ReadVersion(SqliteConnection connection)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "PRAGMA user_version";
        return Convert.ToInt32(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static void Migrate(SqliteConnection connection)
    {
        var version = ReadVersion(connection);
        if (version > Migrations.Length)
        {
            throw new InvalidOperationException($"the run store was written by a newer Archgate (schema {version}, this one knows {Migrations.Length})");
        }

        for (var v = version; v < Migrations.Length; v++)
        {
            using var tx = connection.BeginTransaction();
            Execute(connection, Migrations[v], tx);
            Execute(connection, $"PRAGMA user_version = {v + 1}", tx);
            tx.Commit();
        }
    }

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction? tx = null)
    {
        using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    /// <inheritdoc />
    public void SaveRun(RunRecord record, int? pid = null)
    {
        lock (_gate)
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = """
                INSERT INTO runs (id, system, manifest_path, started_at, finished_at, state, verdict, pid, record_json)
                VALUES ($id, $system, $manifest, $started, $finished, $state, $verdict, $pid, $json)
                ON CONFLICT(id) DO UPDATE SET finished_at = excluded.finished_at, state = excluded.state,
                    verdict = excluded.verdict, pid = COALESCE(excluded.pid, runs.pid), record_json = excluded.record_json
                """;
            cmd.Parameters.AddWithValue("$id", record.RunId);
            cmd.Parameters.AddWithValue("$system", record.System);
            cmd.Parameters.AddWithValue("$manifest", record.ManifestPath);
            cmd.Parameters.AddWithValue("$started", record.StartedAt.ToString("O"));
            cmd.Parameters.AddWithValue("$finished", (object?)record.FinishedAt?.ToString("O") ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$state", Enum(record.State));
            cmd.Parameters.AddWithValue("$verdict", record.Verdict is { } v ? Enum(v) : DBNull.Value);
            cmd.Parameters.AddWithValue("$pid", (object?)pid ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$json", JsonSerializer.Serialize(record with { Steps = [] }, ArchgateJson.Compact));
            cmd.ExecuteNonQuery();
        }
    }

    /// <inheritdoc />
    public void SaveStep(string runId, StepResult step)
    {
        lock (_gate)
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = """
                INSERT INTO steps (run_id, number, status, finished_at, result_json) VALUES ($run, $number, $status, $finished, $json)
                ON CONFLICT(run_id, number) DO UPDATE SET status = excluded.status, finished_at = excluded.finished_at, result_json = excluded.result_json
                """;
            cmd.Parameters.AddWithValue("$run", runId);
            cmd.Parameters.AddWithValue("$number", step.Number);
            cmd.Parameters.AddWithValue("$status", Enum(step.Status));
            cmd.Parameters.AddWithValue("$finished", _time.GetUtcNow().ToString("O"));
            cmd.Parameters.AddWithValue("$json", JsonSerializer.Serialize(step, ArchgateJson.Compact));
            cmd.ExecuteNonQuery();
        }
    }

    /// <inheritdoc />
    public RunRecord? Load(string runId)
    {
        lock (_gate)
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "SELECT record_json FROM runs WHERE id = $id";
            cmd.Parameters.AddWithValue("$id", runId);
            if (cmd.ExecuteScalar() is not string json)
            {
                return null;
            }

            var record = JsonSerializer.Deserialize<RunRecord>(json, ArchgateJson.Compact)!;
            using var steps = _connection.CreateCommand();
            steps.CommandText = "SELECT result_json FROM steps WHERE run_id = $id ORDER BY number";
            steps.Parameters.AddWithValue("$id", runId);
            var list = new List<StepResult>();
            using (var reader = steps.ExecuteReader())
            {
                while (reader.Read())
                {
                    list.Add(JsonSerializer.Deserialize<StepResult>(reader.GetString(0), ArchgateJson.Compact)!);
                }
            }

            return record with { Steps = list };
        }
    }

    /// <inheritdoc />
    public RunRecord? LastRun(string system, Protocol.Verdict verdict)
    {
        lock (_gate)
        {
            // Served by the runs(system, started_at) index; the verdict filter needs no index of its own.
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "SELECT id FROM runs WHERE system = $system AND verdict = $verdict AND state = 'completed' ORDER BY started_at DESC, id DESC LIMIT 1";
            cmd.Parameters.AddWithValue("$system", system);
            cmd.Parameters.AddWithValue("$verdict", Enum(verdict));
            return cmd.ExecuteScalar() is string id ? Load(id) : null;
        }
    }

    /// <inheritdoc />
    public string? ResolveId(string text)
    {
        lock (_gate)
        {
            using var cmd = _connection.CreateCommand();
            if (text == "last")
            {
                cmd.CommandText = "SELECT id FROM runs ORDER BY started_at DESC, id DESC LIMIT 1";
            }
            else
            {
                cmd.CommandText = "SELECT id FROM runs WHERE id = $t OR id LIKE $prefix ESCAPE '\\' ORDER BY id LIMIT 2";
                cmd.Parameters.AddWithValue("$t", text);
                cmd.Parameters.AddWithValue("$prefix", text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%");
            }

            var ids = new List<string>();
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                ids.Add(reader.GetString(0));
            }

            return ids.Count == 1 || ids.Contains(text) ? (ids.Contains(text) ? text : ids[0]) : null;
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<RunListEntry> List(int limit = 50, string? system = null)
    {
        lock (_gate)
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = """
                SELECT r.id, r.system, r.started_at, r.finished_at, r.state, r.verdict, r.pid,
                       (SELECT COUNT(*) FROM steps s WHERE s.run_id = r.id), json_extract(r.record_json, '$.awaiting') IS NOT NULL
                FROM runs r WHERE ($system IS NULL OR r.system = $system)
                ORDER BY r.started_at DESC, r.id DESC LIMIT $limit
                """;
            cmd.Parameters.AddWithValue("$system", (object?)system ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$limit", limit);
            var result = new List<RunListEntry>();
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                var state = reader.GetString(4);
                if (state == "running" && (reader.IsDBNull(6) || !ProcessAlive(reader.GetInt32(6))))
                {
                    state = "interrupted";
                }

                result.Add(new RunListEntry(
                    reader.GetString(0),
                    reader.GetString(1),
                    DateTimeOffset.Parse(reader.GetString(2), System.Globalization.CultureInfo.InvariantCulture),
                    reader.IsDBNull(3) ? null : DateTimeOffset.Parse(reader.GetString(3), System.Globalization.CultureInfo.InvariantCulture),
                    state,
                    reader.IsDBNull(5) ? null : JsonSerializer.Deserialize<Protocol.Verdict>($"\"{reader.GetString(5)}\"", ArchgateJson.Compact),
                    reader.GetInt32(7)) { AwaitingSignoff = reader.GetInt64(8) != 0 });
            }

            return result;
        }
    }

    private static bool ProcessAlive(int pid)
    {
        if (pid == Environment.ProcessId)
        {
            return true;
        }

        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static string Enum<T>(T value) where T : struct, Enum => JsonSerializer.Serialize(value, ArchgateJson.Compact).Trim('"');

    /// <inheritdoc />
    public void Dispose() => _connection.Dispose();
}

using System.Globalization;
using Archgate.Launch;
using Microsoft.Data.Sqlite;

namespace Archgate.Store;

/// <summary>The run store's leases (one executor per run) and the processes each run started.</summary>
public sealed partial class RunStore
{
    private const string LeaseColumns = "lease_pid, lease_host, lease_process_start, lease_acquired_ms, lease_heartbeat_ms";

    /// <inheritdoc />
    public RunLease? TryAcquireLease(string runId, RunLease lease, TimeSpan expiry)
    {
        ArgumentNullException.ThrowIfNull(lease);
        lock (_gate)
        {
            // One UPDATE decides: free, expired, or already ours. Two processes racing both run it; SQLite
            // serialises the writes and only one sees an affected row.
            using (var take = _connection.CreateCommand())
            {
                take.CommandText = """
                    UPDATE runs SET lease_pid = $pid, lease_host = $host, lease_process_start = $start, lease_acquired_ms = $now, lease_heartbeat_ms = $now
                    WHERE id = $id AND (lease_pid IS NULL OR lease_heartbeat_ms < $cutoff
                        OR (lease_pid = $pid AND lease_host = $host AND lease_process_start = $start))
                    """;
                BindLease(take, runId, lease);
                take.Parameters.AddWithValue("$cutoff", (lease.Heartbeat - expiry).ToUnixTimeMilliseconds());
                if (take.ExecuteNonQuery() == 1)
                {
                    return null;
                }
            }

            var holder = LeaseOf(runId) ?? throw new InvalidOperationException($"no run {runId} in the store");
            if (!holder.OwnerIsDeadOnThisHost())
            {
                return holder;
            }

            // The owner died on this host without releasing: take over, but only the lease we saw (compare and swap).
            using var takeOver = _connection.CreateCommand();
            takeOver.CommandText = """
                UPDATE runs SET lease_pid = $pid, lease_host = $host, lease_process_start = $start, lease_acquired_ms = $now, lease_heartbeat_ms = $now
                WHERE id = $id AND lease_pid = $old_pid AND lease_host = $old_host AND lease_heartbeat_ms = $old_heartbeat
                """;
            BindLease(takeOver, runId, lease);
            takeOver.Parameters.AddWithValue("$old_pid", holder.Pid);
            takeOver.Parameters.AddWithValue("$old_host", holder.Host);
            takeOver.Parameters.AddWithValue("$old_heartbeat", holder.Heartbeat.ToUnixTimeMilliseconds());
            return takeOver.ExecuteNonQuery() == 1 ? null : LeaseOf(runId);
        }
    }

    /// <inheritdoc />
    public bool RenewLease(string runId, RunLease lease, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(lease);
        lock (_gate)
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "UPDATE runs SET lease_heartbeat_ms = $beat WHERE id = $id AND lease_pid = $pid AND lease_host = $host AND lease_process_start = $start";
            BindLease(cmd, runId, lease);
            cmd.Parameters.AddWithValue("$beat", now.ToUnixTimeMilliseconds());
            return cmd.ExecuteNonQuery() == 1;
        }
    }

    /// <inheritdoc />
    public void ReleaseLease(string runId, RunLease lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        lock (_gate)
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = """
                UPDATE runs SET lease_pid = NULL, lease_host = NULL, lease_process_start = NULL, lease_acquired_ms = NULL, lease_heartbeat_ms = NULL
                WHERE id = $id AND lease_pid = $pid AND lease_host = $host AND lease_process_start = $start
                """;
            BindLease(cmd, runId, lease);
            cmd.ExecuteNonQuery();
        }
    }

    /// <inheritdoc />
    public RunLease? LeaseOf(string runId)
    {
        lock (_gate)
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = $"SELECT {LeaseColumns} FROM runs WHERE id = $id AND lease_pid IS NOT NULL";
            cmd.Parameters.AddWithValue("$id", runId);
            using var reader = cmd.ExecuteReader();
            return reader.Read()
                ? new RunLease(
                    reader.GetInt32(0),
                    reader.GetString(1),
                    reader.GetInt64(2),
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)))
                : null;
        }
    }

    /// <inheritdoc />
    public void SaveProcesses(string runId, IReadOnlyList<StartedComponent> processes)
    {
        ArgumentNullException.ThrowIfNull(processes);
        lock (_gate)
        {
            using var tx = _connection.BeginTransaction();
            foreach (var p in processes)
            {
                using var cmd = _connection.CreateCommand();
                cmd.Transaction = tx;
                cmd.CommandText = """
                    INSERT OR REPLACE INTO run_processes (run_id, component, pid, process_start, command, port, log_file, started_at)
                    VALUES ($run, $component, $pid, $start, $command, $port, $log, $started)
                    """;
                cmd.Parameters.AddWithValue("$run", runId);
                cmd.Parameters.AddWithValue("$component", p.Component);
                cmd.Parameters.AddWithValue("$pid", p.Pid);
                cmd.Parameters.AddWithValue("$start", p.ProcessStart);
                cmd.Parameters.AddWithValue("$command", p.Command);
                cmd.Parameters.AddWithValue("$port", (object?)p.Port ?? DBNull.Value);
                cmd.Parameters.AddWithValue("$log", p.LogFile);
                cmd.Parameters.AddWithValue("$started", p.StartedAt.ToString("O"));
                cmd.ExecuteNonQuery();
            }

            tx.Commit();
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<StartedComponent> Processes(string runId)
    {
        lock (_gate)
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "SELECT component, pid, log_file, started_at, process_start, command, port FROM run_processes WHERE run_id = $run ORDER BY started_at, component";
            cmd.Parameters.AddWithValue("$run", runId);
            using var reader = cmd.ExecuteReader();
            var result = new List<StartedComponent>();
            while (reader.Read())
            {
                result.Add(new StartedComponent(
                    reader.GetString(0),
                    reader.GetInt32(1),
                    reader.GetString(2),
                    DateTimeOffset.Parse(reader.GetString(3), CultureInfo.InvariantCulture),
                    reader.GetInt64(4),
                    reader.GetString(5),
                    reader.IsDBNull(6) ? null : reader.GetInt32(6)));
            }

            return result;
        }
    }

    private static void BindLease(SqliteCommand cmd, string runId, RunLease lease)
    {
        cmd.Parameters.AddWithValue("$id", runId);
        cmd.Parameters.AddWithValue("$pid", lease.Pid);
        cmd.Parameters.AddWithValue("$host", lease.Host);
        cmd.Parameters.AddWithValue("$start", lease.ProcessStart);
        cmd.Parameters.AddWithValue("$now", lease.Heartbeat.ToUnixTimeMilliseconds());
    }
}

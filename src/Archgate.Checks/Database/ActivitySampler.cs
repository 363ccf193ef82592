using System.Data.Common;
using Npgsql;

namespace Archgate.Checks.Database;

/// <summary>One client backend as <c>pg_stat_activity</c> showed it at one moment.</summary>
internal sealed record SessionSample(int Pid, string ApplicationName, string User, string Database, string Client, string State, string? WaitEventType, double StateSeconds, double QuerySeconds, string Query)
{
    /// <summary>Holding a connection: running, or idle inside a transaction.</summary>
    public bool InUse => State is "active" || IsIdleInTransaction;

    public bool IsIdleInTransaction => State.StartsWith("idle in transaction", StringComparison.Ordinal);

    /// <summary>Blocked on a lock held by another session.</summary>
    public bool Waiting => WaitEventType == "Lock";
}

/// <summary>Which sessions belong to a client: by its application name when it sets one, else by user and database.</summary>
internal sealed record SessionFilter(string Name, string? ApplicationName, string? User, string? Database)
{
    public static SessionFilter For(DatabaseClient client)
    {
        var settings = PoolSettings.Postgres(client.Connection);
        return new SessionFilter(client.Service.Name, settings.ApplicationName, settings.Username, settings.Database ?? settings.Username);
    }

    public bool Matches(SessionSample s) => ApplicationName is not null
        ? s.ApplicationName == ApplicationName
        : !s.ApplicationName.StartsWith(DatabaseAccess.ApplicationName, StringComparison.Ordinal) && s.User == User && s.Database == Database;

    /// <summary>How sessions are recognised, for evidence.</summary>
    public string Describe => ApplicationName is not null ? $"application_name '{ApplicationName}'" : $"user '{User}' on database '{Database}'";
}

/// <summary>The peak figures of one client's sessions over a sampling.</summary>
internal sealed record PoolUsage(int Samples, int PeakInUse, int PeakOpen, int PeakIdleInTransaction, int PeakWaiting, double LongestIdleInTransactionSeconds, double LongestActiveSeconds, string? LongestQuery)
{
    public static PoolUsage Summarize(IReadOnlyList<IReadOnlyList<SessionSample>> samples, SessionFilter filter)
    {
        var mine = samples.Select(tick => tick.Where(filter.Matches).ToList()).ToList();
        var idleInTx = mine.SelectMany(t => t).Where(s => s.IsIdleInTransaction).ToList();
        var active = mine.SelectMany(t => t).Where(s => s.State == "active").OrderByDescending(s => s.QuerySeconds).FirstOrDefault();
        return new PoolUsage(
            samples.Count,
            mine.Select(t => t.Count(s => s.InUse)).DefaultIfEmpty().Max(),
            mine.Select(t => t.Count).DefaultIfEmpty().Max(),
            mine.Select(t => t.Count(s => s.IsIdleInTransaction)).DefaultIfEmpty().Max(),
            mine.Select(t => t.Count(s => s.Waiting)).DefaultIfEmpty().Max(),
            idleInTx.Select(s => s.StateSeconds).DefaultIfEmpty().Max(),
            active?.QuerySeconds ?? 0,
            active?.Query);
    }
}

/// <summary>
/// Samples <c>pg_stat_activity</c> (client backends, not Archgate's own session) at a fixed interval while some load
/// runs, bounded in count. Step 3 drives it with its probe load; step 8's load engine can drive it the same way.
/// </summary>
internal static class ActivitySampler
{
    /// <summary>Most samples one sampling keeps. <value>600</value> (a minute at 100 ms).</summary>
    public const int MaxSamples = 600;

    private const string Sql = """
        select pid, coalesce(application_name, '') as app, coalesce(usename::text, '') as usr, coalesce(datname::text, '') as db,
               coalesce(client_addr::text, 'local') as client, coalesce(state, '') as state, wait_event_type as wait,
               coalesce(extract(epoch from (now() - state_change)), 0)::float8 as state_s,
               coalesce(extract(epoch from (now() - query_start)), 0)::float8 as query_s, left(coalesce(query, ''), 200) as query
        from pg_stat_activity
        where backend_type = 'client backend' and pid <> pg_backend_pid()
        """;

    /// <summary>One snapshot.</summary>
    public static async Task<IReadOnlyList<SessionSample>> SampleAsync(DbConnection connection, CancellationToken cancellationToken) =>
        (await DatabaseAccess.QueryAsync(connection, Sql, cancellationToken, limit: 5000))
            .Select(r => new SessionSample((int)DatabaseAccess.Long(r["pid"]), DatabaseAccess.Text(r["app"]), DatabaseAccess.Text(r["usr"]),
                DatabaseAccess.Text(r["db"]), DatabaseAccess.Text(r["client"]), DatabaseAccess.Text(r["state"]),
                r["wait"] is null ? null : DatabaseAccess.Text(r["wait"]), DatabaseAccess.Double(r["state_s"]), DatabaseAccess.Double(r["query_s"]),
                DatabaseAccess.Text(r["query"])))
            .ToList();

    /// <summary>Samples every <paramref name="interval"/> until <paramref name="load"/> completes (and once more after it).</summary>
    public static async Task<IReadOnlyList<IReadOnlyList<SessionSample>>> SampleWhileAsync(DbConnection connection, Task load, TimeSpan interval, CancellationToken cancellationToken)
    {
        var samples = new List<IReadOnlyList<SessionSample>>();
        while (samples.Count < MaxSamples)
        {
            var done = load.IsCompleted;
            try
            {
                samples.Add(await SampleAsync(connection, cancellationToken));
            }
            catch (NpgsqlException) when (!cancellationToken.IsCancellationRequested)
            {
                // One failed snapshot does not end the sampling.
            }

            if (done)
            {
                break;
            }

            await Task.WhenAny(load, Task.Delay(interval, cancellationToken));
        }

        return samples;
    }
}

using System.Globalization;
using Archgate.Model;
using Archgate.Protocol;
using Npgsql;

namespace Archgate.Checks.Performance;

/// <summary>One statement's counters from <c>pg_stat_statements</c> (constants already normalized to $1...).</summary>
/// <param name="QueryId">PostgreSQL's query id.</param>
/// <param name="Query">The normalized statement text.</param>
/// <param name="Calls">Times executed.</param>
/// <param name="TotalMs">Total execution time in ms.</param>
/// <param name="Rows">Rows returned or affected.</param>
public sealed record StatementStat(long QueryId, string Query, long Calls, double TotalMs, long Rows);

/// <summary>
/// The <c>pg_stat_statements</c> delta over the load window of a PostgreSQL database: which statements
/// consumed the database's time while the load ran. Needs the extension (preloaded and created in the
/// database); without it, a note says how to enable it.
/// </summary>
public static class StatementStats
{
    /// <summary>Statements named in the finding. <value>5</value>.</summary>
    public const int Top = 5;

    /// <summary>The counters now, or the reason they cannot be read.</summary>
    public static async Task<(IReadOnlyList<StatementStat>? Stats, string? Unavailable)> SnapshotAsync(string connectionString, CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false };
        if (builder.Timeout > 5)
        {
            builder.Timeout = 5;
        }

        try
        {
            await using var connection = new NpgsqlConnection(builder.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = """
                SELECT queryid, query, calls, total_exec_time, rows FROM pg_stat_statements
                WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND queryid IS NOT NULL
                  AND query NOT LIKE '%pg_stat_statements%'
                """;
            cmd.CommandTimeout = 5;
            var result = new List<StatementStat>();
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                result.Add(new StatementStat(reader.GetInt64(0), reader.IsDBNull(1) ? string.Empty : reader.GetString(1), reader.GetInt64(2), reader.GetDouble(3), reader.GetInt64(4)));
            }

            return (result, null);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.ObjectNotInPrerequisiteState)
        {
            return (null, e.SqlState == PostgresErrorCodes.UndefinedTable
                ? "the pg_stat_statements extension is not created in this database"
                : "pg_stat_statements is not in shared_preload_libraries");
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return (null, Redact.Text($"cannot read pg_stat_statements: {e.Message}"));
        }
    }

    /// <summary>What each statement did between the two snapshots, most time first; statements that did nothing are left out.</summary>
    public static IReadOnlyList<StatementStat> Delta(IReadOnlyList<StatementStat> before, IReadOnlyList<StatementStat> after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var old = before.GroupBy(s => s.QueryId).ToDictionary(g => g.Key, g => g.First());
        return after
            .Select(s => old.TryGetValue(s.QueryId, out var b) && s.Calls >= b.Calls
                ? s with { Calls = s.Calls - b.Calls, TotalMs = s.TotalMs - b.TotalMs, Rows = s.Rows - b.Rows }
                : s)
            .Where(s => s.Calls > 0)
            .OrderByDescending(s => s.TotalMs)
            .ToList();
    }

    /// <summary>The finding and metrics of a delta: the top statements by time over the load window.</summary>
    public static (Finding Finding, IReadOnlyList<Metric> Metrics) Report(DatabaseComponent database, IReadOnlyList<StatementStat> delta)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(delta);
        var total = delta.Sum(s => s.TotalMs);
        var top = delta.Take(Top).ToList();
        var metrics = top.Select((s, i) => new Metric("db_statement_time",
            new Dictionary<string, string> { ["component"] = database.Name, ["queryid"] = s.QueryId.ToString(CultureInfo.InvariantCulture), ["rank"] = (i + 1).ToString(CultureInfo.InvariantCulture) },
            Math.Round(s.TotalMs, 3), "ms")).ToList();
        var finding = Findings.Create(PerformanceRules.Statements, Severity.Info,
            component: database.Name,
            location: "pg_stat_statements",
            message: top.Count == 0
                ? "no statement ran in the database during the load"
                : $"statements that took {database.Name}'s time during the load ({LoadReport.Ms(total)} in {delta.Sum(s => s.Calls)} calls): "
                    + string.Join("; ", top.Select((s, i) => $"{i + 1}. {Share(s.TotalMs, total)} {LoadReport.Ms(s.TotalMs)} in {s.Calls} calls ({LoadReport.Ms(s.TotalMs / s.Calls)} each): {Distinct(s.Query, top.Where(o => o != s).Select(o => o.Query))}")),
            evidence: top.Count == 0 ? null : string.Join("\n", top.Select((s, i) => $"{i + 1}. queryid {s.QueryId.ToString(CultureInfo.InvariantCulture)}: {Redact.Text(OneLine(s.Query))}")),
            hint: top.Count == 0 ? null : "start with the first: EXPLAIN (ANALYZE, BUFFERS) it with realistic parameters; look for sequential scans, missing indexes and N+1 patterns (many calls of the same statement)");
        return (finding, metrics);
    }

    /// <summary>Calls per request of the load from which a single-row statement is an N+1 pattern. <value>5</value>.</summary>
    public const double NPlusOneCallsPerRequest = 5;

    /// <summary>Fewer calls than this over the load say nothing (a background job's polling over a short load). <value>200</value>.</summary>
    public const long NPlusOneMinCalls = 200;

    /// <summary>
    /// The statements of the delta that look like an N+1 pattern: each call returns at most one row on average (a lookup by
    /// key, <c>WHERE id = $1</c>), and it ran <see cref="NPlusOneCallsPerRequest"/> times or more per request the load
    /// completed (<paramref name="requests"/>, every route together: a list route that runs it once per row of its answer
    /// does that while the other routes run it not at all), at least <see cref="NPlusOneMinCalls"/> times. A session lookup
    /// runs once per request, a list's own query once per list: neither is one. Medium: the latency it costs is judged by
    /// the SLOs, this names the cause.
    /// </summary>
    public static IReadOnlyList<Finding> NPlusOne(DatabaseComponent database, IReadOnlyList<StatementStat> delta, long requests)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(delta);
        if (requests <= 0)
        {
            return [];
        }

        return [.. delta
            .Where(s => s.Calls >= NPlusOneMinCalls && s.Rows <= s.Calls && (double)s.Calls / requests >= NPlusOneCallsPerRequest)
            .OrderByDescending(s => s.Calls)
            .Take(3)
            .Select(s => Findings.Create(PerformanceRules.NPlusOne, Severity.Medium,
                component: database.Name,
                location: "pg_stat_statements",
                message: $"a single-row statement ran {((double)s.Calls / requests).ToString("0.#", CultureInfo.InvariantCulture)} times per request of the load ({s.Calls} calls, {s.Rows} rows, for {requests} requests; " +
                    $"{LoadReport.Ms(s.TotalMs)} in all): an N+1 query pattern, one query per row of a list: {Shorten(s.Query)}",
                hint: "load the rows a list needs in one query (a JOIN, or WHERE id = ANY($1)) instead of one query per row"))];
    }

    private static string Share(double part, double total) => total <= 0 ? "0%" : (part / total).ToString("0%", CultureInfo.InvariantCulture);

    private const int Shown = 160;

    private static string OneLine(string query) => string.Join(' ', query.Split((char[])['\n', '\r', '\t', ' '], StringSplitOptions.RemoveEmptyEntries));

    private static string Shorten(string query)
    {
        var oneLine = OneLine(query);
        return Redact.Text(oneLine.Length > Shown ? oneLine[..Shown] + "..." : oneLine);
    }

    /// <summary>
    /// A statement cut so that it reads apart from <paramref name="others"/>: query builders (knex, EF Core) quote every
    /// identifier, so two statements often share a prefix longer than the text shown. Then its head is followed by the
    /// text from its first difference with the others on (at a word's start), where the WHERE, JOIN or ORDER BY that tell
    /// them apart are. The full texts are the finding's evidence.
    /// </summary>
    internal static string Distinct(string query, IEnumerable<string> others)
    {
        var oneLine = OneLine(query);
        var shared = others.Select(OneLine).Select(o => CommonPrefix(oneLine, o)).DefaultIfEmpty(0).Max();
        const int context = 24;
        if (oneLine.Length <= Shown || shared + context <= Shown)
        {
            return Shorten(query);
        }

        var from = shared - context;
        var space = oneLine.LastIndexOf(' ', from);
        from = space > 60 ? space + 1 : from;
        var tail = oneLine[from..];
        return Redact.Text($"{oneLine[..60]} ... {(tail.Length > Shown ? tail[..Shown] + "..." : tail)}");
    }

    private static int CommonPrefix(string a, string b)
    {
        var n = 0;
        while (n < a.Length && n < b.Length && a[n] == b[n])
        {
            n++;
        }

        return n;
    }
}

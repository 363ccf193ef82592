using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using Archgate.Manifest;
using Archgate.Model;
using Archgate.Protocol;
using HdrHistogram;
using Npgsql;

namespace Archgate.Checks.Database;

/// <summary>Latency of one probe query: exact percentiles from an HDR histogram (microsecond resolution, 3 significant digits).</summary>
internal sealed record ProbeLatency(string Probe, long Count, double P50Ms, double P95Ms, double P99Ms, double MaxMs)
{
    /// <summary>Summarizes a histogram recorded in microseconds.</summary>
    public static ProbeLatency From(string probe, HistogramBase histogram) => new(
        probe, histogram.TotalCount,
        histogram.GetValueAtPercentile(50) / 1000.0, histogram.GetValueAtPercentile(95) / 1000.0,
        histogram.GetValueAtPercentile(99) / 1000.0, histogram.GetMaxValue() / 1000.0);
}

/// <summary>One statement's counters from <c>pg_stat_statements</c>.</summary>
internal sealed record StatementStats(long QueryId, string Query, long Calls, double TotalMs, double SumOfSquares)
{
    public double MeanMs => Calls == 0 ? 0 : TotalMs / Calls;

    public double StddevMs => Calls == 0 ? 0 : Math.Sqrt(Math.Max(0, (SumOfSquares / Calls) - (MeanMs * MeanMs)));

    /// <summary>
    /// APPROXIMATE 95th percentile: mean + 1.645 x stddev, which holds for normally distributed times only.
    /// pg_stat_statements keeps no distribution, so this is an estimate, never a measurement.
    /// </summary>
    public double ApproxP95Ms => MeanMs + (1.645 * StddevMs);

    /// <summary>The counters between two snapshots (calls, total and sum of squares are additive).</summary>
    public StatementStats Minus(StatementStats? before) =>
        before is null ? this : this with { Calls = Calls - before.Calls, TotalMs = TotalMs - before.TotalMs, SumOfSquares = SumOfSquares - before.SumOfSquares };
}

/// <summary>
/// Step 3: runs each probe query of the manifest (read-only, parameterized) N times and reports exact p50/p95/p99
/// from an HDR histogram against the database's SLO (<c>slo.&lt;db&gt;.p95</c>, default 100 ms). On PostgreSQL it
/// also reads <c>pg_stat_statements</c> over the run and reports the slowest statements with an approximate p95.
/// </summary>
internal sealed class LatencyBaselineCheck(DatabaseComponent database) : DatabaseCheck(database, "latency", "query latency baseline")
{
    /// <summary>The protocol's database p95 target when the manifest sets none. <value>100 ms</value>.</summary>
    public static readonly TimeSpan DefaultSlo = TimeSpan.FromMilliseconds(100);

    /// <summary>Wall time one probe may take in all. <value>20 s</value>.</summary>
    private static readonly TimeSpan ProbeBudget = TimeSpan.FromSeconds(20);

    /// <summary>Slowest statements reported. <value>5</value>.</summary>
    private const int SlowestCount = 5;

    /// <summary>Rows read per execution; the rest are not fetched. <value>1000</value>.</summary>
    private const int RowLimit = 1000;

    public override Applicability AppliesTo(SystemModel system) =>
        Database.Database.Probes.Any(p => p.Sql is not null) ? Applicability.Yes : Applicability.No("no probe queries (probes with 'sql')");

    protected override async Task<CheckResult> RunAsync(CheckContext context, DbConnection connection, CancellationToken cancellationToken)
    {
        var policy = Database.Database.Pool;
        var slo = context.System.Slos.GetValueOrDefault(Database.Name)?.P95 ?? DefaultSlo;
        var findings = new List<Finding>();
        var metrics = new List<Metric>();
        var before = IsPostgres ? await StatementsAsync(connection, cancellationToken) : null;

        foreach (var probe in Database.Database.Probes.Where(p => p.Sql is not null))
        {
            context.Activity?.Report($"probe {probe.Name} x {policy.LatencySamples}");
            var (latency, failure) = await MeasureAsync(connection, probe, policy, cancellationToken);
            if (latency is not null)
            {
                foreach (var (stat, value) in new[] { ("p50", latency.P50Ms), ("p95", latency.P95Ms), ("p99", latency.P99Ms), ("max", latency.MaxMs) })
                {
                    metrics.Add(Metric("db_query_duration", value, "ms", ("probe", probe.Name), ("stat", stat)));
                }

                metrics.Add(Metric("db_query_count", latency.Count, "count", ("probe", probe.Name)));
                if (TimeSpan.FromMilliseconds(latency.P95Ms) > slo)
                {
                    findings.Add(Finding(DatabaseRules.LatencyAboveSlo, Severity.High, $"probe {probe.Name}",
                        $"probe {probe.Name}: p95 {Ms(latency.P95Ms)} is above the SLO of {ValueParsers.FormatDuration(slo)}",
                        $"{latency.Count} runs: p50 {Ms(latency.P50Ms)}, p95 {Ms(latency.P95Ms)}, p99 {Ms(latency.P99Ms)}, max {Ms(latency.MaxMs)}; sql: {probe.Sql}",
                        "EXPLAIN (ANALYZE, BUFFERS) the query: a missing index (see AG3040) or a sequential scan is the usual cause"));
                }
            }

            if (failure is not null)
            {
                findings.Add(failure);
            }
        }

        if (before is not null)
        {
            var after = await StatementsAsync(connection, cancellationToken);
            findings.AddRange(Slowest(before, after, metrics));
        }

        return CheckResult.From(findings, metrics);
    }

    private async Task<(ProbeLatency? Latency, Finding? Failure)> MeasureAsync(DbConnection connection, DatabaseProbe probe, PoolPolicy policy, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
#pragma warning disable CA2100 // The manifest's probe text; its values arrive as parameters, and the session is read-only.
        command.CommandText = probe.Sql;
#pragma warning restore CA2100
        command.CommandTimeout = (int)Math.Ceiling(policy.QueryTimeout.TotalSeconds);
        foreach (var (name, value) in probe.Parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = ManifestLoader.ProbeParameterValue(value);
            command.Parameters.Add(parameter);
        }

        var histogram = new LongHistogram(TimeSpan.FromMinutes(2).Ticks / 10, 3);
        var budget = Stopwatch.StartNew();
        try
        {
            await command.PrepareAsync(cancellationToken);
            await ExecuteAsync(command, cancellationToken); // warm-up, not recorded
            for (var i = 0; i < policy.LatencySamples && budget.Elapsed < ProbeBudget; i++)
            {
                var start = Stopwatch.GetTimestamp();
                await ExecuteAsync(command, cancellationToken);
                histogram.RecordValue(Math.Max(1, (long)Stopwatch.GetElapsedTime(start).TotalMicroseconds));
            }

            return (ProbeLatency.From(probe.Name, histogram), null);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is DbException or TimeoutException or InvalidOperationException)
        {
            var partial = histogram.TotalCount > 0 ? ProbeLatency.From(probe.Name, histogram) : null;
            var timedOut = ex is NpgsqlException { InnerException: TimeoutException } or TimeoutException || SqlState(ex) == PostgresErrorCodes.QueryCanceled;
            return (partial, timedOut
                ? Finding(DatabaseRules.QueryTimeout, HighOrCritical, $"probe {probe.Name}",
                    $"probe {probe.Name} did not finish within the query timeout of {ValueParsers.FormatDuration(policy.QueryTimeout)}",
                    $"sql: {probe.Sql}", "find what blocks or slows it (pg_stat_activity, pg_locks, EXPLAIN); add the missing index; set command timeouts so callers fail fast")
                : Finding(DatabaseRules.ProbeFailed, Severity.High, $"probe {probe.Name}",
                    $"probe {probe.Name} failed{(SqlState(ex) is { } state ? $" (SqlState {state})" : string.Empty)}",
                    $"{ex.Message}; sql: {probe.Sql}", FailureHint(SqlState(ex))));
        }
    }

    /// <summary>
    /// What to do about a failed probe, by its SqlState class: a probe's text parameters meet a typed column (42883
    /// <c>date &lt; text</c>), which a literal typed by hand would not, so "run it by hand" would not show the cause.
    /// </summary>
    internal static string FailureHint(string? sqlState) => sqlState switch
    {
        PostgresErrorCodes.UndefinedFunction or PostgresErrorCodes.DatatypeMismatch or PostgresErrorCodes.InvalidTextRepresentation
            or PostgresErrorCodes.InvalidDatetimeFormat or PostgresErrorCodes.DatetimeFieldOverflow =>
            "a parameter has the wrong type: params other than whole numbers are sent as text, so cast them in the SQL (check_in < @until::date, created > @from::timestamptz)",
        PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.UndefinedColumn =>
            "a table or column the probe names does not exist: apply pending migrations, or mend the probe's sql",
        PostgresErrorCodes.SyntaxError => "the probe's sql is not valid: run it in psql with the params written in",
        PostgresErrorCodes.InsufficientPrivilege => "Archgate's user may not read what the probe reads: grant it SELECT, or probe with a user that may",
        ['2', '8', _, _, _] => "the database refused Archgate's login: check the user and password of the database's connection",
        _ => "run the query by hand (psql) with the params written in: the message names what failed",
    };

    private static async Task ExecuteAsync(DbCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        for (var rows = 0; rows < RowLimit && await reader.ReadAsync(cancellationToken); rows++)
        {
        }
    }

    /// <summary>pg_stat_statements of this database, or null when the extension is not installed or not loaded.</summary>
    private static async Task<Dictionary<long, StatementStats>?> StatementsAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            var installed = await DatabaseAccess.QueryAsync(connection, "select 1 from pg_extension where extname = 'pg_stat_statements'", cancellationToken);
            if (installed.Count == 0)
            {
                return null;
            }

            var rows = await DatabaseAccess.QueryAsync(connection, """
                select queryid, left(query, 300) as query, calls, total_exec_time as total,
                       (stddev_exec_time ^ 2 + mean_exec_time ^ 2) * calls as squares
                from pg_stat_statements
                where dbid = (select oid from pg_database where datname = current_database()) and queryid is not null
                  and query not like '%pg_stat_statements%'
                """, cancellationToken, limit: 50_000);
            return rows.GroupBy(r => DatabaseAccess.Long(r["queryid"]))
                .ToDictionary(g => g.Key, g => new StatementStats(g.Key, DatabaseAccess.Text(g.First()["query"]),
                    g.Sum(r => DatabaseAccess.Long(r["calls"])), g.Sum(r => DatabaseAccess.Double(r["total"])), g.Sum(r => DatabaseAccess.Double(r["squares"]))));
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.ObjectNotInPrerequisiteState or PostgresErrorCodes.UndefinedColumn or PostgresErrorCodes.InsufficientPrivilege)
        {
            return null; // Not in shared_preload_libraries, an old version, or no right to read it.
        }
    }

    private IEnumerable<Finding> Slowest(Dictionary<long, StatementStats> before, Dictionary<long, StatementStats>? after, List<Metric> metrics)
    {
        if (after is null)
        {
            yield break;
        }

        var slowest = after.Values.Select(a => a.Minus(before.GetValueOrDefault(a.QueryId)))
            .Where(d => d.Calls > 0)
            .OrderByDescending(d => d.MeanMs)
            .Take(SlowestCount)
            .ToList();
        foreach (var s in slowest)
        {
            (string, string)[] tags = [("queryid", s.QueryId.ToString(CultureInfo.InvariantCulture))];
            metrics.Add(Metric("db_statement_mean", s.MeanMs, "ms", tags));
            metrics.Add(Metric("db_statement_stddev", s.StddevMs, "ms", tags));
            metrics.Add(Metric("db_statement_calls", s.Calls, "count", tags));
            metrics.Add(Metric("db_statement_p95_approximate", s.ApproxP95Ms, "ms", tags));
        }

        if (slowest.Count > 0)
        {
            yield return Finding(DatabaseRules.SlowStatements, Severity.Info, "pg_stat_statements",
                $"slowest statements during the probe run (pg_stat_statements, {slowest.Count} shown)",
                string.Join(" || ", slowest.Select(s => $"mean {Ms(s.MeanMs)}, stddev {Ms(s.StddevMs)}, calls {s.Calls}, p95 ≈ {Ms(s.ApproxP95Ms)} (APPROXIMATE: mean + 1.645 x stddev): {OneLine(s.Query)}")),
                "the approximate p95 assumes normally distributed times; the probe percentiles (db_query_duration) are the measured ones");
        }
    }

    private static string OneLine(string query) => string.Join(' ', query.Split((char[])['\n', '\r', '\t', ' '], StringSplitOptions.RemoveEmptyEntries));

    private static string Ms(double ms) => ms.ToString("0.###", CultureInfo.InvariantCulture) + " ms";
}

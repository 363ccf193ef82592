using Archgate.Checks.Http;
using System.Data.Common;
using System.Globalization;
using Archgate.Manifest;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Database;

/// <summary>
/// Step 3: while a short, bounded probe load of the manifest's probe requests runs through each dependant
/// (loopback only), samples <c>pg_stat_activity</c> and reports the peak pool utilization (connections in use, judged by
/// <see cref="PoolJudgement"/>) against the pool maximum (what the service reports in its health, else its connection
/// string's <c>Maximum Pool Size</c>), sessions idle in a transaction for too long, and requests that failed meanwhile.
/// Detects pool exhaustion.
/// </summary>
internal sealed class PoolUtilizationCheck(DatabaseComponent database) : DatabaseCheck(database, "pool-load", "pool utilization under load")
{
    /// <summary>Interval of the pg_stat_activity samples. <value>100 ms</value>.</summary>
    public static readonly TimeSpan SampleInterval = TimeSpan.FromMilliseconds(100);

    public override Applicability AppliesTo(SystemModel system)
    {
        if (!IsPostgres)
        {
            return Applicability.No("pool utilization is read from pg_stat_activity (PostgreSQL only)");
        }

        return DatabaseClient.Of(system, Database).Any(c => ProbeRequests.Through(Database, c.Service).Count > 0)
            ? Applicability.Yes
            : Applicability.No("no probe request goes through a dependant (probes with 'http' and 'via')");
    }

    protected override async Task<CheckResult> RunAsync(CheckContext context, DbConnection connection, CancellationToken cancellationToken)
    {
        var policy = Database.Database.Pool;
        var findings = new List<Finding>();
        var metrics = new List<Metric>();
        foreach (var client in DatabaseClient.Of(context.System, Database))
        {
            var probes = ProbeRequests.Through(Database, client.Service);
            if (probes.Count == 0)
            {
                continue;
            }

            var who = client.Service.Name;
            if (!ProbeRequests.IsLoopback(client.Service))
            {
                findings.Add(Finding(DatabaseRules.ProbeLoadErrors, Severity.Info, who, $"no probe load sent to {who}: its URL is not loopback", null,
                    "probe load only goes to services on this machine"));
                continue;
            }

            var requests = new ProbeRequests(context.Http, client.Service, probes, TokenSource.Of(context));
            if (await requests.LoginAsync(cancellationToken) is { } loginFailure)
            {
                findings.Add(Finding(DatabaseRules.ProbeLoadErrors, Severity.High, who, $"probe load through {who} could not start: {loginFailure}", null,
                    "check the probe's login path, user and password, and that the service is up"));
                continue;
            }

            var reported = await requests.ReportedPoolSizeAsync(cancellationToken);
            int? configured = client.SettingsKnown ? PoolSettings.Postgres(client.Connection).MaxPoolSize : null;

            // 0: unknown (a dependant whose driver Archgate does not know, reporting no pool size); nothing is judged against it.
            var poolMax = (reported ?? configured ?? 0) * client.Instances;
            var filter = SessionFilter.For(client);

            context.Activity?.Report($"probe load through {who}: {policy.LoadConcurrency} concurrent for {ValueParsers.FormatDuration(policy.LoadDuration)}");
            var load = requests.LoadAsync(policy.LoadConcurrency, policy.LoadDuration, cancellationToken);
            var samples = await ActivitySampler.SampleWhileAsync(connection, load, SampleInterval, cancellationToken);
            var outcome = await load;
            var usage = PoolUsage.Summarize(samples, filter);
            var refused = outcome.Refused;
            var judged = PoolJudgement.Of(usage, poolMax, refused, policy.LoadConcurrency, policy.Utilization);
            var utilization = judged.Utilization;

            (string, string)[] tags = [("client", who)];
            if (poolMax > 0)
            {
                metrics.Add(Metric("db_pool_utilization_peak", utilization, "ratio", tags));
                metrics.Add(Metric("db_pool_max_effective", poolMax, "connections", tags));
            }

            metrics.Add(Metric("db_pool_in_use_peak", usage.PeakInUse, "connections", tags));
            metrics.Add(Metric("db_pool_open_peak", usage.PeakOpen, "connections", tags));
            metrics.Add(Metric("db_probe_requests_throttled", outcome.Throttled, "count", tags));
            metrics.Add(Metric("db_pool_idle_in_transaction_peak", usage.PeakIdleInTransaction, "connections", tags));
            metrics.Add(Metric("db_pool_waiting_peak", usage.PeakWaiting, "connections", tags));
            metrics.Add(Metric("db_probe_requests", outcome.Requests, "count", tags));
            metrics.Add(Metric("db_probe_requests_failed", outcome.Failed, "count", tags));
            metrics.Add(Metric("db_probe_request_duration", outcome.Latency.GetValueAtPercentile(95) / 1000.0, "ms", ("client", who), ("stat", "p95")));

            var source = reported is not null ? $"reported by {who}'s health endpoint" : configured is not null ? "Maximum Pool Size of its connection string" : "pool size unknown";
            var picture = $"{outcome.Requests} requests ({policy.LoadConcurrency} concurrent, {ValueParsers.FormatDuration(policy.LoadDuration)}): {outcome.Describe()}; "
                + $"sessions of {who} ({filter.Describe}) over {usage.Samples} samples: peak open {usage.PeakOpen} of {(poolMax > 0 ? poolMax.ToString(CultureInfo.InvariantCulture) : "?")} ({source}{(client.Instances > 1 ? $", x {client.Instances} instances" : string.Empty)}), "
                + $"peak in use (active or idle in transaction) {usage.PeakInUse}, peak idle in transaction {usage.PeakIdleInTransaction}, peak waiting on locks {usage.PeakWaiting}";

            if (judged.Verdict == PoolVerdict.AtTarget)
            {
                findings.Add(Finding(DatabaseRules.PoolUtilization, Severity.High, who,
                    judged.Crowded
                        ? $"{who}'s connection pool peaked at {utilization:P0} ({usage.PeakOpen} of {poolMax} connections open) under the probe load while {refused} request(s) were refused or timed out, at or above the target of {policy.Utilization:P0}: its open connections were checked out, though at most {usage.PeakInUse} were seen active or idle in transaction"
                        : $"{who}'s connection pool peaked at {utilization:P0} ({usage.PeakInUse} of {poolMax} connections in use) under the probe load, more than its {policy.LoadConcurrency} concurrent requests explain, at or above the target of {policy.Utilization:P0}",
                    picture, "shorten how long each request holds its connection (no work inside open transactions), fix slow queries, then size the pool (Maximum Pool Size) for the peak"));
            }
            else if (judged.Verdict == PoolVerdict.LoadBound)
            {
                findings.Add(Finding(DatabaseRules.PoolUtilization, Severity.Info, who,
                    $"{who}'s connection pool peaked at {utilization:P0} ({usage.PeakInUse} of {poolMax} connections in use) under the probe load, no more than its own {policy.LoadConcurrency} concurrent requests: with a pool of {poolMax} this load alone reaches the target of {policy.Utilization:P0}, so the peak is not judged",
                    picture, $"to judge the pool, set pool.loadConcurrency below {PoolJudgement.JudgeableConcurrency(poolMax, policy.Utilization)}"));
            }

            if (TimeSpan.FromSeconds(usage.LongestIdleInTransactionSeconds) > policy.IdleInTransaction)
            {
                findings.Add(Finding(DatabaseRules.IdleInTransaction, Severity.High, who,
                    $"{who} kept sessions idle in a transaction for up to {usage.LongestIdleInTransactionSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s (policy {ValueParsers.FormatDuration(policy.IdleInTransaction)}), holding pooled connections and locks",
                    picture, "commit or roll back promptly; do no waiting or remote calls inside a transaction; set idle_in_transaction_session_timeout on the role as a backstop"));
            }

            if (poolMax == 0)
            {
                findings.Add(Finding(DatabaseRules.PoolUtilization, Severity.Info, who,
                    $"{who}'s pool utilization is not determined: its pool size is unknown (its health JSON reports no poolSize, and no clients.{who}.connection gives its connection string); at most {usage.PeakInUse} of its connections were in use under the probe load",
                    picture, $"report poolSize in {who}'s health JSON, or declare clients.{who}.connection with its Maximum Pool Size"));
            }

            // 429s are the service's rate limiter (or admission control) turning requests away before they reach the pool.
            var failed = outcome.Failed - outcome.Throttled;
            if (outcome.Throttled > 0)
            {
                var retry = outcome.RetryAfter is { } wait ? $" (Retry-After {wait.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s, honoured)" : string.Empty;
                var exercised = $"the pool was exercised at up to {usage.PeakInUse}{(poolMax > 0 ? $" of {poolMax}" : string.Empty)} connections in use";
                var undetermined = outcome.Throttled * 2 >= outcome.Requests && judged.Verdict == PoolVerdict.Below && !judged.Exhausted
                    ? ", too little to say how it does under load: its utilization is not determined"
                    : string.Empty;
                findings.Add(Finding(DatabaseRules.ProbeLoadErrors, Severity.Info, who,
                    $"the probe load through {who} was rate-limited: {outcome.Throttled} of {outcome.Requests} requests answered 429{retry}; {exercised}{undetermined}",
                    picture, "a 429 is the service's rate limiter, not its pool: to judge the pool under load, lift the limit for the probe's identity in this environment"));
            }

            if (failed > 0)
            {
                findings.Add(Finding(DatabaseRules.ProbeLoadErrors, Severity.High, who,
                    $"{failed} of {outcome.Requests} probe requests through {who} failed under the probe load{(outcome.Throttled > 0 ? $" (besides {outcome.Throttled} x 429)" : string.Empty)}",
                    picture, "the failures usually name the cause: 503 from a pool that stays full, timeouts from slow queries"));
            }

            if (TimeSpan.FromSeconds(usage.LongestActiveSeconds) > policy.QueryTimeout)
            {
                findings.Add(Finding(DatabaseRules.LongQueryUnderLoad, Severity.High, who,
                    $"a query of {who} ran {usage.LongestActiveSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s under the probe load (> {ValueParsers.FormatDuration(policy.QueryTimeout)}): {usage.LongestQuery}",
                    picture, "set command timeouts of at most 10 s, and index or rewrite the query (EXPLAIN ANALYZE it)"));
            }

            if (judged.Exhausted)
            {
                findings.Add(Finding(DatabaseRules.PoolExhausted, Severity.High, who,
                    $"{who}'s pool was exhausted under the probe load: {usage.PeakOpen} of {poolMax} connections open, {usage.PeakInUse} in use, {refused} request(s) refused or timed out",
                    picture, "raise Maximum Pool Size only after shortening transactions; keep 'Timeout' (pool wait) short so callers fail fast"));
            }
        }

        return CheckResult.From(findings, metrics);
    }
}

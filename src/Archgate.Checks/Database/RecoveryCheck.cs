using Archgate.Checks.Http;
using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using Archgate.Manifest;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Database;

/// <summary>
/// Step 3 fault test (only with <c>faultTests: true</c> on the database): terminates each dependant's backend
/// connections (<c>pg_terminate_backend</c>) and verifies that its health and a probe request recover within the
/// policy time (default 10 s); reports how long it took and the errors seen meanwhile.
/// </summary>
internal sealed class RecoveryCheck(DatabaseComponent database) : DatabaseCheck(database, "recovery", "dependants recover from dropped connections")
{
    /// <summary>Pause between recovery probes. <value>200 ms</value>.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    public override Applicability AppliesTo(SystemModel system)
    {
        if (!Database.Database.FaultTests)
        {
            return Applicability.No("fault tests not permitted (faultTests: true on the database allows them)");
        }

        if (!IsPostgres)
        {
            return Applicability.No("terminating connections needs PostgreSQL");
        }

        return DatabaseClient.Of(system, Database).Any(c => c.Service.HealthPath is not null && ProbeRequests.IsLoopback(c.Service))
            ? Applicability.Yes
            : Applicability.No("no dependant on loopback declares a health endpoint");
    }

    protected override async Task<CheckResult> RunAsync(CheckContext context, DbConnection connection, CancellationToken cancellationToken)
    {
        var limit = Database.Database.Pool.Recovery;
        var findings = new List<Finding>();
        var metrics = new List<Metric>();
        foreach (var client in DatabaseClient.Of(context.System, Database).Where(c => c.Service.HealthPath is not null && ProbeRequests.IsLoopback(c.Service)))
        {
            var who = client.Service.Name;
            var probes = ProbeRequests.Through(Database, client.Service);
            var requests = new ProbeRequests(context.Http, client.Service, probes, TokenSource.Of(context));
            await requests.LoginAsync(cancellationToken);
            if (!(await requests.HealthAsync(cancellationToken)).Ok)
            {
                findings.Add(Finding(DatabaseRules.NoRecovery, Severity.Info, who, $"{who} was not healthy before the fault; recovery not tested", null,
                    "step 4 reports its health; make it healthy first"));
                continue;
            }

            // Make sure it holds connections to lose: one request through it opens (or reuses) a pooled one.
            foreach (var probe in probes)
            {
                await requests.SendAsync(probe, cancellationToken);
            }

            var filter = SessionFilter.For(client);
            var victims = (await ActivitySampler.SampleAsync(connection, cancellationToken)).Where(filter.Matches).Select(s => s.Pid).ToList();
            if (victims.Count == 0)
            {
                findings.Add(Finding(DatabaseRules.NoRecovery, Severity.Info, who, $"{who} held no connection to {Database.Name} ({filter.Describe}); nothing to terminate", null,
                    "give the service its own Application Name in the connection string so its sessions can be told apart"));
                continue;
            }

            context.Activity?.Report($"terminating {victims.Count} connection(s) of {who}");
            var terminated = 0;
            foreach (var pid in victims)
            {
                var rows = await DatabaseAccess.QueryAsync(connection, "select pg_terminate_backend(@pid) as ok", cancellationToken,
                    new Dictionary<string, object> { ["pid"] = pid });
                terminated += rows[0]["ok"] is true ? 1 : 0;
            }

            var errors = new Dictionary<string, long>(StringComparer.Ordinal);
            var watch = Stopwatch.StartNew();
            var recovered = false;
            while (watch.Elapsed < limit)
            {
                var health = await requests.HealthAsync(cancellationToken);
                var outcomes = new List<ProbeOutcome> { health };
                foreach (var probe in probes)
                {
                    outcomes.Add(await requests.SendAsync(probe, cancellationToken));
                }

                foreach (var failed in outcomes.Where(o => !o.Ok))
                {
                    errors[failed.Cause] = errors.GetValueOrDefault(failed.Cause) + 1;
                }

                if (outcomes.All(o => o.Ok))
                {
                    recovered = true;
                    break;
                }

                await Task.Delay(PollInterval, context.Time, cancellationToken);
            }

            var seconds = watch.Elapsed.TotalSeconds;
            var seen = errors.Count == 0 ? "no errors seen" : "errors seen: " + string.Join(", ", errors.Select(e => $"{e.Value} x {e.Key}"));
            if (recovered)
            {
                metrics.Add(Metric("db_recovery_time", seconds * 1000, "ms", ("client", who)));
            }

            metrics.Add(Metric("db_recovery_errors", errors.Values.Sum(), "count", ("client", who)));
            var evidenceText = $"terminated {terminated} of {victims.Count} connection(s) ({filter.Describe}); {(recovered ? $"recovered after {seconds.ToString("0.00", CultureInfo.InvariantCulture)} s" : $"not recovered after {ValueParsers.FormatDuration(limit)}")}; {seen}";
            findings.Add(recovered
                ? Finding(DatabaseRules.NoRecovery, Severity.Info, who, $"{who} recovered {seconds.ToString("0.00", CultureInfo.InvariantCulture)} s after losing its database connections", evidenceText, "nothing to do")
                : Finding(DatabaseRules.NoRecovery, client.Service.Critical || Database.Critical ? Severity.Critical : Severity.High, who,
                    $"{who} did not recover within {ValueParsers.FormatDuration(limit)} after its database connections were terminated", evidenceText,
                    "let the driver drop broken pooled connections and retry transient errors (Npgsql: IsTransient, SqlState 57P01); health checks must open a fresh connection"));
        }

        return CheckResult.From(findings, metrics);
    }
}

using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Database;

/// <summary>
/// Step 3, last: recognizes the protocol's "database integration catastrophic failure" (pool exhaustion, query
/// timeouts above 10 s, consistency violations) from the evidence the other step 3 checks recorded in this run, and
/// reports it as one critical finding that names the scenario, the evidence and the remediation steps.
/// </summary>
internal sealed class FailureScenarioCheck(FailureEvidence evidence) : ICheck
{
    /// <summary>The protocol's name of the scenario.</summary>
    public const string Scenario = "database integration catastrophic failure";

    public string Id => "database.scenario";

    public int Step => 3;

    public string Title => "No database integration catastrophic failure";

    public Applicability AppliesTo(SystemModel system) => Applicability.Yes;

    public Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        var all = evidence.All;
        var signals = all.Where(e => e.Signal != FailureSignal.Contributing).ToList();
        if (signals.Count == 0)
        {
            return Task.FromResult(CheckResult.From([]));
        }

        var kinds = signals.Select(s => s.Signal).Distinct().Order().Select(Name).ToList();
        var databases = signals.Select(s => s.Database).Distinct().ToList();
        var steps = new List<string>();
        if (signals.Any(s => s.Signal == FailureSignal.PoolExhaustion))
        {
            steps.Add("pool size: keep transactions short (no waiting inside one), then size Maximum Pool Size for the measured peak within 80 % of max_connections");
            steps.Add("timeouts: a short pool wait ('Timeout') and a command timeout of at most 10 s, so callers fail fast instead of queueing");
        }

        if (signals.Any(s => s.Signal == FailureSignal.QueryTimeout))
        {
            steps.Add("timeouts: set command timeouts (at most 10 s) and find what blocks the slow queries (pg_stat_activity, pg_locks)");
        }

        steps.AddRange(all.Where(e => e.Remedy is not null && e.Remedy.StartsWith("CREATE INDEX", StringComparison.Ordinal)).Select(e => $"indexes: {e.Remedy}").Distinct());
        if (!steps.Any(s => s.StartsWith("indexes", StringComparison.Ordinal)))
        {
            steps.Add("indexes: index every foreign key and the columns of slow probe queries (see AG3040, AG3060)");
        }

        steps.Add(all.Any(e => e.Text.Contains("migration", StringComparison.Ordinal))
            ? "migrations: apply the pending migrations before the services take traffic (see AG3031)"
            : "migrations: keep schema changes in versioned migrations and verify the latest is applied (AG3031)");
        if (signals.Any(s => s.Signal == FailureSignal.ConsistencyViolation))
        {
            steps.Add("consistency: repair or delete the orphaned rows, then enforce the foreign keys (VALIDATE CONSTRAINT / PRAGMA foreign_keys=ON)");
        }

        var finding = new Finding
        {
            Rule = DatabaseRules.CatastrophicFailure,
            Severity = Severity.Critical,
            Component = databases.Count == 1 ? databases[0] : null,
            Location = string.Join(", ", databases),
            Message = $"{Scenario}: {string.Join(", ", kinds)} ({signals.Count} piece(s) of evidence)",
            Evidence = Redact.Text(string.Join(" || ", signals.Select(s => $"[{Name(s.Signal)}] {s.Text}"))),
            Hint = "remediation: " + string.Join("; ", steps.Select((s, i) => $"{i + 1}. {s}")),
        };
        return Task.FromResult(CheckResult.From([finding]));
    }

    private static string Name(FailureSignal signal) => signal switch
    {
        FailureSignal.PoolExhaustion => "pool exhaustion",
        FailureSignal.QueryTimeout => "query timeouts > 10 s",
        FailureSignal.ConsistencyViolation => "consistency violations",
        _ => "contributing",
    };
}

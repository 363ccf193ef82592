using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Database;

/// <summary>The kinds of evidence that make up the protocol's "database integration catastrophic failure".</summary>
internal enum FailureSignal
{
    /// <summary>A dependant's pool ran out of connections (AG3023).</summary>
    PoolExhaustion,

    /// <summary>A query ran longer than the protocol's query timeout of 10 s (AG3062, AG3024).</summary>
    QueryTimeout,

    /// <summary>Data violates a constraint: orphaned rows (AG3046).</summary>
    ConsistencyViolation,

    /// <summary>Not a signal by itself, but part of the remedy: an unindexed foreign key, a pending migration, a pool setting.</summary>
    Contributing,
}

/// <summary>
/// Step 3, last: a final pass over the step's earlier results (<see cref="CheckContext.EarlierResults"/>) that
/// recognizes the protocol's "database integration catastrophic failure" (pool exhaustion, query timeouts above
/// 10 s, consistency violations) from their findings, by rule, and reports it as one critical finding that names the
/// scenario, the evidence and the remediation steps. It shares no state with the checks it reads: a retried check's
/// last attempt is the one it sees.
/// </summary>
internal sealed class FailureScenarioCheck : ICheck
{
    /// <summary>The protocol's name of the scenario.</summary>
    public const string Scenario = "database integration catastrophic failure";

    public string Id => "database.scenario";

    public int Step => 3;

    public string Title => "No database integration catastrophic failure";

    public Applicability AppliesTo(SystemModel system) => Applicability.Yes;

    public Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        var all = context.EarlierResults.SelectMany(r => r.Findings)
            .Select(f => (Finding: f, Signal: SignalOf(f)))
            .Where(e => e.Signal is not null && e.Finding.Component is not null)
            .Select(e => new ScenarioEvidence(e.Signal!.Value, e.Finding.Component!, e.Finding.Message, RemedyOf(e.Finding)))
            .ToList();
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

        var finding = Findings.Create(DatabaseRules.CatastrophicFailure, Severity.Critical, databases.Count == 1 ? databases[0] : null, string.Join(", ", databases),
            $"{Scenario}: {string.Join(", ", kinds)} ({signals.Count} piece(s) of evidence)",
            Redact.Text(string.Join(" || ", signals.Select(s => $"[{Name(s.Signal)}] {s.Text}"))),
            "remediation: " + string.Join("; ", steps.Select((s, i) => $"{i + 1}. {s}")));
        return Task.FromResult(CheckResult.From([finding]));
    }

    /// <summary>What a step 3 finding is evidence of, by its rule; null when it is none.</summary>
    public static FailureSignal? SignalOf(Finding finding) => finding.Rule switch
    {
        DatabaseRules.PoolExhausted => FailureSignal.PoolExhaustion,
        DatabaseRules.QueryTimeout or DatabaseRules.LongQueryUnderLoad => FailureSignal.QueryTimeout,
        DatabaseRules.OrphanedRows => FailureSignal.ConsistencyViolation,
        DatabaseRules.ForeignKeyWithoutIndex or DatabaseRules.MigrationsPending or DatabaseRules.MigrationFailed
            or DatabaseRules.SettingUnreasonable or DatabaseRules.ConnectionBudget => FailureSignal.Contributing,
        _ => null,
    };

    /// <summary>
    /// The remedy a finding carries: an unindexed foreign key's <c>CREATE INDEX</c> statement (its hint up to the
    /// explanation), else its hint.
    /// </summary>
    public static string? RemedyOf(Finding finding) =>
        finding.Rule == DatabaseRules.ForeignKeyWithoutIndex && finding.Hint is { } hint && hint.IndexOf(" -- ", StringComparison.Ordinal) is > 0 and var cut
            ? hint[..cut]
            : finding.Hint;

    private static string Name(FailureSignal signal) => signal switch
    {
        FailureSignal.PoolExhaustion => "pool exhaustion",
        FailureSignal.QueryTimeout => "query timeouts > 10 s",
        FailureSignal.ConsistencyViolation => "consistency violations",
        _ => "contributing",
    };
}

/// <summary>One piece of evidence for the failure scenario: a finding of an earlier check, classified.</summary>
/// <param name="Signal">What it is evidence of.</param>
/// <param name="Database">The component it is about: the database, or the dependant whose setting it is (AG3011).</param>
/// <param name="Text">What was seen (already redacted).</param>
/// <param name="Remedy">What to do about it, or null.</param>
internal sealed record ScenarioEvidence(FailureSignal Signal, string Database, string Text, string? Remedy);

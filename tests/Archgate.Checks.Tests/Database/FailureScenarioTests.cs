using Archgate.Checks.Database;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Database;

/// <summary>The failure scenario is a final pass over the step's earlier results: it classifies their findings by rule.</summary>
public sealed class FailureScenarioTests
{
    private static Finding Finding(string rule, string message, string? hint = null) =>
        new() { Rule = rule, Severity = Severity.High, Component = "db", Message = message, Hint = hint };

    private static Task<CheckResult> JudgeAsync(params CheckResult[] earlier)
    {
        var system = DatabaseTestKit.System("sqlite", "Data Source=x.db");
        return new FailureScenarioCheck().RunAsync(TestSystems.Context(system, new HttpClient()) with { EarlierResults = earlier }, CancellationToken.None);
    }

    [Fact]
    public async Task Orphans_and_an_unindexed_key_make_one_critical_finding_with_the_create_index_statement()
    {
        var schema = CheckResult.From(
        [
            Finding(DatabaseRules.OrphanedRows, "3 rows of order_items reference missing orders"),
            Finding(DatabaseRules.ForeignKeyWithoutIndex, "foreign key fk_items on order_items (order_id) has no index",
                "CREATE INDEX CONCURRENTLY ix_items_order ON order_items (order_id); -- without it every delete scans"),
        ]);
        var latency = CheckResult.From([Finding(DatabaseRules.LatencyAboveSlo, "probe p: p95 300 ms is above the SLO")]);

        var result = await JudgeAsync(schema, latency);

        var finding = Assert.Single(result.Findings);
        Assert.Equal((DatabaseRules.CatastrophicFailure, Severity.Critical, "db"), (finding.Rule, finding.Severity, finding.Component));
        Assert.Equal("database integration catastrophic failure: consistency violations (1 piece(s) of evidence)", finding.Message);
        Assert.Equal("[consistency violations] 3 rows of order_items reference missing orders", finding.Evidence);
        Assert.Contains("indexes: CREATE INDEX CONCURRENTLY ix_items_order ON order_items (order_id);", finding.Hint, StringComparison.Ordinal);
        Assert.DoesNotContain("-- without it", finding.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pool_exhaustion_and_long_queries_under_load_are_signals_and_contributing_findings_alone_are_not()
    {
        var contributing = CheckResult.From(
        [
            Finding(DatabaseRules.MigrationsPending, "migration 0005 is pending"),
            Finding(DatabaseRules.SettingUnreasonable, "api's connect timeout is 0"),
        ]);
        var load = CheckResult.From(
        [
            Finding(DatabaseRules.PoolExhausted, "api's pool was exhausted under the probe load"),
            Finding(DatabaseRules.LongQueryUnderLoad, "a query of api ran 12.0 s under the probe load"),
        ]);

        var quiet = await JudgeAsync(contributing);
        var failed = await JudgeAsync(contributing, load);

        Assert.Equal(CheckStatus.Pass, quiet.Status);
        var finding = Assert.Single(failed.Findings);
        Assert.StartsWith("database integration catastrophic failure: pool exhaustion, query timeouts > 10 s (2 piece(s) of evidence)", finding.Message, StringComparison.Ordinal);
        Assert.Contains("migrations: apply the pending migrations", finding.Hint, StringComparison.Ordinal);
    }
}

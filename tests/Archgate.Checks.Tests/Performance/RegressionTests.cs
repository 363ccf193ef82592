using Archgate.Checks.Performance;
using Archgate.Judging;
using Archgate.Protocol;
using Archgate.Store;
using Microsoft.Data.Sqlite;

namespace Archgate.Checks.Tests.Performance;

/// <summary>Regression against the last GO run, read from a real SQLite run store in a temp folder.</summary>
public sealed class RegressionTests : IDisposable
{
    private static readonly DateTimeOffset Monday = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("archgate-regression-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void A_p95_or_throughput_50_percent_worse_than_the_last_GO_run_raises_the_escalation_with_both_values()
    {
        using var store = RunStore.Open(Path.Combine(_dir, "archgate.db"));
        Save(store, "20261123-100000-aaaa", "shop", Verdict.Go, Monday, ordersP95: 40, ordersRate: 100);
        Save(store, "20261124-100000-bbbb", "shop", Verdict.Go, Monday.AddDays(1), ordersP95: 60, ordersRate: 100);
        Save(store, "20261125-100000-cccc", "shop", Verdict.NoGo, Monday.AddDays(2), ordersP95: 900, ordersRate: 10);
        Save(store, "20261125-110000-dddd", "other", Verdict.Go, Monday.AddDays(2), ordersP95: 1, ordersRate: 1000);

        var baseline = store.LastRun("shop", Verdict.Go);
        Assert.Equal("20261124-100000-bbbb", baseline!.RunId);

        var now = Metrics(ordersP95: 150, ordersRate: 45);
        var (findings, metrics) = LoadAnalysis.Regression("api", now, baseline);

        Assert.Equal(2, findings.Count);
        Assert.All(findings, f => Assert.Equal("AG8020", f.Rule));
        Assert.Equal("GET /orders p95 regressed 150%: 150 ms now, 60 ms in the last GO run 20261124-100000-bbbb", findings[0].Message);
        Assert.Equal("GET /orders throughput regressed 55%: 45 req/s now, 100 req/s in the last GO run 20261124-100000-bbbb", findings[1].Message);
        var p95 = Assert.Single(metrics, m => m.Tags["kind"] == "p95" && m.Tags["route"] == "GET /orders");
        Assert.Equal(1.5, p95.Value, 3);
        Assert.Equal(PerformanceRules.RegressionMetric, p95.Name);

        var system = TestSystems.Load("""
            version: 1
            system: { name: shop }
            components: [ { name: api, kind: service, url: "http://127.0.0.1:7101" } ]
            """);
        var step = new StepResult { Number = 8, Name = "Performance and load", Status = CheckStatus.Warn, Checks = [CheckResult.From(findings, [.. now, .. metrics])] };
        var escalations = EscalationRules.Evaluate(ArchgateProtocol.Default, system, [step]);
        Assert.Equal(2, escalations.Count);
        Assert.All(escalations, e => Assert.Equal(("performance-regression", 2), (e.Trigger, e.Level)));
        Assert.Contains("150 % worse", escalations[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Small_changes_and_noise_below_20_ms_are_not_regressions_and_no_baseline_is_said_so()
    {
        using var store = RunStore.Open(Path.Combine(_dir, "archgate.db"));
        Assert.Null(store.LastRun("shop", Verdict.Go));
        var (none, noMetrics) = LoadAnalysis.Regression("api", Metrics(10, 100), null);
        Assert.Equal("AG8021", Assert.Single(none).Rule);
        Assert.Empty(noMetrics);

        Save(store, "20261123-100000-aaaa", "shop", Verdict.Go, Monday, ordersP95: 8, ordersRate: 100);
        var (findings, metrics) = LoadAnalysis.Regression("api", Metrics(ordersP95: 25, ordersRate: 80), store.LastRun("shop", Verdict.Go));

        Assert.Empty(findings);
        Assert.All(metrics, m => Assert.True(m.Value <= 0.5, m.ToString()));
        Assert.Empty(EscalationRules.Evaluate(ArchgateProtocol.Default, TestSystems.Load("""
            version: 1
            system: { name: shop }
            components: [ { name: api, kind: service, url: "http://127.0.0.1:7101" } ]
            """), [new StepResult { Number = 8, Name = "Performance and load", Status = CheckStatus.Pass, Checks = [CheckResult.From([], metrics)] }]));
    }

    private static List<Metric> Metrics(double ordersP95, double ordersRate) =>
    [
        new("http_req_duration", LoadReport.Tags("api", "GET /orders", null, ("stat", "p95")), ordersP95, "ms"),
        new("http_req_duration", LoadReport.Tags("api", "GET /orders", "stress", ("stat", "p95")), ordersP95 * 2, "ms"),
        new("http_reqs", LoadReport.Tags("api", "GET /orders", null, ("stat", "rate")), ordersRate, "req/s"),
        new("http_req_duration", LoadReport.Tags("api", "GET /products", null, ("stat", "p95")), 5, "ms"),
    ];

    private static void Save(RunStore store, string id, string system, Verdict verdict, DateTimeOffset at, double ordersP95, double ordersRate)
    {
        var record = new RunRecord
        {
            RunId = id,
            System = system,
            ManifestPath = "/x/archgate.yaml",
            ManifestSha256 = "abc",
            StartedAt = at,
            FinishedAt = at.AddMinutes(1),
            State = RunState.Completed,
            Verdict = verdict,
        };
        store.SaveRun(record);
        store.SaveStep(id, new StepResult
        {
            Number = 8,
            Name = "Performance and load",
            Status = CheckStatus.Pass,
            Checks = [CheckResult.From([], Metrics(ordersP95, ordersRate)) with { Id = "load:api" }],
        });
    }
}

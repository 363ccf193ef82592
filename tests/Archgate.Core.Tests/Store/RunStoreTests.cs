using Archgate.Protocol;
using Archgate.Store;
using Microsoft.Data.Sqlite;

namespace Archgate.Core.Tests.Store;

public sealed class RunStoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("archgate-store-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private static RunRecord Record(string id, DateTimeOffset started) => new()
    {
        RunId = id,
        System = "shop",
        ManifestPath = "/x/archgate.yaml",
        ManifestSha256 = "abc",
        StartedAt = started,
    };

    [Fact]
    public void An_empty_file_is_migrated_to_the_latest_schema_in_WAL_mode()
    {
        var path = Path.Combine(_dir, "nested", "archgate.db");

        using (var store = RunStore.Open(path))
        {
            Assert.Equal(RunStore.LatestSchemaVersion, store.SchemaVersion);
        }

        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", cmd.ExecuteScalar());
        cmd.CommandText = "SELECT group_concat(name) FROM (SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name)";
        Assert.Equal("escalation_notices,escalations,run_processes,runs,signoffs,steps", cmd.ExecuteScalar());
    }

    [Fact]
    public void Opening_twice_does_not_migrate_again_and_keeps_the_data()
    {
        var path = Path.Combine(_dir, "archgate.db");
        using (var store = RunStore.Open(path))
        {
            store.SaveRun(Record("20261126-100000-aaaa", DateTimeOffset.UnixEpoch));
        }

        using var again = RunStore.Open(path);
        Assert.Equal(RunStore.LatestSchemaVersion, again.SchemaVersion);
        Assert.NotNull(again.Load("20261126-100000-aaaa"));
    }

    [Fact]
    public void A_store_from_a_newer_archgate_is_refused()
    {
        var path = Path.Combine(_dir, "future.db");
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var cmd = connection.CreateCommand();
            cmd.CommandText = "PRAGMA user_version = 99";
            cmd.ExecuteNonQuery();
        }

        var ex = Assert.Throws<InvalidOperationException>(() => RunStore.Open(path));
        Assert.Contains("newer Archgate", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Steps_round_trip_with_findings_metrics_and_attempts()
    {
        using var store = RunStore.Open(Path.Combine(_dir, "archgate.db"));
        var run = Record("r1", DateTimeOffset.UnixEpoch);
        store.SaveRun(run);
        var step = new StepResult
        {
            Number = 4,
            Name = "Service-to-service",
            Status = CheckStatus.Fail,
            Checks =
            [
                new CheckResult
                {
                    Id = "services.health:api",
                    Status = CheckStatus.Fail,
                    Findings = [new Finding { Rule = "AG4002", Severity = Severity.Critical, Component = "api", Message = "down" }],
                    Metrics = [Metric.ForComponent("health_latency", "api", 12.5, "ms")],
                    Attempts = [new CheckAttempt(1, CheckStatus.Fail, "connection refused", 3)],
                },
            ],
        };

        store.SaveStep("r1", step);
        var loaded = store.Load("r1")!;

        var check = loaded.Steps.Single().Checks.Single();
        Assert.Equal(Severity.Critical, check.Findings.Single().Severity);
        Assert.Equal(12.5, check.Metrics.Single().Value);
        Assert.Equal("api", check.Metrics.Single().Tags["component"]);
        Assert.Equal("connection refused", check.Attempts.Single().TransientCause);
    }

    [Fact]
    public void Ids_resolve_by_prefix_and_last_and_runs_list_newest_first()
    {
        using var store = RunStore.Open(Path.Combine(_dir, "archgate.db"));
        store.SaveRun(Record("20261126-100000-aaaa", DateTimeOffset.UnixEpoch), pid: Environment.ProcessId);
        store.SaveRun(Record("20261126-110000-bbbb", DateTimeOffset.UnixEpoch.AddHours(1)), pid: int.MaxValue - 1);

        Assert.Equal("20261126-110000-bbbb", store.ResolveId("last"));
        Assert.Equal("20261126-100000-aaaa", store.ResolveId("20261126-10"));
        Assert.Null(store.ResolveId("20261126"));
        Assert.Null(store.ResolveId("nope"));

        var runs = store.List();
        Assert.Equal(["20261126-110000-bbbb", "20261126-100000-aaaa"], runs.Select(r => r.RunId));
        Assert.Equal("interrupted", runs[0].State);
        Assert.Equal("running", runs[1].State);
    }
}

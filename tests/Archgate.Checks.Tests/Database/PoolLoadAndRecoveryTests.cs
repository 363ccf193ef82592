using Archgate.Checks.Database;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Database;

[Collection(PostgresServer.Collection)]
public sealed class PoolLoadAndRecoveryTests(PostgresServer server)
{
    private const string Probe = """
            probes:
              - { name: items, http: GET /items, via: api, login: { path: /auth/login, user: ann, password: demo } }
        """;

    private static Archgate.Model.SystemModel System(string db, DbBackedService service, string extra) =>
        DatabaseTestKit.System("postgres", db, Probe + "\n" + extra, service.Url);

    [Fact]
    public async Task A_healthy_pool_under_the_probe_load_stays_below_the_target()
    {
        var db = await server.CreateDatabaseAsync("pool");
        await using var service = new DbBackedService(db + ";Application Name=svc-clean", poolSize: 10, hold: TimeSpan.Zero, connectTimeoutSeconds: 15);
        var system = System(db + ";Application Name=svc-clean", service, "    pool: { loadDuration: 1s, loadConcurrency: 4 }");
        var result = await DatabaseTestKit.RunAsync(new PoolUtilizationCheck(system.Db()), system);

        Assert.True(result.Status == CheckStatus.Pass, DatabaseTestKit.Describe(result));
        Assert.Contains(result.Metrics, m => m.Name == "db_pool_max_effective" && m.Value == 10);
        Assert.Contains(result.Metrics, m => m.Name == "db_probe_requests" && m.Value >= 4);
        Assert.DoesNotContain(result.Findings, f => FailureScenarioCheck.SignalOf(f) is not null);
    }

    [Fact]
    public async Task Open_but_idle_pooled_connections_under_the_default_probe_load_are_not_utilization()
    {
        // A pool of 10 that keeps its connections open between requests (node-postgres, HikariCP), probed at the
        // default 8 concurrent: all 10 open, few ever busy.
        var db = await server.CreateDatabaseAsync("pool");
        await using var service = new DbBackedService(db + ";Application Name=svc-warm", poolSize: 10, hold: TimeSpan.Zero, connectTimeoutSeconds: 15, warm: 10);
        var system = System(db + ";Application Name=svc-warm", service, "    pool: { loadDuration: 1s }");
        var result = await DatabaseTestKit.RunAsync(new PoolUtilizationCheck(system.Db()), system);

        Assert.True(result.Status == CheckStatus.Pass, DatabaseTestKit.Describe(result));
        Assert.Contains(result.Metrics, m => m.Name == "db_pool_open_peak" && m.Value == 10);
        var inUse = Assert.Single(result.Metrics, m => m.Name == "db_pool_in_use_peak").Value;
        Assert.Contains(result.Metrics, m => m.Name == "db_pool_utilization_peak" && m.Value == inUse / 10);
        Assert.DoesNotContain(result.Findings, f => f.Rule is DatabaseRules.PoolExhausted || (f.Rule is DatabaseRules.PoolUtilization && f.Severity != Severity.Info));
    }

    [Fact]
    public async Task A_rate_limiters_429s_are_reported_as_rate_limiting_not_as_pool_exhaustion()
    {
        // inventory-api: a rate limiter answers 429 (Retry-After: 1) past 20 requests a second, and its pool of 10 keeps
        // 8 connections open but idle. Counted as refusals, the 429s made 8 of 10 open an exhausted pool (AG3023, AG3090).
        var db = await server.CreateDatabaseAsync("pool");
        await using var service = new DbBackedService(db + ";Application Name=svc-limited", poolSize: 10, hold: TimeSpan.Zero, connectTimeoutSeconds: 15, warm: 8, requestsPerSecond: 20);
        var system = System(db + ";Application Name=svc-limited", service, "    pool: { loadDuration: 2s, loadConcurrency: 6 }");
        var result = await DatabaseTestKit.RunAsync(new PoolUtilizationCheck(system.Db()), system);
        var scenario = await new FailureScenarioCheck().RunAsync(TestSystems.Context(system, new HttpClient()) with { EarlierResults = [result] }, CancellationToken.None);

        Assert.True(result.Status == CheckStatus.Pass, DatabaseTestKit.Describe(result));
        Assert.Empty(scenario.Findings);
        Assert.DoesNotContain(result.Findings, f => f.Rule is DatabaseRules.PoolExhausted || f.Severity > Severity.Info);
        var limited = Assert.Single(result.Findings, f => f.Rule == DatabaseRules.ProbeLoadErrors);
        Assert.Matches(@"^the probe load through api was rate-limited: \d+ of \d+ requests answered 429 \(Retry-After 1 s, honoured\); the pool was exercised at up to \d+ of 10 connections in use", limited.Message);
        Assert.Contains(result.Metrics, m => m.Name == "db_pool_open_peak" && m.Value >= 8);

        // Each worker waits the second Retry-After asks for, so a 2 s load gets at most a few 429s each, not thousands.
        var throttled = Assert.Single(result.Metrics, m => m.Name == "db_probe_requests_throttled").Value;
        Assert.InRange(throttled, 1, 6 * 3);
    }

    [Fact]
    public async Task The_pool_of_a_dependant_of_unknown_driver_that_reports_no_pool_size_is_not_determined()
    {
        // Not a .NET program, no clients.api.connection, no poolSize in its health: Npgsql's default of 100 is not its pool.
        var db = await server.CreateDatabaseAsync("pool");
        await using var service = new DbBackedService(db + ";Application Name=svc-unknown", poolSize: 10, hold: TimeSpan.Zero, connectTimeoutSeconds: 15, reportsPool: false);
        var system = System(db + ";Application Name=svc-unknown", service, "    pool: { loadDuration: 1s, loadConcurrency: 4 }");
        var result = await DatabaseTestKit.RunAsync(new PoolUtilizationCheck(system.Db()), system);

        Assert.True(result.Status == CheckStatus.Pass, DatabaseTestKit.Describe(result));
        var info = Assert.Single(result.Findings, f => f.Rule == DatabaseRules.PoolUtilization);
        Assert.Equal(Severity.Info, info.Severity);
        Assert.StartsWith("api's pool utilization is not determined: its pool size is unknown", info.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(result.Metrics, m => m.Name is "db_pool_max_effective" or "db_pool_utilization_peak");
    }

    [Fact]
    public async Task A_pool_held_by_idle_transactions_is_exhausted_and_recognized_as_the_failure_scenario()
    {
        var db = await server.CreateDatabaseAsync("pool");
        // No Application Name: its sessions are told apart by user and database.
        await using var service = new DbBackedService(db, poolSize: 2, hold: TimeSpan.FromMilliseconds(1500));
        var system = System(db, service, "    pool: { loadDuration: 2s, loadConcurrency: 6 }");
        var result = await DatabaseTestKit.RunAsync(new PoolUtilizationCheck(system.Db()), system);
        var scenario = await new FailureScenarioCheck().RunAsync(TestSystems.Context(system, new HttpClient()) with { EarlierResults = [result] }, CancellationToken.None);

        Assert.Equal(CheckStatus.Fail, result.Status);
        var utilization = Assert.Single(result.Findings, f => f.Rule == DatabaseRules.PoolUtilization);
        Assert.Contains("peaked at 100 % (2 of 2 connections open)", utilization.Message, StringComparison.Ordinal);
        Assert.Contains("reported by api's health endpoint", utilization.Evidence, StringComparison.Ordinal);
        Assert.Contains(result.Findings, f => f.Rule == DatabaseRules.IdleInTransaction);
        Assert.Contains(result.Findings, f => f.Rule == DatabaseRules.ProbeLoadErrors && f.Evidence!.Contains("HTTP 503", StringComparison.Ordinal));
        Assert.Contains(result.Findings, f => f.Rule == DatabaseRules.PoolExhausted && f.Message.StartsWith("api's pool was exhausted under the probe load: 2 of 2 connections open", StringComparison.Ordinal));
        var catastrophic = Assert.Single(scenario.Findings);
        Assert.Equal((DatabaseRules.CatastrophicFailure, Severity.Critical), (catastrophic.Rule, catastrophic.Severity));
        Assert.StartsWith("database integration catastrophic failure: pool exhaustion", catastrophic.Message, StringComparison.Ordinal);
        Assert.Contains("pool size", catastrophic.Hint, StringComparison.Ordinal);
        Assert.Contains("timeouts", catastrophic.Hint, StringComparison.Ordinal);
        Assert.Contains("indexes", catastrophic.Hint, StringComparison.Ordinal);
        Assert.Contains("migrations", catastrophic.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_evidence_the_scenario_check_passes()
    {
        var system = DatabaseTestKit.System("sqlite", "Data Source=x.db");

        var result = await new FailureScenarioCheck().RunAsync(TestSystems.Context(system, new HttpClient()), CancellationToken.None);

        Assert.Equal(CheckStatus.Pass, result.Status);
    }

    [Fact]
    public async Task A_pooled_service_recovers_after_its_connections_are_terminated_and_the_time_is_reported()
    {
        var db = await server.CreateDatabaseAsync("rec");
        await using var service = new DbBackedService(db + ";Application Name=svc-rec", poolSize: 5, hold: TimeSpan.Zero);
        var system = System(db + ";Application Name=svc-rec", service, "    faultTests: true");

        var result = await DatabaseTestKit.RunAsync(new RecoveryCheck(system.Db()), system);

        Assert.True(result.Status == CheckStatus.Pass, DatabaseTestKit.Describe(result));
        var info = Assert.Single(result.Findings);
        Assert.Contains("terminated 1 of 1 connection(s) (application_name 'svc-rec'); recovered after", info.Evidence, StringComparison.Ordinal);
        Assert.Contains(result.Metrics, m => m.Name == "db_recovery_time");
    }

    [Fact]
    public async Task A_service_that_never_replaces_a_dropped_connection_does_not_recover()
    {
        var db = await server.CreateDatabaseAsync("rec");
        await using var service = new DbBackedService(db + ";Application Name=svc-stuck", poolSize: 5, hold: TimeSpan.Zero, singleConnection: true);
        var system = System(db + ";Application Name=svc-stuck", service, "    faultTests: true\n    pool: { recovery: 1s }");

        var result = await DatabaseTestKit.RunAsync(new RecoveryCheck(system.Db()), system);

        var finding = Assert.Single(result.Findings);
        Assert.Equal((DatabaseRules.NoRecovery, Severity.High, CheckStatus.Fail), (finding.Rule, finding.Severity, result.Status));
        Assert.Contains("did not recover within 1s", finding.Message, StringComparison.Ordinal);
        Assert.Contains("HTTP 503", finding.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void Recovery_is_not_applicable_without_permission_for_fault_tests()
    {
        var system = DatabaseTestKit.System("postgres", "Host=127.0.0.1;Database=x", Probe, "http://127.0.0.1:9");

        var applies = new RecoveryCheck(system.Db()).AppliesTo(system);

        Assert.False(applies.Applies);
        Assert.Contains("faultTests: true", applies.Reason, StringComparison.Ordinal);
    }
}

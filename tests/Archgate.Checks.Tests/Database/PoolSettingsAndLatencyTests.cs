using Archgate.Checks.Database;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Database;

[Collection(PostgresServer.Collection)]
public sealed class PoolSettingsAndLatencyTests(PostgresServer server)
{
    private async Task<CheckResult> PoolAsync(string clientSettings, string extra = "")
    {
        var client = server.ConnectionString() + clientSettings;
        var system = DatabaseTestKit.System("postgres", server.ConnectionString(), $"    clients: {{ api: {{ connection: \"{client}\", instances: 2 }} }}\n{extra}", "http://127.0.0.1:9");
        return await DatabaseTestKit.RunAsync(new PoolSettingsCheck(system.Db()), system);
    }

    [Fact]
    public async Task Explicit_reasonable_pool_and_timeouts_within_the_connection_budget_pass()
    {
        var result = await PoolAsync(";Command Timeout=10;Maximum Pool Size=20;Minimum Pool Size=1");

        Assert.True(result.Status == CheckStatus.Pass, DatabaseTestKit.Describe(result));
        Assert.Contains(result.Metrics, m => m.Name == "db_pool_claimed" && m.Value == 40);
        Assert.Contains(result.Metrics, m => m.Name == "db_connection_budget" && m.Value == 80); // 80 % of max_connections 100, not the pools' sum
        Assert.Contains(result.Metrics, m => m.Name == "db_max_connections" && m.Value == 100);
    }

    [Fact]
    public async Task Pools_that_may_claim_more_than_80_percent_of_max_connections_fail()
    {
        // 2 instances x 45 = 90 of max_connections 100.
        var result = await PoolAsync(";Command Timeout=10;Maximum Pool Size=45");

        var finding = Assert.Single(result.Findings);
        Assert.Equal((DatabaseRules.ConnectionBudget, Severity.High), (finding.Rule, finding.Severity));
        Assert.Contains("api 45 x 2", finding.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_infinite_and_overlong_timeouts_are_flagged_and_the_policy_is_overridable()
    {
        var missing = await PoolAsync(";Maximum Pool Size=10");
        var infinite = await PoolAsync(";Command Timeout=0;Maximum Pool Size=10");
        var overlong = await PoolAsync(";Command Timeout=120;Maximum Pool Size=10");
        var allowed = await PoolAsync(";Command Timeout=120;Maximum Pool Size=10", "    pool: { maxCommandTimeout: 5m }");

        Assert.Equal((DatabaseRules.TimeoutMissing, Severity.Low), (Assert.Single(missing.Findings).Rule, missing.Findings[0].Severity));
        Assert.Contains("default of 30 s", missing.Findings[0].Message, StringComparison.Ordinal);
        Assert.Contains("infinite", Assert.Single(infinite.Findings).Message, StringComparison.Ordinal);
        Assert.Equal(DatabaseRules.SettingUnreasonable, Assert.Single(overlong.Findings).Rule);
        Assert.True(allowed.Status == CheckStatus.Pass, DatabaseTestKit.Describe(allowed));
    }

    [Fact]
    public async Task A_setting_of_a_dependants_connection_string_is_reported_on_that_service_with_the_database_in_the_evidence()
    {
        var result = await PoolAsync(";Command Timeout=0;Maximum Pool Size=10");

        var finding = Assert.Single(result.Findings);
        Assert.Equal(DatabaseRules.SettingUnreasonable, finding.Rule);
        Assert.Equal("api", finding.Component); // the fix is made in api's configuration, not in the database
        Assert.Equal("connection to db: Command Timeout", finding.Location);
        Assert.StartsWith("Command Timeout=0; database db; connection string from db's clients.api.connection: ", finding.Evidence, StringComparison.Ordinal);
        Assert.EndsWith(";Command Timeout=0;Maximum Pool Size=10", finding.Evidence, StringComparison.Ordinal); // the string itself, its password masked
        Assert.DoesNotContain(PostgresServer.Password, finding.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dependant_without_a_connection_of_its_own_is_named_and_the_evidence_says_it_uses_the_databases()
    {
        var file = DatabaseTestKit.SqliteFile("create table t (id integer primary key)");
        var system = DatabaseTestKit.System("sqlite", $"Data Source={file};Default Timeout=0", serviceUrl: "http://127.0.0.1:9");

        var result = await DatabaseTestKit.RunAsync(new PoolSettingsCheck(system.Db()), system);

        var finding = Assert.Single(result.Findings);
        Assert.Equal((DatabaseRules.SettingUnreasonable, "api", "connection to db: Default Timeout"), (finding.Rule, finding.Component, finding.Location));
        Assert.StartsWith("Default Timeout=0; database db; connection string from db's own connection (no clients.api.connection gives api's): Data Source=", finding.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dependant_that_reports_its_pool_and_timeouts_in_its_health_JSON_is_judged_by_them()
    {
        // A connection string without pool size or command timeout: by the driver's defaults a pool of 100 (over 80 %
        // of max_connections 100) and a silent 30 s command timeout.
        var db = await server.CreateDatabaseAsync("pool");
        await using var reporting = new DbBackedService(db, poolSize: 20, hold: TimeSpan.Zero, commandTimeoutSeconds: 10);
        await using var silent = new DbBackedService(db, poolSize: 20, hold: TimeSpan.Zero);

        var judged = await SettingsAsync(db, reporting);
        var defaults = await SettingsAsync(db, silent);

        Assert.True(judged.Status == CheckStatus.Pass, DatabaseTestKit.Describe(judged));
        Assert.Empty(judged.Findings);
        Assert.Contains(judged.Metrics, m => m.Name == "db_pool_claimed" && m.Value == 20);
        Assert.Contains(judged.Metrics, m => m.Name == "db_command_timeout" && m.Value == 10);
        // Reporting only its pool size, with no connection string of its own: the size is judged, its timeouts are unknown
        // (no driver's defaults for a service Archgate does not know the driver of).
        var missing = Assert.Single(defaults.Findings);
        Assert.Equal((DatabaseRules.TimeoutMissing, Severity.Info), (missing.Rule, missing.Severity));
        Assert.StartsWith("api's connect timeout, command timeout are unknown, so not judged:", missing.Message, StringComparison.Ordinal);
        Assert.Contains(defaults.Metrics, m => m.Name == "db_pool_claimed" && m.Value == 20);
    }

    [Fact]
    public async Task A_dependant_of_unknown_driver_that_reports_no_pool_is_left_out_of_the_budget_and_told_how_to_declare_it()
    {
        // shipping-service: node-postgres (max 5, connectionTimeoutMillis 5000) that never reads the database's Npgsql
        // string and reports no pool. By Npgsql's defaults it was a pool of 100 (AG3012 over max_connections 100) with a
        // silent 15 s connect timeout (AG3010).
        var unknown = DatabaseTestKit.System("postgres", server.ConnectionString(), serviceUrl: "http://127.0.0.1:9");
        var dotnet = DatabaseTestKit.System("postgres", server.ConnectionString(), serviceUrl: "http://127.0.0.1:9",
            serviceExtra: "    run: { command: dotnet Api.dll, workdir: ., ready: { tcp: 9 } }");

        var result = await DatabaseTestKit.RunAsync(new PoolSettingsCheck(unknown.Db()), unknown);
        var known = await DatabaseTestKit.RunAsync(new PoolSettingsCheck(dotnet.Db()), dotnet);

        Assert.True(result.Status == CheckStatus.Pass, DatabaseTestKit.Describe(result));
        var info = Assert.Single(result.Findings);
        Assert.Equal((DatabaseRules.TimeoutMissing, Severity.Info, "api"), (info.Rule, info.Severity, info.Component));
        Assert.StartsWith("api's pool size, connect timeout, command timeout are unknown, so not judged and its pool is left out of the connection budget", info.Message, StringComparison.Ordinal);
        Assert.Contains("clients.api.connection", info.Hint, StringComparison.Ordinal);
        Assert.Contains(result.Metrics, m => m.Name == "db_pool_claimed" && m.Value == 0);
        Assert.DoesNotContain(result.Metrics, m => m.Name == "db_pool_max");
        // A .NET program reads the database's string with Npgsql: its defaults apply and are judged as before.
        Assert.Contains(known.Findings, f => f.Rule == DatabaseRules.ConnectionBudget && f.Severity == Severity.High);
    }

    private static async Task<CheckResult> SettingsAsync(string db, DbBackedService service)
    {
        var system = DatabaseTestKit.System("postgres", db, serviceUrl: service.Url);
        return await DatabaseTestKit.RunAsync(new PoolSettingsCheck(system.Db()), system);
    }

    [Fact]
    public async Task Latency_reports_exact_percentiles_and_slow_statements_labelled_approximate()
    {
        var db = await server.CreateDatabaseAsync("lat", "create table products (id int primary key, sku text unique); insert into products select g, 'SKU-' || g from generate_series(1, 100) g;", statements: true);
        var system = DatabaseTestKit.System("postgres", db, """
                probes:
                  - { name: by-sku, sql: "select id from products where sku = @sku", params: { sku: SKU-7 } }
                pool: { latencySamples: 40 }
            """);

        var result = await DatabaseTestKit.RunAsync(new LatencyBaselineCheck(system.Db()), system);

        Assert.True(result.Status == CheckStatus.Pass, DatabaseTestKit.Describe(result));
        Assert.Contains(result.Metrics, m => m.Name == "db_query_count" && m.Value == 40);
        var p50 = result.Metrics.Single(m => m.Name == "db_query_duration" && m.Tags["stat"] == "p50").Value;
        var p99 = result.Metrics.Single(m => m.Name == "db_query_duration" && m.Tags["stat"] == "p99").Value;
        Assert.InRange(p50, 0.001, p99);
        var slow = Assert.Single(result.Findings, f => f.Rule == DatabaseRules.SlowStatements);
        Assert.Contains("APPROXIMATE", slow.Evidence, StringComparison.Ordinal);
        Assert.Contains("from products where sku = $1", slow.Evidence, StringComparison.Ordinal);
        Assert.Contains(result.Metrics, m => m.Name == "db_statement_p95_approximate");
    }

    [Fact]
    public async Task A_probe_slower_than_the_SLO_fails_and_one_past_the_query_timeout_is_failure_scenario_evidence()
    {
        var db = await server.CreateDatabaseAsync("lat");
        var system = DatabaseTestKit.System("postgres", db, """
                probes:
                  - { name: slow, sql: "select pg_sleep(cast(@s as float8))", params: { s: "0.03" } }
                  - { name: stuck, sql: "select pg_sleep(5)" }
                pool: { latencySamples: 3, queryTimeout: 1s }
            """, slo: "slo: { db: { p95: 20ms } }");
        var result = await DatabaseTestKit.RunAsync(new LatencyBaselineCheck(system.Db()), system);

        Assert.Equal(CheckStatus.Fail, result.Status);
        Assert.Contains(result.Findings, f => f.Rule == DatabaseRules.LatencyAboveSlo && f.Message.StartsWith("probe slow: p95 ", StringComparison.Ordinal) && f.Message.EndsWith("above the SLO of 20ms", StringComparison.Ordinal));
        Assert.Contains(result.Findings, f => f.Rule == DatabaseRules.QueryTimeout && f.Location == "probe stuck");
        Assert.Single(result.Findings, f => FailureScenarioCheck.SignalOf(f) == FailureSignal.QueryTimeout);
    }

    [Fact]
    public async Task A_probe_failing_on_a_text_parameter_says_to_cast_it_and_one_on_a_missing_table_names_migrations()
    {
        // ex13's AG3061: "operator does not exist: date < text" (params: { until: "2027-01-01" }) was told to look for pending migrations.
        var db = await server.CreateDatabaseAsync("probehint", "create table bookings (id int primary key, check_in date);");
        var system = DatabaseTestKit.System("postgres", db, """
                probes:
                  - { name: by-date, sql: "select id from bookings where check_in < @until", params: { until: "2027-01-01" } }
                  - { name: cast, sql: "select id from bookings where check_in < @until::date", params: { until: "2027-01-01" } }
                  - { name: missing, sql: "select id from rooms" }
                pool: { latencySamples: 2 }
            """);

        var result = await DatabaseTestKit.RunAsync(new LatencyBaselineCheck(system.Db()), system);

        var failed = result.Findings.Where(f => f.Rule == DatabaseRules.ProbeFailed).ToDictionary(f => f.Location!);
        Assert.Equal(["probe by-date", "probe missing"], failed.Keys.Order());
        Assert.Contains("(SqlState 42883)", failed["probe by-date"].Message, StringComparison.Ordinal);
        Assert.Contains("sent as text, so cast them in the SQL", failed["probe by-date"].Hint, StringComparison.Ordinal);
        Assert.DoesNotContain("migrations", failed["probe by-date"].Hint, StringComparison.Ordinal);
        Assert.Contains("apply pending migrations", failed["probe missing"].Hint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Latency_on_SQLite_uses_the_same_histogram()
    {
        var file = DatabaseTestKit.SqliteFile("create table t (id integer primary key, name text); insert into t (name) values ('a'), ('b');");
        var system = DatabaseTestKit.System("sqlite", $"Data Source={file}", "    probes: [ { name: one, sql: \"select name from t where id = @id\", params: { id: 2 } } ]");

        var result = await DatabaseTestKit.RunAsync(new LatencyBaselineCheck(system.Db()), system);

        Assert.True(result.Status == CheckStatus.Pass, DatabaseTestKit.Describe(result));
        Assert.Contains(result.Metrics, m => m.Name == "db_query_count" && m.Value == 50);
    }
}

using Archgate.Checks.Database;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Database;

[Collection(PostgresServer.Collection)]
public sealed class SeedAndClientCheckTests(PostgresServer server)
{
    [Fact]
    public async Task Seed_counts_below_the_expectation_or_a_missing_table_are_findings()
    {
        var db = await server.CreateDatabaseAsync("seed", "create table products (id int); insert into products select generate_series(1, 10);");
        var system = DatabaseTestKit.System("postgres", db, "    expect: { seed: { products: 10, users: 3 } }");
        var more = DatabaseTestKit.System("postgres", db, "    expect: { seed: { products: 11 } }");

        var result = await DatabaseTestKit.RunAsync(new SeedDataCheck(system.Db()), system);
        var short_ = await DatabaseTestKit.RunAsync(new SeedDataCheck(more.Db()), more);

        Assert.Equal("seed table users does not exist", Assert.Single(result.Findings).Message);
        Assert.Contains(result.Metrics, m => m.Name == "db_seed_rows" && m.Value == 10);
        Assert.Equal("table products holds 10 row(s), expected at least 11", Assert.Single(short_.Findings).Message);
    }

    [Fact]
    public async Task Seed_on_SQLite_passes_when_the_rows_are_there()
    {
        var file = DatabaseTestKit.SqliteFile("create table users (id integer primary key); insert into users values (1), (2), (3);");
        var system = DatabaseTestKit.System("sqlite", $"Data Source={file}", "    expect: { seed: { users: 3 } }");

        var result = await DatabaseTestKit.RunAsync(new SeedDataCheck(system.Db()), system);

        Assert.True(result.Status == CheckStatus.Pass, DatabaseTestKit.Describe(result));
    }

    [Fact]
    public async Task A_dependant_with_its_own_settings_reaches_the_server_and_the_version_is_recorded()
    {
        var db = await server.CreateDatabaseAsync("client");
        var system = DatabaseTestKit.System("postgres", server.ConnectionString(), $"    clients: {{ api: {{ connection: \"{db}\" }} }}", "http://127.0.0.1:9");

        var result = await DatabaseTestKit.RunAsync(new ClientConnectivityCheck(system.Db(), system.Find<Archgate.Model.ServiceComponent>("api")!), system);

        Assert.True(result.Status == CheckStatus.Pass, DatabaseTestKit.Describe(result));
        Assert.Contains(result.Metrics, m => m.Name == "db_server_version" && m.Value >= ClientConnectivityCheck.MinimumPostgresMajor);
    }

    [Fact]
    public async Task A_dependant_naming_a_database_and_role_that_do_not_exist_gets_both_findings_without_its_password()
    {
        var client = $"Host=127.0.0.1;Port={server.Port};Database=nosuch_db;Username=nosuch_role;Password=client-s3cret";
        var system = DatabaseTestKit.System("postgres", server.ConnectionString(), $"    clients: {{ api: {{ connection: \"{client}\" }} }}", "http://127.0.0.1:9");

        var result = await DatabaseTestKit.RunAsync(new ClientConnectivityCheck(system.Db(), system.Find<Archgate.Model.ServiceComponent>("api")!), system);

        Assert.Equal(CheckStatus.Fail, result.Status);
        Assert.Equal(2, result.Findings.Count(f => f.Rule == DatabaseRules.ClientTargetMissing));
        Assert.Contains(result.Findings, f => f.Message == "database 'nosuch_db' that api connects to does not exist on the server");
        Assert.Contains(result.Findings, f => f.Message == "role 'nosuch_role' that api connects as does not exist on the server");
        Assert.DoesNotContain("client-s3cret", string.Join(" ", result.Findings.Select(f => f.Location + f.Message + f.Evidence)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dependant_with_a_wrong_port_is_unreachable_and_transient()
    {
        var port = FreePort.Next();
        var client = $"Host=127.0.0.1;Port={port};Database=x;Username=y;Password=z";
        var system = DatabaseTestKit.System("postgres", server.ConnectionString(), $"    clients: {{ api: {{ connection: \"{client}\" }} }}", "http://127.0.0.1:9");

        var result = await DatabaseTestKit.RunAsync(new ClientConnectivityCheck(system.Db(), system.Find<Archgate.Model.ServiceComponent>("api")!), system);

        Assert.Equal(DatabaseRules.ClientUnreachable, Assert.Single(result.Findings).Rule);
        Assert.Equal("connection refused", result.TransientCause);
    }
}

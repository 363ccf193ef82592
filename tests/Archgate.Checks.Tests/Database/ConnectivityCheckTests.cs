using Archgate.Checks.Database;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Protocol;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Archgate.Checks.Tests.Database;

[Collection(PostgresServer.Collection)]
public sealed class ConnectivityCheckTests(PostgresServer server)
{
    private static async Task<CheckResult> RunAsync(string engine, string connection)
    {
        var system = TestSystems.Load($$"""
            version: 1
            system: { name: s }
            components:
              - { name: db, kind: database, engine: {{engine}}, connection: "{{connection}}" }
            """);
        using var http = new HttpClient();
        return await new ConnectivityCheck((Archgate.Model.DatabaseComponent)system.Components[0]).RunAsync(TestSystems.Context(system, http), CancellationToken.None);
    }

    [Fact]
    public async Task A_running_postgres_passes_with_connect_and_query_latency()
    {
        var result = await RunAsync("postgres", server.ConnectionString());

        Assert.Equal(CheckStatus.Pass, result.Status);
        Assert.Contains(result.Metrics, m => m.Name == "db_connect_time" && m.Value > 0);
        Assert.Contains(result.Metrics, m => m.Name == "db_select1_time");
    }

    [Fact]
    public async Task A_wrong_password_is_classified_as_authentication_failed_and_never_echoed()
    {
        var result = await RunAsync("postgres", server.ConnectionString(password: "wrong-pw-123"));

        var finding = Assert.Single(result.Findings);
        Assert.Equal(CheckStatus.Fail, result.Status);
        Assert.Contains("authentication failed", finding.Message, StringComparison.Ordinal);
        Assert.Null(result.TransientCause);
        Assert.DoesNotContain("wrong-pw-123", finding.Location + finding.Evidence + finding.Message, StringComparison.Ordinal);
        Assert.Contains("Password=***", finding.Location, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_database_is_classified()
    {
        var result = await RunAsync("postgres", server.ConnectionString(database: "nosuchdb"));

        Assert.Contains("unknown database", Assert.Single(result.Findings).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_closed_port_is_connection_refused_and_transient()
    {
        var port = FreePort.Next();

        var result = await RunAsync("postgres", $"Host=127.0.0.1;Port={port};Database=x;Username=y;Password=z");

        Assert.Equal("connection refused", result.TransientCause);
        Assert.Contains("connection refused", Assert.Single(result.Findings).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_existing_sqlite_file_passes_and_is_not_modified()
    {
        var file = Path.Combine(Path.GetTempPath(), $"archgate-{Guid.NewGuid():N}.db");
        using (var connection = new SqliteConnection($"Data Source={file};Pooling=False"))
        {
            connection.Open();
            using var cmd = connection.CreateCommand();
            cmd.CommandText = "create table t (id integer primary key)";
            cmd.ExecuteNonQuery();
        }

        var before = File.GetLastWriteTimeUtc(file);
        var result = await RunAsync("sqlite", $"Data Source={file}");

        Assert.Equal(CheckStatus.Pass, result.Status);
        Assert.Equal(before, File.GetLastWriteTimeUtc(file));
        File.Delete(file);
    }

    [Fact]
    public async Task A_missing_sqlite_file_is_reported_and_not_created()
    {
        var file = Path.Combine(Path.GetTempPath(), $"archgate-missing-{Guid.NewGuid():N}.db");

        var result = await RunAsync("sqlite", $"Data Source={file}");

        Assert.Contains("database file not found", Assert.Single(result.Findings).Message, StringComparison.Ordinal);
        Assert.False(File.Exists(file));
    }

    [Fact]
    public async Task A_file_that_is_not_a_database_is_classified()
    {
        var file = Path.Combine(Path.GetTempPath(), $"archgate-junk-{Guid.NewGuid():N}.db");
        await File.WriteAllTextAsync(file, new string('x', 4096));

        var result = await RunAsync("sqlite", $"Data Source={file}");

        Assert.Contains("not a database", Assert.Single(result.Findings).Message, StringComparison.Ordinal);
        File.Delete(file);
    }

    [Fact]
    public void Server_side_too_many_connections_is_transient()
    {
        var (cause, transient, _) = ConnectivityCheck.Classify(new PostgresException("too many", "FATAL", "FATAL", PostgresErrorCodes.TooManyConnections));

        Assert.True(transient);
        Assert.Contains("53300", cause, StringComparison.Ordinal);
    }
}

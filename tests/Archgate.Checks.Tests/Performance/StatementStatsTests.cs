using Archgate.Checks.Http;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Checks.Performance;
using Npgsql;

namespace Archgate.Checks.Tests.Performance;

/// <summary>The pg_stat_statements delta over the load window, on a throwaway PostgreSQL cluster.</summary>
public sealed class StatementStatsTests(PostgresServer server) : IClassFixture<PostgresServer>
{
    [Fact]
    public async Task The_statements_that_took_the_databases_time_during_the_load_are_named_slowest_first()
    {
        await ExecuteAsync(server.ConnectionString(), "CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        using var target = new TinyHttpServer(200, "[]");
        var system = System(target.Port, server.ConnectionString(), stress: "10s");
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        var check = ArchgateProtocol.ChecksFor(system).Single(c => c.Id == "load:api");

        // What the service would do to its database while it is loaded: a slow statement and many fast ones,
        // sent once the load reports progress, that is after the check took its "before" snapshot. The second stage is
        // long enough for them on a machine busy with other tests (ci71, load average 50: with 2 s, 6 of the 10 slow
        // statements landed after the load's "after" snapshot); a quiet machine needs half a second.
        var loading = new LoadStarted();
        var running = check.RunAsync(TestSystems.Context(system, http) with { Activity = loading }, CancellationToken.None);
        await loading.Started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await using (var connection = new NpgsqlConnection(server.ConnectionString()))
        {
            await connection.OpenAsync();
            for (var i = 0; i < 10; i++)
            {
                await using var slow = new NpgsqlCommand("SELECT pg_sleep(0.03)", connection);
                await slow.ExecuteNonQueryAsync();
                for (var j = 0; j < 10; j++)
                {
                    await using var fast = new NpgsqlCommand("SELECT 41 + @n", connection);
                    fast.Parameters.AddWithValue("n", j);
                    await fast.ExecuteScalarAsync();
                }
            }
        }

        var result = await running;

        var finding = Assert.Single(result.Findings, f => f.Rule == "AG8013");
        Assert.Equal("db", finding.Component);
        Assert.True(global::System.Text.RegularExpressions.Regex.IsMatch(finding.Message, @"1\. \d+% \d+ ms in 10 calls \([\d.]+ ms each\): SELECT pg_sleep\(\$1\)"), finding.Message);
        Assert.Contains("in 100 calls", finding.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("pg_stat_statements", finding.Message, StringComparison.Ordinal);
        var first = Assert.Single(result.Metrics, m => m.Name == "db_statement_time" && m.Tags["rank"] == "1");
        Assert.InRange(first.Value, 250, 5000);
    }

    [Fact]
    public void A_single_row_statement_run_many_times_per_request_is_an_N_plus_one_pattern_and_a_per_request_lookup_is_not()
    {
        var db = System(1, server.ConnectionString()).Find<Archgate.Model.DatabaseComponent>("db")!;
        // 250 list requests, each reading 20 authors one by one; every request also looks its session up once.
        IReadOnlyList<StatementStat> delta =
        [
            new(1, "SELECT name FROM authors WHERE id = $1", 5000, 900, 5000),
            new(2, "SELECT user_id FROM sessions WHERE sid = $1", 1000, 120, 1000),
            new(3, "SELECT id, title, author_id FROM books ORDER BY id LIMIT $1", 250, 80, 5000),
        ];

        var finding = Assert.Single(StatementStats.NPlusOne(db, delta, requests: 1000));

        Assert.Equal(("AG8017", Archgate.Protocol.Severity.Medium, "db"), (finding.Rule, finding.Severity, finding.Component));
        Assert.StartsWith("a single-row statement ran 5 times per request of the load (5000 calls, 5000 rows, for 1000 requests;", finding.Message, StringComparison.Ordinal);
        Assert.EndsWith("SELECT name FROM authors WHERE id = $1", finding.Message, StringComparison.Ordinal);
        Assert.Empty(StatementStats.NPlusOne(db, delta, requests: 2000)); // 2.5 per request: not many
        Assert.Empty(StatementStats.NPlusOne(db, [new(1, "SELECT 1", 150, 1, 150)], requests: 10)); // too few calls to say
    }

    [Fact]
    public void Statements_with_a_long_shared_beginning_read_apart_and_the_evidence_has_their_full_text()
    {
        // ex15: knex quotes every identifier, so the slow search and the status list shared their first 150 characters.
        var db = System(1, server.ConnectionString()).Find<Archgate.Model.DatabaseComponent>("db")!;
        const string head = "select \"i\".\"id\", \"i\".\"number\", \"i\".\"customer_id\", \"i\".\"status\", \"i\".\"currency\", \"i\".\"total\", count(*) over() as full_count from \"invoices\" as \"i\" inner join \"customers\" as \"c\" on \"c\".\"id\" = \"i\".\"customer_id\" where \"i\".\"tenant_id\" = $1";
        var search = head + " and exists (select $2 from \"invoice_lines\" as \"l\" where \"l\".\"invoice_id\" = \"i\".\"id\" and lower(\"l\".\"description\") like $3) order by \"i\".\"id\" desc limit $4";
        var list = head + " and \"i\".\"status\" = $2 order by \"i\".\"id\" desc limit $3 offset $4";
        IReadOnlyList<StatementStat> delta = [new(11, search, 72, 67110, 1440), new(12, list, 60, 11860, 1200), new(13, "SELECT 1", 5, 1, 5)];

        var (finding, _) = StatementStats.Report(db, delta);

        var parts = finding.Message.Split("; ");
        Assert.Contains("and exists (select $2 from \"invoice_lines\"", parts[0], StringComparison.Ordinal);
        Assert.Contains("lower(\"l\".\"description\") like", parts[0], StringComparison.Ordinal);
        Assert.Contains("(932 ms each): select \"i\".\"id\", ", parts[0], StringComparison.Ordinal); // its head first
        Assert.Contains("\"i\".\"status\" = $2", parts[1], StringComparison.Ordinal);
        Assert.EndsWith("SELECT 1", parts[2], StringComparison.Ordinal); // short: whole
        Assert.Contains($"1. queryid 11: {search}", finding.Evidence, StringComparison.Ordinal);
        Assert.Contains($"2. queryid 12: {list}", finding.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_the_extension_the_check_says_how_to_enable_it()
    {
        await ExecuteAsync(server.ConnectionString(), "DROP DATABASE IF EXISTS nostats; CREATE DATABASE nostats");
        using var target = new TinyHttpServer(200, "[]");
        var system = System(target.Port, server.ConnectionString("nostats"));
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);

        var result = await ArchgateProtocol.ChecksFor(system).Single(c => c.Id == "load:api").RunAsync(TestSystems.Context(system, http), CancellationToken.None);

        var finding = Assert.Single(result.Findings, f => f.Rule == "AG8014");
        Assert.Contains("extension is not created", finding.Message, StringComparison.Ordinal);
        Assert.Contains("CREATE EXTENSION pg_stat_statements", finding.Hint, StringComparison.Ordinal);
        Assert.DoesNotContain(PostgresServer.Password, finding.Message, StringComparison.Ordinal);
    }

    private static Model.SystemModel System(int port, string connection, string stress = "2s") => TestSystems.Load($$"""
        version: 1
        system: { name: pg }
        components:
          - { name: db, kind: database, engine: postgres, connection: "{{connection}}" }
          - { name: api, kind: service, url: "http://127.0.0.1:{{port}}", dependsOn: [db] }
        load:
          thinkTime: 50ms
          warmup: 0s
          requests: [GET /items]
          stages: [ { users: 2, duration: 2s }, { users: 3, duration: {{stress}} } ]
        """);

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        foreach (var statement in sql.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            await using var cmd = new NpgsqlCommand(statement, connection);
            await cmd.ExecuteNonQueryAsync();
        }
    }

    private sealed class LoadStarted : IProgress<string>
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Report(string value)
        {
            if (!value.StartsWith("load setup", StringComparison.Ordinal))
            {
                Started.TrySetResult();
            }
        }
    }
}

using System.Text.Json;
using Archgate.Checks.Tests.Fixtures;

namespace Archgate.EndToEnd.Tests.Cli;

/// <summary>
/// The shop on a fresh database of a stock PostgreSQL cluster (real processes): 'archgate run --up' passes every step
/// whose checks touch the database (1-4, 8 and 9) in one launch, and each fault switch that plants a database defect
/// turns step 3's verdict into NO-GO with its finding.
/// </summary>
[Collection(ShopServicesCollection.Name)]
public sealed class ShopDatabaseTests(PostgresServer server) : CliTestBase
{
    private async Task<(ProcessResult Result, JsonDocument Run)> RunStepsAsync(string faults, string steps = "3")
    {
        var manifest = ShopManifest.Write(Folder);
        Environment["SHOP_DB"] = await PlainConnectionStringAsync();
        Environment["SHOP_FAULTS"] = faults;
        var result = await ArchgateProcess.RunAsync(Folder, Environment, "run", manifest, "--up", "--steps", steps);
        var runId = RunIdFrom(result.Stdout);
        var run = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Folder, ".archgate", "runs", runId, "run.json")));
        return (result, run);
    }

    /// <summary>
    /// A fresh database and the connection string the shop's README gives a user: host, port, user, password and
    /// database, no pool or timeout options (the fixture's own connect timeout is left out).
    /// </summary>
    private async Task<string> PlainConnectionStringAsync()
    {
        var db = new Npgsql.NpgsqlConnectionStringBuilder(await server.CreateDatabaseAsync("shop", statements: true));
        return $"Host={db.Host};Port={db.Port};Username={db.Username};Password={db.Password};Database={db.Database}";
    }

    private static JsonElement Step(JsonDocument run, int number = 3) =>
        run.RootElement.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("number").GetInt32() == number);

    private static IEnumerable<JsonElement> Findings(JsonDocument run, int step = 3) =>
        Step(run, step).GetProperty("checks").EnumerateArray()
            .SelectMany(c => c.TryGetProperty("findings", out var f) ? f.EnumerateArray() : Enumerable.Empty<JsonElement>());

    private static string Text(JsonElement finding, string property) =>
        finding.TryGetProperty(property, out var value) ? value.GetString() ?? string.Empty : string.Empty;

    /// <summary>
    /// One launch of the clean shop on PostgreSQL for every step whose checks touch the database: the api's database
    /// and the payments instances' shared store (SHOP_DB and SHOP_PAYMENTS_DB) are one fresh database, given as the
    /// shop's README gives it, and the issuer's key is in the manifest (<c>security.signingKey</c>, the shop's
    /// SHOP_JWT_SIGNING_KEY) so that step 9 mints an expired token with it.
    /// </summary>
    [Fact]
    public async Task The_clean_shop_on_a_stock_PostgreSQL_passes_steps_1_to_4_8_and_9_with_one_payments_store_and_pays_the_orders_placed_under_load()
    {
        // Stock: the cluster keeps PostgreSQL's default max_connections.
        Assert.Equal("100", await server.ScalarAsync("show max_connections"));
        var manifest = ShopManifest.Write(Folder);
        var text = System.Text.RegularExpressions.Regex.Replace(await File.ReadAllTextAsync(manifest), "(?m)^security:.*$",
            "security:\n  signingKey: { secret: \"${SHOP_JWT_SIGNING_KEY}\" }");
        Assert.Contains("signingKey", text, StringComparison.Ordinal); // the sample changed: mend this test
        await File.WriteAllTextAsync(manifest, text);
        var key = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var plain = await PlainConnectionStringAsync();
        Environment["SHOP_DB"] = plain;
        // Payments' own pool of 5 per instance, which its health reports (at Npgsql's default of 100 the two instances
        // could open 200 connections, and step 3 fails that: AG3012).
        Environment["SHOP_PAYMENTS_DB"] = plain;
        Environment["SHOP_FAULTS"] = "";
        Environment["SHOP_JWT_SIGNING_KEY"] = key;

        var result = await ArchgateProcess.RunAsync(Folder, Environment, "run", manifest, "--up", "--steps", "1-4,8,9");

        var runFolder = Path.Combine(Folder, ".archgate", "runs", RunIdFrom(result.Stdout));
        using var run = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(runFolder, "run.json")));
        var steps = run.RootElement.GetProperty("steps").EnumerateArray().Where(s => s.GetProperty("number").GetInt32() is >= 1 and <= 4 or 8 or 9).ToList();
        Assert.Equal([1, 2, 3, 4, 8, 9], steps.Select(s => s.GetProperty("number").GetInt32()));
        // Step 1 warns (AG1011: payments has no API contract of its own) and step 9 may warn (low findings), which fails
        // nothing; the rest pass.
        Assert.All(steps, s => Assert.True(s.GetProperty("status").GetString() is "pass" || (s.GetProperty("number").GetInt32() is 1 or 9 && s.GetProperty("status").GetString() == "warn"), result.All + s));
        Assert.Equal("INCOMPLETE", run.RootElement.GetProperty("verdict").GetString());
        Assert.True(result.ExitCode == 5, result.All); // steps 5-7 and 10 did not run: INCOMPLETE, never GO

        // Step 3 with the README's plain connection string: no pool finding, the pool's budget, the pool under load and
        // the api's recovery were evaluated.
        var step3 = Step(run);
        Assert.DoesNotContain(Findings(run), f => Text(f, "rule") is "AG3010" or "AG3011" or "AG3012");
        var pool = step3.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("id").GetString() == "database.pool:db");
        Assert.Contains(pool.GetProperty("metrics").EnumerateArray(), m => m.GetProperty("name").GetString() == "db_pool_claimed" && m.GetProperty("value").GetDouble() == 20);
        var ids = step3.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("id").GetString()).ToList();
        Assert.Contains("database.pool-load:db", ids);
        Assert.Contains("database.recovery:db", ids);
        Assert.Contains(Findings(run), f => Text(f, "rule") == "AG3025" && Text(f, "message").StartsWith("api recovered", StringComparison.Ordinal));

        // Step 4: the breaker on api → payments and the api's reads balanced over payments and payments-2.
        Assert.Contains(Findings(run, 4), f => Text(f, "rule") == "AG4014");
        Assert.Contains(Findings(run, 4), f => Text(f, "rule") == "AG4088");

        // Step 9: no finding of medium or above. The shop's JwtBearer validation (issuer, audience, 30 s clock skew)
        // refused a token of its own key whose exp was an hour past; BOLA ran on objects created in PostgreSQL, and the
        // SQL injection probes (PostgreSQL's pg_sleep among them) found nothing.
        var security = Findings(run, 9).ToList();
        var serious = security.Where(f => Text(f, "severity") is "medium" or "high" or "critical").ToList();
        Assert.True(serious.Count == 0, string.Join("\n", serious.Select(f => f.ToString())));
        var ids9 = Step(run, 9).GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("id").GetString()).ToList();
        Assert.Contains("security.authn:api", ids9);
        Assert.Contains("security.authz:api", ids9);
        Assert.Contains("security.injection:api", ids9);
        Assert.Contains("security.cors:api", ids9);
        Assert.Equal("pass", run.RootElement.GetProperty("criteria").EnumerateArray().Single(c => c.GetProperty("id").GetString() == "security").GetProperty("status").GetString());
        var authn = Assert.Single(security, f => Text(f, "rule") == "AG9004" && Text(f, "component") == "api");
        Assert.Matches(@"an expired token \(minted with security\.signingKey, exp 60 min past\) was refused by GET \S+ with 401", Text(authn, "message"));
        Assert.Contains(security, f => Text(f, "rule") == "AG9013" && Text(f, "message").Contains("object level: 1 objects created as ann", StringComparison.Ordinal));
        Assert.DoesNotContain(security, f => Text(f, "rule") == "AG9020");
        Assert.Contains(security, f => Text(f, "rule") == "AG9029" && Text(f, "message").Contains("SQL injection", StringComparison.Ordinal));
        using (var sarif = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(runFolder, "security.sarif"))))
        {
            Assert.DoesNotContain(sarif.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray(), r => r.GetProperty("level").GetString() == "error");
        }

        // The signing key is a declared secret: in no report, no console line.
        Assert.DoesNotContain(key, result.All, StringComparison.Ordinal);
        foreach (var file in Directory.EnumerateFiles(runFolder, "*", SearchOption.AllDirectories))
        {
            Assert.DoesNotContain(key, await File.ReadAllTextAsync(file), StringComparison.Ordinal);
        }

        await using var db = new Npgsql.NpgsqlConnection(plain);
        await db.OpenAsync();
        // Orders placed under load were paid.
        await using (var paid = new Npgsql.NpgsqlCommand("select count(*) from orders o join payment_outbox p on p.order_id = o.id where o.status = 'paid' and p.sent_at is not null", db))
        {
            Assert.True((long)(await paid.ExecuteScalarAsync())! > 0, "no order placed under load was paid");
        }

        // Both payments instances wrote the one store: the first, and the second while the first failed at its proxy
        // during the breaker check; one payment per order, whichever instance took it.
        await using var command = new Npgsql.NpgsqlCommand("select count(*), count(distinct submitter), count(distinct order_id) from payments", db);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        var (payments, submitters, orders) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
        Assert.True(payments >= 40, $"{payments} payment(s)"); // the balancing check alone places 40 orders
        Assert.Equal(payments, orders);
        Assert.Equal(2, submitters);
    }

    [Fact]
    public async Task Default_pool_and_a_missing_fk_index_are_each_found_in_one_NO_GO_run()
    {
        // Two defects that do not touch each other: the api's pool size (the server's connection budget) and an index
        // that the migration leaves out (the schema).
        var (result, run) = await RunStepsAsync("default-pool,missing-fk-index");
        using (run)
        {
            var finding = Assert.Single(Findings(run), f => Text(f, "rule") == "AG3012");
            Assert.Equal("high", Text(finding, "severity"));
            Assert.StartsWith("the pools of db's dependants may open 100 connections, more than 80 % of the server's max_connections 100", Text(finding, "message"), StringComparison.Ordinal);
            Assert.Contains("api 100 x 1 (pool size reported by api's health endpoint)", Text(finding, "evidence"), StringComparison.Ordinal);
            var index = Assert.Single(Findings(run), f => Text(f, "rule") == "AG3040");
            Assert.Equal("orders (orders_user_id_fkey)", Text(index, "location"));
            Assert.Contains("foreign key orders_user_id_fkey on orders (user_id)", Text(index, "message"), StringComparison.Ordinal);
            Assert.StartsWith("CREATE INDEX CONCURRENTLY ix_orders_user_id ON orders (user_id);", Text(index, "hint"), StringComparison.Ordinal);
            Assert.Equal("NO-GO", run.RootElement.GetProperty("verdict").GetString());
            Assert.True(result.ExitCode == 4, result.All);
        }
    }

    [Fact]
    public async Task Pool_exhaustion_is_a_utilization_finding_the_failure_scenario_an_escalation_and_NO_GO()
    {
        var (result, run) = await RunStepsAsync("pool-exhaustion");
        using (run)
        {
            var findings = Findings(run).ToList();
            var utilization = Assert.Single(findings, f => Text(f, "rule") == "AG3020");
            Assert.Contains("api's connection pool peaked at 100 % (2 of 2 connections open)", Text(utilization, "message"), StringComparison.Ordinal);
            Assert.Contains(findings, f => Text(f, "rule") == "AG3022" && Text(f, "evidence").Contains("HTTP 503", StringComparison.Ordinal));
            var scenario = Assert.Single(findings, f => Text(f, "rule") == "AG3090");
            Assert.Equal("critical", Text(scenario, "severity"));
            Assert.StartsWith("database integration catastrophic failure: pool exhaustion", Text(scenario, "message"), StringComparison.Ordinal);
            Assert.Contains(run.RootElement.GetProperty("escalations").EnumerateArray(), e => e.GetProperty("trigger").GetString() == "database-integration-crisis");
            Assert.Equal("NO-GO", run.RootElement.GetProperty("verdict").GetString());
            Assert.True(result.ExitCode == 4, result.All);
        }
    }
}

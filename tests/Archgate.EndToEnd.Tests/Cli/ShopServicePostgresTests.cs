using System.Text.Json;
using Archgate.Checks.Tests.Fixtures;

namespace Archgate.EndToEnd.Tests.Cli;

/// <summary>
/// Step 4 end to end on the shop backed by PostgreSQL: the api's database and the payments instances' shared store
/// (SHOP_DB and SHOP_PAYMENTS_DB) are one fresh database of a throwaway cluster. The clean shop passes step 4 there too:
/// its breaker on api → payments, and the api's reads balanced over payments and payments-2; the payments written
/// during the breaker check, when the first instance failed and the second took them, are in the one table.
/// </summary>
[Collection(ShopServicesCollection.Name)]
public sealed class ShopServicePostgresTests(PostgresServer server) : CliTestBase
{
    [Fact]
    public async Task The_clean_shop_on_PostgreSQL_passes_step_4_with_both_payments_instances_writing_one_store()
    {
        var (manifest, _) = ShopManifestOnFreePorts();
        var db = new Npgsql.NpgsqlConnectionStringBuilder(await server.CreateDatabaseAsync("shop"));
        var plain = $"Host={db.Host};Port={db.Port};Username={db.Username};Password={db.Password};Database={db.Database}";
        Environment["SHOP_DB"] = plain;
        Environment["SHOP_PAYMENTS_DB"] = plain;
        Environment["SHOP_FAULTS"] = "";

        var result = await ArchgateProcess.RunAsync(Folder, Environment, "run", manifest, "--up", "--steps", "4");

        using var run = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Folder, ".archgate", "runs", RunIdFrom(result.Stdout), "run.json")));
        var step = run.RootElement.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("number").GetInt32() == 4);
        var findings = step.GetProperty("checks").EnumerateArray()
            .SelectMany(c => c.TryGetProperty("findings", out var f) ? f.EnumerateArray() : Enumerable.Empty<JsonElement>()).ToList();
        string Rule(JsonElement e) => e.TryGetProperty("rule", out var v) ? v.GetString() ?? "" : "";
        Assert.True(step.GetProperty("status").GetString() == "pass", result.All + step);
        Assert.Contains(findings, f => Rule(f) == "AG4014");
        Assert.Contains(findings, f => Rule(f) == "AG4088");

        await using var connection = new Npgsql.NpgsqlConnection(plain);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("select count(*), count(distinct submitter), count(distinct order_id) from payments", connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        var (payments, submitters, orders) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
        Assert.True(payments >= 40, $"{payments} payment(s)"); // the balancing check alone places 40 orders
        Assert.Equal(payments, orders); // one payment per order, whichever instance took it
        Assert.Equal(2, submitters); // the first instance, and the second while the first failed at its proxy
    }
}

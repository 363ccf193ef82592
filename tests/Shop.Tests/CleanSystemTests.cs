using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Shop.Tests.Infrastructure;

namespace Shop.Tests;

/// <summary>Without switches the defects the fault tests plant are absent.</summary>
[Collection(CleanShopCollection.Name)]
public sealed class CleanSystemTests(CleanShopFixture shop)
{
    [Fact]
    public async Task Readiness_is_healthy_with_the_latest_migration_a_normal_pool_and_a_closed_breaker()
    {
        using var client = ShopClient.For(shop.Api.Url);
        var ready = (await client.GetFromJsonAsync<JsonObject>("/health/ready"))!;
        var payments = (await ShopClient.For(shop.Payments.Url).GetFromJsonAsync<JsonObject>("/health/ready"))!;

        Assert.Equal("Healthy", ready["status"]!.GetValue<string>());
        Assert.Equal("0005_payment_outbox.sql", ready["checks"]!["db"]!["data"]!["migration"]!.GetValue<string>());
        Assert.Equal(32, ready["checks"]!["db"]!["data"]!["poolSize"]!.GetValue<int>());
        Assert.Equal("closed", ready["checks"]!["payments"]!["data"]!["circuit"]!.GetValue<string>());
        Assert.Equal("environment", payments["checks"]!["gateway"]!["data"]!["keySource"]!.GetValue<string>());
        Assert.False(File.Exists(Path.Combine(ShopPaths.ShopRoot, "bin", "Shop.Payments", "appsettings.Secrets.json")));
    }

    [Fact]
    public void Every_foreign_key_column_leads_an_index()
    {
        using var connection = new SqliteConnection($"Data Source={shop.DbPath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        var tables = Query(connection, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
        var missing = new List<string>();
        foreach (var table in tables)
        {
            var leading = Query(connection, $"SELECT name FROM pragma_index_list('{table}')")
                .Select(index => Query(connection, $"SELECT name FROM pragma_index_info('{index}') WHERE seqno = 0").FirstOrDefault())
                .ToHashSet();
            missing.AddRange(Query(connection, $"SELECT \"from\" FROM pragma_foreign_key_list('{table}')")
                .Where(column => !leading.Contains(column))
                .Select(column => $"{table}.{column}"));
        }

        Assert.Contains("orders", tables);
        Assert.Empty(missing);
    }

    [Fact]
    public async Task Listing_orders_is_fast()
    {
        using var ann = await ShopClient.SignedInAsync(shop.Api.Url, "ann");
        var best = long.MaxValue;
        for (var i = 0; i < 5; i++)
        {
            var watch = Stopwatch.StartNew();
            (await ann.GetAsync("/orders")).Dispose();
            best = Math.Min(best, watch.ElapsedMilliseconds);
        }

        // The slow-orders switch makes every listing take 350 ms or more; the clean one is far below.
        Assert.True(best < 300, $"best of 5 took {best} ms");
    }

    private static List<string> Query(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }
}

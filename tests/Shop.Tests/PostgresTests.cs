using Archgate.Checks.Tests.Fixtures;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Shop.Tests.Infrastructure;

namespace Shop.Tests;

[Collection(ProvidersCollection.Name)]
public sealed class PostgresTests(ProvidersFixture providers)
{
    [Fact]
    public async Task On_PostgreSQL_the_api_migrates_signs_in_and_takes_an_order_and_payments_reports_the_pool_it_keeps()
    {
        await using var cluster = await PostgresServer.StartAsync();
        // A payments of its own, keeping its payments in the same database as the api (the README's plain string): the
        // shared one knows other tests' order 1 with another amount, and refuses a payment for the same order with a
        // different amount (422).
        await using var payments = await ShopStack.PaymentsAsync(providers.ThirdParty.Url, store: cluster.PlainConnectionString);
        await using var api = await ApiInstance.StartAsync(_ => new ApiOptions
        {
            Db = cluster.PlainConnectionString,
            PaymentsUrl = payments.Url,
            EmailUrl = providers.ThirdParty.Url,
        });
        using var anonymous = ShopClient.For(api.Url);

        var ready = (await anonymous.GetFromJsonAsync<JsonObject>("/health/ready"))!;
        Assert.Equal("postgres", ready["checks"]!["db"]!["data"]!["engine"]!.GetValue<string>());
        Assert.Equal("0005_payment_outbox.sql", ready["checks"]!["db"]!["data"]!["migration"]!.GetValue<string>());
        Assert.Equal(10, (await anonymous.GetFromJsonAsync<JsonObject>("/products"))!["count"]!.GetValue<int>());
        // Payments' defaults for the keys the plain string leaves out, in its health JSON (step 3 judges these, not
        // Npgsql's pool of 100 per instance).
        using (var paymentsClient = ShopClient.For(payments.Url))
        {
            var store = (await paymentsClient.GetFromJsonAsync<JsonObject>("/health/ready"))!["checks"]!["store"]!["data"]!;
            Assert.Equal(("postgres", 5, 5, 10), (store["engine"]!.GetValue<string>(), store["poolSize"]!.GetValue<int>(),
                store["connectTimeoutSeconds"]!.GetValue<int>(), store["commandTimeoutSeconds"]!.GetValue<int>()));
        }

        using var ann = await ShopClient.SignedInAsync(api.Url, "ann");
        var (created, order) = await ann.PlaceOrderAsync(productId: 2, quantity: 3);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("payment_pending", order["status"]!.GetValue<string>());
        Assert.Equal(73.5m, order["total"]!.GetValue<decimal>());

        var id = order["id"]!.GetValue<long>();
        Assert.True(await ShopClient.EventuallyAsync(async () =>
            (await ann.GetFromJsonAsync<JsonObject>($"/orders/{id}"))!["status"]!.GetValue<string>() == "paid",
            TimeSpan.FromSeconds(10)), "the order never became paid");
        using var ben = await ShopClient.SignedInAsync(api.Url, "ben");
        using var foreign = await ben.GetAsync($"/orders/{id}");
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
    }
}

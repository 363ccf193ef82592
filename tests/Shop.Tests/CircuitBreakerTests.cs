using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Shop.Tests.Infrastructure;

namespace Shop.Tests;

[Collection(ProvidersCollection.Name)]
public sealed class CircuitBreakerTests(ProvidersFixture providers)
{
    [Fact]
    public async Task With_payments_down_the_breaker_opens_orders_fall_back_and_recover_when_payments_returns()
    {
        var paymentsPort = FreePort.Next();
        var paymentsUrl = new Uri($"http://127.0.0.1:{paymentsPort}");
        await using var api = await providers.StartApiAsync(paymentsUrl: paymentsUrl);
        using var ann = await ShopClient.SignedInAsync(api.Url, "ann");

        // Orders are accepted while payments is away; the payment worker's failed submissions open the breaker.
        var placed = new List<long>();
        for (var i = 0; i < 2; i++)
        {
            var (response, order) = await ann.PlaceOrderAsync();
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            Assert.Equal("payment_pending", order["status"]!.GetValue<string>());
            placed.Add(order["id"]!.GetValue<long>());
        }

        Assert.True(await ShopClient.EventuallyAsync(async () => await CircuitAsync(ann) == "open", TimeSpan.FromSeconds(20)), "the breaker never opened");
        Assert.Equal("payment_pending", (await ann.GetFromJsonAsync<JsonObject>($"/orders/{placed[0]}"))!["status"]!.GetValue<string>());

        // Payments comes back: the breaker half-opens after its break, the worker drains the queue.
        await using var payments = await ShopStack.PaymentsAsync(providers.ThirdParty.Url, port: paymentsPort);
        Assert.True(await ShopClient.EventuallyAsync(async () =>
        {
            var order = (await ann.GetFromJsonAsync<JsonObject>($"/orders/{placed[0]}"))!;
            return order["status"]!.GetValue<string>() == "paid";
        }, TimeSpan.FromSeconds(20)), "the queued order was never paid");
        Assert.Equal("closed", await CircuitAsync(ann));
    }

    private static async Task<string> CircuitAsync(HttpClient client)
    {
        var ready = (await client.GetFromJsonAsync<JsonObject>("/health/ready"))!;
        return ready["checks"]!["payments"]!["data"]!["circuit"]!.GetValue<string>();
    }
}

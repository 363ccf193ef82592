using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Shop.Tests.Infrastructure;

namespace Shop.Tests;

/// <summary>
/// Two payments instances sharing one store (SHOP_PAYMENTS_DB), the api with a client per instance: a payment one
/// instance created is known to the other, the api's readiness names each instance, and with one instance stopped
/// the other takes every order's payment.
/// </summary>
public sealed class PaymentInstancesTests
{
    [Fact]
    public async Task Two_instances_share_their_payments_and_one_serves_alone_when_the_other_stops()
    {
        using var folder = new TempFolder();
        var store = folder.SqliteConnection("payments.db");
        await using var gateway = await ShopStack.ThirdPartyAsync();
        await using var first = await ShopStack.PaymentsAsync(gateway.Url, store: store, configDirectory: Path.Combine(folder.Path, "p1"));
        await using var second = await ShopStack.PaymentsAsync(gateway.Url, store: store, configDirectory: Path.Combine(folder.Path, "p2"));
        await using var api = await ShopStack.ApiAsync(new ApiOptions
        {
            Db = folder.SqliteConnection(), PaymentsUrl = first.Url, MorePayments = [second.Url], EmailUrl = gateway.Url,
        });
        using var ann = await ShopClient.SignedInAsync(api.Url, "ann");

        // Both up: orders are paid, and the payment the first instance created is read back from the second.
        var paid = await PlaceAndAwaitPaidAsync(ann, api);
        using (var direct = ShopClient.For(second.Url))
        {
            var payment = await direct.GetFromJsonAsync<JsonObject>($"/payments/{paid["paymentId"]!.GetValue<string>()}");
            Assert.Equal(paid["id"]!.GetValue<long>(), payment!["orderId"]!.GetValue<long>());
            Assert.Equal("succeeded", payment["status"]!.GetValue<string>());
        }

        var ready = await ReadinessAsync(api);
        Assert.Equal("Healthy", ready["payments"]!["status"]!.GetValue<string>());
        Assert.Equal("Healthy", ready["payments-2"]!["status"]!.GetValue<string>());
        Assert.Equal(second.Url.ToString(), ready["payments-2"]!["data"]!["url"]!.GetValue<string>());

        // The first instance stops: the api's readiness names it, and the second takes the new orders' payments.
        await first.DisposeAsync();
        var alone = await PlaceAndAwaitPaidAsync(ann, api);
        Assert.NotEqual(paid["paymentId"]!.GetValue<string>(), alone["paymentId"]!.GetValue<string>());
        ready = await ReadinessAsync(api);
        Assert.Equal("Degraded", ready["payments"]!["status"]!.GetValue<string>());
        Assert.Equal("Healthy", ready["payments-2"]!["status"]!.GetValue<string>());
        Assert.Contains("Payments instance payments unavailable", api.Output, StringComparison.Ordinal);
    }

    private static async Task<JsonObject> PlaceAndAwaitPaidAsync(HttpClient ann, ShopProcess api)
    {
        var (response, placed) = await ann.PlaceOrderAsync();
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        var id = placed["id"]!.GetValue<long>();
        JsonObject order = placed;
        Assert.True(await ShopClient.EventuallyAsync(async () =>
        {
            order = (await ann.GetFromJsonAsync<JsonObject>($"/orders/{id}"))!;
            return order["status"]!.GetValue<string>() == "paid";
        }, TimeSpan.FromSeconds(60)), $"order {id} was not paid:\n{api.Output}");
        return order;
    }

    private static async Task<JsonObject> ReadinessAsync(ShopProcess api)
    {
        using var client = ShopClient.For(api.Url);
        using var response = await client.GetAsync("/health/ready");
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        return (body["checks"] ?? body["entries"])!.AsObject();
    }
}

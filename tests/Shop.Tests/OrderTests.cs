using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Shop.Tests.Infrastructure;

namespace Shop.Tests;

[Collection(CleanShopCollection.Name)]
public sealed class OrderTests(CleanShopFixture shop)
{
    [Fact]
    public async Task An_order_is_paid_through_payments_and_the_gateway_webhook()
    {
        using var ann = await ShopClient.SignedInAsync(shop.Api.Url, "ann");
        var (created, order) = await ann.PlaceOrderAsync(productId: 3, quantity: 2);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("awaiting_payment", order["status"]!.GetValue<string>());
        Assert.Equal(36.0m, order["total"]!.GetValue<decimal>());

        var id = order["id"]!.GetValue<long>();
        Assert.True(await ShopClient.EventuallyAsync(async () =>
            (await ann.GetFromJsonAsync<JsonObject>($"/orders/{id}"))!["status"]!.GetValue<string>() == "paid",
            TimeSpan.FromSeconds(10)), "the order never became paid");
    }

    [Fact]
    public async Task A_stale_ETag_is_412_and_the_current_one_works()
    {
        using var ann = await ShopClient.SignedInAsync(shop.Api.Url, "ann");
        var (_, order) = await ann.PlaceOrderAsync();
        var id = order["id"]!.GetValue<long>();

        using var read = await ann.GetAsync($"/orders/{id}");
        var etag = read.Headers.ETag!.Tag;

        using var first = new HttpRequestMessage(HttpMethod.Put, $"/orders/{id}") { Content = JsonContent.Create(new { shippingAddress = "2 New Road", note = "first" }) };
        first.Headers.TryAddWithoutValidation("If-Match", etag);
        using var firstResponse = await ann.SendAsync(first);
        // The worker may have moved the order (payment) since the read: then 412 is the right answer too.
        if (firstResponse.StatusCode == HttpStatusCode.PreconditionFailed)
        {
            etag = firstResponse.Headers.ETag!.Tag;
            using var again = new HttpRequestMessage(HttpMethod.Put, $"/orders/{id}") { Content = JsonContent.Create(new { shippingAddress = "2 New Road", note = "first" }) };
            again.Headers.TryAddWithoutValidation("If-Match", etag);
            using var againResponse = await ann.SendAsync(again);
            Assert.Equal(HttpStatusCode.OK, againResponse.StatusCode);
        }
        else
        {
            Assert.Equal(HttpStatusCode.OK, firstResponse.StatusCode);
        }

        using var stale = new HttpRequestMessage(HttpMethod.Put, $"/orders/{id}") { Content = JsonContent.Create(new { shippingAddress = "3 Old Lane" }) };
        stale.Headers.TryAddWithoutValidation("If-Match", etag); // the version before our own update
        using var staleResponse = await ann.SendAsync(stale);
        Assert.Equal(HttpStatusCode.PreconditionFailed, staleResponse.StatusCode);
        Assert.Equal("application/problem+json", staleResponse.Content.Headers.ContentType?.MediaType);

        var current = (await ann.GetFromJsonAsync<JsonObject>($"/orders/{id}"))!;
        Assert.Equal("2 New Road", current["shippingAddress"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_write_without_If_Match_is_428()
    {
        using var ann = await ShopClient.SignedInAsync(shop.Api.Url, "ann");
        var (_, order) = await ann.PlaceOrderAsync();

        using var response = await ann.PatchAsJsonAsync($"/orders/{order["id"]}", new { status = "cancelled" });

        Assert.Equal((HttpStatusCode)428, response.StatusCode);
    }

    [Fact]
    public async Task A_customer_cannot_read_another_customers_order()
    {
        using var ann = await ShopClient.SignedInAsync(shop.Api.Url, "ann");
        using var ben = await ShopClient.SignedInAsync(shop.Api.Url, "ben");
        var (_, order) = await ann.PlaceOrderAsync();

        using var response = await ben.GetAsync($"/orders/{order["id"]}");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);

        var bens = (await ben.GetFromJsonAsync<JsonObject>("/orders"))!["items"]!.AsArray();
        Assert.DoesNotContain(bens, o => o!["id"]!.GetValue<long>() == order["id"]!.GetValue<long>());
    }

    [Fact]
    public async Task An_admin_sees_every_order()
    {
        using var ann = await ShopClient.SignedInAsync(shop.Api.Url, "ann");
        using var ada = await ShopClient.SignedInAsync(shop.Api.Url, "ada");
        var (_, order) = await ann.PlaceOrderAsync();

        var all = (await ada.GetFromJsonAsync<JsonObject>("/admin/orders?limit=100"))!["items"]!.AsArray();

        Assert.Contains(all, o => o!["id"]!.GetValue<long>() == order["id"]!.GetValue<long>());
    }

    [Fact]
    public async Task Checking_out_the_cart_orders_its_items_and_empties_it()
    {
        using var ben = await ShopClient.SignedInAsync(shop.Api.Url, "ben");
        (await ben.PutAsJsonAsync("/cart/items/4", new { quantity = 3 })).EnsureSuccessStatusCode();

        using var created = await ben.PostAsJsonAsync("/orders", new { shippingAddress = "5 Cart Way" });
        var order = await created.JsonAsync();

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(3, order["items"]![0]!["quantity"]!.GetValue<int>());
        Assert.Empty((await ben.GetFromJsonAsync<JsonObject>("/cart"))!["items"]!.AsArray());
    }
}

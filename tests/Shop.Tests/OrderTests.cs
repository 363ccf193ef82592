using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Shop.Tests.Infrastructure;

namespace Shop.Tests;

[Collection(CleanShopCollection.Name)]
public sealed class OrderTests(CleanShopFixture shop)
{
    [Fact]
    public async Task An_order_is_accepted_as_payment_pending_with_its_outbox_row_and_the_worker_takes_it_to_paid()
    {
        using var ann = await ShopClient.SignedInAsync(shop.Api.Url, "ann");
        var (created, order) = await ann.PlaceOrderAsync(productId: 3, quantity: 2);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("payment_pending", order["status"]!.GetValue<string>());
        Assert.Equal(36.0m, order["total"]!.GetValue<decimal>());
        var id = order["id"]!.GetValue<long>();
        Assert.Equal($"/orders/{id}", created.Headers.Location?.ToString());

        // Written with the order: one outbox row whose idempotency key payments sees.
        var (key, _) = Assert.Single(OutboxRows(id));
        Assert.Equal($"order-{id}", key);

        // Prefer: wait holds the answer until the payment settles (here: paid, a few hundred ms later).
        using var follow = new HttpRequestMessage(HttpMethod.Get, $"/orders/{id}");
        follow.Headers.TryAddWithoutValidation("Prefer", "wait=10");
        using var followed = await ann.SendAsync(follow);
        var paid = await followed.JsonAsync();
        Assert.Equal("paid", paid["status"]!.GetValue<string>());
        Assert.StartsWith("pay_", paid["paymentId"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(Assert.Single(OutboxRows(id)).Sent, "the outbox row was not marked sent");

        // The confirmation mail follows the payment.
        using var mailbox = ShopClient.For(shop.ThirdParty.Url);
        mailbox.DefaultRequestHeaders.Add("X-Api-Key", TestKeys.EmailApiKey);
        Assert.True(await ShopClient.EventuallyAsync(async () =>
            (await mailbox.GetStringAsync("/email/v1/messages")).Contains($"Order {id} is paid", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10)), "no confirmation mail");

        // Sent in SendGrid's shape (the api's default), with its sender.
        var mails = (await mailbox.GetFromJsonAsync<JsonArray>("/email/v1/messages"))!;
        var mail = mails.Single(m => m!["subject"]!.GetValue<string>() == $"Order {id} is paid")!;
        Assert.Equal("sendgrid", mail["api"]!.GetValue<string>());
        Assert.Equal("orders@shop.example.test", mail["from"]!.GetValue<string>());
    }

    [Fact]
    public async Task Prefer_wait_returns_the_settled_order_and_other_preferences_are_ignored()
    {
        using var ann = await ShopClient.SignedInAsync(shop.Api.Url, "ann");
        var (_, order) = await ann.PlaceOrderAsync();
        var id = order["id"]!.GetValue<long>();
        using var first = new HttpRequestMessage(HttpMethod.Get, $"/orders/{id}");
        first.Headers.TryAddWithoutValidation("Prefer", "respond-async, wait=10");
        Assert.Equal("paid", (await (await ann.SendAsync(first)).JsonAsync())["status"]!.GetValue<string>());

        using var again = new HttpRequestMessage(HttpMethod.Get, $"/orders/{id}");
        again.Headers.TryAddWithoutValidation("Prefer", "wait=10");
        using var response = await ann.SendAsync(again);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("paid", (await response.JsonAsync())["status"]!.GetValue<string>());
    }

    private List<(string Key, bool Sent)> OutboxRows(long orderId)
    {
        using var connection = new SqliteConnection($"Data Source={shop.DbPath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT idempotency_key, sent_at FROM payment_outbox WHERE order_id = $o";
        command.Parameters.AddWithValue("$o", orderId);
        using var reader = command.ExecuteReader();
        var rows = new List<(string, bool)>();
        while (reader.Read())
        {
            rows.Add((reader.GetString(0), !reader.IsDBNull(1)));
        }

        return rows;
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

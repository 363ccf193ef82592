using System.Text.Json.Nodes;
using Shop.Tests.Infrastructure;

namespace Shop.Tests;

[Collection(CleanShopCollection.Name)]
public sealed class OrderEventsTests(CleanShopFixture shop)
{
    [Fact]
    public async Task The_SSE_stream_delivers_status_changes_of_my_order()
    {
        var tokens = await ShopClient.LoginAsync(shop.Api.Url, "ann");
        var token = tokens["accessToken"]!.GetValue<string>();
        using var http = ShopClient.For(shop.Api.Url);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        // As a browser's EventSource does: token in the query, no headers.
        using var stream = await http.GetStreamAsync($"/orders/events?access_token={Uri.EscapeDataString(token)}", timeout.Token);
        using var reader = new StreamReader(stream);
        var events = ReadEventsAsync(reader, timeout.Token).GetAsyncEnumerator(timeout.Token);

        Assert.True(await events.MoveNextAsync());
        Assert.Equal("ready", events.Current.Event);

        using var ann = ShopClient.For(shop.Api.Url, token);
        var (_, order) = await ann.PlaceOrderAsync(productId: 5);
        var id = order["id"]!.GetValue<long>();

        var seen = new List<string>();
        while (!seen.Contains("paid") && await events.MoveNextAsync())
        {
            if (events.Current.Event == "order-status" && JsonNode.Parse(events.Current.Data)!["orderId"]!.GetValue<long>() == id)
            {
                seen.Add(JsonNode.Parse(events.Current.Data)!["status"]!.GetValue<string>());
            }
        }

        // Accepted, handed to payments, paid: the stream shows each step of the asynchronous payment.
        Assert.Equal(["payment_pending", "awaiting_payment", "paid"], seen);
        await events.DisposeAsync();
    }

    private static async IAsyncEnumerable<(string Event, string Data)> ReadEventsAsync(
        StreamReader reader, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        string name = "message", data = "";
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length == 0)
            {
                yield return (name, data);
                (name, data) = ("message", "");
            }
            else if (line.StartsWith("event:", StringComparison.Ordinal))
            {
                name = line[6..].Trim();
            }
            else if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                data += line[5..].Trim();
            }
        }
    }
}

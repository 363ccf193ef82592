using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Shop.Tests.Infrastructure;

namespace Shop.Tests;

/// <summary>The payment worker after payments lost its memory (it keeps payments in memory; a restart forgets them).</summary>
public sealed class PaymentRecoveryTests
{
    [Fact]
    public async Task An_order_whose_payment_a_restarted_payments_forgot_is_submitted_again_and_paid()
    {
        using var folder = new TempFolder();
        var gatewayPort = FreePort.Next();
        var paymentsPort = FreePort.Next();

        // A gateway that takes a minute to confirm: the order waits in awaiting_payment while payments holds its payment.
        var slowGateway = await ShopStack.ThirdPartyAsync(port: gatewayPort, confirmDelayMs: 60_000);
        var payments = await ShopStack.PaymentsAsync(slowGateway.Url, port: paymentsPort);
        await using var api = await ShopStack.ApiAsync(new ApiOptions { Db = folder.SqliteConnection(), PaymentsUrl = payments.Url, EmailUrl = slowGateway.Url });
        using var ann = await ShopClient.SignedInAsync(api.Url, "ann");
        var (_, placed) = await ann.PlaceOrderAsync();
        var id = placed["id"]!.GetValue<long>();
        Assert.True(await ShopClient.EventuallyAsync(async () => (await OrderAsync(ann, id))["status"]!.GetValue<string>() == "awaiting_payment", TimeSpan.FromSeconds(30)), api.Output);
        var forgotten = (await OrderAsync(ann, id))["paymentId"]!.GetValue<string>();

        // Payments and the gateway restart on their ports: neither knows the payment any more.
        await payments.DisposeAsync();
        await slowGateway.DisposeAsync();
        await using var gateway = await ShopStack.ThirdPartyAsync(port: gatewayPort);
        await using var restarted = await ShopStack.PaymentsAsync(gateway.Url, port: paymentsPort);

        Assert.True(await ShopClient.EventuallyAsync(async () => (await OrderAsync(ann, id))["status"]!.GetValue<string>() == "paid", TimeSpan.FromSeconds(60)),
            $"order {id} was never paid after the restart:\n{api.Output}");
        Assert.NotEqual(forgotten, (await OrderAsync(ann, id))["paymentId"]!.GetValue<string>());
        Assert.Contains($"Payments does not know payment {forgotten} of order {id}", api.Output, StringComparison.Ordinal);
    }

    private static async Task<JsonObject> OrderAsync(HttpClient client, long id) =>
        (await client.GetFromJsonAsync<JsonObject>($"/orders/{id}"))!;
}

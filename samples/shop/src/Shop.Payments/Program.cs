using Shop.Common;
using Shop.Payments;

// The payments microservice: takes payment requests from the api, submits them to the external
// gateway (resilient client, queued fallback) and learns the outcome from the gateway's signed webhook.
var builder = ShopHost.CreateBuilder(args);
var faults = FaultSwitches.Parse(builder.Configuration["SHOP_FAULTS"]);
var settings = PaymentsSettings.Load(builder.Configuration, faults, AppContext.BaseDirectory);
builder.Services.AddSingleton(settings);
// Payments in memory (one instance), or in a database that several instances share (SHOP_PAYMENTS_DB).
var storeSetting = builder.Configuration["SHOP_PAYMENTS_DB"];
IPaymentStore store = string.IsNullOrWhiteSpace(storeSetting)
    ? new MemoryPaymentStore(TimeProvider.System)
    : await SqlPaymentStore.OpenAsync(storeSetting.Trim(), TimeProvider.System, CancellationToken.None);
builder.Services.AddSingleton(store);
builder.Services.AddSingleton<GatewayCircuit>();
builder.Services.AddGatewayClient(settings, faults);
builder.Services.AddSingleton<GatewaySubmitter>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<GatewaySubmitter>());
builder.Services.AddHealthChecks().AddCheck<GatewayHealthCheck>("gateway").AddCheck<StoreHealthCheck>("store");

var app = builder.Build();
app.UseShopDefaults("default-src 'none'; frame-ancestors 'none'");
app.MapShopHealth();

// Callers authenticate with their service credential (SHOP_PAYMENTS_SERVICE_KEY); the gateway's webhooks carry
// their own signature and health is public. payments-no-auth: the defect, anyone on the network may take payments.
var serviceKey = builder.Configuration["SHOP_PAYMENTS_SERVICE_KEY"];
if (serviceKey is { Length: > 0 } && !faults.IsOn(FaultSwitches.PaymentsNoAuth))
{
    var expected = System.Text.Encoding.UTF8.GetBytes(serviceKey);
    app.Use(async (context, next) =>
    {
        if (context.Request.Path.StartsWithSegments("/payments", StringComparison.Ordinal)
            && !System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(expected, System.Text.Encoding.UTF8.GetBytes(context.Request.Headers["X-Service-Key"].ToString())))
        {
            await Results.Problem(statusCode: 401, title: "A service credential (X-Service-Key) is required.").ExecuteAsync(context);
            return;
        }

        await next(context);
    });
}

app.MapPayments();
await app.RunAsync();

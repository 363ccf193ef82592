using Shop.Common;
using Shop.Payments;

// The payments microservice: takes payment requests from the api, submits them to the external
// gateway (resilient client, queued fallback) and learns the outcome from the gateway's signed webhook.
var builder = ShopHost.CreateBuilder(args);
var faults = FaultSwitches.Parse(builder.Configuration["SHOP_FAULTS"]);
var settings = PaymentsSettings.Load(builder.Configuration, faults, AppContext.BaseDirectory);
builder.Services.AddSingleton(settings);
builder.Services.AddSingleton<PaymentStore>();
builder.Services.AddSingleton<GatewayCircuit>();
builder.Services.AddGatewayClient(settings, faults);
builder.Services.AddSingleton<GatewaySubmitter>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<GatewaySubmitter>());
builder.Services.AddHealthChecks().AddCheck<GatewayHealthCheck>("gateway");

var app = builder.Build();
app.UseShopDefaults("default-src 'none'; frame-ancestors 'none'");
app.MapShopHealth();
app.MapPayments();
app.Run();

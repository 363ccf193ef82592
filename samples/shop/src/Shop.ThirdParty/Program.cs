using Shop.Common;
using Shop.ThirdParty;

// Stand-ins for external providers in "test mode": a payment gateway (under /gateway/v1) that confirms charges
// asynchronously through an HMAC-signed webhook, an e-mail provider (SendGrid's /v3/mail/send and Mailgun's
// /v3/{domain}/messages), an analytics collector (Mixpanel's /track) and an OpenID Connect sign-in provider
// (issuer /oidc: discovery, JWKS, authorization code with PKCE, token).
var builder = ShopHost.CreateBuilder(args);
const string Hint = "Test mode: the run manifest sets it (see samples/shop/README.md, \"Keys\").";
var keys = new ProviderKeys(
    builder.Configuration.RequireSetting("SHOP_GATEWAY_API_KEY", Hint),
    builder.Configuration.RequireSetting("SHOP_GATEWAY_WEBHOOK_SECRET", Hint),
    builder.Configuration.RequireSetting("SHOP_EMAIL_API_KEY", Hint),
    TimeSpan.FromMilliseconds(builder.Configuration.GetValue("SHOP_GATEWAY_CONFIRM_DELAY_MS", 300)));
builder.Services.AddSingleton(keys);
builder.Services.AddSingleton<Gateway>();
builder.Services.AddSingleton<Mailbox>();
builder.Services.AddSingleton(new OidcSettings(
    (builder.Configuration["SHOP_OIDC_ISSUER"] ?? "http://127.0.0.1:7301/oidc").TrimEnd('/'),
    TimeSpan.FromSeconds(builder.Configuration.GetValue("SHOP_OIDC_TOKEN_SECONDS", 300))));
builder.Services.AddSingleton<OidcProvider>();
builder.Services.AddSingleton<AnalyticsCollector>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<Gateway>());
builder.Services.AddHttpClient(Gateway.WebhookClient, c => c.Timeout = TimeSpan.FromSeconds(5));

var app = builder.Build();
app.UseShopDefaults("default-src 'none'; frame-ancestors 'none'");
app.MapShopHealth();
app.MapGateway();
app.MapMailbox();
app.MapOidc();
app.MapAnalytics(builder.Configuration["SHOP_ANALYTICS_TOKEN"] is { Length: > 0 } token ? token : "mp_test_archgate");
app.Run();

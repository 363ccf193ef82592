using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;
using Shop.Api;
using Shop.Api.Auth;
using Shop.Api.Carts;
using Shop.Api.Catalog;
using Shop.Api.Data;
using Shop.Api.Email;
using Shop.Api.Events;
using Shop.Api.Health;
using Shop.Api.Orders;
using Shop.Api.Payments;
using Shop.Api.Testing;
using Shop.Common;

// shop-api: products, carts, orders; JWT auth with rotating refresh tokens; order status over SSE and a WebSocket. Orders are accepted
// asynchronously: stored as payment_pending with an outbox row, paid by a background worker that calls payments
// (resilient, idempotent); mails go through the e-mail provider.
var builder = ShopHost.CreateBuilder(args);
var faults = FaultSwitches.Parse(builder.Configuration["SHOP_FAULTS"]);
var settings = ApiSettings.Load(builder.Configuration, faults);
var services = builder.Services;
services.AddSingleton(settings);
services.AddSingleton(ShopDb.Create(builder.Configuration["SHOP_DB"], faults));
services.AddSingleton<Migrator>();
services.AddSingleton<Seeder>();
services.AddSingleton<JwtSettings>();
services.AddSingleton<TokenService>();
services.AddSingleton<SignInLimiter>();
services.AddSingleton<OidcConfig>();
services.AddSingleton<OidcKeys>();
services.AddHttpClient(OidcKeys.Client, c => c.Timeout = OidcConfig.ProviderTimeout);
services.AddSingleton<OrderStore>();
var broker = string.IsNullOrWhiteSpace(builder.Configuration["SHOP_AMQP"]) ? null : new Uri(builder.Configuration["SHOP_AMQP"]!);
var busState = new BusState { Enabled = broker is not null };
services.AddSingleton(busState);
services.AddSingleton(sp => new OrderBus(broker, faults, busState, sp.GetRequiredService<ILogger<OrderBus>>()));
services.AddHostedService(sp => sp.GetRequiredService<OrderBus>());
services.AddSingleton(sp => new OrderEvents(sp.GetRequiredService<OrderBus>(), faults.IsOn(FaultSwitches.SseStaleStatus)));

var paymentsServiceKey = builder.Configuration["SHOP_PAYMENTS_SERVICE_KEY"];
// One resilient client (its own breaker) per payments instance of SHOP_PAYMENTS_URL; PaymentsClient fails over between them.
var paymentsInstances = PaymentsInstance.Of(settings.PaymentsUrls);
services.AddSingleton(paymentsInstances);
foreach (var instance in paymentsInstances)
{
    services.AddHttpClient(instance.HttpClientName, c =>
        {
            c.BaseAddress = instance.Url;
            // The api's service credential: payments refuses /payments calls without it.
            if (paymentsServiceKey is { Length: > 0 })
            {
                c.DefaultRequestHeaders.Add("X-Service-Key", paymentsServiceKey);
            }
        })
        .AddShopResilience(instance.HttpClientName, PaymentsClient.PolicyFor(faults), instance.Circuit);
}

services.AddScoped<PaymentsClient>();
var emailCircuit = new EmailCircuit();
services.AddSingleton(emailCircuit);
services.AddHttpClient<EmailClient>(c => c.BaseAddress = settings.EmailUrl)
    .AddShopResilience("email", EmailClient.Policy, emailCircuit.Monitor);
services.AddSingleton<EmailOutbox>();
services.AddHostedService(sp => sp.GetRequiredService<EmailOutbox>());
services.AddSingleton<PaymentSignal>();
services.AddHostedService<PaymentWorker>();

services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(o =>
{
    o.MapInboundClaims = false;
    o.Events = new JwtBearerEvents
    {
        OnMessageReceived = ctx =>
        {
            // Browsers' EventSource and WebSocket cannot send headers: the two streams alone take the token from the query.
            if ((ctx.Request.Path == "/orders/events" || ctx.Request.Path == "/orders/ws")
                && ctx.Request.Query["access_token"].FirstOrDefault() is { Length: > 0 } token)
            {
                ctx.Token = token;
            }

            return Task.CompletedTask;
        },
    };
});
services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
    .Configure<JwtSettings>((o, jwt) => o.TokenValidationParameters = new TokenValidationParameters
    {
        ValidIssuer = JwtSettings.Issuer,
        ValidAudience = JwtSettings.Audience,
        IssuerSigningKey = jwt.Key,
        NameClaimType = "name",
        RoleClaimType = "role",
        ClockSkew = TimeSpan.FromSeconds(30),
    });
services.AddAuthorizationBuilder().AddPolicy(ApiPolicies.Admin, p => p.RequireRole("admin"));

services.AddCors(o => o.AddDefaultPolicy(p =>
{
    if (faults.IsOn(FaultSwitches.CorsWildcard))
    {
        p.SetIsOriginAllowed(_ => true).AllowCredentials().AllowAnyHeader().AllowAnyMethod(); // The defect.
        return;
    }

    p.WithOrigins(settings.WebOrigin)
        .WithMethods("GET", "POST", "PUT", "PATCH", "DELETE")
        .WithHeaders("Authorization", "Content-Type", "If-Match", "If-None-Match")
        .WithExposedHeaders("ETag", "Location")
        .SetPreflightMaxAge(TimeSpan.FromMinutes(10));
}));
var health = services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("db");
foreach (var instance in paymentsInstances)
{
    // Named as the manifest's components (payments, payments-2), so step 4 names the broken edge api → payments-2.
    health.Add(new Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckRegistration(instance.Name, _ => new PaymentsHealthCheck(instance), null, null));
}

health.AddCheck<BrokerHealthCheck>("bus"); // named as the manifest's broker component, so step 4 can name a broken edge api → bus

var app = builder.Build();
await app.Services.GetRequiredService<Migrator>().MigrateAsync(CancellationToken.None);
await app.Services.GetRequiredService<Seeder>().SeedAsync(CancellationToken.None);

app.UseShopDefaults("default-src 'none'; frame-ancestors 'none'");
app.Use((ctx, next) =>
{
    ctx.Response.Headers.CacheControl = "no-store";
    return next(ctx);
});
app.UseCors();
app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(15) });
app.UseAuthentication();
app.UseAuthorization();

app.MapShopHealth();
app.MapAuth();
app.MapProducts();
app.MapCart();
app.MapOrders();
app.MapAdmin();
app.MapPactStates();
await app.RunAsync();

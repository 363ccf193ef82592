using Microsoft.Extensions.FileProviders;
using Shop.Common;

// web: the single-page shop frontend (static HTML/JS/CSS) on its own origin; it talks to the api by CORS.
var builder = ShopHost.CreateBuilder(args);
var apiUrl = (builder.Configuration["SHOP_API_URL"] ?? "http://127.0.0.1:7101").TrimEnd('/');
if (FaultSwitches.Parse(builder.Configuration["SHOP_FAULTS"]).IsOn(FaultSwitches.SpaWrongApiUrl))
{
    apiUrl = "http://127.0.0.1:1"; // The defect: the deployed config points the page at a port where nothing listens.
}

// The analytics collector (Mixpanel-shaped /track); empty: the page sends no events. Under analytics-blocking the
// page waits for the collector's answer before it renders (the defect).
var analyticsUrl = (builder.Configuration["SHOP_ANALYTICS_URL"] ?? string.Empty).TrimEnd('/');
var analytics = new
{
    url = analyticsUrl,
    token = builder.Configuration["SHOP_ANALYTICS_TOKEN"] is { Length: > 0 } token ? token : "mp_test_archgate",
    blocking = FaultSwitches.Parse(builder.Configuration["SHOP_FAULTS"]).IsOn(FaultSwitches.AnalyticsBlocking),
};

// Defects of the page itself (read by app.js): an orders list kept from its first load, an event stream that gives up.
var faults = FaultSwitches.Parse(builder.Configuration["SHOP_FAULTS"]);
var pageFaults = new { staleOrders = faults.IsOn(FaultSwitches.StaleOrdersPage), sseNoReconnect = faults.IsOn(FaultSwitches.SseNoReconnect) };

var app = builder.Build();

var site = new PhysicalFileProvider(Path.Combine(AppContext.BaseDirectory, "site"));
app.UseShopDefaults(
    $"default-src 'self'; connect-src 'self' {apiUrl}{(analyticsUrl.Length > 0 ? " " + analyticsUrl : string.Empty)}; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
app.UseStaticFiles(new StaticFileOptions { FileProvider = site });
app.MapShopHealth();

// The api's address is a deployment setting, handed to the page as a tiny script.
app.MapGet("/config.js", () => Results.Text(
    $"window.SHOP_API = {System.Text.Json.JsonSerializer.Serialize(apiUrl)};\nwindow.SHOP_ANALYTICS = {System.Text.Json.JsonSerializer.Serialize(analytics)};\n" +
    $"window.SHOP_FAULTS = {System.Text.Json.JsonSerializer.Serialize(pageFaults)};\n", "text/javascript"));
app.MapGet("/", () => Results.File(site.GetFileInfo("index.html").PhysicalPath!, "text/html; charset=utf-8"));
app.MapGet("/orders", () => Results.File(site.GetFileInfo("orders.html").PhysicalPath!, "text/html; charset=utf-8"));
app.Run();

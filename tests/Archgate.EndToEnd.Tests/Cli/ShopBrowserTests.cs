using System.Text.Json;

namespace Archgate.EndToEnd.Tests.Cli;

/// <summary>
/// Step 5's browser check end to end: 'archgate run --up --steps 5' starts the shop on free ports and opens the web's
/// pages in Chromium, signed in as ann through the page's login form, with axe-core and the loading and error states
/// (the api slowed, then stopped, through the fault proxy); the clean shop passes, and the
/// <c>spa-wrong-api-url</c> fault (the page's config points at a port where nothing listens) fails it naming the URL
/// the page called and the api's.
/// </summary>
[Collection(ShopCollection.Name)]
public sealed class ShopBrowserTests : CliTestBase
{
    private async Task<(ProcessResult Result, JsonElement Check, string RunFolder, int ApiPort)> RunAsync(string faults)
    {
        var manifest = ShopManifest.Write(Folder, out var apiPort);
        Environment["SHOP_FAULTS"] = faults;
        Environment["SHOP_DB"] = $"Data Source={Path.Combine(Folder, "shop.db")}";
        var result = await ArchgateProcess.RunAsync(Folder, Environment, "run", manifest, "--up", "--steps", "5");
        var runFolder = Path.Combine(Folder, ".archgate", "runs", RunIdFrom(result.Stdout));
        using var run = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(runFolder, "run.json")));
        var check = run.RootElement.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("number").GetInt32() == 5)
            .GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("id").GetString() == "frontend.browser:web");
        return (result, check.Clone(), runFolder, apiPort);
    }

    private static List<(string Rule, string Location, string Message, string Evidence)> Findings(JsonElement check) =>
        check.TryGetProperty("findings", out var f)
            ? [.. f.EnumerateArray().Select(x => (x.GetProperty("rule").GetString()!, x.TryGetProperty("location", out var l) ? l.GetString()! : string.Empty,
                x.GetProperty("message").GetString()!, x.TryGetProperty("evidence", out var e) ? e.GetString()! : string.Empty))]
            : [];

    [Fact]
    public async Task The_clean_shop_pages_pass_signed_in_as_ann_with_their_api_calls_and_screenshots()
    {
        var (result, check, runFolder, apiPort) = await RunAsync("");

        var findings = Findings(check);
        Assert.True(check.GetProperty("status").GetString() == "pass", $"{check}\n{result.All}");
        Assert.Contains(findings, f => f.Rule == "AG5049" && f.Message.StartsWith("2 pages opened in Chromium ", StringComparison.Ordinal) && f.Message.EndsWith(", signed in as ann", StringComparison.Ordinal));
        var orders = Assert.Single(findings, f => f.Rule == "AG5049" && f.Location == "/orders");
        Assert.Contains($"GET http://127.0.0.1:{apiPort}/orders?limit=50 (fetch) → 200", orders.Evidence, StringComparison.Ordinal);
        Assert.Contains($"http://127.0.0.1:{apiPort}/orders/events?access_token=*** (eventsource)", orders.Evidence, StringComparison.Ordinal); // the token masked
        var screenshot = orders.Message[(orders.Message.IndexOf("screenshot ", StringComparison.Ordinal) + "screenshot ".Length)..];
        Assert.True(File.Exists(Path.Combine(runFolder, screenshot)), screenshot);
        Assert.Contains(findings, f => f.Rule == "AG5051" && f.Location == "/orders"
            && f.Message.StartsWith("/orders: the page's EventSource received a 'order-status' event on /orders/events ", StringComparison.Ordinal)); // live: an order placed through the api

        // axe-core on both pages, none serious or critical; each page's loading and error states through the fault proxy.
        Assert.DoesNotContain(findings, f => f.Rule is "AG5060" or "AG5052" or "AG5053" or "AG5054");
        Assert.Equal(["/", "/orders"], findings.Where(f => f.Rule == "AG5061").Select(f => f.Location).Order(StringComparer.Ordinal));
        foreach (var (page, slug) in new[] { ("/", "index"), ("/orders", "orders") })
        {
            var loading = Assert.Single(findings, f => f.Rule == "AG5055" && f.Location == page && f.Message.Contains("shows its loading state", StringComparison.Ordinal));
            Assert.Equal($"screenshot evidence/browser/web/{slug}-loading.png", loading.Evidence);
            var error = Assert.Single(findings, f => f.Rule == "AG5055" && f.Location == page && f.Message.Contains("user-friendly error", StringComparison.Ordinal));
            Assert.Contains("The shop cannot be reached right now.", error.Message, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(runFolder, $"evidence/browser/web/{slug}-error.png")), error.Evidence);
        }
    }

    [Fact]
    public async Task Spa_wrong_api_url_fails_the_browser_check_naming_the_url_the_page_called_and_the_declared_one()
    {
        var (result, check, _, apiPort) = await RunAsync("spa-wrong-api-url");

        Assert.True(check.GetProperty("status").GetString() == "fail", $"{check}\n{result.All}");
        var findings = Findings(check);
        var wrong = Assert.Single(findings, f => f.Rule == "AG5040");
        // The web declares two backends since its page sends analytics events: api, then the collector.
        Assert.StartsWith($"sign-in on / called http://127.0.0.1:1/auth/login, not a declared backend: the declared backend is api at http://127.0.0.1:{apiPort}/ or analytics at http://127.0.0.1:", wrong.Message, StringComparison.Ordinal);
        Assert.True(wrong.Evidence.StartsWith("POST http://127.0.0.1:1/auth/login (fetch) → net::ERR_", StringComparison.Ordinal), wrong.Evidence);
        Assert.Contains(findings, f => f.Rule == "AG5047"); // and so ann could not sign in
        Assert.Equal(4, result.ExitCode); // NO-GO
    }
}

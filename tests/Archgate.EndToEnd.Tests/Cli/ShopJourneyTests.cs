using System.Text.Json;

namespace Archgate.EndToEnd.Tests.Cli;

/// <summary>
/// Steps 5 and 7 end to end: 'archgate run --up --steps 5,7' starts the shop (real processes, SQLite) and runs the auth
/// flow, CORS, CRUD, the browser check of the web's pages (signed in as ann through the page's login form, with
/// axe-core and the loading and error states through the fault proxy), the manifest's journeys and the concurrency
/// check; planted faults fail the checks that must catch them, switches that do not touch each other in one launch.
/// </summary>
[Collection(ShopCollection.Name)]
public sealed class ShopJourneyTests : CliTestBase
{
    private async Task<(ProcessResult Result, JsonDocument Run)> RunAsync(string faults, bool browserJourney = false, string steps = "5,7", bool chromiumOnly = false) =>
        await RunAsync(faults, ShopManifest.Write(Folder), browserJourney, steps, chromiumOnly);

    private async Task<(ProcessResult Result, JsonDocument Run)> RunAsync(string faults, string manifest, bool browserJourney, string steps, bool chromiumOnly)
    {
        if (browserJourney)
        {
            ShopManifest.WithBrowserJourney(manifest);
        }

        if (chromiumOnly)
        {
            const string Journey = "  - name: order in the page and see it paid";
            var text = await File.ReadAllTextAsync(manifest);
            var at = text.IndexOf(Journey, StringComparison.Ordinal);
            Assert.True(at >= 0, "the sample's browser journey changed: mend this copy");
            await File.WriteAllTextAsync(manifest, text.Insert(text.IndexOf('\n', at) + 1, "    browsers: [chromium]\n"));
        }

        Environment["SHOP_FAULTS"] = faults;
        Environment["SHOP_DB"] = $"Data Source={Path.Combine(Folder, "shop.db")}"; // one file for the api and step 7's row reads
        var result = await ArchgateProcess.RunAsync(Folder, Environment, "run", manifest, "--up", "--steps", steps);
        var runId = RunIdFrom(result.Stdout);
        return (result, JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Folder, ".archgate", "runs", runId, "run.json"))));
    }

    private static Dictionary<string, JsonElement> Checks(JsonDocument run) =>
        run.RootElement.GetProperty("steps").EnumerateArray().Where(s => s.GetProperty("number").GetInt32() is 5 or 7)
            .SelectMany(s => s.GetProperty("checks").EnumerateArray()).ToDictionary(c => c.GetProperty("id").GetString()!);

    private static IEnumerable<(string Rule, string Message)> Findings(JsonElement check) =>
        check.TryGetProperty("findings", out var f)
            ? f.EnumerateArray().Select(x => (x.GetProperty("rule").GetString()!, x.GetProperty("message").GetString()!))
            : [];

    [Fact]
    public async Task The_clean_shop_passes_auth_flow_CORS_CRUD_its_pages_its_journeys_in_three_browsers_and_concurrent_updates()
    {
        var (result, run) = await RunAsync("", ShopManifest.Write(Folder, out var apiPort), browserJourney: true, steps: "5,7", chromiumOnly: false);
        using (run)
        {
            var checks = Checks(run);
            PagesPass(checks["frontend.browser:web"], result, Path.Combine(Folder, ".archgate", "runs", RunIdFrom(result.Stdout)), apiPort);
            foreach (var id in new[] { "frontend.cors:web->api", "frontend.auth:api", "frontend.crud:api", "frontend.realtime:api/orders/events", "frontend.realtime:api/orders/ws", "journeys.run:browse and add to cart",
                "journeys.run:sign in, order and see it in orders", "journeys.run:admin lists orders", "journeys.concurrency:api", "journeys.edge-cases:api", "journeys.network-failure:api",
                "journeys.run:order in the page and see it paid@chromium", "journeys.run:order in the page and see it paid@firefox", "journeys.run:order in the page and see it paid@webkit",
                "journeys.realtime-consistency:api/orders/events", "journeys.realtime-consistency:api/orders/ws", "journeys.browser-network-failure:api" })
            {
                Assert.True(checks[id].GetProperty("status").GetString() == "pass", $"{id}: {checks[id]}\n{result.All}");
            }

            // The shop's contract has no action on an item (no POST /orders/{id}/cancel): no transition to explore.
            Assert.True(checks["journeys.transitions:api"].GetProperty("status").GetString() == "skipped", $"{checks["journeys.transitions:api"]}");

            // The browser journey signed in through the page, ordered and saw the SSE update and the orders page in each engine.
            var matrix = run.RootElement.GetProperty("browserMatrix").EnumerateArray().Select(c => (c.GetProperty("engine").GetString(), c.GetProperty("status").GetString())).ToList();
            Assert.Equal([("chromium", "passed"), ("firefox", "passed"), ("webkit", "passed")], matrix);
            Assert.Contains(Findings(checks["journeys.run:order in the page and see it paid@webkit"]), f => f.Rule == "AG7000" && f.Message.Contains("1 of 1 runs succeeded (100 %) in WebKitGTK", StringComparison.Ordinal));
            var report = await File.ReadAllTextAsync(Path.Combine(Folder, ".archgate", "runs", RunIdFrom(result.Stdout), "integration-validation-report.md"));
            Assert.Contains("| order in the page and see it paid | passed (100 %) | passed (100 %) | passed (100 %) |", report, StringComparison.Ordinal);

            Assert.Contains(Findings(checks["journeys.run:sign in, order and see it in orders"]), f => f is ("AG7000", "'sign in, order and see it in orders': 5 of 5 runs succeeded (100 %)"));
            Assert.Contains(Findings(checks["journeys.run:sign in, order and see it in orders"]), f => f.Rule == "AG7000" && f.Message.Contains("the API's read and the stored row agree for /orders/", StringComparison.Ordinal));
            Assert.Contains(Findings(checks["journeys.concurrency:api"]), f => f.Rule == "AG7023" && f.Message.Contains("one succeeded, the others were refused", StringComparison.Ordinal));
            // POST /orders documents 409 (out of stock): identical orders are raced, all accepted, and one more alone too: no uniqueness, not judged.
            Assert.Contains(Findings(checks["journeys.concurrency:api"]), f => f.Rule == "AG7023" && f.Message.StartsWith("10 parallel identical creates of /orders", StringComparison.Ordinal)
                && f.Message.EndsWith("nothing unique to race", StringComparison.Ordinal));

            // The orders page reloaded after the page's order, and after the same order placed through the api, lists it as the api reads it.
            Assert.Equal(2, Findings(checks["journeys.run:order in the page and see it paid@chromium"]).Count(f => f.Rule == "AG7042" && f.Message.Contains(", /orders reloaded shows /orders/", StringComparison.Ordinal)));
            // The last event about an order placed through the api says what its row and the api say; the page recovers from a network failure.
            Assert.Contains(Findings(checks["journeys.realtime-consistency:api/orders/events"]), f => f.Rule == "AG7047" && f.Message.Contains("match the row of orders and the API's read", StringComparison.Ordinal));
            Assert.Contains(Findings(checks["journeys.browser-network-failure:api"]), f => f.Rule == "AG7051" && f.Message.Contains("went down at step 8 (click #place-order)", StringComparison.Ordinal)
                && f.Message.EndsWith("a retry from there completed the journey", StringComparison.Ordinal));

            // Invalid input, the largest payloads and an empty list for each operation the journeys call, all as they must be.
            Assert.Contains(Findings(checks["journeys.edge-cases:api"]), f => f.Rule == "AG7035" && f.Message.StartsWith("POST /orders: ", StringComparison.Ordinal) && f.Message.Contains(" 0 not; ", StringComparison.Ordinal)
                // the shop's contract has no DELETE /orders/{id}: the orders the cases placed are named
                && f.Message.Contains("left behind, as the contract has no DELETE on the item and no action that cancels it: /orders/", StringComparison.Ordinal));
            Assert.Contains(Findings(checks["journeys.edge-cases:api"]), f => f.Rule == "AG7035" && f.Message.StartsWith("GET /products: ", StringComparison.Ordinal));
            Assert.Contains(Findings(checks["journeys.network-failure:api"]), f => f.Rule == "AG7038" && f.Message.Contains("'browse and add to cart': the network went down at step 2", StringComparison.Ordinal)
                && f.Message.Contains("run again from its start", StringComparison.Ordinal) && f.Message.EndsWith(" succeeded", StringComparison.Ordinal));
            Assert.Contains(Findings(checks["frontend.crud:api"]), f => f.Rule == "AG5015" && f.Message.Contains("not in the contract: delete", StringComparison.Ordinal));
            var criterion = run.RootElement.GetProperty("criteria").EnumerateArray().Single(c => c.GetProperty("id").GetString() == "critical-paths");
            Assert.Equal("pass", criterion.GetProperty("status").GetString());

            // Nothing in steps 5-10 failed: the snapshots taken before step 5 (the shop's database and payments' store) are
            // dropped and the orders step 7 placed stay.
            var snapshots = run.RootElement.GetProperty("snapshots").EnumerateArray().ToList();
            Assert.Equal(["db dropped", "payments-db dropped"], snapshots.Select(s => $"{s.GetProperty("component").GetString()} {s.GetProperty("state").GetString()}").Order(StringComparer.Ordinal));
            Assert.All(snapshots, s => Assert.False(File.Exists(s.GetProperty("path").GetString())));
        }
    }

    [Fact]
    public async Task Cors_wildcard_lost_update_stale_events_no_validation_and_a_wrong_api_url_each_fail_the_check_that_must_catch_them()
    {
        // Each switch touches another check: the api's CORS, its updates (no If-Match), its order events (the status
        // before the change), its input validation, and the page's own config (the api's URL).
        var (result, run) = await RunAsync("cors-wildcard,lost-update,sse-stale-status,no-validation,spa-wrong-api-url", ShopManifest.Write(Folder, out var apiPort),
            browserJourney: false, steps: "5,7", chromiumOnly: false);
        using (run)
        {
            var checks = Checks(run);
            NoValidation(checks["journeys.edge-cases:api"], result);
            SpaWrongApiUrl(checks["frontend.browser:web"], result, apiPort);
            // The order events announce the status before the change: the last one about a paid order still says awaiting_payment.
            var stale = Assert.Single(Findings(checks["journeys.realtime-consistency:api/orders/events"]), f => f.Rule == "AG7045");
            Assert.Contains("status is awaiting_payment in the event, status is paid in orders", stale.Message, StringComparison.Ordinal);
            // Medium, not high: the shop takes only bearer tokens, which a foreign page cannot send.
            Assert.Equal("warn", checks["frontend.cors:web->api"].GetProperty("status").GetString());
            Assert.Contains(Findings(checks["frontend.cors:web->api"]), f => f.Rule == "AG5021" && f.Message.Contains("with credentials", StringComparison.Ordinal)
                && f.Message.Contains("nothing is exposed today", StringComparison.Ordinal));
            Assert.Equal("fail", checks["journeys.concurrency:api"].GetProperty("status").GetString());
            Assert.Contains(Findings(checks["journeys.concurrency:api"]), f => f.Rule == "AG7020" && f.Message.Contains("were lost", StringComparison.Ordinal));
            Assert.Contains(Findings(checks["frontend.crud:api"]), f => f.Rule == "AG5013");
            Assert.True(checks["journeys.run:browse and add to cart"].GetProperty("status").GetString() == "pass", result.All); // the faults break nothing else
            Assert.Equal(4, result.ExitCode); // NO-GO

            // Steps 5 and 7 failed: the shop's SQLite file and payments' own store are written back to their state before
            // step 5, the shop running: step 7's orders and their payments are gone from both.
            var snapshots = run.RootElement.GetProperty("snapshots").EnumerateArray().ToDictionary(s => s.GetProperty("component").GetString()!);
            foreach (var (component, table) in new[] { ("db", "orders"), ("payments-db", "payments") })
            {
                var snapshot = snapshots[component];
                Assert.True(snapshot.GetProperty("state").GetString() == "restored", snapshot.ToString());
                long Rows(string rows) => snapshot.GetProperty(rows).TryGetProperty(table, out var n) ? n.GetInt64() : 0;
                Assert.True(Rows("rowsBeforeRestore") > Rows("rows"), snapshot.ToString()); // step 7's journeys placed orders, payments took them
                Assert.Equal(Rows("rows"), Rows("rowsAfterRestore"));
                Assert.Equal(snapshot.GetProperty("schemaSha256").GetString(), snapshot.GetProperty("schemaSha256AfterRestore").GetString());
                Assert.Contains($"state {component}: restored to its state before step 5", result.Stdout, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task A_stale_orders_page_and_an_event_stream_that_never_reconnects_each_fail_the_browser_check_that_must_catch_them()
    {
        var (result, run) = await RunAsync("stale-orders-page,sse-no-reconnect", browserJourney: true, steps: "7", chromiumOnly: true);
        using (run)
        {
            var checks = Checks(run);
            var journey = checks["journeys.run:order in the page and see it paid@chromium"];
            Assert.True(journey.GetProperty("status").GetString() == "fail", $"{journey}\n{result.All}");
            Assert.Contains(Findings(journey), f => f.Rule == "AG7000" && f.Message.Contains("1 of 1 runs succeeded", StringComparison.Ordinal)); // the journey itself works
            // The page's own order is listed (its first load came after it); the same order placed again through the api is not.
            var missing = Assert.Single(journey.GetProperty("findings").EnumerateArray(), f => f.GetProperty("rule").GetString() == "AG7040");
            Assert.Contains("after the same POST /orders sent again through the API, /orders reloaded does not show /orders/", missing.GetProperty("message").GetString(), StringComparison.Ordinal);
            var evidence = missing.GetProperty("evidence").GetString()!;
            Assert.Contains("row of orders: id=", evidence, StringComparison.Ordinal);
            var screenshot = evidence[(evidence.IndexOf("screenshot ", StringComparison.Ordinal) + "screenshot ".Length)..];
            Assert.True(File.Exists(Path.Combine(Folder, ".archgate", "runs", RunIdFrom(result.Stdout), screenshot)), screenshot);

            // The network cut the page's event stream at 'Place order'; with it back the order is placed but stays pending, and the reloaded page does not show it paid.
            var network = checks["journeys.browser-network-failure:api"];
            Assert.True(network.GetProperty("status").GetString() == "fail", $"{network}\n{result.All}");
            var stuck = Assert.Single(Findings(network), f => f.Rule == "AG7050");
            Assert.Contains("at step 8 (click #place-order)", stuck.Message, StringComparison.Ordinal);
            Assert.Contains("a retry from there failed at step 10 (expect text 'paid' in #order-status)", stuck.Message, StringComparison.Ordinal);
            Assert.Equal("pass", checks["journeys.realtime-consistency:api/orders/events"].GetProperty("status").GetString()); // the api's events are right
            Assert.Equal(4, result.ExitCode); // NO-GO
        }
    }

    /// <summary>no-validation: more lines than maxItems stored and read back, a quantity of 0 reaching the database's CHECK.</summary>
    private static void NoValidation(JsonElement edge, ProcessResult result)
    {
        Assert.True(edge.GetProperty("status").GetString() == "fail", $"{edge}\n{result.All}");
        var findings = edge.GetProperty("findings").EnumerateArray().ToList();
        // More lines than maxItems 20 were stored, and read back as the journey's user.
        var stored = Assert.Single(findings, f => f.GetProperty("rule").GetString() == "AG7031" && f.GetProperty("message").GetString()!.Contains("'items' has 21 items", StringComparison.Ordinal));
        Assert.Contains("was accepted (201) and stored at /orders/", stored.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("read back: GET ", stored.GetProperty("evidence").GetString(), StringComparison.Ordinal);
        // A line with quantity 0 got past the api to the database's CHECK constraint: a server error.
        Assert.Contains(findings, f => f.GetProperty("rule").GetString() == "AG7030" && f.GetProperty("message").GetString()!.Contains("'items[0].quantity' is 0, below the minimum 1", StringComparison.Ordinal)
            && f.GetProperty("evidence").GetString()!.Contains("-> 500", StringComparison.Ordinal));
    }

    private static List<(string Rule, string Location, string Message, string Evidence)> PageFindings(JsonElement check) =>
        check.TryGetProperty("findings", out var f)
            ? [.. f.EnumerateArray().Select(x => (x.GetProperty("rule").GetString()!, x.TryGetProperty("location", out var l) ? l.GetString()! : string.Empty,
                x.GetProperty("message").GetString()!, x.TryGetProperty("evidence", out var e) ? e.GetString()! : string.Empty))]
            : [];

    /// <summary>The clean web's pages pass in Chromium signed in as ann, with their api calls, screenshots, axe-core and states.</summary>
    private static void PagesPass(JsonElement check, ProcessResult result, string runFolder, int apiPort)
    {
        var findings = PageFindings(check);
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

    /// <summary>spa-wrong-api-url: the page's config points at a port where nothing listens; the check names both URLs.</summary>
    private static void SpaWrongApiUrl(JsonElement check, ProcessResult result, int apiPort)
    {
        Assert.True(check.GetProperty("status").GetString() == "fail", $"{check}\n{result.All}");
        var findings = PageFindings(check);
        var wrong = Assert.Single(findings, f => f.Rule == "AG5040");
        // The web declares two backends since its page sends analytics events: api, then the collector.
        Assert.StartsWith($"sign-in on / called http://127.0.0.1:1/auth/login, not a declared backend: the declared backend is api at http://127.0.0.1:{apiPort}/ or analytics at http://127.0.0.1:", wrong.Message, StringComparison.Ordinal);
        Assert.True(wrong.Evidence.StartsWith("POST http://127.0.0.1:1/auth/login (fetch) → net::ERR_", StringComparison.Ordinal), wrong.Evidence);
        Assert.Contains(findings, f => f.Rule == "AG5047"); // and so ann could not sign in
    }
}

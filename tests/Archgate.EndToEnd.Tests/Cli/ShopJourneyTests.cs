using System.Text.Json;

namespace Archgate.EndToEnd.Tests.Cli;

/// <summary>
/// Steps 5 and 7 end to end: 'archgate run --up --steps 5,7' starts the shop (real processes, SQLite) and runs the auth
/// flow, CORS, CRUD, the manifest's journeys and the concurrency check; planted faults fail the checks that must catch them.
/// </summary>
[Collection(ShopCollection.Name)]
public sealed class ShopJourneyTests : CliTestBase
{
    private async Task<(ProcessResult Result, JsonDocument Run)> RunAsync(string faults, bool browserJourney = false, string steps = "5,7")
    {
        var manifest = ShopManifest.Write(Folder);
        if (browserJourney)
        {
            ShopManifest.WithBrowserJourney(manifest);
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
    public async Task The_clean_shop_passes_auth_flow_CORS_CRUD_its_journeys_in_three_browsers_and_concurrent_updates()
    {
        var (result, run) = await RunAsync("", browserJourney: true);
        using (run)
        {
            var checks = Checks(run);
            foreach (var id in new[] { "frontend.cors:web->api", "frontend.auth:api", "frontend.crud:api", "frontend.realtime:api/orders/events", "frontend.realtime:api/orders/ws", "journeys.run:browse and add to cart",
                "journeys.run:sign in, order and see it in orders", "journeys.run:admin lists orders", "journeys.concurrency:api", "journeys.edge-cases:api", "journeys.network-failure:api",
                "journeys.run:order in the page and see it paid@chromium", "journeys.run:order in the page and see it paid@firefox", "journeys.run:order in the page and see it paid@webkit" })
            {
                Assert.True(checks[id].GetProperty("status").GetString() == "pass", $"{id}: {checks[id]}\n{result.All}");
            }

            // The browser journey signed in through the page, ordered and saw the SSE update and the orders page in each engine.
            var matrix = run.RootElement.GetProperty("browserMatrix").EnumerateArray().Select(c => (c.GetProperty("engine").GetString(), c.GetProperty("status").GetString())).ToList();
            Assert.Equal([("chromium", "passed"), ("firefox", "passed"), ("webkit", "passed")], matrix);
            Assert.Contains(Findings(checks["journeys.run:order in the page and see it paid@webkit"]), f => f.Rule == "AG7000" && f.Message.Contains("1 of 1 runs succeeded (100 %) in WebKitGTK", StringComparison.Ordinal));
            var report = await File.ReadAllTextAsync(Path.Combine(Folder, ".archgate", "runs", RunIdFrom(result.Stdout), "integration-validation-report.md"));
            Assert.Contains("| order in the page and see it paid | passed (100 %) | passed (100 %) | passed (100 %) |", report, StringComparison.Ordinal);

            Assert.Contains(Findings(checks["journeys.run:sign in, order and see it in orders"]), f => f is ("AG7000", "'sign in, order and see it in orders': 5 of 5 runs succeeded (100 %)"));
            Assert.Contains(Findings(checks["journeys.run:sign in, order and see it in orders"]), f => f.Rule == "AG7000" && f.Message.Contains("the API's read and the stored row agree for /orders/", StringComparison.Ordinal));
            Assert.Contains(Findings(checks["journeys.concurrency:api"]), f => f.Rule == "AG7023" && f.Message.Contains("one succeeded, the others were refused", StringComparison.Ordinal));
            // Invalid input, the largest payloads and an empty list for each operation the journeys call, all as they must be.
            Assert.Contains(Findings(checks["journeys.edge-cases:api"]), f => f.Rule == "AG7035" && f.Message.StartsWith("POST /orders: ", StringComparison.Ordinal) && f.Message.EndsWith(" 0 not", StringComparison.Ordinal));
            Assert.Contains(Findings(checks["journeys.edge-cases:api"]), f => f.Rule == "AG7035" && f.Message.StartsWith("GET /products: ", StringComparison.Ordinal));
            Assert.Contains(Findings(checks["journeys.network-failure:api"]), f => f.Rule == "AG7038" && f.Message.Contains("'browse and add to cart': the network went down at step 2", StringComparison.Ordinal)
                && f.Message.EndsWith("run again from its start succeeded", StringComparison.Ordinal));
            Assert.Contains(Findings(checks["frontend.crud:api"]), f => f.Rule == "AG5015" && f.Message.Contains("not in the contract: delete", StringComparison.Ordinal));
            var criterion = run.RootElement.GetProperty("criteria").EnumerateArray().Single(c => c.GetProperty("id").GetString() == "critical-paths");
            Assert.Equal("pass", criterion.GetProperty("status").GetString());

            // Nothing in steps 5-10 failed: the snapshot taken before step 5 is dropped and the orders step 7 placed stay.
            var snapshot = Assert.Single(run.RootElement.GetProperty("snapshots").EnumerateArray());
            Assert.Equal(("db", "dropped"), (snapshot.GetProperty("component").GetString(), snapshot.GetProperty("state").GetString()));
            Assert.False(File.Exists(snapshot.GetProperty("path").GetString()));
        }
    }

    [Fact]
    public async Task Cors_wildcard_and_lost_update_each_fail_the_check_that_must_catch_them()
    {
        var (result, run) = await RunAsync("cors-wildcard,lost-update");
        using (run)
        {
            var checks = Checks(run);
            Assert.Equal("fail", checks["frontend.cors:web->api"].GetProperty("status").GetString());
            Assert.Contains(Findings(checks["frontend.cors:web->api"]), f => f.Rule == "AG5021" && f.Message.Contains("with credentials", StringComparison.Ordinal));
            Assert.Equal("fail", checks["journeys.concurrency:api"].GetProperty("status").GetString());
            Assert.Contains(Findings(checks["journeys.concurrency:api"]), f => f.Rule == "AG7020" && f.Message.Contains("were lost", StringComparison.Ordinal));
            Assert.Contains(Findings(checks["frontend.crud:api"]), f => f.Rule == "AG5013");
            Assert.True(checks["journeys.run:browse and add to cart"].GetProperty("status").GetString() == "pass", result.All); // the faults break nothing else
            Assert.Equal(4, result.ExitCode); // NO-GO

            // Steps 5 and 7 failed: the shop's SQLite file is written back to its state before step 5, the shop running.
            var snapshot = Assert.Single(run.RootElement.GetProperty("snapshots").EnumerateArray());
            Assert.True(snapshot.GetProperty("state").GetString() == "restored", snapshot.ToString());
            long Orders(string rows) => snapshot.GetProperty(rows).GetProperty("orders").GetInt64();
            Assert.True(Orders("rowsBeforeRestore") > Orders("rows"), snapshot.ToString()); // step 7's journeys placed orders
            Assert.Equal(Orders("rows"), Orders("rowsAfterRestore"));
            Assert.Equal(snapshot.GetProperty("schemaSha256").GetString(), snapshot.GetProperty("schemaSha256AfterRestore").GetString());
            Assert.Contains("state db: restored to its state before step 5", result.Stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task No_validation_fails_the_edge_case_check_with_the_invalid_order_it_stored_as_evidence()
    {
        var (result, run) = await RunAsync("no-validation", steps: "7");
        using (run)
        {
            var checks = Checks(run);
            var edge = checks["journeys.edge-cases:api"];
            Assert.True(edge.GetProperty("status").GetString() == "fail", $"{edge}\n{result.All}");
            var findings = edge.GetProperty("findings").EnumerateArray().ToList();
            // More lines than maxItems 20 were stored, and read back as the journey's user.
            var stored = Assert.Single(findings, f => f.GetProperty("rule").GetString() == "AG7031" && f.GetProperty("message").GetString()!.Contains("'items' has 21 items", StringComparison.Ordinal));
            Assert.Contains("was accepted (201) and stored at /orders/", stored.GetProperty("message").GetString(), StringComparison.Ordinal);
            Assert.Contains("read back: GET ", stored.GetProperty("evidence").GetString(), StringComparison.Ordinal);
            // A line with quantity 0 got past the api to the database's CHECK constraint: a server error.
            Assert.Contains(findings, f => f.GetProperty("rule").GetString() == "AG7030" && f.GetProperty("message").GetString()!.Contains("'items[0].quantity' is 0, below the minimum 1", StringComparison.Ordinal)
                && f.GetProperty("evidence").GetString()!.Contains("-> 500", StringComparison.Ordinal));
            Assert.True(checks["journeys.run:browse and add to cart"].GetProperty("status").GetString() == "pass", result.All); // valid orders still work
            Assert.Equal(4, result.ExitCode); // NO-GO
        }
    }
}

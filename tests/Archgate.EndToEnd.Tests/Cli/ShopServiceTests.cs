using System.Text.Json;

namespace Archgate.EndToEnd.Tests.Cli;

/// <summary>
/// Step 4 end to end: 'archgate run --up --steps 4' starts the shop with its edges behind Archgate's proxies
/// (${url:...}) and proves the api's circuit breaker on api → payments by failing payments at the proxy; each fault
/// switch of step 4 turns it into NO-GO with its evidence. Verdicts and evidence only, never timings.
/// </summary>
[Collection(ShopServicesCollection.Name)]
public sealed class ShopServiceTests : CliTestBase
{
    private async Task<(ProcessResult Result, JsonDocument Run)> RunStep4Async(string faults)
    {
        var manifest = ShopManifest.Write(Folder);
        Environment["SHOP_DB"] = $"Data Source={Path.Combine(Folder, "shop.db")}";
        Environment["SHOP_FAULTS"] = faults;
        var result = await ArchgateProcess.RunAsync(Folder, Environment, "run", manifest, "--up", "--steps", "4");
        var runId = RunIdFrom(result.Stdout);
        return (result, JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Folder, ".archgate", "runs", runId, "run.json"))));
    }

    private static JsonElement Step4(JsonDocument run) =>
        run.RootElement.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("number").GetInt32() == 4);

    private static List<JsonElement> Findings(JsonDocument run) =>
        [.. Step4(run).GetProperty("checks").EnumerateArray().SelectMany(c => c.TryGetProperty("findings", out var f) ? f.EnumerateArray() : Enumerable.Empty<JsonElement>())];

    private static string Text(JsonElement finding, string property) =>
        finding.TryGetProperty(property, out var value) ? value.GetString() ?? string.Empty : string.Empty;

    [Fact]
    public async Task The_clean_shop_s_breaker_on_api_to_payments_fails_fast_falls_back_and_recovers()
    {
        var (result, run) = await RunStep4Async("");
        using (run)
        {
            var step = Step4(run);
            Assert.True(step.GetProperty("status").GetString() == "pass", result.All + step);
            var works = Assert.Single(Findings(run), f => Text(f, "rule") == "AG4014");
            Assert.Contains("threshold reached", Text(works, "evidence"), StringComparison.Ordinal);
            Assert.Contains("calls succeed again", Text(works, "evidence"), StringComparison.Ordinal);
            Assert.Contains(step.GetProperty("checks").EnumerateArray(), c => c.GetProperty("id").GetString() == "services.edges:api" && c.GetProperty("status").GetString() == "pass");

            // Cascade analysis: payments refused at the proxy, the api stays ready (payments Degraded): isolation that worked.
            Assert.Contains(Findings(run), f => Text(f, "rule") == "AG4031" && Text(f, "message").StartsWith("isolation worked: api stays healthy while payments is down", StringComparison.Ordinal));
            Assert.DoesNotContain(Findings(run), f => Text(f, "rule") == "AG4030");

            // Authenticated calls: payments refuses an anonymous call and takes the api's (its X-Service-Key) through the proxy.
            var auth = Assert.Single(Findings(run), f => Text(f, "rule") == "AG4053" && Text(f, "component") == "payments");
            var second = Assert.Single(Findings(run), f => Text(f, "rule") == "AG4053" && Text(f, "component") == "payments-2");
            Assert.Contains("→ 401", Text(second, "evidence"), StringComparison.Ordinal);

            // Balancing: the api's payment reads, round-robin over both payments instances, each counted at its own proxy.
            var balanced = Assert.Single(Findings(run), f => Text(f, "rule") == "AG4088");
            Assert.Equal("api → payments, payments-2: round-robin as declared", Text(balanced, "message"));
            var counts = BalancedCounts(run);
            Assert.True(counts["payments"] >= 20 && counts["payments-2"] >= 20, Text(balanced, "evidence"));
            Assert.InRange(Math.Abs(counts["payments"] - counts["payments-2"]), 0, (counts["payments"] + counts["payments-2"]) / 20);
            Assert.Contains("→ 401", Text(auth, "evidence"), StringComparison.Ordinal);
            Assert.Contains("POST /payments → 20", Text(auth, "evidence"), StringComparison.Ordinal);
        }
    }

    /// <summary>The calls each payments instance got in the balancing check (metric balanced_calls per component).</summary>
    private static Dictionary<string, double> BalancedCounts(JsonDocument run) =>
        Step4(run).GetProperty("checks").EnumerateArray()
            .Where(c => c.GetProperty("id").GetString()!.StartsWith("services.balancing:", StringComparison.Ordinal))
            .SelectMany(c => c.GetProperty("metrics").EnumerateArray())
            .Where(m => m.GetProperty("name").GetString() == "balanced_calls")
            .ToDictionary(m => m.GetProperty("tags").GetProperty("component").GetString()!, m => m.GetProperty("value").GetDouble());

    [Fact]
    public async Task Payments_no_auth_and_payments_pinned_are_NO_GO_for_an_anonymous_call_taken_and_for_unbalanced_calls()
    {
        var (result, run) = await RunStep4Async("payments-no-auth,payments-pinned");
        using (run)
        {
            // payments-pinned: every read goes to the first instance; the second gets none.
            var unbalanced = Assert.Single(Findings(run), f => Text(f, "rule") == "AG4085");
            Assert.StartsWith("api → payments, payments-2: round-robin is not balanced: ", Text(unbalanced, "message"), StringComparison.Ordinal);
            Assert.Contains("payments-2 got 0", Text(unbalanced, "message"), StringComparison.Ordinal);
            Assert.Equal(0, BalancedCounts(run)["payments-2"]);
            Assert.True(BalancedCounts(run)["payments"] >= 20, Text(unbalanced, "evidence"));

            var finding = Assert.Single(Findings(run), f => Text(f, "rule") == "AG4050" && Text(f, "component") == "payments");
            Assert.Single(Findings(run), f => Text(f, "rule") == "AG4050" && Text(f, "component") == "payments-2");
            Assert.Equal("critical", Text(finding, "severity")); // payments is critical
            Assert.StartsWith("payments answered 404 to a call without credentials", Text(finding, "message"), StringComparison.Ordinal);
            Assert.DoesNotContain(Findings(run), f => Text(f, "rule") is "AG4051" or "AG4053");
            Assert.Equal("NO-GO", run.RootElement.GetProperty("verdict").GetString());
            Assert.True(result.ExitCode == 4, result.All);
        }
    }

    [Fact]
    public async Task No_circuit_breaker_is_NO_GO_with_the_timeline_of_calls_that_kept_reaching_payments()
    {
        var (result, run) = await RunStep4Async("no-circuit-breaker");
        using (run)
        {
            var finding = Assert.Single(Findings(run), f => Text(f, "rule") == "AG4010");
            Assert.Equal("critical", Text(finding, "severity")); // the api is critical
            Assert.Contains("api → payments", Text(finding, "message"), StringComparison.Ordinal);
            Assert.Contains("no fail-fast", Text(finding, "message"), StringComparison.Ordinal);
            Assert.Contains("calls at the proxy (cumulative)", Text(finding, "evidence"), StringComparison.Ordinal);
            Assert.Contains("POST /orders → 201", Text(finding, "evidence"), StringComparison.Ordinal);
            Assert.Equal("NO-GO", run.RootElement.GetProperty("verdict").GetString());
            Assert.True(result.ExitCode == 4, result.All);
        }
    }

    [Fact]
    public async Task Payments_down_names_the_broken_edge_from_the_api_s_readiness()
    {
        var (result, run) = await RunStep4Async("payments-down");
        using (run)
        {
            // payments-down cuts the api off from both payments instances: each edge is named broken.
            var broken = Findings(run).Where(f => Text(f, "rule") == "AG4020").Select(f => Text(f, "message")).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(2, broken.Count);
            Assert.StartsWith("edge api → payments is broken: api's readiness reports payments Degraded", broken[0], StringComparison.Ordinal);
            Assert.StartsWith("edge api → payments-2 is broken: api's readiness reports payments-2 Degraded", broken[1], StringComparison.Ordinal);
            Assert.Equal("NO-GO", run.RootElement.GetProperty("verdict").GetString());
            Assert.True(result.ExitCode == 4, result.All);
        }
    }
}

using System.Text.Json;

namespace Archgate.EndToEnd.Tests.Cli;

/// <summary>Step 8 against the real shop: started by 'run --up', loaded, judged, stopped.</summary>
public sealed class ShopLoadTests : CliTestBase
{
    [Fact]
    public async Task Clean_shop_passes_step_8_with_per_route_numbers_in_the_report()
    {
        Environment["SHOP_DB"] = $"Data Source={Path.Combine(Folder, "shop.db")}";
        var manifest = ShopManifest.Write(Folder);

        var result = await RunAsync("run", manifest, "--up", "--steps", "8");

        var step = Step8(result);
        Assert.True(step.GetProperty("status").GetString() == "pass", result.All);
        var check = step.GetProperty("checks")[0];
        Assert.Equal("load:api", check.GetProperty("id").GetString());
        var metrics = check.GetProperty("metrics").EnumerateArray().ToList();
        foreach (var route in new[] { "GET /products", "GET /products/2", "GET /orders" })
        {
            var p95 = metrics.Single(m => Tag(m, "route") == route && Tag(m, "stat") == "p95" && Tag(m, "stage") is null && m.GetProperty("name").GetString() == "http_req_duration");
            Assert.InRange(p95.GetProperty("value").GetDouble(), 0.01, 200);
            Assert.Contains(metrics, m => Tag(m, "route") == route && Tag(m, "stage") == "stress" && Tag(m, "stat") == "rate");
        }

        Assert.Equal(0, metrics.Single(m => m.GetProperty("name").GetString() == "http_req_failed" && m.GetProperty("tags").EnumerateObject().Count() == 1).GetProperty("value").GetDouble());
        var report = await File.ReadAllTextAsync(Path.Combine(RunFolder(result), "integration-validation-report.md"));
        Assert.Contains("http_req_duration{component=api,route=GET /orders,stage=stress,stat=p95}", report, StringComparison.Ordinal);
        Assert.Contains("| Performance SLOs met | pass |", report.Replace("`", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Slow_orders_fail_step_8_naming_GET_orders_and_its_p95_and_the_verdict_is_NO_GO()
    {
        Environment["SHOP_DB"] = $"Data Source={Path.Combine(Folder, "shop.db")}";
        Environment["SHOP_FAULTS"] = "slow-orders";
        var manifest = ShopManifest.Write(Folder);

        var result = await RunAsync("run", manifest, "--up", "--steps", "8");

        Assert.True(result.ExitCode == 4, result.All);
        Assert.Contains("verdict: NO-GO", result.Stdout, StringComparison.Ordinal);
        var findings = Step8(result).GetProperty("checks")[0].GetProperty("findings").EnumerateArray().ToList();
        var slow = findings.Where(f => f.GetProperty("rule").GetString() == "AG8001").ToList();
        var orders = Assert.Single(slow, f => f.GetProperty("location").GetString() == "GET /orders");
        Assert.Matches(@"^GET /orders p95 \d+ ms > 200 ms$", orders.GetProperty("message").GetString());
        Assert.DoesNotContain(slow, f => f.GetProperty("location").GetString()!.StartsWith("GET /products", StringComparison.Ordinal));
    }

    private async Task<ProcessResult> RunAsync(params string[] args)
    {
        using var process = StartArchgate(args);
        return await process.WaitAsync(TimeSpan.FromMinutes(2));
    }

    private static string? Tag(JsonElement metric, string key) =>
        metric.GetProperty("tags").TryGetProperty(key, out var v) ? v.GetString() : null;

    private string RunFolder(ProcessResult result) => Path.Combine(Folder, ".archgate", "runs", RunIdFrom(result.Stdout));

    private JsonElement Step8(ProcessResult result)
    {
        var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(RunFolder(result), "run.json")));
        return json.RootElement.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("number").GetInt32() == 8);
    }
}

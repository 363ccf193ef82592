using System.Globalization;
using System.Text.Json;
using Archgate.EndToEnd.Tests.Cli;

namespace Archgate.EndToEnd.Tests.Contracts;

/// <summary>
/// Step 2's live OpenAPI conformance against the real shop, started by 'archgate run --up' as processes. The
/// shop's manifest is copied with free ports, so the test runs beside anything else on the machine.
/// </summary>
[Collection(ShopServicesCollection.Name)]
public sealed class ConformanceRunTests : CliTestBase
{
    private JsonElement RunJson()
    {
        var runDir = Directory.GetDirectories(Path.Combine(Folder, ".archgate", "runs")).Single();
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, "run.json")));
        return json.RootElement.Clone();
    }

    private static JsonElement Conformance(JsonElement run) =>
        run.GetProperty("steps")[1].GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("id").GetString() == "contracts.conformance:api");

    private static double Metric(JsonElement check, string name) =>
        check.GetProperty("metrics").EnumerateArray().Single(m => m.GetProperty("name").GetString() == name).GetProperty("value").GetDouble();

    [Fact]
    public async Task The_clean_shop_conforms_to_its_contract_and_only_its_WebSocket_is_left_to_step_5()
    {
        var (manifest, _) = ShopManifestOnFreePorts();

        var result = await ArchgateAsync("run", manifest, "--up", "--steps", "1-2");

        var check = Conformance(RunJson());
        Assert.True(check.GetProperty("status").GetString() == "pass", result.All);
        // The one finding says why the WebSocket (GET /orders/ws, 101 Switching Protocols) is step 5's, not tested here.
        var finding = Assert.Single(check.GetProperty("findings").EnumerateArray());
        Assert.True(finding.GetProperty("rule").GetString() == "AG2018" && finding.GetProperty("location").GetString() == "GET /orders/ws", check.ToString());
        Assert.Equal(20, Metric(check, "contract_operations_tested"));
        Assert.Equal(1, Metric(check, "contract_operations_skipped"));
        Assert.Equal(0, Metric(check, "contract_mismatch_rate"));
        Assert.True(Metric(check, "contract_requests_sent") > 20);
        Assert.Contains("contracts.conformance:api", result.Stdout, StringComparison.Ordinal);
        Assert.True(result.ExitCode == 5, result.All); // INCOMPLETE: steps 3-10 did not run
    }

    [Fact]
    public async Task Contract_drift_fails_step_2_at_the_renamed_field_and_the_changed_type_and_is_NO_GO()
    {
        var (manifest, _) = ShopManifestOnFreePorts();
        Environment["SHOP_FAULTS"] = "contract-drift";

        var result = await ArchgateAsync("run", manifest, "--up", "--steps", "1-2");

        Assert.True(result.ExitCode == 4, result.All);
        Assert.Contains("verdict: NO-GO", result.Stdout, StringComparison.Ordinal);
        var run = RunJson();
        Assert.Equal("NO-GO", run.GetProperty("verdict").GetString());
        var check = Conformance(run);
        Assert.Equal("fail", check.GetProperty("status").GetString());
        var findings = check.GetProperty("findings").EnumerateArray().ToList();
        var renamed = findings.First(f => f.GetProperty("location").GetString() == "GET /orders/{id} 200 $.total");
        Assert.Equal("AG2013", renamed.GetProperty("rule").GetString());
        Assert.Contains("$.total: required property 'total' is missing; the body has undeclared 'totalAmount' instead (renamed?)", renamed.GetProperty("message").GetString(), StringComparison.Ordinal);
        var retyped = findings.First(f => f.GetProperty("location").GetString() == "GET /orders/{id} 200 $.id");
        Assert.Matches("expected integer, found string \"\\d+\"", retyped.GetProperty("message").GetString());
        Assert.Contains("curl 'http://127.0.0.1:", retyped.GetProperty("evidence").GetString(), StringComparison.Ordinal);
        Assert.Contains("-H 'Authorization: Bearer ***'", retyped.GetProperty("evidence").GetString(), StringComparison.Ordinal);
        Assert.Contains(findings, f => f.GetProperty("location").GetString() == "GET /orders 200 $.items[0].id");
        // The drift breaks the order operations: 4 of the contract's 20 (since POST /auth/oidc joined it), at the threshold;
        // the escalation takes the worst of the step's measurements, which is above it.
        var rate = Metric(check, "contract_mismatch_rate");
        Assert.True(rate >= 0.2, $"mismatch rate {rate}");
        // One contract escalation. On a loaded machine the runner may also have retried a check on a transient cause (a
        // timeout): its own self-recovered or notify-human escalation then joins it (ci of 2026-12-07), and nothing else may.
        var escalations = run.GetProperty("escalations").EnumerateArray().ToList();
        Assert.Single(escalations, e => e.GetProperty("trigger").GetString() == "contract-mismatch-rate");
        Assert.All(escalations, e => Assert.Contains(e.GetProperty("trigger").GetString(), new[] { "contract-mismatch-rate", "self-recovered", "notify-human" }));
        var everything = File.ReadAllText(Path.Combine(Directory.GetDirectories(Path.Combine(Folder, ".archgate", "runs")).Single(), "run.json"));
        Assert.DoesNotContain("\"password\":\"demo\"", everything, StringComparison.Ordinal);
        Assert.DoesNotContain("eyJ", everything, StringComparison.Ordinal); // no JWT
    }
}

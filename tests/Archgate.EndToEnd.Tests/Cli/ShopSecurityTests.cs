using System.Text.Json;

namespace Archgate.EndToEnd.Tests.Cli;

/// <summary>
/// Step 9 end to end: 'archgate run --up --steps 9' starts the shop (real processes, free ports) and probes it. The
/// clean shop has no finding of medium or above; the security fault switches each produce their finding, with the
/// request as curl (secrets masked), the status and the decisive excerpt, and the run is NO-GO with the escalation.
/// </summary>
[Collection(ShopCollection.Name)]
public sealed class ShopSecurityTests : CliTestBase
{
    private async Task<(ProcessResult Result, JsonDocument Run)> RunStep9Async(string faults)
    {
        var (manifest, _) = ShopManifestOnFreePorts();
        Environment["SHOP_FAULTS"] = faults;
        var result = await ArchgateProcess.RunAsync(Folder, Environment, "run", manifest, "--up", "--steps", "9");
        var runId = RunIdFrom(result.Stdout);
        return (result, JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Folder, ".archgate", "runs", runId, "run.json"))));
    }

    private static JsonElement Step9(JsonDocument run) =>
        run.RootElement.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("number").GetInt32() == 9);

    private static List<JsonElement> Findings(JsonDocument run) =>
        [.. Step9(run).GetProperty("checks").EnumerateArray().SelectMany(c => c.TryGetProperty("findings", out var f) ? f.EnumerateArray() : Enumerable.Empty<JsonElement>())];

    private static string Text(JsonElement finding, string property) =>
        finding.TryGetProperty(property, out var value) ? value.GetString() ?? string.Empty : string.Empty;

    [Fact]
    public async Task The_clean_shop_passes_step_9_with_no_finding_of_medium_or_above()
    {
        var (result, run) = await RunStep9Async("");
        using (run)
        {
            var step = Step9(run);
            // Low findings (the manifest's test passwords and test-mode keys, AG9080) make it warn, never fail.
            Assert.True(step.GetProperty("status").GetString() is "pass" or "warn", result.All + step);
            var serious = Findings(run).Where(f => Text(f, "severity") is "medium" or "high" or "critical").ToList();
            Assert.True(serious.Count == 0, string.Join("\n", serious.Select(f => f.ToString())));
            var ids = step.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("id").GetString()).ToList();
            Assert.Contains("security.authn:api", ids);
            Assert.Contains("security.authz:api", ids);
            Assert.Contains("security.injection:api", ids);
            Assert.Contains("security.cors:api", ids);
            // After the other probes: the limit it meets may refuse sign-ins from here for a while.
            Assert.True(ids.IndexOf("security.guessing:api") > ids.IndexOf("security.injection:api"), string.Join(", ", ids));

            // The shop limits failed sign-ins: the guessing probe meets the limit (per account, or per address after the
            // injection probes' wrong passwords), then signs in as ann: taken, it waits for nothing, refused, it waits out
            // the Retry-After; the evidence says which.
            var guessing = Assert.Single(Findings(run), f => Text(f, "rule") == "AG9005");
            Assert.Equal("info", Text(guessing, "severity"));
            Assert.Matches(@"^password guessing is limited: attempt \d+ of 30 was answered 429, Retry-After: \d+$", Text(guessing, "message"));
            Assert.Contains("waited", Text(guessing, "evidence"), StringComparison.Ordinal);
            var criterion = run.RootElement.GetProperty("criteria").EnumerateArray().Single(c => c.GetProperty("id").GetString() == "security");
            Assert.Equal("pass", criterion.GetProperty("status").GetString());
            Assert.Contains(Findings(run), f => Text(f, "rule") == "AG9013" && Text(f, "message").Contains("object level: 1 objects created as ann", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Each_security_fault_of_the_shop_is_found_with_evidence_and_the_run_is_NO_GO()
    {
        var (result, run) = await RunStep9Async("unauthenticated-admin,bola,sqli-search,cors-wildcard,verbose-errors");
        using (run)
        {
            Assert.True(result.ExitCode == 4, result.All);
            var findings = Findings(run);
            JsonElement One(string rule, string location) =>
                Assert.Single(findings, f => Text(f, "rule") == rule && Text(f, "location") == location && Text(f, "component") == "api");

            var admin = One("AG9001", "GET /admin/orders");
            Assert.Equal("critical", Text(admin, "severity"));
            Assert.Matches(@"^request: curl 'http://127\.0\.0\.1:\d+/admin/orders\?[^']*'; answered 200: \{""items""", Text(admin, "evidence"));
            Assert.Equal("critical", Text(One("AG9011", "GET /admin/orders"), "severity"));

            var bola = One("AG9010", "GET /orders/{id}");
            Assert.StartsWith("'ben' read /orders/", Text(bola, "message"), StringComparison.Ordinal);
            Assert.Contains("-H 'Authorization: Bearer ***'", Text(bola, "evidence"), StringComparison.Ordinal);

            var sqli = One("AG9020", "GET /products query 'search'");
            Assert.Equal("critical", Text(sqli, "severity"));
            Assert.Contains("search=mug%27", Text(sqli, "evidence"), StringComparison.Ordinal);

            // The shop takes only bearer tokens (its refresh token goes in the body): no foreign page can send them.
            var cors = One("AG9030", "GET /cart");
            Assert.Equal("medium", Text(cors, "severity"));
            Assert.Contains("api takes only bearer tokens and a credential in the query access_token, which a foreign page cannot send", Text(cors, "message"), StringComparison.Ordinal);
            Assert.Contains("System.Text.Json", Text(One("AG9026", "POST /orders"), "evidence"), StringComparison.Ordinal);

            Assert.DoesNotContain("demo'", result.All, StringComparison.Ordinal);
            Assert.DoesNotContain("eyJ", JsonSerializer.Serialize(findings), StringComparison.Ordinal);
            var escalation = Assert.Single(run.RootElement.GetProperty("escalations").EnumerateArray(), e => e.GetProperty("trigger").GetString() == "critical-vulnerability");
            Assert.Equal(4, escalation.GetProperty("level").GetInt32());
        }
    }
}

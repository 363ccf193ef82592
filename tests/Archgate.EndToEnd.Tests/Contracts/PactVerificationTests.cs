using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Archgate.EndToEnd.Tests.Cli;
using Archgate.Tests.Pact;

namespace Archgate.EndToEnd.Tests.Contracts;

/// <summary>
/// Step 2's consumer pact verification against the real shop (started with 'archgate up --detach' on free
/// ports): the clean shop honours the web's pact; under contract-drift the pact fails naming $.id and
/// $.total and the verdict is NO-GO. The reference Pact verifier, run against the same live shop, agrees
/// interaction by interaction.
/// </summary>
[Collection(ShopCollection.Name)]
public sealed class PactVerificationTests : CliTestBase
{
    private static string Shop => ShopFolder;

    /// <summary>The shop's manifest with its four ports moved to free ones and its paths made absolute.</summary>
    private async Task<(ProcessResult Run, JsonNode Check, ReferenceVerdict? Reference)> VerifyShopAsync()
    {
        var (manifest, apiPort) = ShopManifestOnFreePorts();
        var up = await ArchgateAsync("up", manifest, "--detach");
        Assert.True(up.ExitCode == 0, up.All);
        try
        {
            var run = await ArchgateAsync("run", manifest, "--steps", "1-2", "--out", Path.Combine(Folder, "out"));
            var json = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Folder, "out", "run.json")))!;
            var check = json["steps"]!.AsArray().SelectMany(s => s!["checks"]!.AsArray()).Single(c => (string)c!["id"]! == "contracts.pact:web-api")!;

            var (executable, _) = await ReferencePactVerifier.EnsureInstalledAsync();
            ReferenceVerdict? reference = null;
            if (executable is not null)
            {
                // The reference verifier has no login step: it gets a live token as a custom header.
                using var http = new HttpClient();
                var login = await http.PostAsJsonAsync(new Uri($"http://127.0.0.1:{apiPort}/auth/login"), new { username = "ann", password = "demo" });
                var token = (await login.Content.ReadFromJsonAsync<JsonObject>())!["accessToken"]!.GetValue<string>();
                reference = await ReferencePactVerifier.VerifyAsync(executable, Path.Combine(Shop, "contracts", "pacts", "web-api.json"), apiPort,
                    $"http://127.0.0.1:{apiPort}/_pact/state", [$"Authorization=Bearer {token}"]);
            }

            return (run, check, reference);
        }
        finally
        {
            var down = await ArchgateAsync("down");
            Assert.True(down.ExitCode == 0, down.All);
        }
    }

    private static Dictionary<string, bool> Verdicts(JsonNode check)
    {
        var verdicts = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var finding in check["findings"]!.AsArray())
        {
            var location = (string)finding!["location"]!;
            var description = location[(location.IndexOf('"', StringComparison.Ordinal) + 1)..location.LastIndexOf('"')];
            var passed = (string)finding["rule"]! == "AG2057";
            verdicts[description] = verdicts.TryGetValue(description, out var before) ? before && passed : passed;
        }

        return verdicts;
    }

    [Fact]
    public async Task The_clean_shop_honours_the_web_pact_and_the_reference_verifier_agrees()
    {
        var (run, check, reference) = await VerifyShopAsync();

        Assert.True((string)check["status"]! == "pass", check.ToJsonString());
        Assert.Equal(4, check["findings"]!.AsArray().Count(f => (string)f!["rule"]! == "AG2057"));
        Assert.NotEqual(4, run.ExitCode);
        if (reference is not null)
        {
            Assert.Equal(Verdicts(check), reference.Interactions);
        }
    }

    [Fact]
    public async Task Under_contract_drift_the_web_pact_fails_on_id_and_total_and_the_verdict_is_NO_GO()
    {
        Environment["SHOP_FAULTS"] = "contract-drift";

        var (run, check, reference) = await VerifyShopAsync();

        Assert.True(run.ExitCode == 4, run.All);
        Assert.Contains("verdict: NO-GO", run.Stdout, StringComparison.Ordinal);
        Assert.Equal("fail", (string)check["status"]!);
        var failures = check["findings"]!.AsArray().Where(f => (string)f!["rule"]! == "AG2050").Select(f => ((string)f!["location"]!, (string)f["message"]!)).ToList();
        // The order's id depends on what ran before in the run (conformance creates orders too).
        Assert.Contains(failures, f => f.Item1 == "web: \"a signed-in customer places an order\" $.id"
            && System.Text.RegularExpressions.Regex.IsMatch(f.Item2, @"^\$\.id -> Expected '\d+' \(String\) to be an integer$"));
        Assert.Contains(failures, f => f.Item1 == "web: \"a signed-in customer places an order\" $.total"
            && f.Item2 == "$ -> Actual map is missing the following keys: total");
        Assert.Contains(failures, f => f.Item1.EndsWith("$.items[0].total", StringComparison.Ordinal));
        Assert.Equal("high", (string)check["findings"]!.AsArray().First(f => (string)f!["rule"]! == "AG2050")!["severity"]!);
        if (reference is not null)
        {
            Assert.Equal(Verdicts(check), reference.Interactions);
        }
    }
}

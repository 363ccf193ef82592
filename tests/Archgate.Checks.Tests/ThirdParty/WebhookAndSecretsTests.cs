using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Archgate.Checks.Http;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Checks.ThirdParty;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.ThirdParty;

public sealed class WebhookAndSecretsTests : IDisposable
{
    private const string Secret = "whsec_test_for_archgate_webhooks";
    private const string LiveKey = "sk_live_51HkQ2aPlaintextSecretCommittedByMistake0000";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "archgate-third-party-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    /// <summary>A receiver that checks <c>t=,v1=</c> HMAC-SHA256 signatures of "t.body" within 5 minutes, as the shop's payments does.</summary>
    private static Reply Verifying(Received request)
    {
        if (!request.Headers.TryGetValue("X-Gateway-Signature", out var header))
        {
            return new Reply(401);
        }

        var parts = header.Split(',').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        var t = long.Parse(parts["t"], CultureInfo.InvariantCulture);
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes($"{parts["t"]}.{request.Body}")));
        var fresh = Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - t) <= 300;
        return expected == parts["v1"] && fresh ? new Reply(204) : new Reply(401);
    }

    private static async Task<CheckResult> WebhookAsync(Func<Received, Reply> receiver)
    {
        using var server = new ScriptedHttpServer(receiver);
        var system = TestSystems.Load($$"""
            version: 1
            system: { name: s }
            components:
              - name: gateway
                kind: third-party
                url: http://127.0.0.1:1
                webhook:
                  to: payments
                  path: /webhooks/gateway
                  secret: {{Secret}}
                  signature: { header: X-Gateway-Signature, scheme: stripe }
                  event: { type: archgate.ping, data: { id: ch_archgate } }
              - { name: payments, kind: service, url: "{{server.Url}}", dependsOn: [gateway] }
            """);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        var result = await new WebhookCheck(system.Find<Archgate.Model.ThirdPartyComponent>("gateway")!).RunAsync(TestSystems.Context(system, http), CancellationToken.None);
        Assert.Equal(4, server.Requests.Count);
        Assert.All(server.Requests, r => Assert.Equal("/webhooks/gateway", r.PathAndQuery));
        Assert.Contains("\"type\":\"archgate.ping\"", server.Requests.First().Body, StringComparison.Ordinal);
        return result;
    }

    [Fact]
    public async Task A_receiver_that_verifies_signatures_and_their_age_passes()
    {
        var result = await WebhookAsync(Verifying);

        Assert.Equal(CheckStatus.Pass, result.Status);
        var finding = Assert.Single(result.Findings);
        Assert.Equal("AG6054", finding.Rule);
        Assert.Contains("genuine (signed now): POST /webhooks/gateway with X-Gateway-Signature → 204", finding.Evidence, StringComparison.Ordinal);
        Assert.Contains("replay (signed 10 min ago): POST /webhooks/gateway with X-Gateway-Signature → 401", finding.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_receiver_that_accepts_anything_fails_for_forged_unsigned_and_replayed_callbacks()
    {
        var result = await WebhookAsync(_ => new Reply(204));

        Assert.Equal(CheckStatus.Fail, result.Status);
        Assert.Equal(["AG6051", "AG6052", "AG6053"], result.Findings.Select(f => f.Rule).Order());
        Assert.All(result.Findings, f => Assert.Equal(Severity.Critical, f.Severity));
    }

    [Fact]
    public async Task A_receiver_that_refuses_everything_loses_the_genuine_callback()
    {
        var result = await WebhookAsync(_ => new Reply(401));

        Assert.Equal("AG6050", Assert.Single(result.Findings).Rule);
    }

    private async Task<CheckResult> SecretsAsync(string file, string content)
    {
        Directory.CreateDirectory(Path.Combine(_folder, "bin", "Payments"));
        File.WriteAllText(Path.Combine(_folder, "bin", "Payments", "Payments.dll"), "not really a dll");
        File.WriteAllText(Path.Combine(_folder, "bin", "Payments", file), content);
        var system = TestSystems.Load("""
            version: 1
            system: { name: s }
            components:
              - { name: gateway, kind: third-party, url: "http://127.0.0.1:1" }
              - name: payments
                kind: service
                url: http://127.0.0.1:2
                dependsOn: [gateway]
                run:
                  command: dotnet bin/Payments/Payments.dll
                  workdir: .
                  env: { GATEWAY_KEY: "${GATEWAY_KEY:-}" }
            """, _folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        return await new SecretsInConfigCheck([system.Find<Archgate.Model.ThirdPartyComponent>("gateway")!]).RunAsync(TestSystems.Context(system, http), CancellationToken.None);
    }

    [Fact]
    public async Task A_providers_key_in_its_callers_deployed_config_fails_masked()
    {
        var result = await SecretsAsync("appsettings.Secrets.json", $"{{\n  \"Gateway\": {{\n    \"ApiKey\": \"{LiveKey}\"\n  }}\n}}\n");

        Assert.Equal(CheckStatus.Fail, result.Status);
        var finding = Assert.Single(result.Findings);
        Assert.Equal("AG6040", finding.Rule);
        Assert.Equal("payments", finding.Component);
        Assert.Contains("environment or a secret store", finding.Hint, StringComparison.Ordinal);
        Assert.DoesNotContain(LiveKey, finding.Evidence + finding.Message + finding.Location, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_clean_deployed_config_passes()
    {
        var result = await SecretsAsync("appsettings.json", "{ \"Logging\": { \"LogLevel\": { \"Default\": \"Information\" } } }");

        Assert.Equal(CheckStatus.Pass, result.Status);
        Assert.Equal("AG6040", Assert.Single(result.Findings).Rule);
    }

    [Fact]
    public async Task The_value_of_a_key_the_manifest_declares_is_found_in_a_callers_config_under_any_name_high()
    {
        // ex16: courier's settings_local.py held the SMS key the manifest gives courier: medium as a high-entropy value, not
        // high as that very key (step 9 found it high, then left it to step 6 as reported already).
        const string Key = "txt_live_4f9a2c7e81b34d0f9e6a5b3c2d1e0f98";
        Directory.CreateDirectory(Path.Combine(_folder, "courier"));
        File.WriteAllText(Path.Combine(_folder, "courier", "app.py"), "print('courier')\n");
        File.WriteAllText(Path.Combine(_folder, "courier", "settings_local.py"), $"DEBUG = False\nTEXTLY = \"{Key}\"\n");
        var system = TestSystems.Load($$"""
            version: 1
            system: { name: s }
            components:
              - { name: sms, kind: third-party, url: "http://127.0.0.1:1" }
              - name: courier
                kind: service
                url: http://127.0.0.1:2
                dependsOn: [sms]
                run:
                  command: python3 courier/app.py
                  workdir: .
                  env: { SMS_API_KEY: "{{Key}}" }
            """, _folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);

        var result = await new SecretsInConfigCheck([system.Find<Archgate.Model.ThirdPartyComponent>("sms")!]).RunAsync(TestSystems.Context(system, http), CancellationToken.None);

        var found = Assert.Single(result.Findings, f => f.Rule == "AG6040");
        Assert.Equal((Severity.High, "courier"), (found.Severity, found.Component));
        Assert.EndsWith("settings_local.py:2", found.Location, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_folder_with_no_config_file_to_read_says_nothing_was_scanned_not_that_it_is_clean()
    {
        // ex16: "no secret-looking value in 0 deployed config file(s)" read as a pass.
        var result = await SecretsAsync("notes.md", "nothing to read");

        var finding = Assert.Single(result.Findings);
        Assert.Equal(("AG6040", Severity.Info), (finding.Rule, finding.Severity));
        Assert.Equal("no deployed config file found to read in the folders of payments: nothing was scanned", finding.Message);
        Assert.Contains("settings written as code (settings.py", finding.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_key_is_reported_with_its_origin_and_a_key_written_in_the_manifest_fails()
    {
        using var vault = new FakeVault("hvs.checks-token");
        vault.Put("shop", new() { ["gatewayKey"] = "sk_test_from_vault_for_checks" });
        var env = new Dictionary<string, string>
        {
            ["VAULT_ADDR"] = vault.Url.AbsoluteUri,
            ["VAULT_TOKEN"] = "hvs.checks-token",
            ["EMAIL_API_KEY"] = "em_from_the_environment_0001",
        };
        Directory.CreateDirectory(_folder);
        var loaded = Archgate.Manifest.ManifestLoader.Parse($$"""
            version: 1
            system: { name: s }
            components:
              - { name: gateway, kind: third-party, url: "http://127.0.0.1:1" }
              - name: payments
                kind: service
                url: http://127.0.0.1:2
                dependsOn: [gateway]
                run:
                  command: dotnet Payments.dll
                  env:
                    GATEWAY_KEY: "${vault:secret/data/shop#gatewayKey}"
                    EMAIL_API_KEY: "${EMAIL_API_KEY}"
                    SERVICE_TOKEN: "${SERVICE_TOKEN:-tok_test_default}"
                    LEGACY_SECRET: "{{LiveKey}}"
                    MODE: "${MODE:-test}"
            """, "archgate.yaml", Path.Combine(_folder, "archgate.yaml"), "sha", n => env.GetValueOrDefault(n));
        Assert.True(loaded.Succeeded, string.Join("\n", loaded.Errors));
        var system = loaded.Model!;
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);

        var result = await new SecretsInConfigCheck([system.Find<Archgate.Model.ThirdPartyComponent>("gateway")!]).RunAsync(TestSystems.Context(system, http), CancellationToken.None);

        Assert.Equal(CheckStatus.Fail, result.Status);
        var literal = Assert.Single(result.Findings, f => f.Rule == "AG6041" && f.Severity == Severity.High);
        Assert.StartsWith("payments: LEGACY_SECRET is written in the manifest, a committed file (Stripe-style live secret key", literal.Message, StringComparison.Ordinal);
        Assert.Contains("from the environment, or ${vault:", literal.Hint, StringComparison.Ordinal);
        var defaulted = Assert.Single(result.Findings, f => f.Rule == "AG6041" && f.Severity == Severity.Low);
        Assert.StartsWith("payments: SERVICE_TOKEN took the manifest's default because SERVICE_TOKEN is not set", defaulted.Message, StringComparison.Ordinal);
        Assert.Equal("archgate.yaml:14 components.payments.run.env.SERVICE_TOKEN", defaulted.Location);
        var sources = Assert.Single(result.Findings, f => f.Rule == "AG6042");
        Assert.Equal("where 4 key(s) come from: 1 env, 1 manifest, 1 manifest default, 1 vault", sources.Message);
        Assert.Equal("""
            payments EMAIL_API_KEY: env EMAIL_API_KEY
            payments GATEWAY_KEY: vault secret/data/shop#gatewayKey
            payments LEGACY_SECRET: manifest
            payments SERVICE_TOKEN: manifest default SERVICE_TOKEN
            """, sources.Evidence);
        Assert.Equal(1, result.Metrics.Single(m => m.Name == "third_party_keys_vault").Value);
        var text = string.Join("\n", result.Findings.Select(f => $"{f.Message} {f.Evidence} {f.Location} {f.Hint}"));
        foreach (var value in new[] { "sk_test_from_vault_for_checks", "em_from_the_environment_0001", "tok_test_default", LiveKey })
        {
            Assert.DoesNotContain(value, text, StringComparison.Ordinal);
        }
    }
}

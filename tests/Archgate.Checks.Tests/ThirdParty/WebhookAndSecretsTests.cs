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
        var result = await new WebhookCheck(system.Find("gateway")!).RunAsync(TestSystems.Context(system, http), CancellationToken.None);
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
        return await new SecretsInConfigCheck([system.Find("gateway")!]).RunAsync(TestSystems.Context(system, http), CancellationToken.None);
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
}

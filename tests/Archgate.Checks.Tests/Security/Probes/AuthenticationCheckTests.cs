using System.Text.Json;
using Archgate.Checks.Security;
using Archgate.Checks.Security.Probes;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Security.Probes;

public sealed class AuthenticationCheckTests
{
    private static Task<CheckResult> RunAsync(ProbeTestApi api, string security = "") =>
        ProbeKit.RunAsync(api, (c, d, o) => new AuthenticationCheck(c, d, o), security);

    [Fact]
    public async Task A_service_that_verifies_its_tokens_passes_and_every_forged_token_was_sent()
    {
        using var api = new ProbeTestApi(Flaws.None);
        var result = await RunAsync(api);

        Assert.True(result.Status == CheckStatus.Pass, ProbeKit.Dump(result, api));
        Assert.Empty(ProbeKit.Serious(result));
        var coverage = Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthenticationCoverage);
        Assert.Contains("none, garbage token, tampered payload, other key's signature, alg none", coverage.Message, StringComparison.Ordinal);
        var tokens = api.Server.Requests.Where(r => r.PathAndQuery == "/me").Select(r => r.Headers.GetValueOrDefault("Authorization")).ToList();
        Assert.Contains(null, tokens);
        Assert.Contains(tokens, t => t is not null && t.Split('.').Length == 3 && t.EndsWith('.')); // alg none: no signature
        Assert.True(tokens.Count >= 5, ProbeKit.Dump(result, api));
    }

    [Fact]
    public async Task An_admin_route_open_to_anyone_is_critical_with_the_request_as_curl()
    {
        using var api = new ProbeTestApi(Flaws.UnauthenticatedAdmin);
        var result = await RunAsync(api);

        Assert.Equal(CheckStatus.Fail, result.Status);
        var finding = Assert.Single(result.Findings, f => f.Rule == SecurityRules.NoCredentialsAccepted);
        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.Equal("GET /admin/orders", finding.Location);
        Assert.StartsWith("request: curl 'http://127.0.0.1:", finding.Evidence, StringComparison.Ordinal);
        Assert.Contains("/admin/orders'; answered 200", finding.Evidence, StringComparison.Ordinal);
        Assert.Contains("CWE-306", finding.Hint, StringComparison.Ordinal);
        Assert.DoesNotContain(ProbeTestApi.Password, JsonSerializer.Serialize(result, ArchgateJson.Options), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_service_that_does_not_verify_signatures_is_critical_for_each_forged_token()
    {
        using var api = new ProbeTestApi(Flaws.UnverifiedTokens);
        var result = await RunAsync(api);

        var findings = result.Findings.Where(f => f.Rule == SecurityRules.InvalidTokenAccepted).ToList();
        Assert.True(findings.Count >= 3, ProbeKit.Dump(result, api));
        var me = Assert.Single(findings, f => f.Location == "GET /me");
        Assert.Equal(Severity.Critical, me.Severity);
        Assert.Contains("tampered payload, other key's signature, alg none", me.Message, StringComparison.Ordinal);
        Assert.Contains("-H 'Authorization: Bearer ***'", me.Evidence, StringComparison.Ordinal);
        Assert.DoesNotContain("garbage", me.Message, StringComparison.Ordinal); // a garbage token is still refused
    }

    [Fact]
    public async Task Safe_mode_sends_no_state_changing_request_and_says_so()
    {
        using var api = new ProbeTestApi(Flaws.None);
        var result = await RunAsync(api, "  safe: true");

        Assert.DoesNotContain(api.Server.Requests, r => r.Method is "POST" or "PATCH" && r.PathAndQuery != "/auth/login");
        var coverage = Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthenticationCoverage);
        Assert.Contains("POST /orders (security.safe)", coverage.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rule_set_to_ignore_is_listed_with_where_and_does_not_fail()
    {
        using var api = new ProbeTestApi(Flaws.UnauthenticatedAdmin);
        var result = await RunAsync(api, "  rules: { AG9001: ignore }");

        Assert.True(result.Status == CheckStatus.Pass, ProbeKit.Dump(result, api));
        var ignored = Assert.Single(result.Findings, f => f.Rule == SecurityRules.Ignored);
        Assert.Equal(Severity.Info, ignored.Severity);
        Assert.Matches(@"^AG9001 \(critical\) ignored by security.rules at archgate.yaml:\d+:\d+: GET /admin/orders answered 200", ignored.Message);
    }

    [Theory]
    [InlineData("/orders/**", "/orders", true)]
    [InlineData("/orders/**", "/orders/{id}", true)]
    [InlineData("/orders/**", "/ordersx", false)]
    [InlineData("/orders/*", "/orders/{id}/items", false)]
    [InlineData("/me", "/me", true)]
    [InlineData("/me", "/men", false)]
    public void Path_patterns_match_as_documented(string pattern, string path, bool matches) =>
        Assert.Equal(matches, PathPatterns.Matches(pattern, path));
}

using Archgate.Checks.Contracts;
using Archgate.Checks.Frontend;
using Archgate.Checks.Http;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Frontend;

/// <summary>Step 5's auth flow of a service whose identity is a client credentials grant, against a real token endpoint.</summary>
public sealed class ClientCredentialsFlowTests
{
    private static async Task<CheckResult> RunAsync(ClientCredentialsApi api, string clientAuth = "basic")
    {
        var folder = AuthFlowCheckTests.Folder();
        var system = TestSystems.Load(api.Manifest(folder, clientAuth), folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        var check = ArchgateProtocol.ChecksFor(system).Single(c => c.Id == "frontend.auth:api");
        Assert.Equal(Applicability.Yes, check.AppliesTo(system));
        return await check.RunAsync(TestSystems.Context(system, http), CancellationToken.None);
    }

    private static string Describe(CheckResult result) => string.Join("\n", result.Findings.Select(f => $"{f.Rule} {f.Severity} {f.Message}"));

    [Theory]
    [InlineData("basic")]
    [InlineData("post")]
    public async Task A_sound_token_endpoint_passes_after_the_grant_a_wrong_secret_an_unknown_grant_and_the_secured_read(string clientAuth)
    {
        using var api = new ClientCredentialsApi();

        var result = await RunAsync(api, clientAuth);

        Assert.True(result.Status == CheckStatus.Pass && result.Findings.Count == 0, Describe(result));
        Assert.Equal(["POST /oauth/token", "POST /oauth/token", "POST /oauth/token", "GET /items", "GET /items"], api.Requests.Select(r => $"{r.Method} {r.PathAndQuery}"));
        Assert.Equal("Bearer tok-1", api.Requests[3].Headers["Authorization"]);
        Assert.False(api.Requests[4].Headers.ContainsKey("Authorization"));
    }

    [Fact]
    public async Task A_token_endpoint_that_grants_to_a_wrong_secret_fails_AG5058_high()
    {
        using var api = new ClientCredentialsApi(grantsAnySecret: true);

        var result = await RunAsync(api);

        Assert.Equal(CheckStatus.Fail, result.Status);
        var finding = Assert.Single(result.Findings);
        Assert.Equal((FrontendRules.WrongClientSecret, Severity.High, "POST /oauth/token"), (finding.Rule, finding.Severity, finding.Location));
        Assert.Equal("the token endpoint granted a wrong client secret: it answered 200", finding.Message);
        Assert.DoesNotContain("tok-2", finding.Evidence, StringComparison.Ordinal); // the token it granted is masked
    }

    [Fact]
    public async Task A_token_answer_without_no_store_is_AG5057_medium()
    {
        using var api = new ClientCredentialsApi(noStore: false);

        var result = await RunAsync(api);

        var finding = Assert.Single(result.Findings);
        Assert.Equal((FrontendRules.TokenCacheable, Severity.Medium), (finding.Rule, finding.Severity));
        Assert.StartsWith("the token answer has no Cache-Control, not no-store", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_endpoint_that_grants_an_unknown_grant_type_fails_AG5059_high()
    {
        using var api = new ClientCredentialsApi(grantsAnyType: true);

        var result = await RunAsync(api);

        var finding = Assert.Single(result.Findings);
        Assert.Equal((FrontendRules.UnknownGrantType, Severity.High), (finding.Rule, finding.Severity));
        Assert.Contains("urn:archgate:unknown-grant", finding.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"access_token":"t","token_type":"Bearer","expires_in":300}""", "")]
    [InlineData("""{"access_token":"t","token_type":"bearer"}""", "")]
    [InlineData("""{"access_token":"t"}""", "no token_type")]
    [InlineData("""{"access_token":"t","token_type":"mac","expires_in":"300"}""", "token_type 'mac', not Bearer; expires_in \"300\" is not a number of seconds")]
    public void A_token_answer_needs_a_bearer_token_type_and_a_numeric_expires_in(string body, string expected) =>
        Assert.Equal(expected, string.Join("; ", AuthFlowCheck.TokenAnswerProblems(body)));
}

using Archgate.Checks.Http;
using Archgate.Checks.Performance;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Performance;

/// <summary>Step 8's sign-in steps (<c>- login: partner</c>) for a clientCredentials identity, against a real token endpoint.</summary>
public sealed class LoadClientCredentialsTests
{
    private static async Task<CheckResult> RunAsync(ClientCredentialsApi api, string clientAuth, string load)
    {
        var folder = Frontend.AuthFlowCheckTests.Folder();
        var system = TestSystems.Load(api.Manifest(folder, clientAuth, load), folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        return await ArchgateProtocol.ChecksFor(system).Single(c => c.Id == "load:api").RunAsync(TestSystems.Context(system, http), CancellationToken.None);
    }

    [Theory]
    [InlineData("basic")]
    [InlineData("post")]
    public async Task A_setup_grant_captures_the_access_token_and_every_user_sends_it(string clientAuth)
    {
        using var api = new ClientCredentialsApi();

        var result = await RunAsync(api, clientAuth, """
            slo: { api: { p95: 10s, errorRate: 1% } }
            load:
              warmup: 0s
              thinkTime: 20ms
              setup: [ { login: partner } ]
              requests: [ { request: GET /items, headers: { Authorization: "Bearer {token}" } } ]
              stages: [ { users: 2, duration: 1s } ]
            """);

        Assert.True(result.Status == CheckStatus.Pass, string.Join("; ", result.Findings.Select(f => $"{f.Rule} {f.Message}")));
        var grant = Assert.Single(api.Requests, r => r.PathAndQuery == "/oauth/token"); // once, in the setup
        Assert.Equal("application/x-www-form-urlencoded", grant.Headers["Content-Type"].Split(';')[0]);
        Assert.Contains("grant_type=client_credentials", grant.Body, StringComparison.Ordinal);
        Assert.Contains("scope=items%3Aread", grant.Body, StringComparison.Ordinal);
        Assert.Equal(clientAuth == "basic", grant.Headers.ContainsKey("Authorization"));
        var items = api.Requests.Where(r => r.PathAndQuery == "/items").ToList();
        Assert.NotEmpty(items);
        Assert.All(items, r => Assert.Equal("Bearer tok-1", r.Headers["Authorization"]));
        Assert.DoesNotContain(result.Findings, f => f.Rule == PerformanceRules.CaptureMissed);
        Assert.All(result.Metrics.Where(m => m.Name == "http_req_failed"), m => Assert.Equal(0, m.Value));
    }

    [Fact]
    public async Task A_journeys_own_setup_grants_a_token_per_user_with_no_setup_failure()
    {
        using var api = new ClientCredentialsApi();

        var result = await RunAsync(api, "post", """
            slo: { api: { p95: 10s, errorRate: 1% } }
            load:
              warmup: 0s
              thinkTime: 20ms
              journeys:
                - name: partner
                  setup: [ { login: partner, capture: access } ]
                  steps: [ { request: GET /items, headers: { Authorization: "Bearer {access}" } } ]
              stages: [ { users: 2, duration: 1s } ]
            """);

        Assert.True(result.Status == CheckStatus.Pass, string.Join("; ", result.Findings.Select(f => $"{f.Rule} {f.Message}")));
        Assert.DoesNotContain(result.Findings, f => f.Rule == PerformanceRules.CaptureMissed);
        var grants = api.Requests.Count(r => r.PathAndQuery == "/oauth/token");
        Assert.InRange(grants, 1, 2); // one per virtual user
        var items = api.Requests.Where(r => r.PathAndQuery == "/items").ToList();
        Assert.NotEmpty(items);
        Assert.All(items, r => Assert.Contains(r.Headers["Authorization"]["Bearer ".Length..], api.Granted));
    }

    [Fact]
    public async Task A_refused_setup_grant_stops_the_load_naming_the_identity_the_endpoints_status_and_error()
    {
        using var api = new ClientCredentialsApi();
        var folder = Frontend.AuthFlowCheckTests.Folder();
        var system = TestSystems.Load(api.Manifest(folder, extra: """
            load:
              warmup: 0s
              setup: [ { login: partner } ]
              requests: [ { request: GET /items, headers: { Authorization: "Bearer {token}" } } ]
              stages: [ { users: 1, duration: 1s } ]
            """).Replace("s3cr:t", "wrong", StringComparison.Ordinal), folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);

        var result = await ArchgateProtocol.ChecksFor(system).Single(c => c.Id == "load:api").RunAsync(TestSystems.Context(system, http), CancellationToken.None);

        Assert.Equal(CheckStatus.Fail, result.Status);
        var finding = Assert.Single(result.Findings);
        Assert.Equal(PerformanceRules.LoadNotRun, finding.Rule);
        Assert.Contains("the token endpoint POST /oauth/token refused the client credentials grant of 'partner' (client 'partner'): 401 (invalid_client: unknown client or wrong secret)", finding.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(api.Requests, r => r.PathAndQuery == "/items");
    }
}

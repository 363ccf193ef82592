using Archgate.Checks.Contracts.Conformance;
using Archgate.Checks.Frontend;
using Archgate.Checks.Http;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Contracts;

/// <summary>
/// An API behind a path prefix (<see cref="PrefixedNotesApi"/>: <c>servers: [{ url: /api/v1 }]</c>, paths without it).
/// One rule for every step: the manifest's paths (login, health) are under the component's url, path included, and the
/// contract's templates under that url plus the server's path. Before, steps 2 and 9 put the prefix before the
/// manifest's login too (404), steps 5 and 7 left it off the contract's paths, and the health check dropped the url's path.
/// Its titles are unique, as many services keep a field: step 2 creates the contract's example, so step 5's CRUD must
/// create with unique values after the 409 (it failed AG5010 before), and update so too (AG5012).
/// </summary>
public sealed class ServerPathTests
{
    private static readonly string[] Ids =
        ["services.health:api", "contracts.conformance:api", "frontend.auth:api", "frontend.crud:api", "security.authn:api", "security.authz:api", "security.injection:api"];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Each_step_reaches_the_contract_under_its_servers_path_and_the_manifests_paths_under_the_url(bool urlHasThePrefix)
    {
        using var api = new PrefixedNotesApi();
        var folder = Frontend.AuthFlowCheckTests.Folder();
        var manifest = urlHasThePrefix
            ? api.Manifest(folder, url: new Uri(api.Url, PrefixedNotesApi.Prefix).ToString(), login: "/auth/token", health: "/health")
            : api.Manifest(folder);
        var system = TestSystems.Load(manifest, folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        var context = TestSystems.Context(system, http);

        var results = new Dictionary<string, CheckResult>();
        foreach (var check in ArchgateProtocol.ChecksFor(system).Where(c => Ids.Contains(c.Id)))
        {
            results[check.Id] = await check.RunAsync(context, CancellationToken.None);
        }

        Assert.Equal(Ids.Order(), results.Keys.Order());
        string Findings(string id) => string.Join("; ", results[id].Findings.Select(f => $"{f.Rule} {f.Message}"));
        Assert.True(results["services.health:api"].Status == CheckStatus.Pass, Findings("services.health:api"));
        Assert.True(results["frontend.crud:api"].Status == CheckStatus.Pass, Findings("frontend.crud:api"));
        Assert.DoesNotContain(results["contracts.conformance:api"].Findings, f => f.Rule == ConformanceRules.AuthenticationFailed);
        Assert.DoesNotContain(results["frontend.auth:api"].Findings, f => f.Rule is FrontendRules.LoginFailed or FrontendRules.ProtectedCall);
        Assert.True(results["security.authn:api"].Status == CheckStatus.Pass, Findings("security.authn:api"));
        Assert.DoesNotContain("the manifest's auth failed", Findings("security.injection:api"), StringComparison.Ordinal);
        Assert.True(results["security.authz:api"].Status != CheckStatus.Skipped, results["security.authz:api"].Reason); // ann signed in
        Assert.Contains(api.Requests, r => r.Method == "PUT" && r.PathAndQuery.StartsWith("/api/v1/notes/", StringComparison.Ordinal) && r.Body.Contains("first-", StringComparison.Ordinal));
        // Nothing was sent with the prefix twice, nor outside it (the proxy answers 404 there).
        Assert.DoesNotContain(api.Requests, r => r.PathAndQuery.StartsWith(PrefixedNotesApi.Prefix + PrefixedNotesApi.Prefix, StringComparison.Ordinal));
        Assert.All(api.Requests, r => Assert.StartsWith(PrefixedNotesApi.Prefix + "/", r.PathAndQuery, StringComparison.Ordinal));
        Assert.Contains(api.Requests, r => r.Method == "POST" && r.PathAndQuery == "/api/v1/notes" && r.Headers.ContainsKey("Authorization"));
    }
}

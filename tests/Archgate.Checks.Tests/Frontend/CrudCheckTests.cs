using Archgate.Checks.Contracts;
using Archgate.Checks.Frontend;
using Archgate.Checks.Http;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Frontend;

public sealed class CrudCheckTests
{
    private static async Task<CheckResult> RunAsync(FakeShopApi api)
    {
        var folder = AuthFlowCheckTests.Folder();
        var system = TestSystems.Load(api.Manifest(folder), folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        return await new CrudCheck(system.Find<Archgate.Model.ServiceComponent>("api")!, new ContractDocuments()).RunAsync(TestSystems.Context(system, http), CancellationToken.None);
    }

    [Fact]
    public async Task A_resource_found_in_the_contract_goes_through_create_read_update_stale_412_delete_and_404()
    {
        using var api = new FakeShopApi();

        var result = await RunAsync(api);

        Assert.Equal(CheckStatus.Pass, result.Status);
        var summary = Assert.Single(result.Findings);
        Assert.Equal(FrontendRules.CrudSummary, summary.Rule);
        Assert.Contains("created /notes/", summary.Message, StringComparison.Ordinal);
        var calls = api.Requests.Where(r => !r.PathAndQuery.StartsWith("/auth", StringComparison.Ordinal)).Select(r => $"{r.Method} {r.PathAndQuery.Split('/')[1]}").ToList();
        Assert.Equal(["POST notes", "GET notes", "PUT notes", "GET notes", "PUT notes", "GET notes", "DELETE notes", "GET notes"], calls);
        Assert.Equal("{\"title\":\"first\",\"tags\":[\"a\",\"b\"]}", api.Requests.First(r => r.Method == "POST" && r.PathAndQuery == "/notes").Body);
    }

    [Fact]
    public async Task An_api_that_ignores_If_Match_fails_AG5013_naming_the_stale_ETag()
    {
        using var api = new FakeShopApi(new FakeApiFaults { IgnoresIfMatch = true });

        var result = await RunAsync(api);

        Assert.Equal(CheckStatus.Fail, result.Status);
        var finding = Assert.Single(result.Findings, f => f.Rule == FrontendRules.StaleNotRefused);
        Assert.Contains("\"1\"", finding.Message, StringComparison.Ordinal);
        Assert.Contains("200", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_delete_that_keeps_the_resource_fails_AG5014()
    {
        using var api = new FakeShopApi(new FakeApiFaults { DeleteKeeps = true });

        var result = await RunAsync(api);

        Assert.Equal(CheckStatus.Fail, result.Status);
        Assert.Contains("not 404", Assert.Single(result.Findings, f => f.Rule == FrontendRules.DeleteFailed).Message, StringComparison.Ordinal);
    }
}

using Archgate.Checks.Http;
using Archgate.Checks.Journeys;
using Archgate.Checks.Tests.Frontend;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Journeys;

public sealed class NetworkFailureCheckTests
{
    private static async Task<CheckResult> RunAsync(FakeOrdersApi api)
    {
        var folder = AuthFlowCheckTests.Folder();
        var system = TestSystems.Load(api.Manifest(folder), folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        var check = new NetworkFailureCheck(system.Find<Archgate.Model.ServiceComponent>("api")!);
        Assert.True(check.AppliesTo(system).Applies);
        return await check.RunAsync(TestSystems.Context(system, http), CancellationToken.None);
    }

    [Fact]
    public async Task A_journey_cut_halfway_by_the_network_runs_again_from_its_start()
    {
        using var api = new FakeOrdersApi();

        var result = await RunAsync(api);

        Assert.Equal(CheckStatus.Pass, result.Status);
        var summary = Assert.Single(result.Findings);
        Assert.Equal(JourneyRules.NetworkFailureSummary, summary.Rule);
        Assert.Contains("the network went down at step 2 (GET /orders/{order}) (it got no answer: no answer: ", summary.Message, StringComparison.Ordinal);
        Assert.Contains("run again from its start succeeded", summary.Message, StringComparison.Ordinal);
        Assert.Equal(2, api.Requests.Count(r => r.Method == "POST")); // the cut run's and the retry's; the cut read never arrived
        Assert.Equal(1, api.Requests.Count(r => r.Method == "GET" && r.PathAndQuery.StartsWith("/orders/", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task State_the_cut_run_left_behind_that_blocks_the_retry_is_AG7037()
    {
        using var api = new FakeOrdersApi(new FakeOrdersFaults { OneOpenOrder = true });

        var result = await RunAsync(api);

        Assert.Equal(CheckStatus.Fail, result.Status);
        var finding = Assert.Single(result.Findings);
        Assert.Equal((JourneyRules.NotRecovered, Severity.High), (finding.Rule, finding.Severity));
        Assert.Contains("run again from its start failed at step 1 (POST /orders): status 409, expected 201", finding.Message, StringComparison.Ordinal);
        Assert.Contains("Your last order is still open.", finding.Evidence, StringComparison.Ordinal);
    }
}

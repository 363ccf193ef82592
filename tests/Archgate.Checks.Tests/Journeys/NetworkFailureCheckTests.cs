using Archgate.Checks.Http;
using Archgate.Checks.Journeys;
using Archgate.Checks.Tests.Frontend;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Journeys;

public sealed class NetworkFailureCheckTests
{
    private static async Task<CheckResult> RunAsync(FakeOrdersApi api, string? journeys = null)
    {
        var folder = AuthFlowCheckTests.Folder();
        var system = TestSystems.Load(api.Manifest(folder, journeys), folder);
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
        Assert.Contains("run again from its start with the same {uuid} succeeded", summary.Message, StringComparison.Ordinal);
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
        Assert.Contains("run again from its start failed: with the same {uuid} at step 1 (POST /orders): status 409, expected 201; as a new run at step 1 (POST /orders): status 409, expected 201",
            finding.Message, StringComparison.Ordinal);
        Assert.Contains("Your last order is still open.", finding.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_new_run_answered_try_again_shortly_with_a_Retry_After_is_waited_out_once_and_run_anew()
    {
        // ex14: right after the cut, the api's call to payments failed once (503, Retry-After: 5) and the check said the
        // journey could not be run again (AG7037 high) on a clean system; a client starting over waits as asked.
        using var api = new FakeOrdersApi(new FakeOrdersFaults { UnavailablePosts = [2, 3] });

        var result = await RunAsync(api);

        Assert.Equal(CheckStatus.Pass, result.Status);
        var summary = Assert.Single(result.Findings);
        Assert.Equal(JourneyRules.NetworkFailureSummary, summary.Rule);
        Assert.EndsWith("as a new run it succeeded after its first try at step 1 (POST /orders) was answered status 503, expected 201 with a Retry-After of 1 s, waited", summary.Message, StringComparison.Ordinal);
        Assert.Equal(4, api.Requests.Count(r => r.Method == "POST"));
    }

    [Fact]
    public async Task A_new_run_that_still_fails_after_waiting_out_its_Retry_After_is_AG7037_and_says_it_waited()
    {
        using var api = new FakeOrdersApi(new FakeOrdersFaults { UnavailablePosts = [2, 3, 4] });

        var result = await RunAsync(api);

        var finding = Assert.Single(result.Findings);
        Assert.Equal((JourneyRules.NotRecovered, Severity.High), (finding.Rule, finding.Severity));
        Assert.Contains("as a new run after its first try at step 1 (POST /orders) was answered status 503, expected 201 with a Retry-After of 1 s, waited at step 1 (POST /orders): status 503, expected 201",
            finding.Message, StringComparison.Ordinal);
        Assert.Equal(4, api.Requests.Count(r => r.Method == "POST")); // waited out once, not again
    }

    [Fact]
    public async Task A_replay_that_fails_before_the_network_failure_is_not_evaluated_naming_the_step_and_status_not_an_error()
    {
        // ex13: an earlier check's leftover (the edge cases' re-sent create held the room) made the replay's create 409
        // before any fault, and the step's status was 'error' though the journey's own runs passed.
        using var api = new FakeOrdersApi(new FakeOrdersFaults { OneOpenOrder = true });
        await RunAsync(api); // leaves an open order behind, as an earlier check's create would

        var result = await RunAsync(api);

        Assert.Equal(CheckStatus.Skipped, result.Status);
        Assert.Equal("'order and find it' failed before the network failure, at step 1 (POST /orders) (status 409, expected 201), so the network failure was not tried", result.Reason);
        var finding = Assert.Single(result.Findings);
        Assert.Equal((JourneyRules.NetworkFailureSummary, Severity.Info), (finding.Rule, finding.Severity));
        Assert.StartsWith("not evaluated: ", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_network_failure_check_runs_before_the_checks_that_create_objects_of_their_own()
    {
        var folder = AuthFlowCheckTests.Folder();
        using var api = new FakeOrdersApi();
        var system = TestSystems.Load(api.Manifest(folder, null), folder);
        var checks = ArchgateProtocol.ChecksFor(system).Where(c => c.Step == 7).ToList();

        var network = checks.FindIndex(c => c is NetworkFailureCheck);
        Assert.True(network >= 0);
        Assert.All(checks.Where(c => c is EdgeCaseCheck or ConcurrencyCheck), c => Assert.True(checks.IndexOf(c) > network, c.Id));
    }

    /// <summary>The journey's create sends an Idempotency-Key made from {uuid}, as a client that retries one intent does.</summary>
    private const string KeyedJourney = """
        journeys:
          - name: order and find it
            steps:
              - request: POST /orders
                headers: { Idempotency-Key: "order-{uuid}" }
                json: { items: [ { productId: 1, quantity: 2 } ] }
                expect: { status: 201 }
                capture: { order: $.id }
              - request: GET /orders/{order}
              - request: GET /orders?search=mug
        """;

    [Fact]
    public async Task A_retry_sends_the_cut_runs_Idempotency_Key_again_so_an_idempotent_create_is_no_AG7037()
    {
        // One open order at a time, but a key seen before answers with the order it made: a client retrying its intent
        // with the same key gets its order back; one that made a new key would be refused.
        using var api = new FakeOrdersApi(new FakeOrdersFaults { OneOpenOrder = true, IdempotencyKeys = true });

        var result = await RunAsync(api, KeyedJourney);

        Assert.Equal(CheckStatus.Pass, result.Status);
        var summary = Assert.Single(result.Findings);
        Assert.Equal(JourneyRules.NetworkFailureSummary, summary.Rule);
        Assert.EndsWith("the journey run again from its start with the same {uuid} succeeded", summary.Message, StringComparison.Ordinal);
        var keys = api.Requests.Where(r => r.Method == "POST").Select(r => r.Headers["Idempotency-Key"]).ToList();
        Assert.Equal(2, keys.Count);
        Assert.Single(keys.Distinct());
        Assert.Single(api.Stored);
    }

    [Fact]
    public async Task When_the_same_intent_is_refused_the_journey_is_run_as_a_new_one()
    {
        // Notes are unique and the journey's note is made from {run}: the same run again conflicts with its own order,
        // a new run does not (a sign-up that an interrupted run already made, started over under a new name).
        using var api = new FakeOrdersApi(new FakeOrdersFaults { UniqueNotes = true });

        var result = await RunAsync(api, KeyedJourney.Replace("quantity: 2 } ] }", "quantity: 2 } ], note: \"gift {run}\" }", StringComparison.Ordinal));

        Assert.Equal(CheckStatus.Pass, result.Status);
        var summary = Assert.Single(result.Findings);
        Assert.Contains("with the same {uuid} failed at step 1 (POST /orders) (status 409, expected 201), as a new run it succeeded", summary.Message, StringComparison.Ordinal);
        Assert.Equal(["gift 1", "gift 1", "gift 2"], api.Requests.Where(r => r.Method == "POST").Select(r => (string)System.Text.Json.Nodes.JsonNode.Parse(r.Body)!["note"]!));
    }
}

using Archgate.Checks.LoadGenerator;
using Archgate.Checks.Performance;

namespace Archgate.Checks.Tests.Performance;

public sealed class LoadScenarioTests
{
    private static readonly Model.SystemModel System = TestSystems.Load("""
        version: 1
        system: { name: shop }
        components:
          - { name: payments, kind: service, url: "http://127.0.0.1:7201", health: /health }
          - { name: api, kind: service, url: "http://127.0.0.1:7101/v1", critical: true, health: /health }
        load:
          thinkTime: 500ms
          warmup: 1s
          setup:
            - request: POST /auth/login
              json: { username: ann, password: demo }
              capture: { token: accessToken }
          journeys:
            - name: browse
              weight: 3
              steps:
                - request: GET /orders
                  headers: { Authorization: "Bearer {token}" }
                - request: GET /orders/{id}
                  name: order
            - name: fast
              thinkTime: 0s
              steps: [GET /products]
          stages:
            - { users: 7, duration: 2s }
            - { users: 13, duration: 3s, rampUp: 1s }
        """.Replace("GET /orders/{id}", "GET /orders/{vu}", StringComparison.Ordinal));

    [Fact]
    public async Task A_setup_login_at_another_component_goes_there_and_its_token_goes_to_every_user()
    {
        using var auth = new Frontend.FakeShopApi();
        using var api = new Frontend.FakeShopApi(issuer: auth);
        var folder = Frontend.AuthFlowCheckTests.Folder();
        var system = TestSystems.Load(api.ManifestSigningInAt(auth, folder, api: "critical: true", extra: """
            load:
              target: api
              setup: [ { login: ann } ]
              requests: [ { request: GET /me, headers: { Authorization: "Bearer {token}" } } ]
            """), folder);
        var target = LoadScenario.Target(system)!;
        using var http = Http.ProbeHttp.CreateClient(system.AllowedHosts);

        var withLogins = await LoadScenario.WithContractLoginsAsync(system, target, CancellationToken.None);
        var setup = await LoadScenario.RunSetupAsync(withLogins, target, http, CancellationToken.None);

        Assert.Null(setup.Failure);
        Assert.StartsWith("access-", setup.Variables["token"], StringComparison.Ordinal);
        Assert.Equal("/auth/login", Assert.Single(auth.Requests).PathAndQuery);
        Assert.Empty(api.Requests);
    }

    [Fact]
    public async Task A_number_the_setup_captured_fills_a_json_string_that_is_only_that_variable_as_the_number()
    {
        using var api = new Frontend.FakeShopApi();
        var system = TestSystems.Load($$"""
            version: 1
            system: { name: fake }
            components:
              - { name: api, kind: service, url: "{{api.Url.ToString().TrimEnd('/')}}" }
            load:
              setup:
                - { request: POST /auth/login, json: { username: ann, password: demo }, capture: { token: accessToken } }
                - { request: POST /notes, headers: { Authorization: "Bearer {token}" }, json: { title: parent }, capture: { note: id } }
              requests:
                - { request: POST /notes, headers: { Authorization: "Bearer {token}" }, json: { parent: "{note}", title: "child of {note}" } }
            """);
        var target = LoadScenario.Target(system)!;
        using var http = Http.ProbeHttp.CreateClient(system.AllowedHosts);

        var setup = await LoadScenario.RunSetupAsync(system, target, http, CancellationToken.None);
        var plan = LoadScenario.BuildPlan(system, target, setup.Variables);

        Assert.Null(setup.Failure);
        Assert.Equal("""{"parent":1,"title":"child of 1"}""", global::System.Text.Encoding.UTF8.GetString(plan.Journeys.Single().Steps.Single().Body!));
    }

    [Fact]
    public void The_target_is_the_first_critical_service_and_the_plan_follows_the_manifest()
    {
        var target = LoadScenario.Target(System)!;
        Assert.Equal("api", target.Name);

        var plan = LoadScenario.BuildPlan(System, target, new Dictionary<string, string> { ["token"] = "t0k3n" });

        Assert.Equal(new Uri("http://127.0.0.1:7101/v1"), plan.Target);
        Assert.Equal([("warmup", 7.0), ("baseline", 7.0), ("stress", 13.0)], plan.Stages.Select(s => (s.Name, s.Target)));
        Assert.Equal(TimeSpan.FromSeconds(1), plan.Stages[2].RampUp);
        Assert.Equal(TimeSpan.FromSeconds(6), plan.TotalDuration);
        Assert.Equal(["browse", "fast"], plan.Journeys.Select(j => j.Name));
        Assert.Equal([3, 1], plan.Journeys.Select(j => j.Weight));
        Assert.Equal([TimeSpan.FromMilliseconds(500), TimeSpan.Zero], plan.Journeys.Select(j => j.ThinkTime));
        var orders = plan.Journeys[0].Steps[0];
        Assert.Equal("Bearer t0k3n", Assert.Single(orders.Headers).Value);
        Assert.Equal(["GET /orders", "order"], plan.Journeys[0].Steps.Select(s => s.RouteName));
        Assert.Equal("/orders/{vu}", plan.Journeys[0].Steps[1].Path);
        Assert.Empty(plan.Validate());
    }

    [Theory]
    [InlineData(500, 3)]
    [InlineData(7, 4)]
    [InlineData(1, 2)]
    public void Agent_segments_share_every_stages_users_exactly(int users, int agents)
    {
        var shares = Enumerable.Range(0, agents).Select(i => LoadScenario.Share(users, i, agents)).ToList();

        Assert.Equal(users, shares.Sum());
        Assert.True(shares.Max() - shares.Min() <= 1);
    }

    [Fact]
    public void The_warmup_is_measured_by_nobody()
    {
        var d = TimeSpan.FromSeconds(1);
        var warm = new StageResult("warmup", 10, LoadResults.Metrics(900_000, 50, d), [new RouteResult("GET /", LoadResults.Metrics(900_000, 50, d))]);
        var real = new StageResult("baseline", 10, LoadResults.Metrics(5_000, 100, d), [new RouteResult("GET /", LoadResults.Metrics(5_000, 100, d))]);
        var all = RequestMetricsOf(warm, real);
        var result = new LoadResult(new Uri("http://127.0.0.1/"), LoadModel.ClosedUsers, all, [warm, real], [new RouteResult("GET /", all)], 150, 0, 10, LoadTransport.RawHttp1);

        var measured = LoadScenario.WithoutWarmup(result);

        Assert.Equal(["baseline"], measured.Stages.Select(s => s.Name));
        Assert.Equal(100, measured.Overall.Requests);
        Assert.Equal(100, Assert.Single(measured.Routes).Metrics.Requests);
        Assert.True(measured.Overall.MaxMs < 10);
    }

    private static RequestMetrics RequestMetricsOf(StageResult a, StageResult b) =>
        RequestMetrics.Combine(a.Metrics, b.Metrics, sameWindow: false);
}

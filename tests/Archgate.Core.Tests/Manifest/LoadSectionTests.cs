using Archgate.Manifest;
using Archgate.Model;
using Archgate.Tests;

namespace Archgate.Core.Tests.Manifest;

/// <summary>The load section: scenario, stages and thresholds as the manifest writes them.</summary>
public sealed class LoadSectionTests
{
    private const string Components = """
        version: 1
        system: { name: shop }
        components:
          - { name: api, kind: service, url: "http://127.0.0.1:7101", health: /health }
          - { name: web, kind: frontend, url: "http://127.0.0.1:7001", dependsOn: [api] }

        """;

    [Fact]
    public void Scenario_maps_setup_weighted_requests_journeys_captures_and_think_time()
    {
        var model = TestSystems.Load(Components + """
            load:
              target: api
              thinkTime: 250ms
              setup:
                - request: POST /auth/login
                  json: { username: "${USER:-ann}", password: demo, remember: true, attempts: 3 }
                  capture: { token: accessToken, session: "header:Set-Cookie" }
              requests:
                - GET /products?page=1
                - { request: GET /products/2, weight: 3, name: product }
              journeys:
                - name: order
                  weight: 2
                  thinkTime: 0s
                  setup:
                    - request: POST /cart
                      headers: { Authorization: "Bearer {token}" }
                      capture: { cart: id }
                  steps:
                    - request: POST /orders
                      headers: { Authorization: "Bearer {token}" }
                      body: "cart={cart}"
                      capture: { order: id }
                    - request: GET /orders/{order}
                      headers: { Authorization: "Bearer {token}" }
            """);

        var load = model.Load;
        Assert.Equal("api", load.Target);
        Assert.Equal(TimeSpan.FromMilliseconds(250), load.ThinkTime);
        var login = Assert.Single(load.Setup);
        Assert.Equal(("POST", "/auth/login"), (login.Method, login.Path));
        Assert.Equal("""{"username":"ann","password":"demo","remember":true,"attempts":3}""", login.Body);
        Assert.Contains(login.Headers, h => h.Key == "Content-Type" && h.Value == "application/json");
        Assert.Equal([new ScenarioCapture("token", CaptureSource.JsonProperty, "accessToken"), new ScenarioCapture("session", CaptureSource.Header, "Set-Cookie")], login.Captures);

        Assert.Equal(["GET /products", "product", "order"], load.Journeys.Select(j => j.Name));
        Assert.Equal([1, 3, 2], load.Journeys.Select(j => j.Weight));
        Assert.Equal("GET /products", load.Journeys[0].Steps[0].RouteName);
        var order = load.Journeys[2];
        Assert.Equal(TimeSpan.Zero, order.ThinkTime);
        Assert.Null(load.Journeys[0].ThinkTime);
        Assert.Equal("POST /cart", Assert.Single(order.Setup).RouteName);
        Assert.Equal(["POST /orders", "GET /orders/{order}"], order.Steps.Select(s => s.RouteName));
        Assert.Equal("cart={cart}", order.Steps[0].Body);
    }

    [Fact]
    public void A_journey_step_may_set_its_own_think_time_and_a_setup_request_may_not()
    {
        var model = TestSystems.Load(Components + """
            load:
              journeys:
                - name: order
                  steps:
                    - { request: POST /orders, capture: { order: id }, thinkTime: 0s }
                    - GET /orders/{order}
            """);
        var setup = ManifestLoader.Parse(Components + """
            load:
              journeys:
                - name: order
                  setup:
                    - { request: POST /auth/login, thinkTime: 0s }
                  steps: [GET /orders]
            """, "archgate.yaml", "/tmp/archgate.yaml", "sha", _ => null);

        var steps = model.Load.Journeys.Single().Steps;
        Assert.Equal(TimeSpan.Zero, steps[0].ThinkTime);
        Assert.Null(steps[1].ThinkTime);
        var error = Assert.Single(setup.Errors);
        Assert.Contains("thinkTime", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(10, error.Line);
    }

    [Fact]
    public void Stages_take_names_ramps_and_default_names_and_the_warmup()
    {
        var model = TestSystems.Load(Components + """
            load:
              warmup: 0s
              stages:
                - { users: 10, duration: 3s }
                - { users: 50, duration: 2s, rampUp: 1s, name: soak }
                - { users: 90, duration: 1.5s }
            """);

        Assert.Equal(["baseline", "soak", "stress"], model.Load.Stages.Select(s => s.Name));
        Assert.Equal([10, 50, 90], model.Load.Stages.Select(s => s.Users));
        Assert.Equal(TimeSpan.FromSeconds(1), model.Load.Stages[1].RampUp);
        Assert.Equal(TimeSpan.Zero, model.Load.Warmup);
        Assert.Equal(TimeSpan.FromSeconds(6.5), model.Load.TotalDuration);
    }

    [Fact]
    public void Without_a_load_section_the_protocol_default_is_a_100_user_baseline_and_a_500_user_stress_stage()
    {
        var load = TestSystems.Load(Components).Load;

        Assert.Equal([("baseline", 100), ("stress", 500)], load.Stages.Select(s => (s.Name, s.Users)));
        Assert.All(load.Stages, s => Assert.Equal(TimeSpan.FromSeconds(10), s.Duration));
        Assert.Equal(TimeSpan.FromSeconds(1), load.ThinkTime);
        Assert.Empty(load.Journeys);
        Assert.Equal(1, load.Agents);
        Assert.Equal(TimeSpan.FromSeconds(10), load.RequestTimeout);
        Assert.False(load.AllowNoData);
    }

    [Fact]
    public void The_request_timeout_and_allowing_thresholds_without_data_are_read_and_a_zero_timeout_is_an_error()
    {
        var load = TestSystems.Load(Components + """
            load:
              requestTimeout: 2500ms
              allowNoData: true
            """).Load;
        var zero = ManifestLoader.Parse(Components + """
            load:
              requestTimeout: 0s
            """, "archgate.yaml", "/tmp/archgate.yaml", "sha", _ => null);

        Assert.Equal(TimeSpan.FromMilliseconds(2500), load.RequestTimeout);
        Assert.True(load.AllowNoData);
        var error = Assert.Single(zero.Errors);
        Assert.Equal((7, 19), (error.Line, error.Column));
        Assert.Contains("load.requestTimeout", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Thresholds_are_parsed_when_the_manifest_loads_with_abort_on_fail()
    {
        var model = TestSystems.Load(Components + """
            load:
              requests: [GET /orders]
              agents: 3
              thresholds:
                "http_req_duration{route:GET /orders}": ["p(95)<200", "max<1.5s"]
                http_req_failed: [ { threshold: "rate<0.01", abortOnFail: true } ]
                "http_reqs{stage:stress}": "rate>10"
            """);

        var t = model.Load.Thresholds;
        Assert.Equal(4, t.Count);
        Assert.Equal(("http_req_duration", "GET /orders", "p", 95.0, ThresholdComparison.LessThan, 200.0), (t[0].Metric, t[0].Route, t[0].Aggregation, t[0].Percentile, t[0].Comparison, t[0].Limit));
        Assert.Equal(1500, t[1].Limit);
        Assert.True(t[2].AbortOnFail);
        Assert.False(t[0].AbortOnFail);
        Assert.Equal("stress", t[3].Stage);
        Assert.Equal(3, model.Load.Agents);
    }

    [Fact]
    public void A_bad_threshold_is_a_manifest_error_at_the_character_that_is_wrong()
    {
        var text = Components + """
            load:
              thresholds:
                http_req_failed: ["rate<0.0x1"]
            """;
        var result = ManifestLoader.Parse(text, "archgate.yaml", "/tmp/archgate.yaml", "sha", _ => null);

        var error = Assert.Single(result.Errors);
        // Line 8 is 'http_req_failed: ["rate<0.0x1"]'; column 32 is the 'x'.
        Assert.Equal((8, 32), (error.Line, error.Column));
        Assert.Contains("unexpected unit 'x'", error.Message, StringComparison.Ordinal);
    }
}

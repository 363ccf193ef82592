using Archgate.Checks.Performance;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Performance;

public sealed class LoadReportTests
{
    private static readonly Model.SystemModel System = TestSystems.Load("""
        version: 1
        system: { name: shop }
        components:
          - { name: api, kind: service, url: "http://127.0.0.1:7101" }
        slo:
          api: { p95: 200ms, errorRate: 1% }
        load:
          requests: [GET /orders, GET /products]
          thresholds:
            "http_req_duration{route:GET /products}": ["p(95)<50"]
            "http_reqs{stage:stress}": ["rate>1000"]
        """);

    [Fact]
    public void A_route_above_the_slo_is_a_finding_naming_the_route_and_its_p95()
    {
        var result = LoadResults.TwoStages(("GET /orders", 380_000, 412_000, 0), ("GET /products", 8_000, 12_000, 0));
        var thresholds = LoadReport.Thresholds(System, System.Find("api")!, ["GET /orders", "GET /products"]);

        var findings = LoadReport.Judge("api", result, thresholds);

        var slow = Assert.Single(findings, f => f.Rule == "AG8001");
        Assert.Equal("GET /orders p95 412 ms > 200 ms", slow.Message);
        Assert.Equal(Severity.High, slow.Severity);
        Assert.Equal("GET /orders", slow.Location);
        Assert.Contains("baseline (100 users): p95 380 ms", slow.Evidence, StringComparison.Ordinal);
        Assert.Contains("stress (500 users): p95 412 ms", slow.Evidence, StringComparison.Ordinal);
        var throughput = Assert.Single(findings, f => f.Rule == "AG8003");
        Assert.Equal("all routes http_reqs rate 400/s < 1000/s in stage stress", throughput.Message);
        Assert.DoesNotContain(findings, f => f.Rule == "AG8002");
        Assert.Equal(CheckStatus.Fail, CheckResult.From(findings).Status);
    }

    [Fact]
    public void The_error_rate_slo_judges_failed_requests_and_a_clean_result_passes()
    {
        var failing = LoadResults.TwoStages(("GET /orders", 10_000, 20_000, 40), ("GET /products", 8_000, 12_000, 0));
        var thresholds = LoadReport.Thresholds(System, System.Find("api")!, ["GET /orders", "GET /products"]).Where(t => t.Metric != "http_reqs").ToList();

        var errors = Assert.Single(LoadReport.Judge("api", failing, thresholds));
        Assert.Equal("AG8002", errors.Rule);
        Assert.Equal("all routes error rate 1.33 % > 1 %", errors.Message);

        var clean = LoadResults.TwoStages(("GET /orders", 10_000, 20_000, 0), ("GET /products", 8_000, 12_000, 0));
        Assert.Empty(LoadReport.Judge("api", clean, thresholds));
    }

    [Fact]
    public void The_slo_defaults_to_the_protocols_200_ms_and_1_percent_and_the_manifest_adds_its_own()
    {
        var bare = TestSystems.Load("""
            version: 1
            system: { name: s }
            components: [ { name: api, kind: service, url: "http://127.0.0.1:7101" } ]
            """);

        var texts = LoadReport.Thresholds(bare, bare.Find("api")!, ["GET /"]).Select(t => t.Text).ToList();
        Assert.Equal(["http_req_duration{route:GET /}: p(95)<200", "http_req_failed: rate<0.01"], texts);
        // GET /orders by the SLO, GET /products by its own p95 (in place of the SLO's), the error rate, the stress rate.
        Assert.Equal(4, LoadReport.Thresholds(System, System.Find("api")!, ["GET /orders", "GET /products"]).Count);
    }

    [Fact]
    public void A_route_with_its_own_p95_threshold_is_judged_by_it_instead_of_the_slo()
    {
        var system = TestSystems.Load("""
            version: 1
            system: { name: s }
            components: [ { name: api, kind: service, url: "http://127.0.0.1:7101" } ]
            slo: { api: { p95: 200ms } }
            load:
              journeys: [ { name: j, steps: [ GET /orders, { request: GET /slow, name: follow } ] } ]
              thresholds:
                "http_req_duration{route:follow}": ["p(95)<1500"]
                "http_req_duration{route:GET /orders,stage:stress}": ["p(99)<900"]
            """);
        var thresholds = LoadReport.Thresholds(system, system.Find("api")!, ["GET /orders", "follow"]);
        var result = LoadResults.TwoStages(("GET /orders", 10_000, 20_000, 0), ("follow", 900_000, 1_100_000, 0));

        Assert.DoesNotContain(thresholds, t => t.Text == "http_req_duration{route:follow}: p(95)<200");
        Assert.Contains(thresholds, t => t.Text == "http_req_duration{route:GET /orders}: p(95)<200"); // a stage's p99 does not replace it
        Assert.Empty(LoadReport.Judge("api", result, thresholds));

        var slower = LoadResults.TwoStages(("GET /orders", 10_000, 20_000, 0), ("follow", 900_000, 1_600_000, 0));
        var late = Assert.Single(LoadReport.Judge("api", slower, thresholds));
        Assert.Equal(("AG8001", "follow"), (late.Rule, late.Location));
        Assert.EndsWith("> 1.5 s", late.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_threshold_without_data_fails_saying_there_were_no_successful_requests()
    {
        var result = LoadResults.TwoStages(("GET /products", 8_000, 12_000, 0));
        var findings = LoadReport.Judge("api", result, LoadReport.Thresholds(System, System.Find("api")!, ["GET /orders"]));

        var noData = Assert.Single(findings, f => f.Rule == "AG8004");
        Assert.Equal(Severity.High, noData.Severity);
        Assert.Contains("GET /orders", noData.Message, StringComparison.Ordinal);
        Assert.Contains("no successful requests", noData.Message, StringComparison.Ordinal);
        Assert.Equal(CheckStatus.Fail, CheckResult.From(findings).Status);
    }

    [Fact]
    public void A_threshold_without_data_is_only_a_warning_when_the_manifest_allows_it()
    {
        var result = LoadResults.TwoStages(("GET /products", 8_000, 12_000, 0));
        var thresholds = LoadReport.Thresholds(System, System.Find("api")!, ["GET /orders"]).Where(t => t.Metric != "http_reqs");
        var findings = LoadReport.Judge("api", result, thresholds, allowNoData: true);

        var noData = Assert.Single(findings, f => f.Rule == "AG8004");
        Assert.Equal(Severity.Medium, noData.Severity);
        Assert.Equal(CheckStatus.Warn, CheckResult.From(findings).Status);
    }

    [Fact]
    public void Metrics_are_k6_style_per_route_and_stage_with_percentiles_throughput_and_error_causes()
    {
        var result = LoadResults.TwoStages(("GET /orders", 380_000, 412_000, 10));

        var metrics = LoadReport.Metrics("api", result);

        Metric Find(string name, params (string K, string V)[] tags) =>
            Assert.Single(metrics, m => m.Name == name && m.Tags.Count == tags.Length + 1 && tags.All(t => m.Tags.GetValueOrDefault(t.K) == t.V));
        Assert.Equal(412, Find("http_req_duration", ("route", "GET /orders"), ("stage", "stress"), ("stat", "p95")).Value, 0);
        Assert.Equal("http_req_duration{component=api,route=GET /orders,stage=baseline,stat=p99}", Find("http_req_duration", ("route", "GET /orders"), ("stage", "baseline"), ("stat", "p99")).ToString());
        Assert.Equal(1500, Find("http_reqs", ("route", "GET /orders"), ("stat", "count")).Value);
        Assert.Equal(200, Find("http_reqs", ("stage", "stress"), ("stat", "rate")).Value);
        Assert.Equal(10, Find("http_req_errors", ("route", "GET /orders"), ("stage", "stress"), ("cause", "5xx")).Value);
        Assert.Equal(0.01, Find("http_req_failed", ("stage", "stress")).Value, 5);
        foreach (var stat in new[] { "p50", "p90", "p95", "p99", "max" })
        {
            Find("http_req_duration", ("stat", stat));
        }
    }
}

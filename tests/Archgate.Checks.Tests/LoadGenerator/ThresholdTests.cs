using Archgate.Checks.LoadGenerator;

namespace Archgate.Checks.Tests.LoadGenerator;

public class ThresholdTests
{
    [Fact]
    public void A_route_percentile_threshold_parses_with_a_route_that_has_braces()
    {
        var t = Threshold.Parse("http_req_duration{route:GET /orders/{id}}: p(95)<200");

        Assert.Equal("http_req_duration", t.Metric);
        Assert.Equal("GET /orders/{id}", t.Route);
        Assert.Null(t.Stage);
        Assert.Equal("p", t.Aggregation);
        Assert.Equal(95, t.Percentile);
        Assert.Equal(ThresholdOperator.LessThan, t.Operator);
        Assert.Equal(200, t.Limit);
    }

    [Theory]
    [InlineData("http_req_failed: rate<0.01", "rate", ThresholdOperator.LessThan, 0.01)]
    [InlineData("http_reqs: rate>100", "rate", ThresholdOperator.GreaterThan, 100)]
    [InlineData("http_reqs{stage:stress}: count >= 1e3", "count", ThresholdOperator.GreaterThanOrEqual, 1000)]
    [InlineData("http_req_duration: p(99.9)<=1.5s", "p", ThresholdOperator.LessThanOrEqual, 1500)]
    [InlineData("http_req_duration{route:GET /,stage:baseline}: max != 0ms", "max", ThresholdOperator.NotEqual, 0)]
    public void The_k6_forms_parse(string text, string aggregation, ThresholdOperator op, double limit)
    {
        var t = Threshold.Parse(text);

        Assert.Equal(aggregation, t.Aggregation);
        Assert.Equal(op, t.Operator);
        Assert.Equal(limit, t.Limit);
    }

    [Theory]
    [InlineData("http_req_duraton: p(95)<200", 0, "unknown metric 'http_req_duraton'")]
    [InlineData("http_req_duration p(95)<200", 18, "expected ':' after the metric")]
    [InlineData("http_req_duration: p95<200", 20, "expected '(' after p")]
    [InlineData("http_req_duration: p(195)<200", 21, "between 0 and 100")]
    [InlineData("http_req_failed: p(95)<0.01", 17, "http_req_failed has no aggregation 'p'")]
    [InlineData("http_reqs: rate=>100", 15, "unknown comparison '=>'")]
    [InlineData("http_reqs: rate>fast", 16, "expected a number")]
    [InlineData("http_req_duration{path:/x}: p(95)<1", 18, "unknown tag 'path'")]
    [InlineData("http_req_duration{route:GET /x: p(95)<1", 39, "unclosed tag list")]
    [InlineData("http_reqs: rate>100 and more", 20, "unexpected text")]
    public void Parse_errors_say_where_and_how_to_mend(string text, int position, string message)
    {
        Assert.False(Threshold.TryParse(text, out _, out var error));

        Assert.Equal(position, error!.Position);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(error.Hint));
        Assert.Contains(new string(' ', position) + "^", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Thresholds_judge_the_route_stage_and_overall_metrics()
    {
        var result = Result();

        Assert.Equal(ThresholdStatus.Pass, Threshold.Parse("http_req_duration{route:GET /orders/{id}}: p(95)<200").Evaluate(result).Status);
        Assert.Equal(ThresholdStatus.Fail, Threshold.Parse("http_req_duration{route:POST /orders}: p(95)<200").Evaluate(result).Status);
        Assert.Equal(ThresholdStatus.Fail, Threshold.Parse("http_req_failed: rate<0.01").Evaluate(result).Status);
        Assert.Equal(0.05, Threshold.Parse("http_req_failed: rate<0.1").Evaluate(result).Observed!.Value, 3);
        Assert.Equal(ThresholdStatus.Pass, Threshold.Parse("http_reqs: rate>100").Evaluate(result).Status);
        Assert.Equal(ThresholdStatus.Pass, Threshold.Parse("http_reqs{stage:main}: count==2000").Evaluate(result).Status);
    }

    [Fact]
    public void A_threshold_on_a_route_that_never_ran_has_no_data_rather_than_passing()
    {
        var outcome = Threshold.Parse("http_req_duration{route:GET /nowhere}: p(95)<200").Evaluate(Result());

        Assert.Equal(ThresholdStatus.NoData, outcome.Status);
        Assert.Null(outcome.Observed);
    }

    private static LoadResult Result()
    {
        var duration = TimeSpan.FromSeconds(10);
        var fast = new RequestMetrics(LatencyHistogramTests.Histogram(Enumerable.Repeat(50_000L, 1000).ToArray()), 1000, ErrorCounts.None, 0, 0, 0, duration);
        var slow = new RequestMetrics(LatencyHistogramTests.Histogram(Enumerable.Repeat(400_000L, 1000).ToArray()), 1000, new ErrorCounts(0, 100, 0, 0), 0, 0, 0, duration);
        var routes = new[] { new RouteResult("GET /orders/{id}", fast), new RouteResult("POST /orders", slow) };
        var overall = RequestMetrics.Combine(fast, slow, sameWindow: true);
        return new LoadResult(new Uri("http://127.0.0.1/"), LoadModel.ClosedUsers, overall, [new StageResult("main", 10, overall, routes)], routes, 2000, 0, 10, LoadTransport.RawHttp1);
    }
}

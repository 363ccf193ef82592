using Archgate.Checks.LoadGenerator;
using Archgate.Checks.Tests.LoadGenerator;

namespace Archgate.Checks.Tests.Performance;

/// <summary>Load results with known numbers, built the way the engine builds them.</summary>
internal static class LoadResults
{
    public static RequestMetrics Metrics(long micros, int count, TimeSpan duration, long status5xx = 0) =>
        new(LatencyHistogramTests.Histogram(Enumerable.Repeat(micros, count).ToArray()), count, new ErrorCounts(0, status5xx, 0, 0), 0, count * 100, count * 1000, duration);

    /// <summary>Two stages (baseline, stress) of the given routes: (route, baseline latency µs, stress latency µs, stress 5xx).</summary>
    public static LoadResult TwoStages(params (string Route, long BaselineMicros, long StressMicros, long Stress5xx)[] routes)
    {
        var d = TimeSpan.FromSeconds(5);
        StageResult Stage(string name, double users, Func<(string Route, long B, long S, long E), RequestMetrics> pick)
        {
            var rs = routes.Select(r => new RouteResult(r.Route, pick(r))).ToList();
            var total = rs.Select(r => r.Metrics).Aggregate(RequestMetrics.Empty(d), (a, b) => RequestMetrics.Combine(a, b, sameWindow: true));
            return new StageResult(name, users, total, rs);
        }

        var baseline = Stage("baseline", 100, r => Metrics(r.B, 500, d));
        var stress = Stage("stress", 500, r => Metrics(r.S, 1000, d, r.E));
        var totals = routes.Select((r, i) => new RouteResult(r.Route, RequestMetrics.Combine(baseline.Routes[i].Metrics, stress.Routes[i].Metrics, sameWindow: false))).ToList();
        var overall = RequestMetrics.Combine(baseline.Metrics, stress.Metrics, sameWindow: false);
        return new LoadResult(new Uri("http://127.0.0.1:7101/"), LoadModel.ClosedUsers, overall, [baseline, stress], totals, 1500, 0, 500, LoadTransport.RawHttp1);
    }
}

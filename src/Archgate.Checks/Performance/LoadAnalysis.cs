using System.Globalization;
using Archgate.Checks.LoadGenerator;
using Archgate.Judging;
using Archgate.Protocol;

namespace Archgate.Checks.Performance;

/// <summary>
/// Where the time went: the slowest routes, the knee between stages (where p95 or errors jump), errors by
/// cause, and the regression against the last GO run of the same system.
/// </summary>
public static class LoadAnalysis
{
    /// <summary>p95 that grows by this factor from one stage to the next is a knee. <value>2</value>.</summary>
    public const double KneeFactor = 2.0;

    /// <summary>...and by at least this much, so that 2 ms to 4 ms is not one. <value>20 ms</value>.</summary>
    public const double KneeMinimumMs = 20;

    /// <summary>Worse than the baseline by more than this fraction raises the escalation. <value>0.5</value>.</summary>
    public const double RegressionLimit = 0.5;

    /// <summary>
    /// p95 differences smaller than this are measurement noise on a shared machine, never a regression.
    /// <value>20 ms</value>.
    /// </summary>
    public const double RegressionFloorMs = 20;

    /// <summary>Bottleneck findings (info): slowest routes, knees between stages, error causes.</summary>
    public static IReadOnlyList<Finding> Bottlenecks(string component, LoadResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var findings = new List<Finding>();
        var routes = result.Routes.Where(r => r.Metrics.Requests > 0).ToList();
        var o = result.Overall;
        findings.Add(Findings.Create(PerformanceRules.Summary, Severity.Info,
            component: component,
            location: result.Target.ToString(),
            message: $"{o.Requests} requests in {o.Duration.TotalSeconds:0.#} s ({o.RequestsPerSecond:0.#} req/s), "
                + string.Join(" then ", result.Stages.Select(s => $"{s.Target:0} users ({s.Name}) p95 {LoadReport.Ms(s.Metrics.P95Ms)}"))
                + $", {o.FailedRate:0.##%} failed",
            evidence: string.Join("; ", routes.Select(r => $"{r.Route}: {r.Metrics.Requests} requests, {r.Metrics.RequestsPerSecond:0.#} req/s, "
                + $"p50 {LoadReport.Ms(r.Metrics.P50Ms)}, p95 {LoadReport.Ms(r.Metrics.P95Ms)}, p99 {LoadReport.Ms(r.Metrics.P99Ms)}, max {LoadReport.Ms(r.Metrics.MaxMs)}, {r.Metrics.Errors.Total} failed"))));
        var totalTime = routes.Sum(r => r.Metrics.Latency.MeanMilliseconds * r.Metrics.Latency.Count);
        if (routes.Count > 0 && totalTime > 0)
        {
            var slowest = routes.OrderByDescending(r => r.Metrics.P95Ms).Take(3).ToList();
            findings.Add(Findings.Create(PerformanceRules.SlowestRoutes, Severity.Info,
                component: component,
                location: slowest[0].Route,
                message: "slowest routes: " + string.Join(", ", slowest.Select(r =>
                    $"{r.Route} p95 {LoadReport.Ms(r.Metrics.P95Ms)} ({Share(r.Metrics.Latency.MeanMilliseconds * r.Metrics.Latency.Count, totalTime)} of the time)")),
                hint: "start with the first: it holds users longest"));
        }

        for (var i = 1; i < result.Stages.Count; i++)
        {
            var before = result.Stages[i - 1];
            var after = result.Stages[i];
            if (before.Metrics.Requests == 0 || after.Metrics.Requests == 0)
            {
                continue;
            }

            var jumps = new List<string>();
            var (b95, a95) = (before.Metrics.P95Ms, after.Metrics.P95Ms);
            if (a95 >= b95 * KneeFactor && a95 - b95 >= KneeMinimumMs)
            {
                var worst = after.Routes
                    .Select(r => (r.Route, After: r.Metrics, Before: before.Routes.FirstOrDefault(x => x.Route == r.Route)?.Metrics))
                    .Where(x => x.After.Requests > 0 && x.Before is { Requests: > 0 })
                    .OrderByDescending(x => x.After.P95Ms - x.Before!.P95Ms)
                    .FirstOrDefault();
                jumps.Add($"p95 jumps {a95 / Math.Max(b95, 0.001):0.#}x from {LoadReport.Ms(b95)} to {LoadReport.Ms(a95)}"
                    + (worst.Route is null ? string.Empty : $" (most on {worst.Route}: {LoadReport.Ms(worst.Before!.P95Ms)} to {LoadReport.Ms(worst.After.P95Ms)})"));
            }

            var (bErr, aErr) = (before.Metrics.FailedRate, after.Metrics.FailedRate);
            if (aErr >= 0.01 && aErr >= bErr * KneeFactor)
            {
                jumps.Add($"errors jump from {bErr:0.##%} to {aErr:0.##%}");
            }

            if (jumps.Count > 0)
            {
                findings.Add(Findings.Create(PerformanceRules.Knee, Severity.Info,
                    component: component,
                    location: $"{before.Name} -> {after.Name}",
                    message: $"knee between {before.Target:0} users ({before.Name}) and {after.Target:0} users ({after.Name}): {string.Join("; ", jumps)}",
                    evidence: LoadReport.Stages(result, null),
                    hint: "capacity ends between these stages; find the saturated resource (CPU, pool, locks, a dependency) at the higher load"));
            }
        }

        if (result.Overall.Errors.Total > 0)
        {
            var byRoute = routes.Where(r => r.Metrics.Errors.Total > 0).OrderByDescending(r => r.Metrics.Errors.Total)
                .Select(r => $"{r.Route}: {string.Join(", ", LoadReport.Causes(r.Metrics.Errors).Where(c => c.Count > 0).Select(c => $"{c.Count} {c.Cause}"))}");
            findings.Add(Findings.Create(PerformanceRules.ErrorCauses, Severity.Info,
                component: component,
                location: "errors",
                message: $"{result.Overall.Errors.Total} of {result.Overall.Requests} requests failed: "
                    + string.Join(", ", LoadReport.Causes(result.Overall.Errors).Where(c => c.Count > 0).Select(c => $"{c.Count} {c.Cause}")),
                evidence: string.Join("; ", byRoute),
                hint: "5xx under load: look at the component's log for pool exhaustion or dependency failures; timeouts: a saturated or stalled dependency; 4xx: the scenario's requests (auth token, ids)"));
        }

        return findings;
    }

    /// <summary>
    /// Compares the run with the last GO run of the same system: route by route, p95 and throughput. A
    /// <c>performance_regression</c> metric per comparison (fraction worse, 0 when better) feeds the
    /// escalation rule; a finding names both values when it is more than 50 % worse.
    /// </summary>
    public static (IReadOnlyList<Finding> Findings, IReadOnlyList<Metric> Metrics) Regression(string component, IReadOnlyList<Metric> current, RunRecord? baseline)
    {
        ArgumentNullException.ThrowIfNull(current);
        if (baseline is null)
        {
            return ([Findings.Create(PerformanceRules.NoBaseline, Severity.Info,
                component: component,
                location: null,
                message: "no GO run of this system in the run store yet: this run's numbers become the baseline once it passes")], []);
        }

        var old = baseline.Steps.Where(s => s.Number == 8).SelectMany(s => s.Checks).SelectMany(c => c.Metrics).ToList();
        var findings = new List<Finding>();
        var metrics = new List<Metric>();
        foreach (var now in current.Where(m => IsRouteTotal(m, component, "http_req_duration", "p95") || IsRouteTotal(m, component, "http_reqs", "rate")))
        {
            var then = old.FirstOrDefault(o => o.Name == now.Name && SameTags(o.Tags, now.Tags));
            if (then is null || then.Value <= 0)
            {
                continue;
            }

            var latency = now.Name == "http_req_duration";
            var worse = latency
                ? (now.Value - then.Value < RegressionFloorMs ? 0 : (now.Value - then.Value) / then.Value)
                : Math.Max(0, (then.Value - now.Value) / then.Value);
            var route = now.Tags["route"];
            var kind = latency ? "p95" : "throughput";
            metrics.Add(new Metric(PerformanceRules.RegressionMetric,
                LoadReport.Tags(component, route, null, ("kind", kind), ("baseline", baseline.RunId)), Math.Round(worse, 4), "ratio"));
            if (worse > RegressionLimit)
            {
                var (was, isNow) = latency
                    ? (LoadReport.Ms(then.Value), LoadReport.Ms(now.Value))
                    : ($"{then.Value.ToString("0.#", CultureInfo.InvariantCulture)} req/s", $"{now.Value.ToString("0.#", CultureInfo.InvariantCulture)} req/s");
                findings.Add(Findings.Create(PerformanceRules.Regression, Severity.Medium,
                    component: component,
                    location: route,
                    message: $"{route} {kind} regressed {worse:0%}: {isNow} now, {was} in the last GO run {baseline.RunId}",
                    evidence: $"baseline run {baseline.RunId} of {baseline.StartedAt:yyyy-MM-dd HH:mm} (GO): {kind} {was}; this run: {isNow}",
                    hint: "compare the changes since the baseline run; if the slowdown is intended (a heavier feature), the next GO run becomes the new baseline"));
            }
        }

        return (findings, metrics);
    }

    private static bool IsRouteTotal(Metric m, string component, string name, string stat) =>
        m.Name == name && m.Tags.GetValueOrDefault("component") == component && m.Tags.ContainsKey("route")
        && !m.Tags.ContainsKey("stage") && m.Tags.GetValueOrDefault("stat") == stat;

    private static bool SameTags(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v == kv.Value);

    private static string Share(double part, double total) => (part / total).ToString("0%", CultureInfo.InvariantCulture);
}

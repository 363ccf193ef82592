using System.Globalization;
using Archgate.Checks.LoadGenerator;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Performance;

/// <summary>
/// Turns a <see cref="LoadResult"/> into what a run records: k6-style metrics per route and stage, and a
/// finding per failed threshold (the target's SLO and the manifest's thresholds).
/// </summary>
public static class LoadReport
{
    /// <summary>The protocol's API latency objective when the target's SLO sets none. <value>200 ms</value>.</summary>
    public static readonly TimeSpan DefaultP95 = TimeSpan.FromMilliseconds(200);

    /// <summary>The protocol's error-rate objective when the target's SLO sets none. <value>1 %</value>.</summary>
    public const double DefaultErrorRate = 0.01;

    /// <summary>
    /// The services and frontends other than the load target whose SLO sets a p95 or an error rate: step 8 loads one
    /// target, so no check measures them. Each is named (AG8015, low), so that a declared target is never taken as met.
    /// </summary>
    public static IEnumerable<Finding> UnjudgedSlos(SystemModel system, Component target)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(target);
        foreach (var (name, slo) in system.Slos)
        {
            if (name == target.Name || system.Find(name) is not (ServiceComponent or FrontendComponent) || (slo.P95 is null && slo.ErrorRate is null))
            {
                continue;
            }

            var what = string.Join(", ", new[]
            {
                slo.P95 is { } p95 ? $"p95 {p95.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture)} ms" : null,
                slo.ErrorRate is { } rate ? $"errorRate {rate.ToString("0.##%", CultureInfo.InvariantCulture)}" : null,
            }.OfType<string>());
            yield return Findings.Create(PerformanceRules.SloNotJudged, Severity.Low, name, $"slo.{name}",
                $"slo.{name} ({what}) was not judged: step 8 loads {target.Name} only",
                hint: $"load {name} in a run of its own (load.target: {name}), or leave its p95 and errorRate out of slo.{name}");
        }
    }

    /// <summary>
    /// The thresholds that judge a run: every route's p95 against the target's SLO (<c>slo.&lt;target&gt;.p95</c>,
    /// default 200 ms) unless the manifest gives that route a <c>p(95)</c> threshold of its own (without a stage), the
    /// error rate against <c>errorRate</c> (default 1 %), then the manifest's own.
    /// </summary>
    public static IReadOnlyList<Threshold> Thresholds(SystemModel system, Component target, IEnumerable<string> routes)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(routes);
        var slo = system.Slos.GetValueOrDefault(target.Name);
        var p95 = (slo?.P95 ?? DefaultP95).TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture);
        var errorRate = (slo?.ErrorRate ?? DefaultErrorRate).ToString("0.#####", CultureInfo.InvariantCulture);
        // A route the manifest gives its own p95 limit (over all stages) is judged by that limit instead of the SLO's.
        var ownP95 = system.Load.Thresholds
            .Where(t => t is { Metric: "http_req_duration", Aggregation: "p", Percentile: 95, Stage: null, Route: not null })
            .Select(t => t.Route!)
            .ToHashSet(StringComparer.Ordinal);
        var texts = routes.Where(r => !ownP95.Contains(r)).Select(r => $"http_req_duration{{route:{r}}}: p(95)<{p95}").Append($"http_req_failed: rate<{errorRate}");
        var result = texts.Select(Threshold.Parse).ToList();
        foreach (var spec in system.Load.Thresholds)
        {
            if (!result.Any(t => t.Spec == spec with { AbortOnFail = false }))
            {
                result.Add(Threshold.From(spec));
            }
        }

        return result;
    }

    /// <summary>
    /// Findings for failed thresholds and thresholds without data (a failure unless <paramref name="allowNoData"/>,
    /// then a warning), naming the route and what was observed.
    /// </summary>
    public static IReadOnlyList<Finding> Judge(string component, LoadResult result, IEnumerable<Threshold> thresholds, bool allowNoData = false)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(thresholds);
        var findings = new List<Finding>();
        foreach (var outcome in thresholds.Select(t => t.Evaluate(result)))
        {
            var t = outcome.Threshold;
            var where = t.Route ?? "all routes";
            var inStage = t.Stage is null ? string.Empty : $" in stage {t.Stage}";
            if (outcome.Status == ThresholdStatus.NoData)
            {
                var m = result.Find(t.Route, t.Stage);
                var failedRequests = m is null || m.Requests == 0 ? "no request completed"
                    : $"{m.Errors.Total} of {m.Requests} requests failed ({string.Join(", ", Causes(m.Errors).Where(c => c.Count > 0).Select(c => $"{c.Count} {c.Cause}"))})";
                // A route a capture miss kept from being sent: the cause is the capture, said here as well as in its own finding.
                foreach (var miss in result.CaptureMisses.Where(x => t.Route is not null && x.NotSent.Contains(t.Route)))
                {
                    failedRequests += $"; not sent in {miss.Iterations} iterations: {MissedCapture(miss)} found nothing ({PerformanceRules.CaptureMissed})";
                }

                findings.Add(Findings.Create(PerformanceRules.ThresholdNoData, allowNoData ? Severity.Medium : Severity.High,
                    component: component,
                    location: where,
                    message: $"threshold '{t.Text}' {(allowNoData ? "had no data (allowed by load.allowNoData)" : "failed")}: {outcome.Reason} for {where}{inStage}",
                    evidence: $"{failedRequests}; " + Stages(result, t.Route),
                    hint: allowNoData
                        ? "check the route and stage names against the scenario; a route is reported as 'METHOD /path' (the request's name if it has one)"
                        : "nothing answered within load.requestTimeout (a request still in flight at the end counts as a timeout): is the target hung? A route or stage that never runs also has no data; set load.allowNoData: true only if that is expected"));
                continue;
            }

            if (outcome.Status == ThresholdStatus.Pass)
            {
                continue;
            }

            var observed = Describe(t, outcome.Observed!.Value);
            var limit = Describe(t, t.Limit);
            var (rule, hint) = t.Metric switch
            {
                "http_req_duration" => (PerformanceRules.LatencyAboveSlo, "profile the route under load (slow queries, missing indexes, lock contention, synchronous calls to other services); the slowest routes and the knee between stages are listed below"),
                "http_req_failed" => (PerformanceRules.ErrorRateAboveSlo, "the error causes are listed below: 5xx and timeouts under load usually mean an exhausted pool or a saturated dependency"),
                _ => (PerformanceRules.ThresholdFailed, "compare with the per-stage metrics of the run"),
            };
            findings.Add(Findings.Create(rule, Severity.High,
                component: component,
                location: where,
                message: $"{where} {Aggregation(t)} {observed} {Compare(outcome.Observed.Value, t.Limit)} {limit}{inStage}",
                evidence: $"threshold '{t.Text}'; " + Stages(result, t.Route),
                hint: hint));
        }

        return findings;
    }

    /// <summary>
    /// A finding per capture that found nothing (AG8016): how many iterations it stopped, at which request, what they did
    /// not send, and a sample answer. High when an answer below 400 came without the value (the capture or the service
    /// is wrong, and part of the journey was never measured); medium when every miss followed a failed request, which
    /// its route already counts as an error.
    /// </summary>
    public static IReadOnlyList<Finding> CaptureMisses(string component, LoadResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return [.. result.CaptureMisses.Select(miss => Findings.Create(PerformanceRules.CaptureMissed, miss.AfterSuccess > 0 ? Severity.High : Severity.Medium,
            component: component,
            location: $"journey '{miss.Journey}' {miss.Request}: {miss.Route}",
            message: $"{MissedCapture(miss)} found nothing in {miss.Iterations} iterations ({miss.AfterSuccess} answered without it, {miss.AfterFailure} after a failed request); "
                + (miss.NotSent.Count == 0 ? "those iterations stopped there" : $"those iterations stopped there and did not send {string.Join(", ", miss.NotSent)}"),
            evidence: $"sample answer: {miss.Sample}",
            hint: miss.AfterSuccess > 0
                ? "the answer came without the value: compare the capture with the answer (a JSON property is matched by its exact name at any depth, a header by its name), or find why the service leaves it out under load"
                : "the request itself failed (its errors count under its route, see AG8012): the rest of those iterations was not sent"))];
    }

    /// <summary>p50/p90/p95/p99/max, throughput and errors by cause, per route and stage, per stage, per route and overall.</summary>
    public static IReadOnlyList<Metric> Metrics(string component, LoadResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var metrics = new List<Metric>();
        foreach (var stage in result.Stages)
        {
            foreach (var route in stage.Routes.Where(r => r.Metrics.Requests > 0))
            {
                Add(metrics, component, route.Route, stage.Name, route.Metrics);
            }

            Add(metrics, component, null, stage.Name, stage.Metrics);
        }

        foreach (var route in result.Routes.Where(r => r.Metrics.Requests > 0))
        {
            Add(metrics, component, route.Route, null, route.Metrics);
        }

        Add(metrics, component, null, null, result.Overall);
        metrics.Add(new Metric("iterations", new Dictionary<string, string> { ["component"] = component }, result.Iterations, "count"));
        foreach (var miss in result.CaptureMisses)
        {
            metrics.Add(new Metric("capture_misses", Tags(component, miss.Route, null, ("journey", miss.Journey), ("request", miss.Request), ("variable", miss.Variable)), miss.Iterations, "count"));
        }

        return metrics;
    }

    /// <summary>Tags of a metric: component, then route and stage when set.</summary>
    public static Dictionary<string, string> Tags(string component, string? route, string? stage, params (string Key, string Value)[] more)
    {
        var tags = new Dictionary<string, string> { ["component"] = component };
        if (route is not null)
        {
            tags["route"] = route;
        }

        if (stage is not null)
        {
            tags["stage"] = stage;
        }

        foreach (var (k, v) in more)
        {
            tags[k] = v;
        }

        return tags;
    }

    private static void Add(List<Metric> metrics, string component, string? route, string? stage, RequestMetrics m)
    {
        foreach (var (stat, value) in new[] { ("p50", m.P50Ms), ("p90", m.P90Ms), ("p95", m.P95Ms), ("p99", m.P99Ms), ("max", m.MaxMs) })
        {
            metrics.Add(new Metric("http_req_duration", Tags(component, route, stage, ("stat", stat)), Math.Round(value, 3), "ms"));
        }

        metrics.Add(new Metric("http_reqs", Tags(component, route, stage, ("stat", "count")), m.Requests, "count"));
        metrics.Add(new Metric("http_reqs", Tags(component, route, stage, ("stat", "rate")), Math.Round(m.RequestsPerSecond, 2), "req/s"));
        metrics.Add(new Metric("http_req_failed", Tags(component, route, stage), Math.Round(m.FailedRate, 5), "ratio"));
        foreach (var (cause, count) in Causes(m.Errors).Where(c => c.Count > 0))
        {
            metrics.Add(new Metric("http_req_errors", Tags(component, route, stage, ("cause", cause)), count, "count"));
        }
    }

    /// <summary>Failed requests by cause, in a fixed order.</summary>
    public static IEnumerable<(string Cause, long Count)> Causes(ErrorCounts errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        yield return ("5xx", errors.Status5xx);
        yield return ("4xx", errors.Status4xx);
        yield return ("timeout", errors.Timeouts);
        yield return ("connection", errors.ConnectionErrors);
    }

    /// <summary>A route's (or all routes') p95, requests and errors per stage, for evidence.</summary>
    public static string Stages(LoadResult result, string? route)
    {
        ArgumentNullException.ThrowIfNull(result);
        return string.Join("; ", result.Stages.Select(s =>
        {
            var m = route is null ? s.Metrics : s.Routes.FirstOrDefault(r => r.Route == route)?.Metrics;
            return m is null || m.Requests == 0
                ? $"{s.Name} ({s.Target:0} users): no requests"
                : $"{s.Name} ({s.Target:0} users): p95 {Ms(m.P95Ms)}, {m.Requests} requests, {m.RequestsPerSecond:0.#} req/s, {m.FailedRate:0.##%} failed";
        }));
    }

    private static string MissedCapture(CaptureMiss miss) =>
        $"capture '{miss.Variable}' ({miss.From}) of {miss.Route} (journey '{miss.Journey}', {miss.Request})";

    /// <summary>Milliseconds as people read them: 412 ms, 12.5 ms, 1.53 s.</summary>
    public static string Ms(double ms) => ms >= 1000
        ? (ms / 1000).ToString("0.##", CultureInfo.InvariantCulture) + " s"
        : ms >= 100 ? ms.ToString("0", CultureInfo.InvariantCulture) + " ms" : ms.ToString("0.#", CultureInfo.InvariantCulture) + " ms";

    private static string Aggregation(Threshold t) => (t.Metric, t.Aggregation) switch
    {
        ("http_req_duration", "p") => $"p{t.Percentile.ToString("0.###", CultureInfo.InvariantCulture)}",
        ("http_req_duration", var a) => a,
        ("http_req_failed", _) => "error rate",
        ("http_req_late", _) => "late rate",
        (var metric, var a) => $"{metric} {a}",
    };

    private static string Describe(Threshold t, double value) => t.Metric switch
    {
        "http_req_duration" => Ms(value),
        "http_req_failed" or "http_req_late" => (value * 100).ToString("0.##", CultureInfo.InvariantCulture) + " %",
        _ => value.ToString("0.##", CultureInfo.InvariantCulture) + (t.Aggregation == "rate" ? "/s" : string.Empty),
    };

    private static string Compare(double observed, double limit) => observed > limit ? ">" : observed < limit ? "<" : "=";
}

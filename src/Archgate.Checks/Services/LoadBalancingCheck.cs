using System.Globalization;
using Archgate.Checks.Faults;
using Archgate.Checks.Http;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Services;

/// <summary>
/// Step 4, per <c>balancing</c> entry: drives the caller with a short bounded load and counts the calls each instance
/// receives at its own proxy. Round-robin: each instance's count within 10 % of an equal share (AG4085).
/// Least-connections: the first instance is slowed at its proxy for the load, and must get fewer calls than every
/// other instance (AG4086). The latency is removed whatever happens.
/// </summary>
internal sealed class LoadBalancingCheck(BalancingSpec spec) : ICheck
{
    /// <summary>How far an instance's count may be from an equal share under round-robin. <value>10 %</value>.</summary>
    public const double Tolerance = 0.10;

    /// <summary>The latency added to the first instance under least-connections. <value>300 ms</value>.</summary>
    public static readonly TimeSpan SlowBy = TimeSpan.FromMilliseconds(300);

    /// <summary>How long after the last drive the counts may take to settle (calls made by queued work). <value>15 s</value>.</summary>
    public static readonly TimeSpan SettleWait = TimeSpan.FromSeconds(15);

    public string Id => $"services.balancing:{spec.Caller}->{string.Join(",", spec.Instances)}";

    public int Step => 4;

    public string Title => $"{spec.Caller} balances its calls over {string.Join(", ", spec.Instances)} ({Policy})";

    private string Policy => spec.Policy == BalancingPolicy.RoundRobin ? "round-robin" : "least-connections";

    public Applicability AppliesTo(SystemModel system) => Applicability.Yes;

    public async Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        var proxies = spec.Instances.Select(i => (Instance: i, Proxy: (context.Edges as EdgeProxies)?.Find(new Edge(spec.Caller, i)))).ToList();
        if (proxies.Any(p => p.Proxy is null))
        {
            return CheckResult.Skipped($"{spec.Caller} → {string.Join(", ", proxies.Where(p => p.Proxy is null).Select(p => p.Instance))} has no Archgate proxy: start the system with Archgate (run --up) and give {spec.Caller} each instance's address as ${{url:NAME}}");
        }

        var target = context.System.Find<HttpComponent>(spec.Drive.Via ?? spec.Caller)!;
        var client = new CallerClient(target, context.Http, TokenSource.Of(context));
        if (await client.SignInAsync(cancellationToken) is { } problem)
        {
            return CheckResult.From([Finding(ServiceRules.BalancingNotExercised, Severity.High, problem, null, $"check {target.Name}'s auth in the manifest")]);
        }

        var starts = proxies.Select(p => p.Proxy!.Counters.RequestCount).ToList();
        IDisposable? slow = spec.Policy == BalancingPolicy.LeastConnections ? proxies[0].Proxy!.Add(new LatencyToxic(SlowBy)) : null;
        var answers = new int[6];
        try
        {
            context.Activity?.Report($"{spec.Requests} × {spec.Drive.Method} {spec.Drive.Path}, {spec.Concurrency} at a time" + (slow is null ? string.Empty : $"; {spec.Instances[0]} slowed by {SlowBy.TotalMilliseconds:0} ms"));
            await Parallel.ForEachAsync(Enumerable.Range(0, spec.Requests), new ParallelOptions { MaxDegreeOfParallelism = spec.Concurrency, CancellationToken = cancellationToken }, async (_, ct) =>
            {
                var answer = await client.SendAsync(spec.Drive, TimeSpan.Zero, ct);
                Interlocked.Increment(ref answers[answer.Status is { } s ? Math.Clamp(s / 100, 1, 5) : 0]);
            });

            // Calls the caller makes later (a queue, a worker) still count: wait until the counts stop moving.
            var deadline = context.Time.GetUtcNow() + SettleWait;
            var last = -1;
            while (context.Time.GetUtcNow() < deadline)
            {
                var now = Counts(proxies, starts).Sum();
                if (now == last && now >= spec.Requests)
                {
                    break;
                }

                last = now;
                await Task.Delay(TimeSpan.FromMilliseconds(1000), context.Time, cancellationToken);
            }
        }
        finally
        {
            slow?.Dispose();
        }

        var counts = Counts(proxies, starts);
        var total = counts.Sum();
        var evidence = $"{string.Join(", ", spec.Instances.Select((i, n) => $"{i}: {counts[n]}"))} of {total} call(s) at the proxies; " +
            $"{spec.Requests} drive(s) answered {string.Join(", ", answers.Select((c, k) => (c, k)).Where(x => x.c > 0).Select(x => $"{(x.k == 0 ? "none" : $"{x.k}xx")} × {x.c}"))}";
        var metrics = spec.Instances.Select((i, n) => Metric.ForComponent(ServiceRules.BalancedCallsMetric, i, counts[n], "count")).ToList();
        var findings = new List<Finding>();
        if (total == 0)
        {
            findings.Add(Finding(ServiceRules.BalancingNotExercised, Severity.High, $"no call of {spec.Caller} reached any instance", evidence,
                "declare a drive that makes the caller call the dependency, and 'calls' for the counted path"));
        }
        else if (spec.Policy == BalancingPolicy.RoundRobin)
        {
            var share = (double)total / counts.Count;
            var off = spec.Instances.Select((i, n) => (Instance: i, Count: counts[n])).Where(x => Math.Abs(x.Count - share) > Tolerance * share).ToList();
            if (off.Count > 0)
            {
                findings.Add(Finding(ServiceRules.Unbalanced, Severity.High,
                    $"round-robin is not balanced: {string.Join(", ", off.Select(o => $"{o.Instance} got {o.Count}"))} where an equal share is {share.ToString("0.#", CultureInfo.InvariantCulture)} (± {Tolerance:P0})",
                    evidence, $"check {spec.Caller}'s client-side balancing (or its balancer) really rotates over every instance"));
            }
        }
        else if (counts.Skip(1).Min() is var fewest && counts[0] >= fewest)
        {
            findings.Add(Finding(ServiceRules.SlowInstanceNotAvoided, Severity.High,
                $"least-connections: {spec.Instances[0]}, slowed by {SlowBy.TotalMilliseconds:0} ms, got {counts[0]} calls, not fewer than the fastest's {fewest}",
                evidence, $"a least-connections balancer sends fewer calls to a slow instance: check {spec.Caller}'s policy"));
        }

        if (findings.Count == 0)
        {
            findings.Add(Finding(ServiceRules.Balanced, Severity.Info, $"{Policy} as declared", evidence, null));
        }

        return CheckResult.From(findings, metrics) with { Reachability = Reachability.Reached };
    }

    private List<int> Counts(List<(string Instance, FaultProxy? Proxy)> proxies, List<int> starts) =>
        [.. proxies.Select((p, n) => p.Proxy!.Counters.Requests.Skip(starts[n]).Count(r => spec.Calls is null || r.Target.StartsWith(spec.Calls, StringComparison.Ordinal)))];

    private Finding Finding(string rule, Severity severity, string message, string? evidence, string? hint) =>
        Findings.Create(rule, severity, spec.Caller, spec.Location.ToString(), $"{spec.Caller} → {string.Join(", ", spec.Instances)}: {message}", evidence, hint);
}

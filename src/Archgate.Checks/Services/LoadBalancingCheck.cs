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
        var client = CallerClient.Of(target, context);
        if (await client.SignInAsync(cancellationToken) is { } problem)
        {
            return CheckResult.From([Finding(ServiceRules.BalancingNotExercised, Severity.High, problem, null, $"check {target.Name}'s auth in the manifest")]);
        }

        // Round-robin's premise is healthy instances: when one fails or stalls calls (timeouts, 5xx, an open breaker on
        // a loaded machine), the caller's failover, not its rotation, decides the shares. An uneven round is therefore
        // taken once more: a caller that does not rotate is uneven in both.
        List<int> counts, failed;
        int[] answers;
        var rounds = 0;
        do
        {
            rounds++;
            (counts, failed, answers) = await RoundAsync(proxies, client, context, cancellationToken);
        }
        while (rounds < 2 && spec.Policy == BalancingPolicy.RoundRobin && Uneven(counts).Count > 0);

        var total = counts.Sum();
        var evidence = $"{string.Join(", ", spec.Instances.Select((i, n) => $"{i}: {counts[n]}"))} of {total} call(s) at the proxies" +
            (failed.Sum() > 0 ? $" ({string.Join(", ", spec.Instances.Select((i, n) => (i, n)).Where(x => failed[x.n] > 0).Select(x => $"{x.i} failed {failed[x.n]}"))}: unanswered or 5xx)" : string.Empty) +
            $"; {spec.Requests} drive(s) answered {string.Join(", ", answers.Select((c, k) => (c, k)).Where(x => x.c > 0).Select(x => $"{(x.k == 0 ? "none" : $"{x.k}xx")} × {x.c}"))}" +
            (rounds > 1 ? $"; round {rounds} of {rounds} (the first was uneven)" : string.Empty);
        var metrics = spec.Instances.Select((i, n) => Metric.ForComponent(ServiceRules.BalancedCallsMetric, i, counts[n], "count")).ToList();
        var findings = new List<Finding>();
        if (total == 0)
        {
            findings.Add(Finding(ServiceRules.BalancingNotExercised, Severity.High, $"no call of {spec.Caller} reached any instance", evidence,
                "declare a drive that makes the caller call the dependency, and 'calls' for the counted path"));
        }
        else if (spec.Policy == BalancingPolicy.RoundRobin)
        {
            var off = Uneven(counts);
            if (off.Count > 0)
            {
                var share = ((double)total / counts.Count).ToString("0.#", CultureInfo.InvariantCulture);
                var shares = $"{string.Join(", ", off.Select(o => $"{spec.Instances[o]} got {counts[o]}"))} where an equal share is {share} (± {Tolerance:P0})";
                findings.Add(failed.Sum() > 0
                    ? Finding(ServiceRules.Unbalanced, Severity.Medium,
                        $"round-robin not judged: {shares}, but instances failed calls in both rounds, so {spec.Caller}'s failover decided the shares",
                        evidence, "run the check again on a quieter machine, or look at why the instance failed calls (its log, its pool)")
                    : Finding(ServiceRules.Unbalanced, Severity.High, $"round-robin is not balanced: {shares}",
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

    /// <summary>
    /// One round: the drives, then the wait for the counts to settle. Per instance, the counted calls and those that
    /// failed (no answer reached the caller, or 5xx), and the drives' answers by status class.
    /// </summary>
    private async Task<(List<int> Counts, List<int> Failed, int[] Answers)> RoundAsync(List<(string Instance, FaultProxy? Proxy)> proxies, CallerClient client, CheckContext context, CancellationToken cancellationToken)
    {
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
                var now = Calls(proxies, starts).Sum(c => c.Count);
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

        var calls = Calls(proxies, starts);
        return ([.. calls.Select(c => c.Count)], [.. calls.Select(c => c.Failed)], answers);
    }

    /// <summary>The instances (indices) whose count is more than <see cref="Tolerance"/> away from an equal share.</summary>
    private static List<int> Uneven(List<int> counts)
    {
        var share = (double)counts.Sum() / counts.Count;
        return [.. Enumerable.Range(0, counts.Count).Where(n => Math.Abs(counts[n] - share) > Tolerance * share)];
    }

    private List<(int Count, int Failed)> Calls(List<(string Instance, FaultProxy? Proxy)> proxies, List<int> starts) =>
        [.. proxies.Select((p, n) =>
        {
            var counted = p.Proxy!.Counters.Requests.Skip(starts[n]).Where(r => spec.Calls is null || r.Target.StartsWith(spec.Calls, StringComparison.Ordinal)).ToList();
            return (counted.Count, counted.Count(r => r.Status is null or >= 500));
        })];

    private Finding Finding(string rule, Severity severity, string message, string? evidence, string? hint) =>
        Findings.Create(rule, severity, spec.Caller, spec.Location.ToString(), $"{spec.Caller} → {string.Join(", ", spec.Instances)}: {message}", evidence, hint);
}

using System.Globalization;
using Archgate.Checks.Faults;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Services;

/// <summary>
/// Step 4, failure scenario 3 (cascade): for each dependency that callers reach through Archgate's proxies (or the
/// manifest's Toxiproxy proxies), refuses every edge into it, then probes the health of every other service and frontend. A dependant whose health fails
/// is traced along the dependency graph to the failed dependency (<c>web → api → payments</c>), one finding per
/// dependant, so that more than three raise the step's "service cascade failure" escalation; a dependant of the failed
/// dependency that stays healthy (perhaps reporting it degraded) is named as isolation that worked. The fault is
/// removed whatever happens, and the check waits for every component to be healthy again.
/// </summary>
internal sealed class CascadeCheck(CascadeOptions? options = null) : ICheck
{
    private readonly CascadeOptions _options = options ?? new();

    public string Id => "services.cascade";

    public int Step => 4;

    public string Title => "a failed dependency does not cascade";

    public Applicability AppliesTo(SystemModel system) => Applicability.Yes;

    public async Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        var edges = FaultableEdges.For(context);
        if (edges.Count == 0)
        {
            return CheckResult.Skipped("no edge has a proxy: start the system with Archgate (run --up) and give callers their dependencies' addresses as ${url:NAME}, or name Toxiproxy proxies in 'edges'");
        }

        var system = context.System;
        var probed = system.OfKind<HttpComponent>().Where(c => c.Kind is ComponentKind.Service or ComponentKind.Frontend && c.HealthPath is not null).ToList();
        var findings = new List<Finding>();
        var metrics = new List<Metric>();
        foreach (var dependency in edges.Select(e => e.Edge.Dependency).Distinct(StringComparer.Ordinal).ToList())
        {
            var into = edges.Where(e => e.Edge.Dependency == dependency).ToList();
            context.Activity?.Report($"cascade: {dependency} refused on {into.Count} edge(s); probing every component");
            var faults = new List<IAsyncDisposable>();
            Dictionary<string, (bool Ok, string What)> health;
            try
            {
                foreach (var edge in into)
                {
                    faults.Add(await edge.Inject(new RefusedToxic(), cancellationToken));
                }

                await Task.Delay(_options.Settle, context.Time, cancellationToken);
                health = await ProbeAllAsync(context, probed.Where(c => c.Name != dependency), cancellationToken);
            }
            finally
            {
                foreach (var fault in faults)
                {
                    await fault.DisposeAsync();
                }
            }

            var failing = health.Where(h => !h.Value.Ok).Select(h => h.Key).ToList();
            metrics.Add(new Metric("cascade_failing_dependants", new Dictionary<string, string> { ["component"] = dependency }, failing.Count, "components"));
            foreach (var name in failing)
            {
                var chain = Chain(system, name, dependency);
                findings.Add(Findings.Create(ServiceRules.Cascade, Severity.High,
                    component: name,
                    location: chain is null ? name : string.Join(" → ", chain),
                    message: chain is null
                        ? $"cascade: {name} fails while {dependency} is down, though it does not depend on it ({health[name].What})"
                        : $"cascade: {name} fails while {dependency} is down ({string.Join(" → ", chain)}): {health[name].What}",
                    hint: $"guard the calls along {string.Join(" → ", chain ?? [name, dependency])} with a timeout, a breaker and a fallback"));
            }

            foreach (var caller in into.Select(e => e.Edge.Caller).Distinct(StringComparer.Ordinal))
            {
                if (health.TryGetValue(caller, out var h) && h.Ok)
                {
                    findings.Add(Findings.Create(ServiceRules.Isolated, Severity.Info,
                        component: caller,
                        location: $"{caller} → {dependency}",
                        message: $"isolation worked: {caller} stays healthy while {dependency} is down ({h.What})"));
                }
            }

            if (failing.Count > 0 && await AwaitHealthyAsync(context, probed, cancellationToken) is { Count: > 0 } stuck)
            {
                findings.Add(Findings.Create(ServiceRules.Cascade, Severity.High,
                    component: stuck[0],
                    location: null,
                    message: $"after {dependency} came back, {string.Join(", ", stuck)} stayed unhealthy for {_options.RecoveryWait.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s",
                    hint: "a dependant should recover by itself once its dependency is back"));
                break; // the system is broken now: failing the next dependency would judge nothing
            }
        }

        return CheckResult.From(findings, metrics);
    }

    private static async Task<Dictionary<string, (bool Ok, string What)>> ProbeAllAsync(CheckContext context, IEnumerable<HttpComponent> components, CancellationToken ct)
    {
        var probes = components.Select(async c => (c.Name, Result: await ProbeAsync(context, c, ct))).ToList();
        return (await Task.WhenAll(probes)).ToDictionary(p => p.Name, p => p.Result, StringComparer.Ordinal);
    }

    private static async Task<(bool Ok, string What)> ProbeAsync(CheckContext context, HttpComponent component, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(HealthCheck.Timeout);
        try
        {
            using var response = await context.Http.GetAsync(new Uri(component.Url, component.HealthPath), timeout.Token);
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            var degraded = EdgeReadinessCheck.Entries(body).Where(e => !e.Value.Status.Equals("healthy", StringComparison.OrdinalIgnoreCase) && !e.Value.Status.Equals("up", StringComparison.OrdinalIgnoreCase))
                .Select(e => $"{e.Key} {e.Value.Status}").ToList();
            return (response.IsSuccessStatusCode, $"health {(int)response.StatusCode}" + (degraded.Count > 0 ? $", reports {string.Join(", ", degraded)}" : string.Empty));
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return (false, $"health unreachable: {Http.ProbeHttp.Classify(ex).Cause}");
        }
    }

    private async Task<List<string>> AwaitHealthyAsync(CheckContext context, List<HttpComponent> components, CancellationToken ct)
    {
        var started = context.Time.GetTimestamp();
        while (true)
        {
            var unhealthy = (await ProbeAllAsync(context, components, ct)).Where(h => !h.Value.Ok).Select(h => h.Key).ToList();
            if (unhealthy.Count == 0 || context.Time.GetElapsedTime(started) >= _options.RecoveryWait)
            {
                return unhealthy;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), context.Time, ct);
        }
    }

    /// <summary>The shortest path of dependencies from <paramref name="from"/> to <paramref name="to"/>, or null.</summary>
    internal static List<string>? Chain(SystemModel system, string from, string to)
    {
        var previous = new Dictionary<string, string?>(StringComparer.Ordinal) { [from] = null };
        var queue = new Queue<string>([from]);
        while (queue.TryDequeue(out var name))
        {
            if (name == to)
            {
                var path = new List<string>();
                for (string? at = to; at is not null; at = previous[at])
                {
                    path.Add(at);
                }

                path.Reverse();
                return path;
            }

            foreach (var next in system.Find(name)?.DependsOn ?? [])
            {
                if (previous.TryAdd(next, name))
                {
                    queue.Enqueue(next);
                }
            }
        }

        return null;
    }
}

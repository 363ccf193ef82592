using System.Globalization;
using Archgate.Checks.Faults;
using Archgate.Checks.Http;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Services;

/// <summary>
/// Step 4, failure scenario 3 (cascade): for each dependency that callers reach through Archgate's proxies (or the
/// manifest's Toxiproxy proxies), a service, a third party or a broker alike, refuses every edge into it (a broker's open
/// AMQP connections are cut), then probes the health of every other service and frontend. A dependant whose health fails
/// is traced along the dependency graph to the failed dependency (<c>web → api → payments</c>), one finding per
/// dependant, so that more than three raise the step's "service cascade failure" escalation; a dependant of the failed
/// dependency that stays healthy (perhaps reporting it degraded, in its own words: "order events wait in memory") is
/// named as isolation that worked. The fault is removed whatever happens, and the check waits for every component to be
/// healthy again and for every caller that reported the dependency degraded to report it healthy again (a caller that
/// never reconnects is a finding). A component already failing before the fault is left out of the judgement (AG4032, info).
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
            var callers = into.Select(e => e.Edge.Caller).Distinct(StringComparer.Ordinal).ToList();
            var others = probed.Where(c => c.Name != dependency).ToList();

            // Every component judged, before the fault: one already failing is not the fault's doing (ex13: an api whose
            // process had died in step 3 was blamed on a provider it never called); and what the callers report about the
            // dependency, since only what the fault changed must change back.
            var before = await ProbeAllAsync(context, others, cancellationToken);
            var down = before.Where(b => !b.Value.Ok).Select(b => b.Key).ToHashSet(StringComparer.Ordinal);
            foreach (var name in down.Order(StringComparer.Ordinal))
            {
                findings.Add(Findings.Create(ServiceRules.DownBeforeFault, Severity.Info,
                    component: name,
                    location: $"{name}, {dependency} refused",
                    message: $"{name} was already down before {dependency} was refused ({before[name].What}): not judged for this fault",
                    hint: "its own health finding (AG4001, AG4002) and its log say why; a component that died in an earlier step is no cascade"));
            }

            context.Activity?.Report($"cascade: {dependency} refused on {into.Count} edge(s); probing every component");
            var faults = new List<IAsyncDisposable>();
            Dictionary<string, Health> health;
            try
            {
                foreach (var edge in into)
                {
                    faults.Add(await edge.Inject(new RefusedToxic(), cancellationToken));
                }

                await Task.Delay(_options.Settle, context.Time, cancellationToken);
                health = await ProbeAllAsync(context, others, cancellationToken);
            }
            finally
            {
                foreach (var fault in faults)
                {
                    await fault.DisposeAsync();
                }
            }

            var failing = health.Where(h => !h.Value.Ok && !down.Contains(h.Key)).Select(h => h.Key).ToList();
            metrics.Add(new Metric("cascade_failing_dependants", new Dictionary<string, string> { ["component"] = dependency }, failing.Count, "components"));
            foreach (var name in failing)
            {
                if (PureConsumer(system, name, dependency))
                {
                    findings.Add(Findings.Create(ServiceRules.ConsumerWaits, Severity.Info,
                        component: name,
                        location: $"{name} → {dependency}",
                        message: $"{name} consumes from {dependency} and depends on nothing else, and nothing depends on it: its health failing while {dependency} is down ({health[name].What}) is its honest state, not a cascade; it must recover once {dependency} is back"));
                    continue;
                }

                var chain = Chain(system, name, dependency);
                findings.Add(Findings.Create(ServiceRules.Cascade, Severity.High,
                    component: name,
                    location: chain is null ? name : string.Join(" → ", chain),
                    message: chain is null
                        ? $"cascade: {name} fails while {dependency} is down, though it does not depend on it ({health[name].What})"
                        : $"cascade: {name} fails while {dependency} is down ({string.Join(" → ", chain)}): {health[name].What}",
                    hint: $"guard the calls along {string.Join(" → ", chain ?? [name, dependency])} with a timeout, a breaker and a fallback"));
            }

            foreach (var caller in callers)
            {
                if (health.TryGetValue(caller, out var h) && h.Ok)
                {
                    var said = h.Reported.TryGetValue(dependency, out var entry) && entry.Description is { Length: > 0 } d ? $": \"{Http.ProbeHttp.Excerpt(d, 200)}\"" : string.Empty;
                    findings.Add(Findings.Create(ServiceRules.Isolated, Severity.Info,
                        component: caller,
                        location: $"{caller} → {dependency}",
                        message: $"isolation worked: {caller} stays healthy while {dependency} is down ({h.What}){said}"));
                }
            }

            // Callers that said the dependency was away because of the fault (not before it) must say it is back.
            var reconnecting = callers.Where(c => health.TryGetValue(c, out var h) && h.ReportsBroken(dependency)
                && !(before.TryGetValue(c, out var b) && b.ReportsBroken(dependency))).ToList();
            if (failing.Count == 0 && reconnecting.Count == 0)
            {
                continue;
            }

            var (stuck, stillAway) = await AwaitRecoveryAsync(context, probed.Where(c => !down.Contains(c.Name)).ToList(), dependency, reconnecting, cancellationToken);
            var waited = _options.RecoveryWait.TotalSeconds.ToString("0", CultureInfo.InvariantCulture);
            foreach (var (caller, report) in stillAway)
            {
                findings.Add(Findings.Create(ServiceRules.NoReconnect, Severity.High,
                    component: caller,
                    location: $"{caller} → {dependency}",
                    message: $"{caller} does not reconnect to {dependency}: {waited} s after {dependency} came back, {caller}'s readiness still reports it {report}",
                    hint: $"reopen the connection to {dependency} when it breaks (for RabbitMQ.Client: AutomaticRecoveryEnabled, or a reconnect loop on ConnectionShutdown) and report it healthy again"));
            }

            if (stuck.Count > 0)
            {
                findings.Add(Findings.Create(ServiceRules.Cascade, Severity.High,
                    component: stuck[0],
                    location: null,
                    message: $"after {dependency} came back, {string.Join(", ", stuck)} stayed unhealthy for {waited} s",
                    hint: "a dependant should recover by itself once its dependency is back"));
                break; // the system is broken now: failing the next dependency would judge nothing
            }
        }

        return CheckResult.From(findings, metrics);
    }

    /// <summary>One component's health: whether it answered 2xx, how that reads, and what it reports per dependency.</summary>
    private sealed record Health(bool Ok, string What, IReadOnlyDictionary<string, (string Status, string? Description)> Reported)
    {
        public bool ReportsBroken(string dependency) => Reported.TryGetValue(dependency, out var entry) && EdgeReadinessCheck.IsBroken(entry.Status);
    }

    private static async Task<Dictionary<string, Health>> ProbeAllAsync(CheckContext context, IEnumerable<HttpComponent> components, CancellationToken ct)
    {
        var probes = components.Select(async c => (c.Name, Result: await ProbeAsync(context, c, ct))).ToList();
        return (await Task.WhenAll(probes)).ToDictionary(p => p.Name, p => p.Result, StringComparer.Ordinal);
    }

    private static async Task<Health> ProbeAsync(CheckContext context, HttpComponent component, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(HealthCheck.Timeout);
        try
        {
            using var response = await context.Http.GetAsync(ProbeHttp.Under(component.Url, component.HealthPath), timeout.Token);
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            var reported = EdgeReadinessCheck.Entries(body);
            var degraded = reported.Where(e => !e.Value.Status.Equals("healthy", StringComparison.OrdinalIgnoreCase) && !e.Value.Status.Equals("up", StringComparison.OrdinalIgnoreCase))
                .Select(e => $"{e.Key} {e.Value.Status}").ToList();
            return new Health(response.IsSuccessStatusCode, $"health {(int)response.StatusCode}" + (degraded.Count > 0 ? $", reports {string.Join(", ", degraded)}" : string.Empty), reported);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return new Health(false, $"health unreachable: {Http.ProbeHttp.Classify(ex).Cause}", new Dictionary<string, (string, string?)>());
        }
    }

    /// <summary>
    /// Waits, at most the recovery wait, until every component is healthy and none of <paramref name="reconnecting"/>
    /// reports <paramref name="dependency"/> broken; returns what was still unhealthy and who still reported it, and how.
    /// </summary>
    private async Task<(List<string> Stuck, List<(string Caller, string Report)> StillAway)> AwaitRecoveryAsync(
        CheckContext context, List<HttpComponent> components, string dependency, List<string> reconnecting, CancellationToken ct)
    {
        var started = context.Time.GetTimestamp();
        while (true)
        {
            var health = await ProbeAllAsync(context, components, ct);
            var unhealthy = health.Where(h => !h.Value.Ok).Select(h => h.Key).ToList();
            var away = reconnecting.Where(c => health.TryGetValue(c, out var h) && h.ReportsBroken(dependency))
                .Select(c => (c, health[c].Reported[dependency].Status + (health[c].Reported[dependency].Description is { Length: > 0 } d ? $" (\"{Http.ProbeHttp.Excerpt(d, 200)}\")" : string.Empty)))
                .ToList();
            if ((unhealthy.Count == 0 && away.Count == 0) || context.Time.GetElapsedTime(started) >= _options.RecoveryWait)
            {
                return (unhealthy, away);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), context.Time, ct);
        }
    }

    /// <summary>The shortest path of dependencies from <paramref name="from"/> to <paramref name="to"/>, or null.</summary>
    /// <summary>
    /// Whether <paramref name="name"/> is a pure consumer of <paramref name="dependency"/>: a service whose only dependency
    /// is that broker and that no component depends on. With its broker away it has no work and no caller to let down;
    /// a readiness that says so is honest, and no timeout, breaker or fallback would change it (ex14's notifier).
    /// </summary>
    internal static bool PureConsumer(SystemModel system, string name, string dependency) =>
        system.Find(name) is { Kind: ComponentKind.Service, DependsOn: [var only] } && only == dependency
        && system.Find(dependency)?.Kind == ComponentKind.Broker
        && !system.Components.Any(c => c.DependsOn.Contains(name, StringComparer.Ordinal));

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

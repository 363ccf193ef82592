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

            // A caller that holds a connection to a broker through Archgate's proxy has it cut by the fault and must know;
            // a caller of a service or a provider learns of an outage only when it calls, and a readiness that reports
            // the last call's outcome or a breaker's state (not calling a provider from a readiness probe is good
            // practice) is no false report while nothing calls.
            bool Held(string caller) => system.Find(dependency)?.Kind == ComponentKind.Broker && into.Any(e => e.Edge.Caller == caller && e.Carried());
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
                await LookAgainAsync(context, health, others.Where(c => Held(c.Name)).ToList(), dependency, cancellationToken);
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
                if (PureConsumer(system, name, dependency) is { } consumer)
                {
                    findings.Add(Findings.Create(ServiceRules.ConsumerWaits, Severity.Info,
                        component: name,
                        location: $"{name} → {dependency}",
                        message: $"{name} {consumer}, and nothing depends on it: its health failing while {dependency} is down ({health[name].What}) is its honest state, not a cascade; it must recover once {dependency} is back"));
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
                if (health.TryGetValue(caller, out var h) && h.Ok && h.ReportsHealthy(dependency) && Held(caller))
                {
                    findings.Add(Findings.Create(ServiceRules.HidesBrokenEdge, Severity.Medium,
                        component: caller,
                        location: $"{caller} → {dependency}",
                        message: $"{caller}'s readiness reports {dependency} {h.Reported[dependency].Status} while every edge into {dependency} is refused " +
                            $"({h.What}; still so {(_options.Settle + HiddenBound).TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s into the fault): it hides the broken edge it should name",
                        evidence: h.Body,
                        hint: $"let {caller}'s readiness check of {dependency} reach it (open a channel, send a ping) or report its live connection's state, not a cached or assumed one"));
                }
                else if (h is { Ok: true })
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

    /// <summary>
    /// How long, after the first look, a caller whose readiness still calls the refused dependency healthy is looked at
    /// again (every 500 ms) before that is a finding: a readiness that checks its dependencies every few seconds, or
    /// caches its report, has had the time to see the fault. <value>5 s</value>.
    /// </summary>
    internal static readonly TimeSpan HiddenBound = TimeSpan.FromSeconds(5);

    /// <summary>One component's health: whether it answered 2xx, how that reads, what it reports per dependency, and its body.</summary>
    private sealed record Health(bool Ok, string What, IReadOnlyDictionary<string, (string Status, string? Description)> Reported, string Body = "")
    {
        public bool ReportsBroken(string dependency) => Reported.TryGetValue(dependency, out var entry) && EdgeReadinessCheck.IsBroken(entry.Status);

        /// <summary>Whether it names <paramref name="dependency"/> with a healthy status (healthy, up, pass, ok).</summary>
        public bool ReportsHealthy(string dependency) => Reported.TryGetValue(dependency, out var entry) && EdgeReadinessCheck.IsHealthy(entry.Status);
    }

    /// <summary>
    /// While the fault is on: looks again at each of <paramref name="callers"/> that is ready and still reports
    /// <paramref name="dependency"/> healthy, until it stops doing so or <see cref="HiddenBound"/> is over; <paramref name="health"/>
    /// gets the last look.
    /// </summary>
    private static async Task LookAgainAsync(CheckContext context, Dictionary<string, Health> health, List<HttpComponent> callers, string dependency, CancellationToken ct)
    {
        bool Hiding(HttpComponent c) => health[c.Name] is { Ok: true } h && h.ReportsHealthy(dependency);
        var started = context.Time.GetTimestamp();
        while (callers.Any(Hiding) && context.Time.GetElapsedTime(started) < HiddenBound)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500), context.Time, ct);
            foreach (var (name, again) in await ProbeAllAsync(context, callers.Where(Hiding), ct))
            {
                health[name] = again;
            }
        }
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
            var degraded = reported.Where(e => !EdgeReadinessCheck.IsHealthy(e.Value.Status)).Select(e => $"{e.Key} {e.Value.Status}").ToList();
            return new Health(response.IsSuccessStatusCode, $"health {(int)response.StatusCode}" + (degraded.Count > 0 ? $", reports {string.Join(", ", degraded)}" : string.Empty), reported,
                ProbeHttp.Excerpt(body));
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

    /// <summary>
    /// How <paramref name="name"/> is a pure consumer of the broker <paramref name="dependency"/>, for the message, or null
    /// when it is not one. It is one when no component depends on it and either the broker is its only dependency (ex14's
    /// notifier) or it serves no API contract and the broker's queues name it as a consumer (ex17's dispatcher, which also
    /// has a database and a carrier). With its broker away it has no work and no caller to let down; a readiness that says
    /// so is honest, and no timeout, breaker or fallback would change it. A service with a contract may have callers the
    /// manifest does not list, so its failing readiness stays a cascade.
    /// </summary>
    internal static string? PureConsumer(SystemModel system, string name, string dependency)
    {
        if (system.Find(name) is not { Kind: ComponentKind.Service } service || !service.DependsOn.Contains(dependency, StringComparer.Ordinal)
            || system.Find<BrokerComponent>(dependency) is not { } broker || system.Components.Any(c => c.DependsOn.Contains(name, StringComparer.Ordinal)))
        {
            return null;
        }

        if (service.DependsOn.Count == 1)
        {
            return $"consumes from {dependency} and depends on nothing else";
        }

        var queues = broker.Broker.Queues.Where(q => q.Consumers.Contains(name, StringComparer.Ordinal)).Select(q => q.Name).ToList();
        return service.OpenApi is null && queues.Count > 0
            ? $"consumes from {dependency} ({string.Join(", ", queues)}) and serves no API contract"
            : null;
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

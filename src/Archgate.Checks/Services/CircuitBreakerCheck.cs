using Archgate.Checks.Http;
using System.Globalization;
using System.Text;
using Archgate.Checks.Faults;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Services;

/// <summary>
/// Step 4, per edge with a declared breaker: fails every call at the dependency through the edge's proxy (HTTP 503,
/// or a reset on a TCP edge), drives the caller, and proves from the proxy's count that calls stop reaching the
/// dependency once the threshold is reached (fail-fast), that the caller answers with its fallback (not a 5xx), and
/// that after the fault is removed calls succeed again (half-open, then closed). Evidence: a timeline of the caller's
/// answers and the proxy's call count. The fault is removed whatever happens (failure, exception, cancellation).
/// </summary>
internal sealed class CircuitBreakerCheck(EdgeSpec spec, HttpComponent caller, CircuitBreakerOptions? options = null) : ICheck
{
    private readonly CircuitBreakerOptions _options = options ?? new();

    public string Id => $"services.breaker:{spec.Edge.Caller}->{spec.Edge.Dependency}";

    public int Step => 4;

    public string Title => $"{spec.Edge}: the circuit breaker fails fast, falls back and recovers";

    public Applicability AppliesTo(SystemModel system) => Applicability.Yes;

    public async Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        var breaker = spec.Breaker!;
        // The drive goes where it says (via, or a journey's service), with that component's auth; by default to the caller.
        var target = spec.Drive?.Via is { } via ? context.System.Find<HttpComponent>(via) ?? caller : caller;
        var proxy = (context.Edges as EdgeProxies)?.Find(spec.Edge);
        if (proxy is null && spec.Drive is not null && FaultableEdges.For(context).FirstOrDefault(e => e.Edge == spec.Edge && spec.ToxiproxyProxy is not null) is { } toxiproxy)
        {
            // A Toxiproxy edge counts no requests: the breaker is judged by the caller's latency and answers.
            var toxiClient = CallerClient.Of(target, context);
            if (await toxiClient.SignInAsync(cancellationToken) is { } signIn)
            {
                return Result([Finding(ServiceRules.NotExercised, Severity.High, signIn, null, $"check {target.Name}'s auth in the manifest")], []);
            }

            return await new ToxiproxyBreakerProbe(spec, caller, toxiproxy, _options).RunAsync(context, toxiClient, cancellationToken);
        }

        if (proxy is null)
        {
            return CheckResult.Skipped($"{spec.Edge} has no Archgate proxy: start the system with Archgate (run --up) and give {caller.Name} the address as ${{url:{spec.Edge.Dependency}}}");
        }

        if (spec.Drive is not { } drive)
        {
            return CheckResult.Skipped($"{spec.Edge} declares no 'drive' operation that makes {caller.Name} call {spec.Edge.Dependency}");
        }

        var client = CallerClient.Of(target, context);
        if (await client.SignInAsync(cancellationToken) is { } problem)
        {
            return Result([Finding(ServiceRules.NotExercised, Severity.High, problem, null, $"check {target.Name}'s auth in the manifest")], []);
        }

        var time = context.Time;
        var timeline = new Timeline(time);
        var first = proxy.Counters.RequestCount;
        var answers = new List<CallerAnswer>();
        var drives = new List<DateTimeOffset>();
        var quiet = Quiet(breaker);
        // A quiet window must hold at least two drives, or an open breaker cannot be told from a caller not driven: a
        // 3 s break leaves a 1.5 s window, which drives 1 s apart never fill twice.
        var driveEvery = Min(_options.DriveEvery, quiet / 3);
        var sampleEvery = Min(_options.SampleEvery, driveEvery / 2);
        DateTimeOffset? thresholdAt = null;
        QuietWindow? best = null;
        DateTimeOffset removedAt;
        Toxic toxic = proxy.Mode == ProxyMode.Http ? new ErrorStatusToxic(503) : new ResetToxic();
        context.Activity?.Report($"{spec.Edge}: {toxic} until the breaker opens");
        var fault = proxy.Add(toxic);
        try
        {
            timeline.Note($"fault on {spec.Edge}: {toxic}");
            var nextDrive = TimeSpan.Zero;
            while (true)
            {
                if (timeline.Elapsed >= nextDrive)
                {
                    drives.Add(time.GetUtcNow());
                    var answer = await client.SendAsync(drive, timeline.Elapsed, cancellationToken);
                    answers.Add(answer);
                    timeline.Note($"{drive.Method} {drive.Path} → {Describe(answer)}");
                    nextDrive = timeline.Elapsed + driveEvery;
                }

                var calls = Guarded(proxy, first);
                timeline.Sample(calls.Count);
                if (thresholdAt is null && calls.Count >= breaker.Failures)
                {
                    thresholdAt = calls[breaker.Failures - 1].At;
                    timeline.Note($"threshold reached: call {breaker.Failures} at the proxy");
                }

                if (thresholdAt is { } threshold)
                {
                    best = QuietestWindow(calls, drives, threshold, quiet, time.GetUtcNow(), best);
                    if (best is { } w && w.Calls <= _options.AllowedCallsAfterThreshold)
                    {
                        timeline.Note($"breaker open: {w.Calls} call(s) reached {spec.Edge.Dependency} from {timeline.At(w.Start)} to {timeline.At(w.End)} while {caller.Name} was driven {w.Drives} time(s)");
                        break;
                    }

                    if (time.GetUtcNow() >= threshold + _options.OpenWait + quiet)
                    {
                        timeline.Note(best is { } q
                            ? $"the quietest {Seconds(quiet)} after the threshold still had {q.Calls} call(s) reach {spec.Edge.Dependency} (from {timeline.At(q.Start)} to {timeline.At(q.End)})"
                            : $"no {Seconds(quiet)} window after the threshold in which {caller.Name} was driven twice");
                        break;
                    }
                }
                else if (timeline.Elapsed >= _options.ThresholdWait)
                {
                    break;
                }

                await Task.Delay(sampleEvery, time, cancellationToken);
            }
        }
        finally
        {
            fault.Dispose();
            removedAt = time.GetUtcNow();
        }

        var callsAfter = Guarded(proxy, first).Count(c => thresholdAt is { } t && c.At > t && c.At < removedAt);
        var callsInQuiet = best?.Calls ?? callsAfter;
        timeline.Note("fault removed");
        var faultCalls = Guarded(proxy, first).Count(c => c.At < removedAt);
        // A breaker never exercised has nothing to recover from: waiting would only lengthen the run.
        var recovered = thresholdAt is null ? TimeSpan.Zero : await AwaitRecoveryAsync(proxy, first, removedAt, client, drive, timeline, breaker, cancellationToken);

        var findings = new List<Finding>();
        var evidence = timeline.ToString();
        if (thresholdAt is null)
        {
            findings.Add(Finding(ServiceRules.NotExercised, Severity.High,
                $"{spec.Edge}: only {faultCalls} call(s) reached the proxy in {_options.ThresholdWait.TotalSeconds:0} s of failures, fewer than the breaker's threshold of {breaker.Failures}",
                evidence, $"declare a 'drive' operation that makes {caller.Name} call {spec.Edge.Dependency}, and 'calls' to count only its guarded calls"));
        }
        else if (best is null)
        {
            // Every drive took so long that no window held two: whether the breaker opened cannot be told from the count.
            var slowest = answers.Select(a => a.Latency).DefaultIfEmpty(TimeSpan.Zero).Max();
            findings.Add(Finding(ServiceRules.NotExercised, Severity.High,
                $"{spec.Edge}: fail-fast not judged: no {Seconds(quiet)} window after the breaker's threshold held two of {caller.Name}'s answers (the slowest took {Seconds(slowest)}); {callsAfter} call(s) reached {spec.Edge.Dependency} after the threshold",
                evidence, $"an open breaker answers at once: check that {caller.Name} does not wait on {spec.Edge.Dependency} before its breaker"));
        }
        else if (callsInQuiet > _options.AllowedCallsAfterThreshold)
        {
            findings.Add(Finding(ServiceRules.NoFailFast, caller.Critical ? Severity.Critical : Severity.High,
                $"{spec.Edge}: calls kept reaching {spec.Edge.Dependency} after the breaker's threshold of {breaker.Failures} failures, at least {callsInQuiet} in every {Seconds(quiet)} of the {Seconds(_options.OpenWait + quiet)} after it (break duration {Seconds(breaker.BreakDuration)}): no fail-fast",
                evidence, $"guard {caller.Name}'s calls to {spec.Edge.Dependency} with a circuit breaker (Polly, Resilience4j) that opens after {breaker.Failures} failures"));
        }

        if (FallbackAnswers.Problem(spec, caller.Name, answers, "failing", Describe) is { } noFallback)
        {
            findings.Add(Finding(ServiceRules.NoFallback, Severity.High, noFallback, evidence, $"answer with the documented fallback while {spec.Edge.Dependency} is away"));
        }

        if (recovered is null)
        {
            findings.Add(Finding(ServiceRules.NoRecovery, Severity.High,
                $"{spec.Edge}: no call succeeded again within {Seconds(breaker.BreakDuration + _options.RecoveryGrace)} of {spec.Edge.Dependency}'s recovery: the breaker did not close",
                evidence, $"after its break duration the breaker should let a trial call through and close when it succeeds"));
        }

        var metrics = new List<Metric>
        {
            Metric.ForComponent(ServiceRules.CallsAfterThresholdMetric, caller.Name, callsInQuiet, "calls"),
            Metric.ForComponent("breaker_fault_calls", caller.Name, faultCalls, "calls"),
        };
        if (recovered is { } r && thresholdAt is not null)
        {
            metrics.Add(Metric.ForComponent("breaker_recovery_ms", caller.Name, r.TotalMilliseconds, "ms"));
        }

        if (findings.Count == 0)
        {
            findings.Add(Finding(ServiceRules.BreakerWorks, Severity.Info,
                $"{spec.Edge}: the breaker opened after {breaker.Failures} failures, {caller.Name} fell back, and calls succeeded again after the recovery",
                evidence, "nothing to do"));
        }

        return Result(findings, metrics);
    }

    /// <summary>Waits for two successful calls after the fault is removed (the trial call, then one through the closed breaker).</summary>
    private async Task<TimeSpan?> AwaitRecoveryAsync(
        FaultProxy proxy, int first, DateTimeOffset removedAt, CallerClient client, EdgeProbe drive, Timeline timeline, BreakerPolicy breaker, CancellationToken ct)
    {
        var deadline = breaker.BreakDuration + _options.RecoveryGrace;
        var started = timeline.Elapsed;
        var nextDrive = TimeSpan.Zero;
        while (timeline.Elapsed - started < deadline)
        {
            var ok = Guarded(proxy, first).Where(c => c.At >= removedAt && c.Forwarded && c.Status is < 500).ToList();
            if (ok.Count >= 2)
            {
                timeline.Note($"calls succeed again: at {timeline.At(ok[0].At)} and {timeline.At(ok[1].At)}");
                return ok[1].At - removedAt;
            }

            if (timeline.Elapsed - started >= nextDrive)
            {
                await client.SendAsync(drive, timeline.Elapsed, ct);
                nextDrive = timeline.Elapsed - started + (_options.DriveEvery * 2);
            }

            await Task.Delay(_options.SampleEvery, timeline.Time, ct);
        }

        return null;
    }

    /// <summary>
    /// The window of length <paramref name="quiet"/>, wholly after the threshold and ended by <paramref name="now"/>, with
    /// the fewest calls at the proxy among those in which the caller was driven at least twice. The windows tried begin
    /// at the threshold and just after each later call: an open breaker shows as a run of drives with no call after the
    /// last call that reached the dependency (its trial call comes a break duration later, past the window's end).
    /// </summary>
    private static QuietWindow? QuietestWindow(
        List<ProxiedRequest> calls, List<DateTimeOffset> drives, DateTimeOffset threshold, TimeSpan quiet, DateTimeOffset now, QuietWindow? best)
    {
        var starts = calls.Where(c => c.At >= threshold).Select(c => c.At.AddTicks(1));
        foreach (var start in starts)
        {
            var end = start + quiet;
            if (end > now)
            {
                break;
            }

            var driven = drives.Count(d => d >= start && d < end);
            if (driven < 2)
            {
                continue;
            }

            var n = calls.Count(c => c.At >= start && c.At < end);
            if (best is null || n < best.Value.Calls)
            {
                best = new QuietWindow(start, end, n, driven);
            }
        }

        return best;
    }

    private readonly record struct QuietWindow(DateTimeOffset Start, DateTimeOffset End, int Calls, int Drives);

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static TimeSpan Quiet(BreakerPolicy breaker) =>
        TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(1).Ticks, (breaker.BreakDuration - TimeSpan.FromSeconds(1.5)).Ticks));

    private List<ProxiedRequest> Guarded(FaultProxy proxy, int first) =>
        [.. proxy.Counters.Requests.Skip(first).Where(r => spec.Calls is null || r.Target.StartsWith(spec.Calls, StringComparison.Ordinal))];

    private static string Describe(CallerAnswer a) =>
        a.Status is { } s ? $"{s} in {a.Latency.TotalMilliseconds:0} ms" : $"no answer ({a.Error}) after {a.Latency.TotalMilliseconds:0} ms";

    private static string Seconds(TimeSpan t) => $"{t.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s";

    private Finding Finding(string rule, Severity severity, string message, string? evidence, string hint) =>
        Findings.Create(rule, severity, caller.Name, $"{spec.Location} edges {spec.Edge}", message, evidence, hint);

    private static CheckResult Result(List<Finding> findings, List<Metric> metrics) => CheckResult.From(findings, metrics);

    /// <summary>What happened when, relative to the start of the fault, and the proxy's cumulative call count.</summary>
    private sealed class Timeline(TimeProvider time)
    {
        private readonly DateTimeOffset _start = time.GetUtcNow();
        private readonly StringBuilder _events = new();
        private readonly List<(TimeSpan At, int Calls)> _samples = [];

        public TimeProvider Time => time;

        public TimeSpan Elapsed => time.GetUtcNow() - _start;

        public string At(DateTimeOffset at) => $"t+{(at - _start).TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s";

        public void Note(string what) => _events.Append(At(time.GetUtcNow())).Append("  ").AppendLine(what);

        public void Sample(int calls)
        {
            if (_samples.Count == 0 || _samples[^1].Calls != calls || Elapsed - _samples[^1].At >= TimeSpan.FromSeconds(1))
            {
                _samples.Add((Elapsed, calls));
            }
        }

        public override string ToString() =>
            _events + "calls at the proxy (cumulative): " +
            string.Join(", ", _samples.Select(s => $"{s.At.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s: {s.Calls}"));
    }
}

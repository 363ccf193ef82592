using System.Globalization;
using System.Text;
using Archgate.Checks.Faults;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Services;

/// <summary>
/// The circuit-breaker check on an edge whose proxy is on the manifest's Toxiproxy server. Toxiproxy counts no requests,
/// so the breaker is judged from the caller's side: one drive with no fault (its answer is the caller's normal one), then
/// a <c>timeout</c> toxic (Toxiproxy's, with timeout 0: data held until it is removed) and drives one after another. A
/// caller without a breaker waits its own timeout on every drive; with one, after the threshold's slow answers the
/// breaker opens and answers come back fast (<see cref="FastNeeded"/> in a row). Every answer under the fault must be the
/// fallback; after the fault is removed and the break duration passed, the normal answer must come back. Evidence: the
/// timeline of the caller's answers and latencies. The toxic is removed whatever happens.
/// </summary>
internal sealed class ToxiproxyBreakerProbe(EdgeSpec spec, Component caller, FaultableEdge edge, CircuitBreakerOptions options)
{
    /// <summary>Fast answers in a row under the fault that show the breaker open. <value>3</value>.</summary>
    public const int FastNeeded = 3;

    /// <summary>Drives beyond the threshold a ratio-based breaker may need before it opens. <value>6</value>.</summary>
    public const int ExtraDrives = 6;

    /// <summary>Without a declared breaker timeout, an answer this slow waited on the dependency. <value>1 s</value>.</summary>
    public static readonly TimeSpan DefaultSlow = TimeSpan.FromSeconds(1);

    public async Task<CheckResult> RunAsync(CheckContext context, CallerClient client, CancellationToken ct)
    {
        var breaker = spec.Breaker!;
        var drive = spec.Drive!;
        var slow = breaker.Timeout is { } t ? t * 0.8 : DefaultSlow;
        var fast = slow / 2;
        var time = context.Time;
        var start = time.GetUtcNow();
        var timeline = new StringBuilder();
        void Note(string what) => timeline.Append(CultureInfo.InvariantCulture, $"t+{(time.GetUtcNow() - start).TotalSeconds:0.0} s  ").AppendLine(what);
        string Describe(CallerAnswer a) => (a.Status is { } s ? $"{s}" : $"no answer ({a.Error})") + $" in {a.Latency.TotalMilliseconds:0} ms" +
            (a.Latency >= slow ? " (slow)" : a.Latency < fast ? " (fast)" : string.Empty);

        var normal = await client.SendAsync(drive, TimeSpan.Zero, ct);
        Note($"no fault: {drive.Method} {drive.Path} → {Describe(normal)}");
        var answers = new List<CallerAnswer>();
        int slowCount = 0, fastRun = 0;
        context.Activity?.Report($"{spec.Edge}: toxiproxy timeout toxic on {spec.ToxiproxyProxy}, driving {caller.Name} until its answers come back fast");
        var fault = await edge.Inject(new BlackholeToxic(), ct);
        try
        {
            Note($"fault on {spec.Edge} ({edge.Via}): timeout toxic (timeout 0: nothing passes)");
            for (var n = 0; n < breaker.Failures + ExtraDrives + FastNeeded && fastRun < FastNeeded; n++)
            {
                var answer = await client.SendAsync(drive, time.GetUtcNow() - start, ct);
                answers.Add(answer);
                Note($"{drive.Method} {drive.Path} → {Describe(answer)}");
                if (answer.Latency >= slow)
                {
                    slowCount++;
                    fastRun = 0;
                }
                else if (answer.Latency < fast && slowCount > 0)
                {
                    fastRun++;
                }

                if (slowCount == 0 && n + 1 >= breaker.Failures + 2)
                {
                    break; // the caller never waited: its drive does not reach the dependency
                }

                if (answer.Latency < options.DriveEvery)
                {
                    await Task.Delay(options.DriveEvery - answer.Latency, time, ct);
                }
            }
        }
        finally
        {
            await fault.DisposeAsync();
            Note("fault removed");
        }

        var recovered = slowCount > 0 && fastRun >= FastNeeded ? await AwaitNormalAsync(client, drive, normal, breaker, time, Note, Describe, ct) : null;
        var findings = new List<Finding>();
        var evidence = timeline.ToString();
        if (slowCount == 0)
        {
            findings.Add(Finding(ServiceRules.NotExercised, Severity.High,
                $"{spec.Edge}: under Toxiproxy's timeout toxic {caller.Name} answered all {answers.Count} drive(s) in under {Ms(slow)}: the drive never waited on {spec.Edge.Dependency}",
                evidence, $"declare a 'drive' whose answer needs {spec.Edge.Dependency}, and the breaker's 'timeout' (the caller's own timeout per call)"));
        }
        else if (fastRun < FastNeeded)
        {
            findings.Add(Finding(ServiceRules.NoFailFast, caller.Critical ? Severity.Critical : Severity.High,
                $"{spec.Edge}: {caller.Name} kept waiting on {spec.Edge.Dependency}: {slowCount} of {answers.Count} answers under Toxiproxy's timeout toxic took {Ms(slow)} or more, never {FastNeeded} fast ones in a row after the breaker's threshold of {breaker.Failures}: no fail-fast",
                evidence, $"guard {caller.Name}'s calls to {spec.Edge.Dependency} with a circuit breaker (Polly, Resilience4j) that opens after {breaker.Failures} failures"));
        }

        if (FallbackAnswers.Problem(spec, caller.Name, answers, "held by the timeout toxic", Describe) is { } noFallback)
        {
            findings.Add(Finding(ServiceRules.NoFallback, Severity.High, noFallback, evidence,
                $"answer with the documented fallback while {spec.Edge.Dependency} is away, on a timeout as on an open breaker"));
        }

        if (slowCount > 0 && fastRun >= FastNeeded && recovered is null)
        {
            findings.Add(Finding(ServiceRules.NoRecovery, Severity.High,
                $"{spec.Edge}: {caller.Name} did not answer as before the fault ({normal.Status}) within {(breaker.BreakDuration + options.RecoveryGrace).TotalSeconds:0} s of its removal: the breaker did not close",
                evidence, "after its break duration the breaker should let a trial call through and close when it succeeds"));
        }

        var metrics = new List<Metric>
        {
            Metric.ForComponent("breaker_slow_answers", caller.Name, slowCount, "answers"),
            Metric.ForComponent("breaker_fast_answers_after_open", caller.Name, fastRun, "answers"),
        };
        if (findings.Count == 0)
        {
            findings.Add(Finding(ServiceRules.BreakerWorks, Severity.Info,
                $"{spec.Edge}: after {slowCount} slow answer(s) under Toxiproxy's timeout toxic {caller.Name} failed fast ({FastNeeded} answers under {Ms(fast)}) with its fallback, and answered as before once the fault was gone",
                evidence, "nothing to do"));
        }

        return CheckResult.From(findings, metrics);
    }

    /// <summary>After the break duration, drives until the caller answers with the status it gave before the fault; how long that took, or null.</summary>
    private async Task<TimeSpan?> AwaitNormalAsync(CallerClient client, EdgeProbe drive, CallerAnswer normal, BreakerPolicy breaker, TimeProvider time,
        Action<string> note, Func<CallerAnswer, string> describe, CancellationToken ct)
    {
        var removed = time.GetUtcNow();
        var deadline = removed + breaker.BreakDuration + options.RecoveryGrace;
        if (normal.Status is not { } expected || spec.FallbackStatus.Contains(expected))
        {
            note($"recovery not judged: the answer with no fault ({describe(normal)}) is also the fallback's");
            return TimeSpan.Zero;
        }

        while (time.GetUtcNow() < deadline)
        {
            await Task.Delay(options.DriveEvery, time, ct);
            var answer = await client.SendAsync(drive, time.GetUtcNow() - removed, ct);
            if (answer.Status == expected)
            {
                note($"answers as before: {drive.Method} {drive.Path} → {describe(answer)}");
                return time.GetUtcNow() - removed;
            }
        }

        return null;
    }

    private static string Ms(TimeSpan t) => $"{t.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms";

    private Finding Finding(string rule, Severity severity, string message, string evidence, string hint) =>
        Findings.Create(rule, severity, caller.Name, $"{spec.Location} edges {spec.Edge}", message, evidence, hint);
}

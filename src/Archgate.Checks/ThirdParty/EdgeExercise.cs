using System.Globalization;
using System.Text;
using Archgate.Checks.Faults;
using Archgate.Checks.Http;
using Archgate.Checks.Services;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.ThirdParty;

/// <summary>What one fault window saw: the caller's answers to the drives, and the edge's requests from the first drive to the fault's removal.</summary>
internal sealed record FaultWindow(Toxic Toxic, IReadOnlyList<CallerAnswer> Answers, IReadOnlyList<ProxiedRequest> Requests, DateTimeOffset Start, DateTimeOffset Removed)
{
    private static readonly HashSet<string> Safe = new(StringComparer.OrdinalIgnoreCase) { "GET", "HEAD", "OPTIONS", "TRACE" };

    /// <summary>
    /// Whether the caller had work to hand over: some call under the fault was not a read (RFC 9110's safe methods). A
    /// read that failed leaves nothing to do once the dependency is back, so no completion is owed.
    /// </summary>
    public bool OwesWork => Requests.Count == 0 || Requests.Any(r => !Safe.Contains(r.Method));
}

/// <summary>
/// Drives a caller and watches an edge's proxy for the timeout and retry checks: a baseline call with no fault, fault
/// windows that end when the caller's operation is over (and always remove the fault), and the wait for queued work
/// to complete afterwards. Keeps a timeline for evidence.
/// </summary>
internal sealed class EdgeExercise
{
    private readonly ProviderEdge _edge;
    private readonly FaultProxy _proxy;
    private readonly CallerClient _client;
    private readonly EdgeProbe _drive;
    private readonly TimeProvider _time;
    private readonly EdgeExerciseOptions _options;
    private readonly StringBuilder _timeline = new();

    private EdgeExercise(ProviderEdge edge, FaultProxy proxy, CallerClient client, EdgeProbe drive, TimeProvider time, EdgeExerciseOptions options)
    {
        _edge = edge;
        _proxy = proxy;
        _client = client;
        _drive = drive;
        _time = time;
        _options = options;
        Origin = time.GetUtcNow();
    }

    public DateTimeOffset Origin { get; }

    public string Timeline => _timeline.ToString();

    /// <summary>When the caller answered its client in <paramref name="windows"/>: each answered drive's send plus its latency.</summary>
    public IEnumerable<DateTimeOffset> AnsweredAt(params IEnumerable<FaultWindow> windows) =>
        windows.SelectMany(w => w.Answers).Where(a => a.Status is not null).Select(a => Origin + a.At + a.Latency);

    /// <summary>The exercise, or why the edge cannot be exercised (no proxy, no drive, the drive's target not signed in).</summary>
    public static async Task<(EdgeExercise? Exercise, CheckResult? Skip, string? Problem)> StartAsync(
        ProviderEdge edge, CheckContext context, EdgeExerciseOptions options, CancellationToken ct)
    {
        if ((context.Edges as EdgeProxies)?.Find(edge.Edge) is not { } proxy || proxy.Mode != ProxyMode.Http)
        {
            return (null, CheckResult.Skipped($"{edge.Edge} has no Archgate HTTP proxy: start the system with Archgate (run --up) and give {edge.Caller.Name} the address as ${{url:{edge.Dependency.Name}}}"), null);
        }

        if (edge.Spec?.Drive is not { } drive)
        {
            return (null, CheckResult.Skipped($"no 'drive' is declared for {edge.Edge} in 'edges': the operation that makes {edge.Caller.Name} call {edge.Dependency.Name}"), null);
        }

        var target = drive.Via is { } via ? context.System.Find<HttpComponent>(via)! : edge.Caller;
        var client = CallerClient.Of(target, context);
        if (await client.SignInAsync(ct) is { } problem)
        {
            return (null, null, problem);
        }

        return (new EdgeExercise(edge, proxy, client, drive, context.Time, options), null, null);
    }

    public string DriveLabel => $"{_drive.Method} {_drive.Path}{(_drive.Via is { } v ? $" at {v}" : string.Empty)}";

    public void Note(string what) => _timeline.Append(At(_time.GetUtcNow())).Append("  ").AppendLine(what);

    public string At(DateTimeOffset at) => $"t+{(at - Origin).TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s";

    /// <summary>The edge's requests that count, from <paramref name="from"/> on.</summary>
    public List<ProxiedRequest> Since(DateTimeOffset from) => [.. _proxy.Counters.Requests.Where(r => r.At >= from && _edge.Counts(r))];

    public async Task<CallerAnswer> DriveAsync(CancellationToken ct)
    {
        var answer = await _client.SendAsync(_drive, _time.GetUtcNow() - Origin, ct);
        Note($"{DriveLabel} → {Describe(answer)}");
        return answer;
    }

    /// <summary>
    /// Drives once with no fault and waits for the dependency's answer at the proxy (its timeout plus tolerance): the
    /// first answered call, or the calls that went unanswered, or none at all.
    /// </summary>
    public Task<(ProxiedRequest? Answered, IReadOnlyList<ProxiedRequest> Calls)> BaselineAsync(CancellationToken ct) =>
        DriveOnceAsync(_options.FirstCallWait, ct);

    /// <summary>
    /// Drives with no fault until a call is answered at the edge, within <see cref="EdgeExerciseOptions.Recovery"/>:
    /// after a round whose work was lost, nothing closed the caller's circuit breaker if that round opened it, and the
    /// next round would be cut short by the breaker, not by the caller's retry policy. A drive whose call does not
    /// reach the edge within <see cref="RecoveryDriveEvery"/> was refused by the caller itself (its breaker open), and
    /// another follows; the answered call is the breaker's half-open trial, which closes it. False when none was
    /// answered in time.
    /// </summary>
    public async Task<bool> RecoverAsync(CancellationToken ct)
    {
        var start = _time.GetUtcNow();
        var refused = 0;
        Note($"recovery: {DriveLabel} with no fault until {_edge.Dependency.Name} answers a call");
        while (_time.GetUtcNow() - start < _options.Recovery)
        {
            var (answered, calls) = await DriveOnceAsync(RecoveryDriveEvery, ct);
            if (answered is not null)
            {
                if (refused > 0)
                {
                    Note($"{refused} drive(s) before it made no call: the caller refused them itself (its breaker open)");
                }

                await SettleAsync(ct);
                return true;
            }

            if (calls.Count == 0)
            {
                refused++;
            }
            else
            {
                // The dependency refused the connection or did not answer: a pause, not a drive (an order) per refusal.
                await Task.Delay(RecoveryDriveEvery, _time, ct);
            }
        }

        Note($"no call answered within {AttemptReport.Sec(_options.Recovery)} of driving with no fault ({refused} drive(s) made no call)");
        return false;
    }

    /// <summary>
    /// Waits until no new call has reached the edge for <see cref="SettleQuiet"/> (at most <see cref="SettleBound"/>): the
    /// caller may still be retrying the recovery's call (an answer slower than its attempt timeout), and those retries
    /// belong to no round (ci55: they fell into the next fault window and were counted with its operation).
    /// </summary>
    private async Task SettleAsync(CancellationToken ct)
    {
        var start = _time.GetUtcNow();
        var seen = _proxy.Counters.Requests.Count(_edge.Counts);
        var quietSince = start;
        while (_time.GetUtcNow() - quietSince < SettleQuiet && _time.GetUtcNow() - start < SettleBound)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), _time, ct);
            var now = _proxy.Counters.Requests.Count(_edge.Counts);
            if (now != seen)
            {
                seen = now;
                quietSince = _time.GetUtcNow();
            }
        }
    }

    /// <summary>How long the edge must be quiet after the recovery's answered call before the next round. <value>600 ms</value>.</summary>
    public static readonly TimeSpan SettleQuiet = TimeSpan.FromMilliseconds(600);

    /// <summary>The longest wait for that quiet. <value>3 s</value>.</summary>
    public static readonly TimeSpan SettleBound = TimeSpan.FromSeconds(3);

    /// <summary>While recovering, how long a drive may go without a call reaching the edge before the next drive. <value>1 s</value>.</summary>
    public static readonly TimeSpan RecoveryDriveEvery = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Drives once with no fault and waits for an answered call at the proxy: up to <paramref name="firstCallWait"/>
    /// for a call to reach it, and that plus the dependency's timeout and tolerance for an answer.
    /// </summary>
    private async Task<(ProxiedRequest? Answered, IReadOnlyList<ProxiedRequest> Calls)> DriveOnceAsync(TimeSpan firstCallWait, CancellationToken ct)
    {
        var start = _time.GetUtcNow();
        await DriveAsync(ct);
        var limit = firstCallWait + _edge.Expected.Timeout + _edge.Expected.Tolerance;
        while (true)
        {
            var calls = Since(start);
            if (calls.FirstOrDefault(r => r.Status is not null) is { } answered)
            {
                Note($"{answered.Method} {answered.Target} answered {answered.Status} in {Ms(answered.Duration)} at the proxy");
                return (answered, calls);
            }

            // Refused upstream: the proxy ended the call without an answer and without a fault of its own.
            if (calls.Count > 0 && calls.All(r => r.Duration is not null && r.Fault is null))
            {
                Note($"{calls.Count} call(s) reached the proxy; {_edge.Dependency.Name} refused the connection");
                return (null, calls);
            }

            if (_time.GetUtcNow() - start >= limit || (calls.Count == 0 && _time.GetUtcNow() - start >= firstCallWait))
            {
                Note(calls.Count == 0 ? "no call reached the proxy" : $"{calls.Count} call(s) reached the proxy, none answered within {AttemptReport.Sec(limit)}");
                return (null, calls);
            }

            await Task.Delay(_options.SampleEvery, _time, ct);
        }
    }

    /// <summary>
    /// Injects <paramref name="toxic"/>, drives <paramref name="drives"/> time(s), and removes the fault once the
    /// caller's operations are over: no attempt held and none new for the quiet time, or the declared timeout plus
    /// tolerance after the first attempt. The fault goes whatever happens.
    /// </summary>
    public async Task<FaultWindow> UnderFaultAsync(Toxic toxic, int drives, CancellationToken ct)
    {
        var answers = new List<CallerAnswer>();
        var start = _time.GetUtcNow();
        DateTimeOffset removed;
        var fault = _proxy.Add(toxic);
        try
        {
            Note($"fault on {_edge.Edge}: {toxic}");
            for (var i = 0; i < drives; i++)
            {
                answers.Add(await DriveAsync(ct));
            }

            await AwaitOperationsOverAsync(start, ct);
        }
        finally
        {
            fault.Dispose();
            removed = _time.GetUtcNow();
        }

        Note("fault removed");
        return new FaultWindow(toxic, answers, Since(start).Where(r => r.At < removed).ToList(), start, removed);
    }

    private async Task AwaitOperationsOverAsync(DateTimeOffset start, CancellationToken ct)
    {
        var cap = _edge.Expected.Timeout + _edge.Expected.Tolerance + TimeSpan.FromSeconds(1);
        while (true)
        {
            var now = _time.GetUtcNow();
            var calls = Since(start);
            if (calls.Count == 0)
            {
                if (now - start >= _options.FirstCallWait)
                {
                    Note("no call reached the proxy");
                    return;
                }
            }
            else
            {
                var held = calls.Any(r => r.Status is null && r.AbandonedAfter is null && r.Duration is null);
                var lastEnd = calls.Select(r => AttemptAnalysis.End(r) ?? r.At).Max();
                var longestWait = calls.Zip(calls.Skip(1), RetriedOperation.Wait).DefaultIfEmpty(TimeSpan.Zero).Max();
                var quiet = longestWait * 2 > _options.Quiet ? longestWait * 2 : _options.Quiet;
                if (!held && now - lastEnd >= quiet)
                {
                    Note($"{calls.Count} attempt(s) at the proxy, none for {AttemptReport.Sec(now - lastEnd)}: the operation is over");
                    return;
                }

                if (now - calls[0].At >= cap)
                {
                    Note($"{calls.Count} attempt(s) at the proxy; {AttemptReport.Sec(cap)} after the first, the window ends");
                    return;
                }
            }

            await Task.Delay(_options.SampleEvery, _time, ct);
        }
    }

    /// <summary>
    /// After a fault window, waits for the caller to complete its queued work by itself (none is owed when every call
    /// under the fault was a read, or when the policy's fallback is best effort, <see cref="CallPolicy.OwesWork"/>: null at
    /// once, with a note): a forwarded answer below 400
    /// (for each key the window saw, when its writes carry keys; any, when the caller took a new key per attempt), within
    /// <paramref name="within"/>, else <see cref="ProviderEdge.Within"/>.
    /// Returns when it completed (null: it did not).
    /// </summary>
    public async Task<TimeSpan?> AwaitCompletionAsync(FaultWindow window, CancellationToken ct, TimeSpan? within = null)
    {
        if (Refused(window))
        {
            Note($"nothing taken to complete: {DriveLabel} was refused ({string.Join(", ", window.Answers.Select(Describe))}) and no call reached {_edge.Dependency.Name}");
            return null;
        }

        if (!window.OwesWork)
        {
            Note($"nothing queued to complete: the calls under the fault were reads ({string.Join(", ", window.Requests.Select(r => $"{r.Method} {r.Target}").Distinct().Take(3))})");
            return null;
        }

        if (!_edge.Policy.OwesWork)
        {
            Note($"nothing owed afterwards: fallback {_edge.Policy.Fallback} (a best-effort call)");
            return null;
        }

        var bound = within ?? _edge.Within;
        var keys = window.Requests.Select(r => r.IdempotencyKey).OfType<string>().ToHashSet(StringComparer.Ordinal);
        // More keys than operations: the caller takes a new key per attempt, and its resend comes under yet another.
        var renewing = keys.Count > Math.Max(1, window.Answers.Count);
        while (_time.GetUtcNow() - window.Removed < bound)
        {
            var done = Since(window.Removed).Where(r => r.Forwarded && r.Status is < 400).ToList();
            var complete = renewing ? done.Count > 0 : keys.Count > 0 ? keys.All(k => done.Any(r => r.IdempotencyKey == k)) : done.Count > 0;
            if (complete && window.Requests.Count > 0)
            {
                var last = keys.Count > 0 && !renewing ? keys.Select(k => done.First(r => r.IdempotencyKey == k).At).Max() : done[0].At;
                Note($"queued work completed at {At(last)} ({AttemptReport.Sec(last - window.Removed)} after the fault went): {string.Join(", ", done.Take(4).Select(r => $"{r.Method} {r.Target} {r.Status}"))}");
                await Task.Delay(_options.Settle, _time, ct);
                return last - window.Removed;
            }

            await Task.Delay(_options.SampleEvery * 2, _time, ct);
        }

        Note($"no call completed within {AttemptReport.Sec(bound)} after the fault went");
        return null;
    }

    /// <summary>
    /// Whether the caller refused every drive of <paramref name="window"/> (no answer, or not its fallback) and made no call
    /// under the fault: it took no work, so none is owed afterwards (the refusal is a finding of its own).
    /// </summary>
    public bool Refused(FaultWindow window) => window.Requests.Count == 0 && window.Answers.Count > 0 && !window.Answers.Any(IsFallback);

    /// <summary>Whether the caller's answer to a drive is its fallback: a declared status, else any status below 500.</summary>
    public bool IsFallback(CallerAnswer answer) =>
        answer.Status is { } s && (_edge.Spec is { FallbackStatus.Count: > 0 } spec ? spec.FallbackStatus.Contains(s) : s < 500);

    /// <summary>
    /// Why an answer in time is still not the caller's fallback (<see cref="IsFallback"/> is false): not the status the
    /// edge declares, or, with none declared, an error status.
    /// </summary>
    public string NotFallback(CallerAnswer answer) => answer.Status is null ? "no fallback answer"
        : _edge.Spec is { FallbackStatus.Count: > 0 } spec ? $"not its declared fallback ({string.Join(", ", spec.FallbackStatus)})"
        : "an error, not a degraded answer";

    public static string Describe(CallerAnswer a) =>
        a.Status is { } s ? $"{s} in {a.Latency.TotalMilliseconds:0} ms" : $"no answer ({a.Error}) after {a.Latency.TotalMilliseconds:0} ms";

    /// <summary>What the caller did, with its verb: "answered 201 in 9 ms", or "gave no answer (…) after 15001 ms".</summary>
    public static string Answered(CallerAnswer a) => a.Status is null ? $"gave {Describe(a)}" : $"answered {Describe(a)}";

    private static string Ms(TimeSpan? t) => t is { } d ? $"{d.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms" : "?";
}

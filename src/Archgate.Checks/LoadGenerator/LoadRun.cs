using System.Runtime.CompilerServices;

namespace Archgate.Checks.LoadGenerator;

/// <summary>
/// One execution of a plan: the executor (virtual users or arrivals), the virtual users, progress,
/// and the stop sequence (stop starting at the end of the last stage, graceful stop, then abort).
/// </summary>
internal sealed partial class LoadRun : IDisposable
{
    /// <summary>How often the closed model adjusts the number of users while a stage ramps.</summary>
    internal static readonly TimeSpan RampTick = TimeSpan.FromMilliseconds(100);

    private readonly LoadPlan _plan;
    private readonly CompiledScenario _scenario;
    private readonly ILoadTransport _transport;
    private readonly TimeProvider _time;
    private readonly IProgress<LoadProgress>? _progress;
    private readonly Func<LoadResult, string?>? _abortWhen;
    private string? _abortReason;
    private readonly StageTimeline _timeline;
    private readonly MetricsCollector _metrics;
    private readonly CancellationTokenSource _stopStarting = new();
    private readonly CancellationTokenSource _hardStop = new();
    private readonly List<Task> _users = [];
    private readonly long[] _stageEnds;
    private readonly long _lateTicks;
    private long _start;
    private long _end;
    private long _stopAt;
    private double _currentTarget;
    private readonly ResponseSampler? _sampler;
    private readonly CaptureMisses _misses;

    /// <summary>How an exchange ended for the iteration it is part of.</summary>
    private enum Exchanged : byte
    {
        /// <summary>Answered or failed; the iteration goes on.</summary>
        Next,

        /// <summary>A capture of the request found nothing (or there was no answer to capture from): the iteration stops here.</summary>
        CaptureMissed,

        /// <summary>The run is being aborted.</summary>
        Aborted,
    }

    public LoadRun(LoadPlan plan, CompiledScenario scenario, ILoadTransport transport, TimeProvider time, IProgress<LoadProgress>? progress, Func<LoadResult, string?>? abortWhen = null)
    {
        _abortWhen = abortWhen;
        _plan = plan;
        _scenario = scenario;
        _transport = transport;
        _time = time;
        _progress = progress;
        _timeline = new StageTimeline(plan.Stages);
        _metrics = new MetricsCollector(_timeline.Count, scenario.Routes.Length, time.TimestampFrequency);
        _stageEnds = new long[_timeline.Count];
        _lateTicks = ToTicks(plan.LateAfter);
        _sampler = plan.ResponseObserver is { } observer ? new ResponseSampler(plan.Target, observer, scenario.Routes.Length) : null;
        _misses = new CaptureMisses(scenario.CapturePoints);
    }

    public async Task<LoadResult> ExecuteAsync(CancellationToken cancellationToken)
    {
        if (_plan.Model == LoadModel.OpenArrivalRate)
        {
            // Before the clock starts: the first arrivals must not pay for TCP connects and JIT.
            await WarmOpenWorkersAsync(cancellationToken);
        }

        _start = _time.GetTimestamp();
        _end = _start + ToTicks(_timeline.Total);
        for (var i = 0; i < _timeline.Count; i++)
        {
            _stageEnds[i] = _start + ToTicks(_timeline.EndOf(i));
        }

        using var registration = cancellationToken.Register(Abort);
        var progress = _progress is null && _abortWhen is null ? Task.CompletedTask : ReportProgressAsync();
        try
        {
            if (_plan.Model == LoadModel.ClosedUsers)
            {
                await RunClosedAsync();
            }
            else
            {
                await RunOpenAsync();
            }
        }
        finally
        {
            StopStarting();
        }

        var users = Task.WhenAll(_users);
        if (!_hardStop.IsCancellationRequested && _plan.GracefulStop > TimeSpan.Zero)
        {
            await Task.WhenAny(users, Task.Delay(_plan.GracefulStop, _time, _hardStop.Token));
        }

        if (!users.IsCompleted)
        {
            Abort();
        }

        await users;
        DropPendingArrivals();

        await progress;
        cancellationToken.ThrowIfCancellationRequested();
        return BuildResult() with { AbortReason = _abortReason };
    }

    public void Dispose()
    {
        _stopStarting.Dispose();
        _hardStop.Dispose();
    }

    private async Task RunClosedAsync()
    {
        var active = new List<VirtualUser>();
        var nextId = 0;
        var offset = Elapsed();
        while (offset < _timeline.Total && !_stopStarting.IsCancellationRequested)
        {
            var target = (int)Math.Floor(_timeline.TargetAt(offset) + 1e-9);
            Volatile.Write(ref _currentTarget, target);
            while (active.Count < target)
            {
                var vu = new VirtualUser(nextId++, _scenario.Journeys.Length, _plan.Cookies);
                active.Add(vu);
                // Started inline: it runs until its first request is on the wire, then yields.
                _users.Add(RunUserAsync(vu));
            }

            while (active.Count > target)
            {
                active[^1].Stopped = true;
                active.RemoveAt(active.Count - 1);
            }

            var wait = _timeline.NextChange(offset, RampTick) - Elapsed();
            if (wait > TimeSpan.Zero && !await DelayAsync(wait, _stopStarting.Token))
            {
                break;
            }

            offset = Elapsed();
        }
    }

    private async Task RunUserAsync(VirtualUser vu)
    {
        await using var connection = _transport.CreateConnection();
        var random = new Random(_plan.Seed + vu.Id);
        while (!vu.Stopped && !_stopStarting.IsCancellationRequested && _time.GetTimestamp() < _end)
        {
            var journey = _scenario.Pick(random);
            if (!await RunIterationAsync(vu, connection, journey, intended: null))
            {
                return;
            }
        }
    }

    /// <summary>One journey iteration; false when the run is being aborted.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> RunIterationAsync(VirtualUser vu, ILoadConnection connection, int journeyIndex, long? intended)
    {
        var journey = _scenario.Journeys[journeyIndex];
        if (!vu.SetupDone(journeyIndex))
        {
            foreach (var step in journey.Setup)
            {
                switch (await ExchangeAsync(vu, connection, step, null))
                {
                    case Exchanged.Aborted:
                        return false;
                    case Exchanged.CaptureMissed:
                        // The user's setup (its login) gave nothing to go on with: it is sent again at its next iteration.
                        vu.RedoSetup(journeyIndex);
                        return true;
                }
            }
        }

        vu.Variables.SetIteration(vu.Iteration);
        var think = journey.Journey.ThinkTime;
        var steps = journey.Steps;
        for (var i = 0; i < steps.Length; i++)
        {
            // Closed model: a user stops between requests when ramped down or when the last stage is over.
            if (intended is null && (vu.Stopped || _time.GetTimestamp() >= _end))
            {
                return true;
            }

            var exchanged = await ExchangeAsync(vu, connection, steps[i], i == 0 ? intended : null);
            if (exchanged == Exchanged.Aborted)
            {
                return false;
            }

            var pause = steps[i].Request.ThinkTime ?? think;
            var paused = pause <= TimeSpan.Zero || await DelayAsync(pause, _stopStarting.Token);
            if (exchanged == Exchanged.CaptureMissed)
            {
                // The later steps would go out with the variable unfilled (or last iteration's value): the iteration
                // ends here, not completed, and the miss is counted as itself.
                vu.Iteration++;
                return true;
            }

            if (!paused)
            {
                break;
            }
        }

        vu.Iteration++;
        _metrics.AddIteration();
        return true;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<Exchanged> ExchangeAsync(VirtualUser vu, ILoadConnection connection, CompiledRequest request, long? intended)
    {
        var sentAt = _time.GetTimestamp();
        var start = sentAt;
        var late = false;
        var lag = -1L;
        if (intended is { } due)
        {
            // Open model: measure from the intended time (coordinated-omission correction). The arrival
            // clock never lets a request go early, so this is never shorter than the real exchange.
            start = due;
            lag = Math.Max(0, sentAt - due);
            late = lag > _lateTicks;
        }

        var sample = _sampler is not null && _sampler.Wants(request, ref vu.SampleTick);
        var capture = request.HasCaptures || sample ? vu.Capture : null;
        _metrics.BeginRequest();
        var result = await connection.SendAsync(request, vu.Variables, capture);
        var end = _time.GetTimestamp();
        _metrics.EndRequest();
        vu.Variables.Cookies.ApplyReceived();
        if (_hardStop.IsCancellationRequested && result.Status != ExchangeStatus.Response)
        {
            // Still in flight when the run was stopped: a timeout of the stage it was sent in, as k6 and
            // Gatling count it. Dropping it would let a target that never answers show no errors at all.
            _metrics.AddInterrupted();
            _metrics.Record(vu.Id, StageOf(start), request.RouteIndex, end - start, result with { Status = ExchangeStatus.Timeout, StatusCode = 0 }, late, lag);
            return Exchanged.Aborted;
        }

        _metrics.Record(vu.Id, StageOf(start), request.RouteIndex, end - start, result, late, lag);
        if (_hardStop.IsCancellationRequested)
        {
            return Exchanged.Aborted;
        }

        if (capture is not null && result.Status == ExchangeStatus.Response && sample)
        {
            _sampler!.Offer(request, vu.Variables, result.StatusCode, capture);
        }

        if (request.HasCaptures)
        {
            // No answer has nothing to capture from: its first capture missed.
            var missed = result.Status == ExchangeStatus.Response ? vu.Variables.Capture(request, capture!) : 0;
            if (missed >= 0)
            {
                _misses.Record(request.CapturePoint, missed, result, capture);
                return Exchanged.CaptureMissed;
            }
        }

        return Exchanged.Next;
    }

    private int StageOf(long timestamp)
    {
        for (var i = 0; i < _stageEnds.Length - 1; i++)
        {
            if (timestamp < _stageEnds[i])
            {
                return i;
            }
        }

        return _stageEnds.Length - 1;
    }

    private async Task ReportProgressAsync()
    {
        long lastRequests = 0;
        var lastAt = _start;
        while (await DelayAsync(_plan.ProgressInterval, _stopStarting.Token))
        {
            var now = _time.GetTimestamp();
            var (requests, errors, late, p95) = _metrics.Totals();
            var seconds = (double)(now - lastAt) / _time.TimestampFrequency;
            var elapsed = Elapsed();
            _progress?.Report(new LoadProgress(
                elapsed,
                _timeline[_timeline.StageAt(elapsed)].Name,
                Volatile.Read(ref _currentTarget),
                _metrics.InFlight,
                requests,
                seconds > 0 ? (requests - lastRequests) / seconds : 0,
                p95,
                errors,
                late));
            lastRequests = requests;
            lastAt = now;
            if (_abortWhen?.Invoke(BuildResult()) is { } reason)
            {
                // Stop starting requests and let those in flight finish: the result is kept, marked aborted.
                _abortReason = reason;
                StopStarting();
                break;
            }
        }
    }

    private LoadResult BuildResult()
    {
        var ran = TimeSpan.FromSeconds((double)((_stopAt == 0 ? _time.GetTimestamp() : _stopAt) - _start) / _time.TimestampFrequency);
        var stages = new List<StageResult>();
        for (var s = 0; s < _timeline.Count; s++)
        {
            var window = ran - _timeline.StartOf(s);
            var duration = window < TimeSpan.Zero ? TimeSpan.Zero : window > _timeline[s].Duration ? _timeline[s].Duration : window;
            var routes = _scenario.Routes.Select((name, r) => new RouteResult(name, _metrics.Cell(s, r, duration))).ToArray();
            var total = routes.Select(r => r.Metrics).Aggregate(RequestMetrics.Empty(duration), (a, b) => RequestMetrics.Combine(a, b, sameWindow: true));
            stages.Add(new StageResult(_timeline[s].Name, _timeline[s].Target, total, routes));
        }

        var routeTotals = _scenario.Routes
            .Select((name, r) => new RouteResult(name, stages.Select(s => s.Routes[r].Metrics).Aggregate((a, b) => RequestMetrics.Combine(a, b, sameWindow: false))))
            .ToArray();
        var overall = stages.Select(s => s.Metrics).Aggregate((a, b) => RequestMetrics.Combine(a, b, sameWindow: false));
        return new LoadResult(_plan.Target, _plan.Model, overall, stages, routeTotals, _metrics.Iterations, _metrics.Interrupted, _metrics.PeakConcurrency, _transport.Kind)
        {
            DroppedArrivals = _metrics.Dropped,
            CaptureMisses = _misses.Results(),
            ScheduleLag = _plan.Model == LoadModel.OpenArrivalRate ? _metrics.ScheduleLag() : LatencyHistogram.Empty,
        };
    }

    private void StopStarting()
    {
        if (Interlocked.CompareExchange(ref _stopAt, _time.GetTimestamp(), 0) == 0)
        {
            _stopStarting.Cancel();
        }
    }

    private void Abort()
    {
        StopStarting();
        _hardStop.Cancel();
        _transport.AbortAll();
    }

    private async Task<bool> DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, _time, cancellationToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private TimeSpan Elapsed() => _time.GetElapsedTime(_start);

    private long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);

    private sealed class VirtualUser(int id, int journeys, IReadOnlyList<KeyValuePair<string, string>> cookies)
    {
        private readonly bool[] _setupDone = new bool[Math.Max(1, journeys)];

        public int Id { get; } = id;

        public volatile bool Stopped;

        /// <summary>This user's request count for the response sampler (read and written by this user alone).</summary>
        public int SampleTick;

        public long Iteration { get; set; }

        public VirtualUserVariables Variables { get; } = new(id, cookies);

        public ResponseCapture Capture { get; } = new();

        /// <summary>The user's setup of <paramref name="journey"/> did not give what its steps need: it runs again at the next iteration.</summary>
        public void RedoSetup(int journey)
        {
            if (journey < _setupDone.Length)
            {
                _setupDone[journey] = false;
            }
        }

        public bool SetupDone(int journey)
        {
            if (journey >= _setupDone.Length || _setupDone[journey])
            {
                return true;
            }

            _setupDone[journey] = true;
            return false;
        }
    }
}

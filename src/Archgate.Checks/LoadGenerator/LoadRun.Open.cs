using System.Threading.Tasks.Sources;

namespace Archgate.Checks.LoadGenerator;

/// <summary>
/// The open model's executor: an arrival clock hands each intended send time to an idle worker (one
/// connection each), adds a worker while under <see cref="LoadPlan.MaxConcurrency"/>, and queues the
/// arrival otherwise (sent late, measured from its intended time).
/// </summary>
internal sealed partial class LoadRun
{
    /// <summary>Connections opened and warmed before the clock starts: enough for answers within 100 ms at the peak rate.</summary>
    private const double WarmSecondsOfPeakRate = 0.1;

    /// <summary>Longest the warm-up may delay the start (at most the request timeout).</summary>
    private static readonly TimeSpan WarmBudget = TimeSpan.FromSeconds(2);

    private const long EndOfArrivals = long.MinValue;

    private readonly Lock _dispatch = new();
    private readonly Stack<OpenWorker> _idle = new();
    private readonly Queue<long> _pending = new();
    private int _workers;
    private int _nextWorkerId;
    private bool _arrivalsOver;

    /// <summary>
    /// Opens the first workers' connections and sends each one unmeasured request (the scenario's first
    /// request, when it is a plain GET or HEAD), so that neither TCP connects nor JIT land in the first samples.
    /// </summary>
    private async Task WarmOpenWorkersAsync(CancellationToken cancellationToken)
    {
        var peak = _plan.Stages.Max(s => s.Target);
        var count = (int)Math.Clamp(Math.Ceiling(peak * WarmSecondsOfPeakRate), 1, _plan.MaxConcurrency);
        var journey = _scenario.Journeys[0];
        var warm = journey.Setup.Length == 0 && journey.Steps[0] is { IsStatic: true, Method: "GET" or "HEAD" } first ? first : null;
        var workers = new OpenWorker[count];
        var warming = new Task[count];
        for (var i = 0; i < count; i++)
        {
            workers[i] = new OpenWorker(new VirtualUser(i, _scenario.Journeys.Length, _plan.Cookies), _transport.CreateConnection());
            warming[i] = workers[i].Connection.WarmAsync(warm, workers[i].User.Variables).AsTask();
        }

        // Bounded: a target that does not answer gets no warm connections, and the run measures that.
        using (var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            var limit = _plan.RequestTimeout < WarmBudget ? _plan.RequestTimeout : WarmBudget;
            await Task.WhenAny(Task.WhenAll(warming), Task.Delay(limit, _time, budget.Token));
            await budget.CancelAsync();
        }

        cancellationToken.ThrowIfCancellationRequested();
        _nextWorkerId = count;
        for (var i = count - 1; i >= 0; i--)
        {
            if (!warming[i].IsCompleted)
            {
                // Still waiting for its warm-up answer: closed, so it cannot carry a measured request.
                _ = workers[i].Connection.DisposeAsync().AsTask();
                continue;
            }

            _workers++;
            _idle.Push(workers[i]);
            _users.Add(RunOpenWorkerAsync(workers[i], first: null));
        }
    }

    private async Task RunOpenAsync()
    {
        if (_time != TimeProvider.System)
        {
            // A test clock: wait on it.
            await DispatchArrivalsAsync(precise: false);
            return;
        }

        // The real clock: a thread of its own that sleeps precisely, so arrivals leave on time whatever the
        // thread pool is doing. Idle workers run inline on it up to their first await (the send).
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                PreciseWait.TuneCurrentThread();
                DispatchArrivalsAsync(precise: true).GetAwaiter().GetResult();
                done.SetResult();
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = "archgate arrival clock",
        };
        thread.Start();
        await done.Task;
    }

    private async Task DispatchArrivalsAsync(bool precise)
    {
        var schedule = new ArrivalSchedule(_timeline);
        try
        {
            while (schedule.TryNext(out var offset))
            {
                var due = _start + ToTicks(offset);
                if (precise)
                {
                    if (!PreciseWait.Until(due, _stopStarting.Token))
                    {
                        break;
                    }
                }
                else
                {
                    var wait = due - _time.GetTimestamp();
                    if (wait > 0 && !await DelayAsync(TimeSpan.FromSeconds((double)wait / _time.TimestampFrequency), _stopStarting.Token))
                    {
                        break;
                    }
                }

                Volatile.Write(ref _currentTarget, _timeline.TargetAt(offset));
                Dispatch(due);
            }
        }
        finally
        {
            EndArrivals();
        }
    }

    private void Dispatch(long due)
    {
        OpenWorker? worker;
        int id;
        lock (_dispatch)
        {
            if (!_idle.TryPop(out worker))
            {
                if (_workers >= _plan.MaxConcurrency)
                {
                    _pending.Enqueue(due);
                    return;
                }

                _workers++;
                id = _nextWorkerId++;
            }
            else
            {
                id = -1;
            }
        }

        if (worker is not null)
        {
            worker.Give(due);
            return;
        }

        var added = new OpenWorker(new VirtualUser(id, _scenario.Journeys.Length, _plan.Cookies), _transport.CreateConnection());
        _users.Add(RunOpenWorkerAsync(added, due));
    }

    private void EndArrivals()
    {
        OpenWorker[] idle;
        lock (_dispatch)
        {
            _arrivalsOver = true;
            idle = [.. _idle];
            _idle.Clear();
        }

        foreach (var w in idle)
        {
            w.Give(EndOfArrivals);
        }
    }

    /// <summary>Arrivals still queued when every worker has ended were never sent.</summary>
    private void DropPendingArrivals()
    {
        lock (_dispatch)
        {
            _metrics.AddDropped(_pending.Count);
            _pending.Clear();
        }
    }

    private async Task RunOpenWorkerAsync(OpenWorker worker, long? first)
    {
        await using var connection = worker.Connection;
        var random = new Random(_plan.Seed + worker.User.Id);
        var due = first ?? await worker.NextAsync();
        while (due != EndOfArrivals)
        {
            if (_hardStop.IsCancellationRequested)
            {
                _metrics.AddDropped(1);
                return;
            }

            if (!await RunIterationAsync(worker.User, connection, _scenario.Pick(random), due))
            {
                return;
            }

            bool wait;
            lock (_dispatch)
            {
                if (_pending.TryDequeue(out due))
                {
                    wait = false;
                }
                else if (_arrivalsOver)
                {
                    due = EndOfArrivals;
                    wait = false;
                }
                else
                {
                    _idle.Push(worker);
                    wait = true;
                }
            }

            if (wait)
            {
                due = await worker.NextAsync();
            }
        }
    }

    /// <summary>A worker of the open model: its connection, and a reusable awaitable for its next arrival.</summary>
    private sealed class OpenWorker(VirtualUser user, ILoadConnection connection) : IValueTaskSource<long>
    {
        // Continuations run inline in Give: the worker sends on the arrival clock's thread, at the intended time.
        private ManualResetValueTaskSourceCore<long> _core;

        public VirtualUser User { get; } = user;

        public ILoadConnection Connection { get; } = connection;

        public ValueTask<long> NextAsync() => new(this, _core.Version);

        public void Give(long due) => _core.SetResult(due);

        public long GetResult(short token)
        {
            try
            {
                return _core.GetResult(token);
            }
            finally
            {
                _core.Reset();
            }
        }

        public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _core.OnCompleted(continuation, state, token, flags);
    }
}

using HdrHistogram;

namespace Archgate.Checks.LoadGenerator;

/// <summary>
/// Where virtual users record their requests: per stage and route, in a few lock-striped shards so
/// that recording stays cheap on the hot path. Histograms are allocated on first use.
/// </summary>
internal sealed class MetricsCollector
{
    private const int Requests = 0;
    private const int Status4xx = 1;
    private const int Status5xx = 2;
    private const int Timeouts = 3;
    private const int ConnectionErrors = 4;
    private const int Late = 5;
    private const int BytesSent = 6;
    private const int BytesReceived = 7;
    private const int CounterCount = 8;

    private readonly Shard[] _shards;
    private readonly int _stages;
    private readonly int _routes;
    private readonly double _microsPerTick;
    private int _inFlight;
    private int _peak;
    private long _iterations;
    private long _interrupted;
    private long _dropped;

    public MetricsCollector(int stages, int routes, long timestampFrequency)
    {
        _stages = stages;
        _routes = routes;
        _microsPerTick = 1_000_000.0 / timestampFrequency;
        _shards = new Shard[Math.Max(2, Environment.ProcessorCount * 4)];
        for (var i = 0; i < _shards.Length; i++)
        {
            _shards[i] = new Shard(stages * routes);
        }
    }

    public int ShardCount => _shards.Length;

    public int InFlight => Volatile.Read(ref _inFlight);

    public int PeakConcurrency => Volatile.Read(ref _peak);

    public long Iterations => Interlocked.Read(ref _iterations);

    public long Interrupted => Interlocked.Read(ref _interrupted);

    public void BeginRequest()
    {
        var now = Interlocked.Increment(ref _inFlight);
        if (now > Volatile.Read(ref _peak))
        {
            Volatile.Write(ref _peak, now);
        }
    }

    public void EndRequest() => Interlocked.Decrement(ref _inFlight);

    public void AddIteration() => Interlocked.Increment(ref _iterations);

    public long Dropped => Interlocked.Read(ref _dropped);

    public void AddInterrupted(long count = 1) => Interlocked.Add(ref _interrupted, count);

    public void AddDropped(long count) => Interlocked.Add(ref _dropped, count);

    public void Record(int shard, int stage, int route, long latencyTicks, in ExchangeResult result, bool late, long lagTicks = -1)
    {
        var s = _shards[shard % _shards.Length];
        var cell = (stage * _routes) + route;
        var c = cell * CounterCount;
        lock (s.Lock)
        {
            if (lagTicks >= 0)
            {
                s.Lag.RecordValue(Math.Clamp((long)(lagTicks * _microsPerTick), 0, LatencyHistogram.HighestTrackableMicros));
            }

            var counts = s.Counts;
            counts[c + Requests]++;
            counts[c + BytesSent] += result.BytesSent;
            counts[c + BytesReceived] += result.BytesReceived;
            if (late)
            {
                counts[c + Late]++;
            }

            switch (result.Status)
            {
                case ExchangeStatus.Timeout:
                    counts[c + Timeouts]++;
                    return;
                case ExchangeStatus.ConnectionError:
                    counts[c + ConnectionErrors]++;
                    return;
            }

            if (result.StatusCode >= 500)
            {
                counts[c + Status5xx]++;
            }
            else if (result.StatusCode >= 400)
            {
                counts[c + Status4xx]++;
            }

            var micros = (long)(latencyTicks * _microsPerTick);
            var h = s.Histograms[cell] ??= LatencyHistogram.NewRecorder();
            h.RecordValue(Math.Clamp(micros, 0, LatencyHistogram.HighestTrackableMicros));
        }
    }

    /// <summary>Totals so far for progress: requests, errors, late, and the 95th percentile in ms.</summary>
    public (long Requests, long Errors, long Late, double P95Ms) Totals()
    {
        long requests = 0, errors = 0, late = 0;
        var merged = LatencyHistogram.NewRecorder();
        foreach (var s in _shards)
        {
            lock (s.Lock)
            {
                for (var cell = 0; cell < _stages * _routes; cell++)
                {
                    var c = cell * CounterCount;
                    requests += s.Counts[c + Requests];
                    errors += s.Counts[c + Status4xx] + s.Counts[c + Status5xx] + s.Counts[c + Timeouts] + s.Counts[c + ConnectionErrors];
                    late += s.Counts[c + Late];
                    if (s.Histograms[cell] is { } h)
                    {
                        merged.Add(h);
                    }
                }
            }
        }

        return (requests, errors, late, merged.TotalCount == 0 ? 0 : merged.GetValueAtPercentile(95) / 1000.0);
    }

    /// <summary>Open model: how long after its intended time each request was sent.</summary>
    public LatencyHistogram ScheduleLag()
    {
        var merged = LatencyHistogram.NewRecorder();
        foreach (var s in _shards)
        {
            lock (s.Lock)
            {
                merged.Add(s.Lag);
            }
        }

        return new LatencyHistogram(merged);
    }

    /// <summary>The metrics of one stage and route.</summary>
    public RequestMetrics Cell(int stage, int route, TimeSpan duration)
    {
        var cell = (stage * _routes) + route;
        var c = cell * CounterCount;
        var total = new long[CounterCount];
        var merged = LatencyHistogram.NewRecorder();
        foreach (var s in _shards)
        {
            lock (s.Lock)
            {
                for (var k = 0; k < CounterCount; k++)
                {
                    total[k] += s.Counts[c + k];
                }

                if (s.Histograms[cell] is { } h)
                {
                    merged.Add(h);
                }
            }
        }

        return new RequestMetrics(
            new LatencyHistogram(merged),
            total[Requests],
            new ErrorCounts(total[Status4xx], total[Status5xx], total[Timeouts], total[ConnectionErrors]),
            total[Late],
            total[BytesSent],
            total[BytesReceived],
            duration);
    }

    private sealed class Shard(int cells)
    {
        public Lock Lock { get; } = new();

        public long[] Counts { get; } = new long[cells * CounterCount];

        public LongHistogram?[] Histograms { get; } = new LongHistogram?[cells];

        public LongHistogram Lag => _lag ??= LatencyHistogram.NewRecorder();

        private LongHistogram? _lag;
    }
}

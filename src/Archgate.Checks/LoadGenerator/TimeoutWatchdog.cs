namespace Archgate.Checks.LoadGenerator;

/// <summary>
/// Enforces the request timeout of the lean client without a timer or cancellation token per request:
/// connections publish a deadline, and one timer sweeps them a few times per timeout and aborts the
/// late ones.
/// </summary>
internal sealed class TimeoutWatchdog : IDisposable
{
    private readonly TimeProvider _time;
    private readonly ITimer _timer;
    private readonly Lock _lock = new();
    private readonly List<IWatchedConnection> _connections = [];

    public TimeoutWatchdog(TimeProvider time, TimeSpan timeout)
    {
        _time = time;
        TimeoutTicks = (long)(timeout.TotalSeconds * time.TimestampFrequency);
        var period = TimeSpan.FromTicks(Math.Clamp(timeout.Ticks / 10, TimeSpan.TicksPerMillisecond * 10, TimeSpan.TicksPerMillisecond * 250));
        _timer = time.CreateTimer(_ => Sweep(), null, period, period);
    }

    public long TimeoutTicks { get; }

    public void Register(IWatchedConnection connection)
    {
        lock (_lock)
        {
            _connections.Add(connection);
        }
    }

    public void Unregister(IWatchedConnection connection)
    {
        lock (_lock)
        {
            _connections.Remove(connection);
        }
    }

    public IWatchedConnection[] Snapshot()
    {
        lock (_lock)
        {
            return [.. _connections];
        }
    }

    public void Sweep()
    {
        var now = _time.GetTimestamp();
        foreach (var c in Snapshot())
        {
            c.AbortIfPast(now);
        }
    }

    public void Dispose() => _timer.Dispose();
}

/// <summary>A lean-client connection under the <see cref="TimeoutWatchdog"/>.</summary>
internal interface IWatchedConnection
{
    /// <summary>Aborts the exchange in flight when it is past its deadline (<paramref name="now"/> is a timestamp).</summary>
    void AbortIfPast(long now);

    /// <summary>Ends the exchange in flight now (the transport is aborting).</summary>
    void Abort();
}

using System.Globalization;
using Archgate.Launch;

namespace Archgate.Store;

/// <summary>
/// Who executes a run: a process (PID and start time, so a recycled PID is not taken for the owner) on a host,
/// and when it last said it was alive.
/// </summary>
/// <param name="Pid">The owner's process id.</param>
/// <param name="Host">The owner's host name.</param>
/// <param name="ProcessStart">The owner's start time in clock ticks since boot (<c>/proc/PID/stat</c> field 22); 0 when unknown.</param>
/// <param name="AcquiredAt">When the owner took the run.</param>
/// <param name="Heartbeat">The owner's last renewal.</param>
public sealed record RunLease(int Pid, string Host, long ProcessStart, DateTimeOffset AcquiredAt, DateTimeOffset Heartbeat)
{
    /// <summary>How often the owner renews its lease. <value>5 s</value>.</summary>
    public static readonly TimeSpan RenewEvery = TimeSpan.FromSeconds(5);

    /// <summary>A lease not renewed for this long has expired and may be taken over. <value>30 s</value>.</summary>
    public static readonly TimeSpan Expiry = TimeSpan.FromSeconds(30);

    /// <summary>A lease for this very process, now.</summary>
    public static RunLease ForThisProcess(DateTimeOffset now) =>
        new(Environment.ProcessId, Environment.MachineName, ProcessTree.StartTicks(Environment.ProcessId) ?? 0, now, now);

    /// <summary>
    /// True when the owner is known to be gone: it runs on this host and its PID is dead (or now belongs to a
    /// process started at another time).
    /// </summary>
    public bool OwnerIsDeadOnThisHost() =>
        string.Equals(Host, Environment.MachineName, StringComparison.Ordinal)
        && !(ProcessTree.IsAlive(Pid) && (ProcessStart == 0 || ProcessTree.StartTicks(Pid) == ProcessStart));

    /// <summary>The refusal a second executor prints.</summary>
    public string Describe(string runId) =>
        $"run {runId} is being executed by PID {Pid} on {Host} since {AcquiredAt.ToString("u", CultureInfo.InvariantCulture)} (last heartbeat {Heartbeat.ToString("u", CultureInfo.InvariantCulture)})";
}

/// <summary>
/// Holds a run's lease while the run executes: renews it every <see cref="RunLease.RenewEvery"/> on the injected
/// clock and releases it when disposed.
/// </summary>
public sealed class RunLeaseKeeper : IDisposable
{
    private readonly IRunStore _store;
    private readonly string _runId;
    private readonly RunLease _lease;
    private readonly TimeProvider _time;
    private readonly ITimer _timer;

    private RunLeaseKeeper(IRunStore store, string runId, RunLease lease, TimeProvider time)
    {
        _store = store;
        _runId = runId;
        _lease = lease;
        _time = time;
        _timer = time.CreateTimer(_ => Renew(), null, RunLease.RenewEvery, RunLease.RenewEvery);
    }

    /// <summary>Takes the run's lease and starts renewing it, or returns the live lease of its current owner.</summary>
    public static RunLeaseKeeper? TryAcquire(IRunStore store, string runId, TimeProvider time, out RunLease? holder)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(time);
        var lease = RunLease.ForThisProcess(time.GetUtcNow());
        holder = store.TryAcquireLease(runId, lease, RunLease.Expiry);
        return holder is null ? new RunLeaseKeeper(store, runId, lease, time) : null;
    }

    private void Renew()
    {
        lock (_timer)
        {
            _store.RenewLease(_runId, _lease, _time.GetUtcNow());
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _timer.Dispose();
        lock (_timer)
        {
            _store.ReleaseLease(_runId, _lease);
        }
    }
}

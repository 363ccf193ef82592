namespace Archgate.Protocol;

/// <summary>Live progress of a run; the CLI renders it, tests record it. Every event does nothing unless an observer says otherwise.</summary>
public interface IRunObserver
{
    /// <summary>The run is stored (new or resumed) and about to run its first missing step.</summary>
    void RunStarted(RunRecord run)
    {
    }

    /// <summary>A step begins.</summary>
    void StepStarted(int number, string name)
    {
    }

    /// <summary>A check begins.</summary>
    void CheckStarted(ICheck check)
    {
    }

    /// <summary>A check reports what it is doing.</summary>
    void CheckActivity(ICheck check, string activity)
    {
    }

    /// <summary>A check failed for a transient reason and will be tried again after <paramref name="delay"/>.</summary>
    void CheckRetrying(ICheck check, int nextAttempt, TimeSpan delay, string cause)
    {
    }

    /// <summary>A check is done.</summary>
    void CheckFinished(ICheck check, CheckResult result)
    {
    }

    /// <summary>A step is done and checkpointed.</summary>
    void StepFinished(StepResult step)
    {
    }

    /// <summary>The databases were snapshotted (and the snapshots stored in the run) before the rollback scope.</summary>
    void SnapshotsTaken(IReadOnlyList<StateSnapshot> snapshots)
    {
    }

    /// <summary>The snapshots were restored, dropped or kept at the end of the run.</summary>
    void SnapshotsSettled(IReadOnlyList<StateSnapshot> snapshots)
    {
    }
}

/// <summary>An observer that ignores everything.</summary>
public sealed class NullRunObserver : IRunObserver
{
    /// <summary>The shared instance.</summary>
    public static NullRunObserver Instance { get; } = new();
}

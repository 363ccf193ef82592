namespace Archgate.Launch;

/// <summary>
/// The other half of the orphan protection: a small process (<c>archgate __watchdog</c>) that polls the Archgate
/// process which started a system and, once it is gone (even by SIGKILL, which no handler sees), stops the
/// processes recorded in its state file (SIGTERM to each process group and tree, a grace period, SIGKILL) and
/// removes the file. A parent-death signal would not do: on Linux it fires when the forking thread exits, and
/// .NET starts processes from pool threads.
/// </summary>
public static class Watchdog
{
    /// <summary>How often the parent is polled. <value>500 ms</value>.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>Waits for the parent to disappear, then stops what its state file records; returns how many processes it stopped.</summary>
    public static async Task<int> RunAsync(int parentPid, long parentStart, string stateFile, CancellationToken cancellationToken)
    {
        while (ProcessTree.IsSameProcess(parentPid, parentStart))
        {
            await Task.Delay(PollInterval, cancellationToken);
        }

        // Only a state file still owned by our parent: another Archgate may have started a system since.
        var state = SystemLauncher.ReadState(stateFile);
        if (state is null || state.OwnerPid != parentPid || state.OwnerStart != parentStart)
        {
            return 0;
        }

        var running = state.Components.Where(c => c.IsRunning).ToList();
        await SystemLauncher.StopProcessesAsync(running);
        File.Delete(stateFile);
        return running.Count;
    }
}

using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Archgate.Checks.LoadGenerator;

/// <summary>
/// Waits on the thread it is called from until a <see cref="Stopwatch"/> timestamp, without the 1-2 ms
/// oversleep of <c>Task.Delay</c> and timers: a coarse sleep while far away, then (on Linux) a sub-millisecond
/// <c>usleep</c> with the thread's timer slack cut to 1 µs, then a short spin for the last tens of
/// microseconds. Meant for one dedicated thread (the open model's arrival clock), never the thread pool.
/// </summary>
internal static partial class PreciseWait
{
    private const int PrSetTimerSlack = 29;
    private static readonly long SpinTicks = Stopwatch.Frequency / 20_000; // 50 µs
    private static readonly long CoarseTicks = Stopwatch.Frequency / 50; // 20 ms

    /// <summary>Prepares the calling thread for precise sleeps (Linux: 1 µs timer slack instead of 50 µs).</summary>
    public static void TuneCurrentThread()
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                _ = Prctl(PrSetTimerSlack, 1000, 0, 0, 0);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
            }
        }
    }

    /// <summary>Blocks until <paramref name="due"/> (a <see cref="Stopwatch"/> timestamp); false when <paramref name="stop"/> fired first.</summary>
    public static bool Until(long due, CancellationToken stop)
    {
        while (true)
        {
            if (stop.IsCancellationRequested)
            {
                return false;
            }

            var remaining = due - Stopwatch.GetTimestamp();
            if (remaining <= 0)
            {
                return true;
            }

            if (remaining > CoarseTicks)
            {
                // Far away: sleep in slices short enough to notice a stop soon.
                Thread.Sleep(Math.Min(50, (int)((remaining - CoarseTicks / 2) * 1000 / Stopwatch.Frequency) + 1));
            }
            else if (remaining > SpinTicks)
            {
                SleepMicroseconds((remaining - SpinTicks) * 1_000_000 / Stopwatch.Frequency);
            }
            else
            {
                Thread.SpinWait(20);
            }
        }
    }

    private static void SleepMicroseconds(long micros)
    {
        if (OperatingSystem.IsLinux())
        {
            _ = Usleep((uint)Math.Clamp(micros, 1, 1_000_000));
            return;
        }

        // Elsewhere only whole milliseconds: sleep those below the target and spin the rest.
        var ms = (int)(micros / 1000) - 1;
        if (ms > 0)
        {
            Thread.Sleep(ms);
        }
        else
        {
            Thread.Yield();
        }
    }

    [LibraryImport("libc", EntryPoint = "usleep")]
    private static partial int Usleep(uint microseconds);

    [LibraryImport("libc", EntryPoint = "prctl")]
    private static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);
}

using System.Globalization;

namespace Archgate.Launch;

/// <summary>The most one started component (with its child processes) used while it was sampled.</summary>
/// <param name="Component">The component.</param>
/// <param name="Cpu">Its highest CPU use over one sampling interval, as a fraction of the whole machine (all cores).</param>
/// <param name="Memory">Its highest resident memory, in bytes.</param>
/// <param name="Samples">How many samples were taken.</param>
public sealed record ResourcePeak(string Component, double Cpu, long Memory, int Samples);

/// <summary>
/// Samples the CPU time and resident memory of the components Archgate started (each process tree, read from
/// /proc) every <see cref="Interval"/> while a run goes on, and keeps each component's peak: the input of the
/// resource-exhaustion trigger. Where /proc is missing it samples nothing.
/// </summary>
public sealed class ResourceMonitor : IDisposable
{
    // USER_HZ, the unit of utime/stime in /proc/PID/stat, is 100 on every mainstream Linux build.
    private const double TicksPerSecond = 100;

    private readonly IReadOnlyList<StartedComponent> _components;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (long Ticks, long At)> _last = [];
    private readonly Dictionary<string, ResourcePeak> _peaks = [];
    private ITimer? _timer;

    /// <summary>Prepares to sample <paramref name="components"/>.</summary>
    public ResourceMonitor(IReadOnlyList<StartedComponent> components, TimeProvider time, TimeSpan? interval = null)
    {
        _components = components;
        _time = time;
        Interval = interval ?? TimeSpan.FromSeconds(1);
    }

    /// <summary>Time between samples. <value>1 s</value>.</summary>
    public TimeSpan Interval { get; }

    /// <summary>Takes a first sample and starts sampling.</summary>
    public void Start()
    {
        Sample();
        _timer = _time.CreateTimer(_ => Sample(), null, Interval, Interval);
    }

    /// <summary>Takes a last sample, stops, and returns each sampled component's peak.</summary>
    public IReadOnlyList<ResourcePeak> Stop()
    {
        _timer?.Dispose();
        _timer = null;
        Sample();
        lock (_gate)
        {
            return [.. _components.Select(c => _peaks.GetValueOrDefault(c.Component)).OfType<ResourcePeak>()];
        }
    }

    /// <summary>One sample of every component (also called by the timer).</summary>
    public void Sample()
    {
        if (!Directory.Exists("/proc"))
        {
            return;
        }

        lock (_gate)
        {
            var now = _time.GetTimestamp();
            foreach (var component in _components)
            {
                long ticks = 0, memory = 0;
                foreach (var pid in ProcessTree.Collect(component.Pid))
                {
                    if (Read(pid) is { } usage)
                    {
                        ticks += usage.Ticks;
                        memory += usage.Rss;
                    }
                }

                var cpu = 0.0;
                var seconds = _last.TryGetValue(component.Component, out var last) ? _time.GetElapsedTime(last.At, now).TotalSeconds : -1;
                // A sample less than half an interval after the last (Stop's, right after the timer's) is too short for
                // CPU time counted in 10 ms ticks (one spinning process read as 153 % of a 2-core machine): it measures no
                // CPU, and the older baseline stays for the next sample. The first sample (seconds < 0) is the baseline.
                if (seconds < 0 || seconds >= Interval.TotalSeconds / 2)
                {
                    if (seconds > 0)
                    {
                        cpu = Math.Max(0, ticks - last.Ticks) / TicksPerSecond / seconds / Environment.ProcessorCount;
                    }

                    _last[component.Component] = (ticks, now);
                }

                var peak = _peaks.GetValueOrDefault(component.Component) ?? new ResourcePeak(component.Component, 0, 0, 0);
                _peaks[component.Component] = new ResourcePeak(component.Component, Math.Max(peak.Cpu, cpu), Math.Max(peak.Memory, memory), peak.Samples + 1);
            }
        }
    }

    /// <summary>A process's CPU time (utime + stime, in ticks) and resident memory (bytes); null when it is gone.</summary>
    internal static (long Ticks, long Rss)? Read(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) is in parentheses and may hold spaces: fields are counted after its ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            long rss = 0;
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
                    break;
                }
            }

            return (ticks, rss);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _timer?.Dispose();
}

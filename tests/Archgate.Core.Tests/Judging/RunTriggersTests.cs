using System.Diagnostics;
using Archgate.Judging;
using Archgate.Launch;
using Archgate.Model;

namespace Archgate.Core.Tests.Judging;

/// <summary>The run-wide triggers: the integration's timeline, CPU and memory of started components (sampled from /proc), the run folder's disk.</summary>
public sealed class RunTriggersTests
{
    private static readonly DateTimeOffset First = new(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_integration_overruns_past_168_hours_from_its_first_run_to_sign_off_or_now()
    {
        Assert.Null(RunTriggers.TimelineOverrun("shop", First, null, First.AddHours(168)));
        Assert.Null(RunTriggers.TimelineOverrun("shop", First, First.AddHours(100), First.AddDays(30))); // signed off in time

        var open = RunTriggers.TimelineOverrun("shop", First, null, First.AddHours(200))!;
        Assert.Equal(("timeline-overrun", 3), (open.Trigger, open.Level));
        Assert.Equal("Timeline overrun: the integration of shop has taken 200 h and is not signed off (budget 168 h)", open.Message);
        Assert.Equal(["first run 2026-11-01 08:00 UTC", "not signed off at 2026-11-09 16:00 UTC"], open.Evidence);

        var late = RunTriggers.TimelineOverrun("shop", First, First.AddHours(170), First.AddDays(30))!;
        Assert.Contains("170 h until its sign-off", late.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_sample_too_soon_after_the_last_measures_no_cpu_and_keeps_the_older_baseline()
    {
        // A spinning process, and a clock that says only 10 ms passed while it ran 300 ms: CPU counted in 10 ms ticks
        // over such an interval would read as many cores (the last sample of Stop, taken right after the timer's).
        using var busy = Process.Start(new ProcessStartInfo("sh", ["-c", "while :; do :; done"]) { UseShellExecute = false })!;
        try
        {
            var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
            using var monitor = new ResourceMonitor([new StartedComponent("api", busy.Id, "/dev/null", DateTimeOffset.UtcNow)], time, TimeSpan.FromSeconds(1));
            monitor.Sample();
            Thread.Sleep(300);
            time.Advance(TimeSpan.FromMilliseconds(10));
            monitor.Sample();
            time.Advance(TimeSpan.FromSeconds(1));
            Thread.Sleep(300);
            monitor.Sample();
            var peak = Assert.Single(monitor.Stop());

            Assert.InRange(peak.Cpu, 1e-6, 1.0); // measured over 1.01 s of the clock from the first sample, never more than the machine
        }
        finally
        {
            busy.Kill();
            busy.WaitForExit();
        }
    }

    [Fact]
    public void A_started_component_over_its_cpu_or_memory_limit_and_a_nearly_full_disk_are_resource_exhaustion()
    {
        // A real busy process: its CPU and resident memory are read from /proc like a started component's.
        using var busy = Process.Start(new ProcessStartInfo("sh", ["-c", "while :; do :; done"]) { UseShellExecute = false })!;
        try
        {
            var started = new StartedComponent("api", busy.Id, "/dev/null", DateTimeOffset.UtcNow);
            using var monitor = new ResourceMonitor([started], TimeProvider.System, TimeSpan.FromMilliseconds(200));
            monitor.Start();
            Thread.Sleep(2000);
            var peak = Assert.Single(monitor.Stop());

            Assert.Equal("api", peak.Component);
            Assert.True(peak.Samples >= 2, $"{peak.Samples} samples");
            Assert.True(peak.Cpu > 0, $"cpu {peak.Cpu}"); // a spinning shell; how much of a core it gets depends on the machine's load
            Assert.True(peak.Memory > 100 * 1024, $"memory {peak.Memory}");

            var limits = new ResourceLimits { Cpu = 1e-6, Memory = 1024, DiskFree = long.MaxValue };
            var escalations = RunTriggers.ResourceExhaustion([peak], limits, Path.GetTempPath(), RunTriggers.FreeBytes(Path.GetTempPath()));

            Assert.Equal(2, escalations.Count);
            Assert.All(escalations, e => Assert.Equal(("resource-exhaustion", 2), (e.Trigger, e.Level)));
            Assert.StartsWith("Resource exhaustion: api used CPU", escalations[0].Message, StringComparison.Ordinal);
            Assert.Contains("and memory", escalations[0].Message, StringComparison.Ordinal);
            Assert.Equal(["api"], escalations[0].Components);
            Assert.StartsWith("Resource exhaustion: ", escalations[1].Message, StringComparison.Ordinal);
            Assert.Contains($"free on the filesystem of {Path.GetTempPath()}", escalations[1].Message, StringComparison.Ordinal);

            Assert.Empty(RunTriggers.ResourceExhaustion([peak], new ResourceLimits { Cpu = 1.0, Memory = long.MaxValue, DiskFree = 1 }, Path.GetTempPath(), RunTriggers.FreeBytes(Path.GetTempPath())));
        }
        finally
        {
            busy.Kill();
            busy.WaitForExit();
        }
    }
}

using System.Diagnostics;
using Archgate.Launch;

namespace Archgate.Core.Tests.Launch;

public sealed class SystemLauncherTests
{
    [Fact]
    public async Task A_recorded_PID_now_held_by_a_process_started_at_another_time_is_never_signalled()
    {
        using var stranger = Process.Start("sleep", "60")!;
        try
        {
            var ticks = ProcessTree.StartTicks(stranger.Id);
            Assert.NotNull(ticks);
            var recycled = new StartedComponent("api", stranger.Id, "/x/api.log", DateTimeOffset.UnixEpoch, ticks.Value - 1, "dotnet api.dll", 8080);
            Assert.False(recycled.IsRunning);

            await SystemLauncher.StopProcessesAsync([recycled]);

            Assert.False(stranger.HasExited);
            var same = recycled with { ProcessStart = ticks.Value };
            Assert.True(same.IsRunning);

            await SystemLauncher.StopProcessesAsync([same]);

            Assert.True(stranger.WaitForExit(TimeSpan.FromMinutes(1)));
        }
        finally
        {
            if (!stranger.HasExited)
            {
                stranger.Kill();
            }
        }
    }
}

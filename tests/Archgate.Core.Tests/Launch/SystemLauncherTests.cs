using System.Diagnostics;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Launch;

namespace Archgate.Core.Tests.Launch;

public sealed class SystemLauncherTests
{
    [Fact]
    public async Task Components_of_one_wave_that_are_ready_together_are_all_recorded_in_the_state_file()
    {
        var folder = Directory.CreateTempSubdirectory("archgate-wave-").FullName;
        try
        {
            // Free ports: the shop's fixed ones (7001-7401) may be taken by a demo running beside the tests.
            var ports = Enumerable.Range(0, 12).Select(_ => FreePort.Next()).ToArray();
            var components = string.Concat(Enumerable.Range(1, 12).Select(i => $$"""

                  - name: c{{i}}
                    kind: service
                    url: http://127.0.0.1:{{ports[i - 1]}}
                    run: { command: /bin/sh -c "echo up; sleep 60", ready: { log: up } }
                """));
            var model = Archgate.Tests.TestSystems.Load("version: 1\nsystem: { name: s }\ncomponents:" + components);
            using var launcher = new SystemLauncher(Archgate.Planning.Planner.Plan(model), folder);
            using var http = new HttpClient();

            var failure = await launcher.StartAsync(http, CancellationToken.None);
            try
            {
                Assert.Null(failure);
                var state = await File.ReadAllTextAsync(launcher.StateFile);
                Assert.All(Enumerable.Range(1, 12), i => Assert.Contains($"\"c{i}\"", state, StringComparison.Ordinal));
            }
            finally
            {
                await launcher.StopAsync();
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_stop_does_not_change_the_list_of_started_components_a_sampler_holds()
    {
        // The resource monitor samples the list from its timer while Ctrl+C stops the system: before, it held the
        // launcher's own list, which the stop cleared under it ("Collection was modified", an unhandled crash).
        var folder = Directory.CreateTempSubdirectory("archgate-sampled-").FullName;
        try
        {
            var model = Archgate.Tests.TestSystems.Load($$"""
                version: 1
                system: { name: s }
                components:
                  - { name: c1, kind: service, url: "http://127.0.0.1:{{FreePort.Next()}}", run: { command: /bin/sh -c "echo up; sleep 60", ready: { log: up } } }
                """);
            using var launcher = new SystemLauncher(Archgate.Planning.Planner.Plan(model), folder);
            using var http = new HttpClient();
            Assert.Null(await launcher.StartAsync(http, CancellationToken.None));
            var sampled = launcher.Started;
            using var monitor = new ResourceMonitor(sampled, TimeProvider.System, TimeSpan.FromMilliseconds(10));
            monitor.Start();

            await launcher.StopAsync();
            monitor.Sample();

            Assert.Equal(["c1"], sampled.Select(c => c.Component));
            Assert.Empty(launcher.Started);
            Assert.Equal("c1", Assert.Single(monitor.Stop()).Component);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Disposing_while_an_exit_event_is_being_raised_does_not_deadlock()
    {
        // .NET raises Exited holding the Process's lock, and disposing a Process takes that lock. The launcher's Dispose
        // used to dispose its processes holding the lock its Exited handler takes: an exit arriving just after the stop
        // left archgate hanging after "stopped the components" (ci79).
        var folder = Directory.CreateTempSubdirectory("archgate-dispose-").FullName;
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        try
        {
            var model = Archgate.Tests.TestSystems.Load($$"""
                version: 1
                system: { name: s }
                components:
                  - { name: c1, kind: service, url: "http://127.0.0.1:{{FreePort.Next()}}", run: { command: /bin/sh -c "echo up; sleep 60", ready: { log: up } } }
                """);
            var launcher = new SystemLauncher(Archgate.Planning.Planner.Plan(model), folder)
            {
                ExitedEventArrived = () =>
                {
                    entered.Set();
                    release.Wait(TimeSpan.FromSeconds(30));
                },
            };
            using var http = new HttpClient();
            Assert.Null(await launcher.StartAsync(http, CancellationToken.None));

            await launcher.StopAsync();
            Assert.True(entered.Wait(TimeSpan.FromSeconds(30)), "the exit event was not raised");
            var disposing = Task.Run(launcher.Dispose);
            await Task.Delay(500); // let Dispose reach the process's lock, which the handler holds
            release.Set();

            await disposing.WaitAsync(TimeSpan.FromSeconds(20));
        }
        finally
        {
            release.Set();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task The_components_Archgate_stops_at_the_end_are_expected_exits_and_one_that_dies_by_itself_is_not()
    {
        var folder = Directory.CreateTempSubdirectory("archgate-exits-").FullName;
        try
        {
            var trigger = Path.Combine(folder, "die-now");
            var model = Archgate.Tests.TestSystems.Load($$"""
                version: 1
                system: { name: s }
                components:
                  - { name: stays, kind: service, url: "http://127.0.0.1:{{FreePort.Next()}}", run: { command: /bin/sh -c "echo up; sleep 60", ready: { log: up } } }
                  - { name: dies, kind: service, url: "http://127.0.0.1:{{FreePort.Next()}}", run: { command: /bin/sh -c "echo up; while test ! -e {{trigger}}; do sleep 0.1; done; echo going; exit 3", ready: { log: up } } }
                """);
            using var launcher = new SystemLauncher(Archgate.Planning.Planner.Plan(model), folder);
            using var http = new HttpClient();
            Assert.Null(await launcher.StartAsync(http, CancellationToken.None));
            Assert.Empty(launcher.Exits());
            await File.WriteAllTextAsync(trigger, string.Empty);
            var deadline = DateTime.UtcNow.AddMinutes(1);
            while (launcher.Exits().Count == 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            await launcher.StopAsync();
            while (launcher.Exits().Count < 2 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            var exits = launcher.Exits();
            var died = Assert.Single(exits, e => e.Component == "dies");
            Assert.Equal(3, died.ExitCode);
            Assert.False(died.Expected);
            Assert.Equal(["up", "going"], died.LastLogLines);
            var stopped = Assert.Single(exits, e => e.Component == "stays");
            Assert.True(stopped.Expected);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

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

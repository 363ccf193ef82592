using System.Diagnostics;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Archgate.EndToEnd.Tests.Cli;

/// <summary>'kill -9' of archgate does not orphan the system it started; what a killed archgate left is still stopped.</summary>
public sealed class OrphanTests : CliTestBase
{
    private static readonly TimeSpan Death = TimeSpan.FromMinutes(2);

    private string StateFile => Path.Combine(Folder, ".archgate", "system.json");

    [Fact]
    public async Task Kill_9_of_up_stops_every_component_it_started()
    {
        using var up = StartArchgate("up", WriteMinimalManifest());
        await up.WaitForOutputAsync("system minimal is up", TimeSpan.FromMinutes(4));
        var pids = RecordedPids();
        Assert.NotEmpty(pids);
        Assert.All(pids, pid => Assert.True(ArchgateProcess.Alive(pid)));

        up.Signal(9);
        await up.WaitAsync(TimeSpan.FromMinutes(1));

        await AssertAllDieAsync(pids);
        var watch = Stopwatch.StartNew();
        while (File.Exists(StateFile) && watch.Elapsed < Death)
        {
            await Task.Delay(200); // the watchdog removes it once everything it recorded is stopped
        }

        Assert.False(File.Exists(StateFile));
    }

    [Fact]
    public async Task Kill_9_of_run_up_stops_the_system_which_the_store_recorded_for_the_run()
    {
        using var run = StartArchgate("run", WriteMinimalManifest(), "--up");
        await run.WaitForOutputAsync(" started; if it is interrupted", TimeSpan.FromMinutes(4));
        var runId = RunIdFrom(run.Stdout);
        var pids = RecordedPids();
        Assert.NotEmpty(pids);

        run.Signal(9);
        await run.WaitAsync(TimeSpan.FromMinutes(1));

        await AssertAllDieAsync(pids);
        Assert.Equal(pids, StoredPids(runId));
    }

    [Fact]
    public async Task Resume_up_stops_what_a_killed_execution_of_the_run_left_running_and_starts_afresh()
    {
        using (var run = StartArchgate("run", WriteMinimalManifest(), "--up"))
        {
            await run.WaitForOutputAsync(" started; if it is interrupted", TimeSpan.FromMinutes(4));
            var runId = RunIdFrom(run.Stdout);
            var leftovers = RecordedPids();

            // Kill archgate and its watchdog: the component survives, as after a crash of the whole session.
            var watchdogs = WatchdogsOf(StateFile);
            Assert.Single(watchdogs);
            KillNine(watchdogs[0]);
            run.Signal(9);
            await run.WaitAsync(TimeSpan.FromMinutes(1));
            Assert.All(leftovers, pid => Assert.True(ArchgateProcess.Alive(pid)));

            using var resumed = StartArchgate("resume", runId, "--up");
            await resumed.WaitForOutputAsync($"run {runId} resumed (1)", TimeSpan.FromMinutes(4));
            Assert.Contains($"stopped api (pid {leftovers[0]}), left running by an earlier execution of this run", resumed.Stdout, StringComparison.Ordinal);
            Assert.All(leftovers, pid => Assert.False(ArchgateProcess.Alive(pid)));
            var fresh = StoredPids(runId).Except(leftovers).ToList();
            Assert.NotEmpty(fresh);

            resumed.Signal(9);
            await resumed.WaitAsync(TimeSpan.FromMinutes(1));
            await AssertAllDieAsync(fresh);
        }
    }

    [Fact]
    public async Task Down_stops_what_a_detached_up_killed_during_start_up_had_started()
    {
        var pidFile = Path.Combine(Folder, "first.pid");
        await File.WriteAllTextAsync(Path.Combine(Folder, "archgate.yaml"), $$"""
            version: 1
            system: { name: killed }
            components:
              - name: first
                kind: service
                url: http://127.0.0.1:{{Port}}
                run:
                  command: sh -c "echo $$$$ > {{pidFile}}; echo first up; exec sleep 300"
                  ready: { log: "first up", timeout: 60s }
              - name: second
                kind: service
                url: http://127.0.0.1:{{FreePort.Next()}}
                dependsOn: [first]
                run:
                  command: sh -c "echo warming up; exec sleep 300"
                  ready: { log: "never printed", timeout: 300s }
            """);

        using (var up = StartArchgate("up", "archgate.yaml", "--detach"))
        {
            // "starting second" is printed before the process starts and is recorded: kill only once both are recorded.
            await up.WaitForOutputAsync("starting second", TimeSpan.FromMinutes(4));
            var recorded = Stopwatch.StartNew();
            while (RecordedPids().Count < 2 && recorded.Elapsed < TimeSpan.FromMinutes(1))
            {
                await Task.Delay(100);
            }

            up.Signal(9);
            await up.WaitAsync(TimeSpan.FromMinutes(1));
        }

        var first = int.Parse((await File.ReadAllTextAsync(pidFile)).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var pids = RecordedPids();
        Assert.Contains(first, pids);
        Assert.Equal(2, pids.Count);
        Assert.All(pids, pid => Assert.True(ArchgateProcess.Alive(pid)));

        var down = await ArchgateAsync("down");

        Assert.True(down.ExitCode == 0, down.All);
        Assert.Contains($"stopped first (pid {first})", down.Stdout, StringComparison.Ordinal);
        Assert.All(pids, pid => Assert.False(ArchgateProcess.Alive(pid)));
    }

    private List<int> RecordedPids()
    {
        using var state = JsonDocument.Parse(File.ReadAllText(StateFile));
        return state.RootElement.GetProperty("components").EnumerateArray().Select(c => c.GetProperty("pid").GetInt32()).ToList();
    }

    private List<int> StoredPids(string runId)
    {
        using var connection = new SqliteConnection($"Data Source={Store};Pooling=False;Mode=ReadOnly");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT pid FROM run_processes WHERE run_id = $run AND process_start > 0 ORDER BY started_at";
        cmd.Parameters.AddWithValue("$run", runId);
        using var reader = cmd.ExecuteReader();
        var pids = new List<int>();
        while (reader.Read())
        {
            pids.Add(reader.GetInt32(0));
        }

        return pids;
    }

    private static async Task AssertAllDieAsync(IReadOnlyList<int> pids)
    {
        var watch = Stopwatch.StartNew();
        while (pids.Any(ArchgateProcess.Alive) && watch.Elapsed < Death)
        {
            await Task.Delay(200);
        }

        Assert.All(pids, pid => Assert.False(ArchgateProcess.Alive(pid), $"pid {pid} survived archgate"));
    }

    /// <summary>The watchdog processes watching <paramref name="stateFile"/> (from /proc/*/cmdline).</summary>
    private static List<int> WatchdogsOf(string stateFile)
    {
        var result = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                var args = File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0');
                if (args.Contains("__watchdog") && args.Contains(stateFile))
                {
                    result.Add(pid);
                }
            }
            catch (IOException)
            {
            }
        }

        return result;
    }

    private static void KillNine(int pid) => _ = Kill(pid, 9);

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);
}

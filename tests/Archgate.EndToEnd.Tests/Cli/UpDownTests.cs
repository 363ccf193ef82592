using System.Text.Json;

namespace Archgate.EndToEnd.Tests.Cli;

/// <summary>'archgate up' starts components in plan order; 'down' and failures leave no process behind.</summary>
public sealed class UpDownTests : CliTestBase
{
    [Fact]
    public async Task Up_detached_starts_the_service_and_down_stops_its_process()
    {
        var up = await ArchgateAsync("up", WriteMinimalManifest(), "--detach");

        Assert.True(up.ExitCode == 0, up.All);
        Assert.Contains("system minimal is up", up.Stdout, StringComparison.Ordinal);
        using var state = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Folder, ".archgate", "system.json")));
        var pid = state.RootElement.GetProperty("components")[0].GetProperty("pid").GetInt32();
        Assert.True(ArchgateProcess.Alive(pid));
        using (var http = new HttpClient())
        {
            Assert.True((await http.GetAsync(new Uri($"http://127.0.0.1:{Port}/health"))).IsSuccessStatusCode);
        }

        Assert.True(File.Exists(Path.Combine(Folder, ".archgate", "logs", "api.log")));

        var down = await ArchgateAsync("down");

        Assert.Equal(0, down.ExitCode);
        Assert.Contains($"stopped api (pid {pid})", down.Stdout, StringComparison.Ordinal);
        Assert.False(ArchgateProcess.Alive(pid));
        Assert.False(File.Exists(Path.Combine(Folder, ".archgate", "system.json")));
    }

    [Fact]
    public async Task A_dependency_that_never_gets_ready_fails_start_up_and_stops_what_was_started()
    {
        var pidFile = Path.Combine(Folder, "first.pid");
        await File.WriteAllTextAsync(Path.Combine(Folder, "archgate.yaml"), $$"""
            version: 1
            system: { name: waves }
            components:
              - name: first
                kind: service
                url: http://127.0.0.1:{{Port}}
                run:
                  command: sh -c "echo $$$$ > {{pidFile}}; echo first up; exec sleep 60"
                  ready: { log: "first up", timeout: 10s }
              - name: second
                kind: service
                url: http://127.0.0.1:{{FreePort.Next()}}
                dependsOn: [first]
                run:
                  command: sh -c "echo warming up; exec sleep 60"
                  ready: { log: "never printed", timeout: 1s }
              - name: third
                kind: service
                url: http://127.0.0.1:{{FreePort.Next()}}
                dependsOn: [second]
                run:
                  command: sh -c "echo third; exec sleep 60"
                  ready: { log: "third" }
            """);

        var result = await ArchgateAsync("up", "archgate.yaml");

        Assert.True(result.ExitCode == 3, result.All);
        Assert.Contains("start-up failed: second not ready after 1 s (waiting for the log line 'never printed')", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("| warming up", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("starting third", result.Stdout, StringComparison.Ordinal);
        var order = result.Stdout.IndexOf("starting first", StringComparison.Ordinal);
        Assert.True(order >= 0 && order < result.Stdout.IndexOf("starting second", StringComparison.Ordinal));
        var firstPid = int.Parse((await File.ReadAllTextAsync(pidFile)).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.False(ArchgateProcess.Alive(firstPid));
    }

    [Fact]
    public async Task Follow_shows_each_component_log_line_prefixed_with_its_name()
    {
        var result = await ArchgateAsync("run", WriteMinimalManifest(), "--up", "--follow", "--steps", "1");

        Assert.True(result.ExitCode == 5, result.All);
        Assert.Contains("api       | minimal service ready", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("minimal service ready", await File.ReadAllTextAsync(Path.Combine(Folder, ".archgate", "logs", "api.log")));
    }

    [Fact]
    public async Task A_port_already_in_use_stops_start_up_instead_of_testing_a_stranger()
    {
        using var stranger = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, Port);
        stranger.Start();

        var result = await ArchgateAsync("up", ArchgateProcess.MinimalManifest);

        Assert.True(result.ExitCode == 3, result.All);
        Assert.Contains($"127.0.0.1:{Port} is already in use by another process", result.Stdout, StringComparison.Ordinal);
    }
}

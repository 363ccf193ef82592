using System.Text.Json;

namespace Archgate.EndToEnd.Tests.Cli;

/// <summary>The exit codes CI reads, from the real process.</summary>
public sealed class ExitCodeTests : CliTestBase
{
    [Fact]
    public async Task A_valid_manifest_validates_with_exit_code_0()
    {
        var result = await ArchgateAsync("validate", ArchgateProcess.MinimalManifest);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("valid (2 components, system 'minimal')", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_manifest_exits_2_with_every_error_and_no_stack_trace()
    {
        await File.WriteAllTextAsync(Path.Combine(Folder, "archgate.yaml"), """
            version: 1
            system: { name: s }
            components:
              - { name: api, kind: servce, url: "http://127.0.0.1:1" }
              - { name: web, kind: frontend, url: "http://127.0.0.1:2", dependsOn: [ap] }
            """);

        var result = await ArchgateAsync("run");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("archgate.yaml:4:24: components.api.kind: unknown kind 'servce'", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("archgate.yaml:5:73: components.web.dependsOn: unknown component 'ap'", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("2 problems in archgate.yaml; nothing was run.", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_usage_error_exits_1_with_a_hint()
    {
        var result = await ArchgateAsync("run", "--no-such-option");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Unknown option", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("hint:", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_clean_run_with_up_is_INCOMPLETE_exit_5_and_writes_every_report()
    {
        var result = await ArchgateAsync("run", WriteMinimalManifest(), "--up");

        Assert.True(result.ExitCode == 5, result.All);
        Assert.Contains("verdict: INCOMPLETE", result.Stdout, StringComparison.Ordinal);
        var runDir = Directory.GetDirectories(Path.Combine(Folder, ".archgate", "runs")).Single();
        foreach (var file in new[] { "run.json", "integration-validation-report.md", "integration-validation-report.html", "junit.xml", "integration-plan.md" })
        {
            Assert.True(File.Exists(Path.Combine(runDir, file)), file);
        }

        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(runDir, "run.json")));
        Assert.Equal("INCOMPLETE", json.RootElement.GetProperty("verdict").GetString());
        var steps = json.RootElement.GetProperty("steps");
        Assert.Equal(10, steps.GetArrayLength());
        Assert.Equal("pass", steps[3].GetProperty("status").GetString());
        // Step 10 compiles the criteria: step 7 evaluates nothing here (below), so there is nothing to sign yet.
        Assert.Equal("awaiting", steps[9].GetProperty("checks")[0].GetProperty("skip").GetString());
        Assert.StartsWith("no sign-off possible: not evaluated: critical-paths", steps[9].GetProperty("checks")[0].GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.False(json.RootElement.TryGetProperty("awaiting", out _));

        // Step 7 applies (a service with a contract) but its contract has nothing to update concurrently: skipped, with why.
        Assert.Contains("no resource whose update takes If-Match", steps[6].GetProperty("checks")[0].GetProperty("reason").GetString(), StringComparison.Ordinal);

        // The minimal sample has no frontend: step 5 says so, and its criterion does not apply.
        Assert.Equal("no frontend component declared, and no service declares a realtime stream or a clientCredentials auth", steps[4].GetProperty("notApplicable").GetString());
        var frontend = json.RootElement.GetProperty("criteria").EnumerateArray().Single(c => c.GetProperty("id").GetString() == "frontend");
        Assert.Equal("not-applicable", frontend.GetProperty("status").GetString());
        Assert.Contains("n/a", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("integration-plan.md", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_summary_lists_no_integration_plan_when_step_1_did_not_run()
    {
        var result = await ArchgateAsync("run", ArchgateProcess.MinimalManifest, "--steps", "3");

        Assert.Contains("report: ", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("integration-plan.md", result.Stdout, StringComparison.Ordinal);
    }

    /// <summary>The minimal sample, answering 503 on /health; ready when its log says so.</summary>
    private Task WriteUnhealthyManifestAsync()
    {
        Environment["MINIMAL_UNHEALTHY"] = "1";
        WriteMinimalManifest(text => text.Replace("ready: { http: /health, timeout: 120s }", "ready: { log: \"minimal service ready\", timeout: 120s }", StringComparison.Ordinal));
        return Task.CompletedTask;
    }

    [Fact]
    public async Task An_unhealthy_service_is_NO_GO_exit_4_naming_it()
    {
        await WriteUnhealthyManifestAsync();

        var result = await ArchgateAsync("run", "archgate.yaml", "--up");

        Assert.True(result.ExitCode == 4, result.All);
        Assert.Contains("verdict: NO-GO", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("api health endpoint answered 503", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("retrying", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nothing_reachable_is_an_infrastructure_error_exit_3()
    {
        var result = await ArchgateAsync("run", ArchgateProcess.MinimalManifest, "--steps", "1-4");

        Assert.True(result.ExitCode == 3, result.All);
        Assert.Contains("database file not found", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("api is not reachable: connection refused", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_component_that_exits_at_start_up_stops_it_with_exit_3_its_code_and_log()
    {
        await File.WriteAllTextAsync(Path.Combine(Folder, "archgate.yaml"), """
            version: 1
            system: { name: broken }
            components:
              - name: api
                kind: service
                url: http://127.0.0.1:1
                health: /health
                run:
                  command: sh -c "echo cannot bind the port; exit 7"
            """);

        var result = await ArchgateAsync("run", "archgate.yaml", "--up");

        Assert.True(result.ExitCode == 3, result.All);
        Assert.Contains("start-up failed: api exited before it was ready (exit code 7)", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("| cannot bind the port", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ctrl_C_cancels_cleanly_with_exit_130_and_the_run_can_be_resumed()
    {
        CreateDatabase();
        using var run = StartArchgate("run", WriteMinimalManifest());
        await run.WaitForOutputAsync("step 4/10", TimeSpan.FromMinutes(2));

        run.Signal(2); // SIGINT, as Ctrl+C sends
        var result = await run.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.True(result.ExitCode == 130, result.All);
        Assert.Contains("cancelled", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("archgate resume", result.Stdout, StringComparison.Ordinal);
        var runs = await ArchgateAsync("runs");
        Assert.Contains("cancelled", runs.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ctrl_C_during_run_up_stops_the_components_it_started()
    {
        await WriteUnhealthyManifestAsync();
        using var run = StartArchgate("run", "archgate.yaml", "--up");
        await run.WaitForOutputAsync("retrying in", TimeSpan.FromMinutes(2));
        using var state = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Folder, ".archgate", "system.json")));
        var pid = state.RootElement.GetProperty("components")[0].GetProperty("pid").GetInt32();
        Assert.True(ArchgateProcess.Alive(pid));

        run.Signal(2);
        var result = await run.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.True(result.ExitCode == 130, result.All);
        Assert.Contains("stopped the components Archgate started", result.Stdout, StringComparison.Ordinal);
        Assert.False(ArchgateProcess.Alive(pid));
    }
}

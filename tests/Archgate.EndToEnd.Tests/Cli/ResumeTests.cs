using System.Diagnostics;
using System.Text.Json;

namespace Archgate.EndToEnd.Tests.Cli;

/// <summary>P-RECOVERY: a run killed with SIGKILL mid-run resumes from its first unfinished step.</summary>
public sealed class ResumeTests : CliTestBase
{
    [Fact]
    public async Task A_run_killed_with_SIGKILL_resumes_to_a_complete_report()
    {
        CreateDatabase();

        // The service is down: step 2's live conformance retries with backoff, which is where we kill the run.
        string runId;
        using (var run = StartArchgate("run", WriteMinimalManifest()))
        {
            await run.WaitForOutputAsync("retrying in", TimeSpan.FromMinutes(2));
            runId = RunIdFrom(run.Stdout);
            run.Signal(9);
            await run.WaitAsync(TimeSpan.FromMinutes(1));
        }

        var listed = await ArchgateAsync("runs");
        Assert.Contains($"{runId}", listed.Stdout, StringComparison.Ordinal);
        Assert.Contains("interrupted", listed.Stdout, StringComparison.Ordinal);

        // Bring the service up, then resume: step 1 comes from its checkpoint, 2-10 run now.
        using var service = StartService();
        await WaitHealthyAsync();
        var resumed = await ArchgateAsync("resume", runId);

        Assert.True(resumed.ExitCode == 5, resumed.All);
        Assert.Contains($"run {runId} resumed (1) after step 1", resumed.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("step 1/10", resumed.Stdout, StringComparison.Ordinal);
        Assert.Contains("step 2/10", resumed.Stdout, StringComparison.Ordinal);
        Assert.Contains("step 4/10", resumed.Stdout, StringComparison.Ordinal);

        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Folder, ".archgate", "runs", runId, "run.json")));
        var root = json.RootElement;
        Assert.Equal(1, root.GetProperty("resumes").GetInt32());
        Assert.Equal("completed", root.GetProperty("state").GetString());
        Assert.Equal(Enumerable.Range(1, 10), root.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("number").GetInt32()));
        Assert.Equal("pass", root.GetProperty("steps")[3].GetProperty("status").GetString());
        Assert.Equal("pass", root.GetProperty("steps")[1].GetProperty("checks").EnumerateArray()
            .Single(c => c.GetProperty("id").GetString() == "contracts.conformance:api").GetProperty("status").GetString());

        var report = await ArchgateAsync("report", runId, "--format", "junit");
        Assert.Contains("services.health:api", report.Stdout, StringComparison.Ordinal);
    }

    private ServiceProcess StartService()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.Combine(ArchgateProcess.RepositoryRoot, "samples", "minimal"),
            UseShellExecute = false,
            RedirectStandardOutput = true,
        };
        start.ArgumentList.Add(Path.Combine(ArchgateProcess.RepositoryRoot, "samples", "minimal", ".build", "service", "Minimal.Service.dll"));
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{Port}");
        start.Environment["MINIMAL_DB_PATH"] = Database;
        return new ServiceProcess(Process.Start(start)!);
    }

    private async Task WaitHealthyAsync()
    {
        using var http = new HttpClient();
        for (var i = 0; i < 200; i++)
        {
            try
            {
                using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{Port}/health"));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("the minimal service did not become healthy");
    }

    private sealed class ServiceProcess(Process process) : IDisposable
    {
        public void Dispose()
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            process.Dispose();
        }
    }
}

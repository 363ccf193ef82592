using System.Diagnostics;
using System.Text;
using Archgate.Checks.Tests.Fixtures;

namespace Archgate.EndToEnd.Tests.Cli;

/// <summary>
/// The packed 'dotnet tool' works as the repository build does: packed, installed into a tool path from a local folder,
/// it runs the minimal demo and measures a frontend's paint timings in Chromium (Playwright's driver is in the package).
/// </summary>
public sealed class ToolPackageTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("archgate-tool-").FullName;

    private static string Configuration => AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    [Fact]
    public async Task The_installed_tool_runs_the_minimal_demo_and_measures_a_frontends_paint_timings()
    {
        var packages = Path.Combine(_folder, "packages");
        var tools = Path.Combine(_folder, "tools");
        var pack = await RunAsync("dotnet", ArchgateProcess.RepositoryRoot, null,
            "pack", Path.Combine(ArchgateProcess.RepositoryRoot, "src", "Archgate.Cli"), "-c", Configuration, "--no-build", "-o", packages, "-nologo");
        Assert.True(pack.ExitCode == 0, pack.All);
        var install = await RunAsync("dotnet", _folder, null, "tool", "install", "Archgate", "--tool-path", tools, "--add-source", packages, "--version", "0.1.0");
        Assert.True(install.ExitCode == 0, install.All);
        var store = Directory.GetDirectories(Path.Combine(tools, ".store", "archgate"), "any", SearchOption.AllDirectories).Single();
        Assert.True(File.Exists(Path.Combine(store, ".playwright", "package", "cli.js")), "Playwright's driver package is in the tool");
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(store, ".playwright", "node"), "node", SearchOption.AllDirectories));
        var archgate = Path.Combine(tools, "archgate");

        // The demo, from a clone (the samples are not in the package), its store, logs and database in this test's folder.
        var demoEnv = new Dictionary<string, string>
        {
            ["MINIMAL_PORT"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["MINIMAL_DB"] = Path.Combine(_folder, "minimal.db"),
        };
        var demo = await RunAsync(archgate, ArchgateProcess.RepositoryRoot, demoEnv, "demo", "--sample", "minimal", "--store", Path.Combine(_folder, ".archgate", "archgate.db"));
        Assert.Contains("demo done", demo.Stdout, StringComparison.Ordinal);
        Assert.Contains(demo.ExitCode, new[] { 0, 4, 5 });
        Assert.DoesNotContain("internal error", demo.All, StringComparison.Ordinal);

        // Step 8's frontend timing: a page on a local server, opened in Chromium through the tool's own Playwright driver.
        using var site = new LocalHttpServer(context => LocalHttpServer.WriteAsync(context, 200,
            Encoding.UTF8.GetBytes("<!doctype html><html><head><title>t</title></head><body><h1>Orders</h1><p>painted</p></body></html>"), "text/html"));
        await File.WriteAllTextAsync(Path.Combine(_folder, "archgate.yaml"), $"""
            version: 1
            system: {"{"} name: tool-check {"}"}
            components:
              - {"{"} name: api, kind: service, url: "{site.Url}", health: /health {"}"}
              - {"{"} name: web, kind: frontend, url: "{site.Url}", dependsOn: [api], pages: [/] {"}"}
            slo:
              web: {"{"} fcp: 30s, lcp: 30s {"}"}
            load:
              requests: [GET /]
              thinkTime: 100ms
              stages: [ {"{"} users: 1, duration: 1s {"}"} ]
            """);
        var run = await RunAsync(archgate, _folder, null, "run", "archgate.yaml", "--steps", "8");
        var timing = Assert.Single(run.Stdout.Split('\n'), l => l.Contains("frontend.timing:web", StringComparison.Ordinal));
        Assert.StartsWith("ok", timing.Trim(), StringComparison.Ordinal);
        Assert.DoesNotContain("Driver not found", run.All, StringComparison.OrdinalIgnoreCase);
    }

    private static async Task<ProcessResult> RunAsync(string program, string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(ArchgateProcess.RunTimeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not finish in {ArchgateProcess.RunTimeout}: {await stdout}");
        }

        return new ProcessResult(process.ExitCode, await stdout, await stderr);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}

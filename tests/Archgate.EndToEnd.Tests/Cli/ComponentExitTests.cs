using System.Text.Json;

namespace Archgate.EndToEnd.Tests.Cli;

/// <summary>A component <c>run --up</c> started that dies in the middle of the run, as the user sees it.</summary>
public sealed class ComponentExitTests : CliTestBase
{
    [Fact]
    public async Task A_service_that_dies_during_its_health_check_is_AG4003_with_exit_code_3_and_its_last_log_line()
    {
        // Answers its first health request 503 (transient: the check retries for seconds), says why, and exits 3:
        // the exit falls inside the check's retries whatever the machine's load.
        await File.WriteAllTextAsync(Path.Combine(Folder, "dies.py"), """
            import http.server, os, sys
            class Handler(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    self.send_response(503)
                    self.end_headers()
                    self.wfile.write(b"down")
                    self.wfile.flush()
                    print("fatal: out of widgets", flush=True)
                    os._exit(3)
                def log_message(self, *args):
                    pass
            server = http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
            print("listening", flush=True)
            server.serve_forever()
            """);
        await File.WriteAllTextAsync(Path.Combine(Folder, "archgate.yaml"), $$"""
            version: 1
            system: { name: dying }
            components:
              - name: api
                kind: service
                url: http://127.0.0.1:{{Port}}
                health: /health
                critical: true
                run:
                  command: python3 -u dies.py {{Port}}
                  ready: { log: listening, timeout: 120s }
            """);

        var result = await ArchgateAsync("run", "archgate.yaml", "--up", "--steps", "4");

        Assert.Contains("AG4003 api (pid ", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("exited with code 3 during this check", result.Stdout, StringComparison.Ordinal);
        var runDir = Directory.GetDirectories(Path.Combine(Folder, ".archgate", "runs")).Single();
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(runDir, "run.json")));
        var findings = json.RootElement.GetProperty("steps").EnumerateArray()
            .SelectMany(s => s.GetProperty("checks").EnumerateArray())
            .SelectMany(c => c.GetProperty("findings").EnumerateArray())
            .Where(f => f.GetProperty("rule").GetString() == "AG4003").ToList();
        var finding = Assert.Single(findings);
        Assert.Equal("api", finding.GetProperty("component").GetString());
        Assert.Equal("critical", finding.GetProperty("severity").GetString());
        Assert.Contains("fatal: out of widgets", finding.GetProperty("evidence").GetString(), StringComparison.Ordinal);
        Assert.Contains("**AG4003** critical", await File.ReadAllTextAsync(Path.Combine(runDir, "integration-validation-report.md")), StringComparison.Ordinal);
    }
}

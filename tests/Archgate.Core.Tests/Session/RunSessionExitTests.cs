using System.Text.Json;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Judging;
using Archgate.Launch;
using Archgate.Model;
using Archgate.Protocol;
using Archgate.Session;
using Archgate.Store;
using Archgate.Tests;

namespace Archgate.Core.Tests.Session;

/// <summary>A real component started with <c>--up</c> that dies in the middle of a check is reported on that check.</summary>
public sealed class RunSessionExitTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("archgate-exit-").FullName;
    private readonly HttpClient _http = new();

    public void Dispose()
    {
        _http.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>
    /// Step 4's check: tells the component to die (it waits for a file), then waits until the launcher noticed the
    /// exit, so the exit falls inside the check whatever the machine's load.
    /// </summary>
    private sealed class KillingCheck(string trigger) : ICheck
    {
        public string Id => "services.health:api";

        public int Step => 4;

        public string Title => "api is healthy";

        public Applicability AppliesTo(SystemModel system) => Applicability.Yes;

        public async Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
        {
            await File.WriteAllTextAsync(trigger, string.Empty, cancellationToken);
            var deadline = DateTime.UtcNow.AddMinutes(1);
            while (!context.Processes!.Exits().Any(e => e.Component == "api") && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50, cancellationToken);
            }

            return new CheckResult { Status = CheckStatus.Pass };
        }
    }

    private sealed class PassingCheck : ICheck
    {
        public string Id => "frontend.x";

        public int Step => 5;

        public string Title => "frontend.x";

        public Applicability AppliesTo(SystemModel system) => Applicability.Yes;

        public Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken) =>
            Task.FromResult(new CheckResult { Status = CheckStatus.Pass });
    }

    [Fact]
    public async Task A_component_that_exits_with_code_3_during_a_check_is_an_AG4003_finding_on_it_with_its_log_tail()
    {
        var trigger = Path.Combine(_dir, "die-now");
        var system = TestSystems.Load($$"""
            version: 1
            system: { name: s }
            components:
              - name: api
                kind: service
                url: http://127.0.0.1:{{FreePort.Next()}}
                run:
                  command: '/bin/sh -c "echo up; while test ! -e {{trigger}}; do sleep 0.1; done; echo fatal: out of widgets; exit 3"'
                  ready: { log: up }
            """);
        using var store = RunStore.Open(Path.Combine(_dir, "store.db"));
        var session = new RunSession(TestProtocol.With([new KillingCheck(trigger), new PassingCheck()]), store, _http, new QuietObserver());
        var options = new RunSessionOptions
        {
            Up = true,
            StateDirectory = Path.Combine(_dir, ".archgate"),
            Run = new RunOptions { Steps = new HashSet<int> { 4, 5 }, OutputDirectory = Path.Combine(_dir, "runs", "{runId}") },
        };

        var result = await session.ExecuteAsync(system, options, null, CancellationToken.None);

        var run = result.Run!;
        var check = run.Steps.Single(s => s.Number == 4).Checks.Single();
        var finding = Assert.Single(check.Findings);
        Assert.Equal(ExitRules.ComponentExited, finding.Rule);
        Assert.Equal("api", finding.Component);
        Assert.Contains("exited with code 3 during this check", finding.Message, StringComparison.Ordinal);
        Assert.Contains("last line of ", finding.Message, StringComparison.Ordinal);
        Assert.Contains("fatal: out of widgets", finding.Evidence, StringComparison.Ordinal);
        Assert.Equal(CheckStatus.Fail, check.Status);
        Assert.Empty(run.Steps.Single(s => s.Number == 5).Checks.Single().Findings);

        // The reports carry it like any other finding.
        var output = ProtocolRunner.OutputFor(options.Run, run.RunId);
        Assert.Contains("**AG4003** high `api pid ", await File.ReadAllTextAsync(Path.Combine(output, "integration-validation-report.md")), StringComparison.Ordinal);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "run.json")));
        var stored = json.RootElement.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("number").GetInt32() == 4)
            .GetProperty("checks")[0].GetProperty("findings")[0];
        Assert.Equal("AG4003", stored.GetProperty("rule").GetString());
    }

    private sealed class QuietObserver : IRunSessionObserver
    {
        public void Starting(Component component, int wave)
        {
        }

        public void Ready(Component component, TimeSpan elapsed)
        {
        }

        public void LogLine(string component, string line)
        {
        }

        public void RunBusy(string runId, RunLease holder)
        {
        }

        public void LeftoversStopped(IReadOnlyList<StartedComponent> leftovers)
        {
        }

        public void LaunchFailed(LaunchFailure failure)
        {
        }

        public void RunStarting(SystemModel system, RunOptions options)
        {
        }

        public void RunCancelled(RunRecord? partial)
        {
        }

        public void RunFinished(RunRecord run, RunOutcome outcome, IReadOnlyList<string> reports)
        {
        }

        public void EscalationsDelivered(EscalationDelivery delivery)
        {
        }

        public void SystemStopped()
        {
        }
    }
}

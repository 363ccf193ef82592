using Archgate.Launch;
using Archgate.Model;
using Archgate.Protocol;
using Archgate.Store;
using Archgate.Tests;
using Microsoft.Extensions.Time.Testing;

namespace Archgate.Core.Tests.Protocol;

/// <summary>A component Archgate started that exits during a check is reported once, on that check (AG4003).</summary>
public sealed class ProtocolRunnerExitTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("archgate-exits-").FullName;
    private readonly HttpClient _http = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-12-06T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    public void Dispose()
    {
        _http.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private RunOptions Options => new() { OutputDirectory = Path.Combine(_dir, "{runId}") };

    /// <summary>Exits as the launcher records them: appended when they happen, expected when announced first.</summary>
    private sealed class FakeProcesses(TimeProvider time) : IComponentProcesses
    {
        private readonly List<ComponentExit> _exits = [];
        private readonly HashSet<string> _expected = [];

        public IReadOnlyList<ComponentExit> Exits() => [.. _exits];

        public void ExpectExit(string component) => _expected.Add(component);

        public void Exit(string component, int pid, int code) =>
            _exits.Add(new ComponentExit(component, pid, code, time.GetUtcNow(), $".archgate/logs/{component}.log", ["starting", $"{component}: fatal: out of widgets"])
            {
                Expected = _expected.Contains(component),
            });
    }

    /// <summary>A check that does something to the system (after 1.5 s of its run), then answers from its script.</summary>
    private sealed class ActingCheck(int step, string id, FakeTimeProvider time, Action<CheckContext>? act = null, params CheckResult[] script) : ICheck
    {
        public int Calls { get; private set; }

        public string Id => id;

        public int Step => step;

        public string Title => id;

        public Applicability AppliesTo(SystemModel system) => Applicability.Yes;

        public Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
        {
            time.Advance(TimeSpan.FromMilliseconds(1500));
            if (Calls == 0)
            {
                act?.Invoke(context);
            }

            var result = script.Length == 0 ? Passed : script[Math.Min(Calls, script.Length - 1)];
            Calls++;
            return Task.FromResult(result);
        }
    }

    private static readonly CheckResult Passed = new() { Status = CheckStatus.Pass };

    private static readonly CheckResult Refused = new()
    {
        Status = CheckStatus.Fail,
        TransientCause = "connection refused",
        Findings = [new Finding { Rule = "AG4002", Severity = Severity.High, Message = "refused" }],
    };

    private async Task<RunRecord> RunAsync(FakeProcesses processes, params ICheck[] checks)
    {
        using var store = RunStore.Open(Path.Combine(_dir, "store.db"));
        var runner = new ProtocolRunner(store, TestProtocol.With(checks), _http, null, _time) { Processes = processes };
        var work = runner.StartAsync(TestSystems.Load(TestSystems.Shop), Options, CancellationToken.None);
        while (!work.IsCompleted)
        {
            _time.Advance(TimeSpan.FromMilliseconds(100)); // the retries' backoff waits on the fake clock
            await Task.Delay(1);
        }

        return await work;
    }

    private static IEnumerable<Finding> ExitFindings(RunRecord run, string check) =>
        run.Steps.SelectMany(s => s.Checks).Single(c => c.Id == check).Findings.Where(f => f.Rule == ExitRules.ComponentExited);

    [Fact]
    public async Task An_exit_during_the_second_check_is_one_finding_on_it_and_none_on_the_checks_before_and_after()
    {
        var processes = new FakeProcesses(_time);
        var first = new ActingCheck(2, "contracts.x", _time);
        var second = new ActingCheck(4, "services.health:api", _time, _ => processes.Exit("api", 4242, 134));
        var third = new ActingCheck(5, "frontend.x", _time);

        var run = await RunAsync(processes, first, second, third);

        Assert.Empty(ExitFindings(run, "contracts.x"));
        Assert.Empty(ExitFindings(run, "frontend.x"));
        var finding = Assert.Single(ExitFindings(run, "services.health:api"));
        Assert.Equal("api", finding.Component);
        Assert.Equal(Severity.Critical, finding.Severity); // api is critical in the shop
        Assert.Contains("api (pid 4242) exited with code 134 (SIGABRT", finding.Message, StringComparison.Ordinal);
        Assert.Contains("during this check, at t+1.5 s", finding.Message, StringComparison.Ordinal);
        Assert.Contains("api: fatal: out of widgets", finding.Evidence, StringComparison.Ordinal);
        Assert.StartsWith("read the component's log", finding.Hint, StringComparison.Ordinal);
        Assert.Equal(CheckStatus.Fail, run.Steps.Single(s => s.Number == 4).Checks.Single().Status);
        Assert.Equal(CheckStatus.Pass, run.Steps.Single(s => s.Number == 5).Checks.Single().Status);
    }

    [Fact]
    public async Task A_component_the_check_stops_on_purpose_is_no_finding()
    {
        var processes = new FakeProcesses(_time);
        var stopping = new ActingCheck(4, "services.cascade", _time, context =>
        {
            context.Processes!.ExpectExit("payments");
            processes.Exit("payments", 4243, 143);
        });
        var after = new ActingCheck(5, "frontend.x", _time);

        var run = await RunAsync(processes, stopping, after);

        Assert.Empty(run.Steps.SelectMany(s => s.Checks).SelectMany(c => c.Findings));
        Assert.Equal(CheckStatus.Pass, run.Steps.Single(s => s.Number == 4).Checks.Single().Status);
    }

    [Fact]
    public async Task A_retry_that_passes_does_not_hide_an_exit_during_the_failed_try()
    {
        var processes = new FakeProcesses(_time);
        var flaky = new ActingCheck(4, "services.health:payments", _time, _ => processes.Exit("payments", 4244, 137), Refused, Passed);

        var run = await RunAsync(processes, flaky);

        var result = run.Steps.Single(s => s.Number == 4).Checks.Single();
        Assert.Equal(2, flaky.Calls);
        var finding = Assert.Single(result.Findings);
        Assert.Equal(Severity.High, finding.Severity);
        Assert.Contains("code 137 (SIGKILL", finding.Message, StringComparison.Ordinal);
        Assert.Equal(CheckStatus.Fail, result.Status);
    }
}

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

    /// <summary>A check that does something to the system, then is skipped (as the sign-off is while it awaits a person).</summary>
    private sealed class SkippedAfterActing(int step, string id, Action act) : ICheck
    {
        public string Id => id;

        public int Step => step;

        public string Title => id;

        public Applicability AppliesTo(SystemModel system) => Applicability.Yes;

        public Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
        {
            act();
            return Task.FromResult(CheckResult.Skipped("awaiting sign-off"));
        }
    }

    [Fact]
    public async Task An_exit_after_the_last_check_that_ran_is_one_finding_on_step_4_which_then_fails()
    {
        // An exit no later check reports (the sign-off, the last, is skipped while it awaits a person) used to be lost.
        var processes = new FakeProcesses(_time);
        var health = new ActingCheck(4, "services.health:api", _time);
        var contracts = new ActingCheck(9, "security.x", _time);
        var signoff = new SkippedAfterActing(10, "signoff", () =>
        {
            _time.Advance(TimeSpan.FromSeconds(2));
            processes.Exit("payments", 4245, 139);
        });

        var run = await RunAsync(processes, health, contracts, signoff);

        var step4 = run.Steps.Single(s => s.Number == 4);
        Assert.Equal(["services.health:api", "services.exits"], step4.Checks.Select(c => c.Id));
        var late = step4.Checks[^1];
        Assert.Equal("the components Archgate started stayed up until the run's end", late.Title);
        Assert.Equal(CheckStatus.Fail, late.Status);
        Assert.Equal(CheckStatus.Fail, step4.Status);
        var finding = Assert.Single(late.Findings);
        Assert.Equal(ExitRules.ComponentExited, finding.Rule);
        Assert.Contains("payments (pid 4245) exited with code 139", finding.Message, StringComparison.Ordinal);
        Assert.Matches(@"with code 139 \(SIGSEGV[^)]*\) after the last check, at t\+[2-9]\.\d s;", finding.Message); // the sign-off's 2 s after security.x
        Assert.Empty(ExitFindings(run, "security.x"));
        Assert.NotEqual(Verdict.Go, run.Verdict);

        using var store = RunStore.Open(Path.Combine(_dir, "store.db"));
        Assert.Contains(store.Load(run.RunId)!.Steps.Single(s => s.Number == 4).Checks, c => c.Id == "services.exits"); // checkpointed
    }

    [Fact]
    public async Task No_exit_after_the_last_check_adds_no_check()
    {
        var processes = new FakeProcesses(_time);
        var run = await RunAsync(processes, new ActingCheck(4, "services.health:api", _time), new SkippedAfterActing(10, "signoff", () => { }));

        Assert.Equal(["services.health:api"], run.Steps.Single(s => s.Number == 4).Checks.Select(c => c.Id));
    }
}

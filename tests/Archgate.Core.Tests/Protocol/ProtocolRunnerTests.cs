using Archgate.Model;
using Archgate.Protocol;
using Archgate.Store;
using Archgate.Tests;
using Microsoft.Extensions.Time.Testing;

namespace Archgate.Core.Tests.Protocol;

public sealed class ProtocolRunnerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("archgate-runner-").FullName;
    private readonly HttpClient _http = new();

    public void Dispose()
    {
        _http.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private RunOptions Options => new() { OutputDirectory = Path.Combine(_dir, "{runId}") };

    private sealed class ScriptedCheck(int step, string id, params CheckResult[] script) : ICheck
    {
        public int Calls { get; private set; }

        public string Id => id;

        public int Step => step;

        public string Title => id;

        public Applicability AppliesTo(SystemModel system) => Applicability.Yes;

        public Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken) =>
            Task.FromResult(script[Math.Min(Calls++, script.Length - 1)]);
    }

    private sealed class Recorder : IRunObserver
    {
        public List<TimeSpan> Delays { get; } = [];

        public List<int> Steps { get; } = [];

        public void RunStarted(RunRecord run)
        {
        }

        public void StepStarted(int number, string name) => Steps.Add(number);

        public void CheckStarted(ICheck check)
        {
        }

        public void CheckActivity(ICheck check, string activity)
        {
        }

        public void CheckRetrying(ICheck check, int nextAttempt, TimeSpan delay, string cause) => Delays.Add(delay);

        public void CheckFinished(ICheck check, CheckResult result)
        {
        }

        public void StepFinished(StepResult step)
        {
        }
    }

    private static readonly CheckResult Refused = new()
    {
        Status = CheckStatus.Fail,
        TransientCause = "connection refused",
        Findings = [new Finding { Rule = "AG4002", Severity = Severity.High, Message = "refused" }],
    };

    private static readonly CheckResult Passed = new() { Status = CheckStatus.Pass };

    private static async Task<T> DriveAsync<T>(Task<T> work, FakeTimeProvider time)
    {
        while (!work.IsCompleted)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Delay(1);
        }

        return await work;
    }

    [Fact]
    public async Task A_transient_failure_is_retried_with_exponential_backoff_until_it_passes()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-26T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var check = new ScriptedCheck(4, "services.health:api", Refused, Refused, Passed);
        var observer = new Recorder();
        using var store = RunStore.Open(Path.Combine(_dir, "store.db"));
        var runner = new ProtocolRunner(store, TestProtocol.With([check]), _http, observer, time);

        var run = await DriveAsync(runner.StartAsync(TestSystems.Load(TestSystems.Shop), Options, CancellationToken.None), time);

        var result = run.Steps.Single(s => s.Number == 4).Checks.Single();
        Assert.Equal(CheckStatus.Pass, result.Status);
        Assert.Equal(3, check.Calls);
        Assert.Equal([1, 2, 3], result.Attempts.Select(a => a.Number));
        Assert.Equal("connection refused", result.Attempts[0].TransientCause);
        Assert.Equal(2, observer.Delays.Count);
        Assert.InRange(observer.Delays[0].TotalMilliseconds, 500, 750);
        Assert.InRange(observer.Delays[1].TotalMilliseconds, 1000, 1500);
    }

    [Fact]
    public async Task A_failure_that_stays_transient_counts_after_three_retries()
    {
        var time = new FakeTimeProvider();
        var check = new ScriptedCheck(4, "services.health:api", Refused);
        using var store = RunStore.Open(Path.Combine(_dir, "store.db"));
        var runner = new ProtocolRunner(store, TestProtocol.With([check]), _http, null, time);

        var run = await DriveAsync(runner.StartAsync(TestSystems.Load(TestSystems.Shop), Options, CancellationToken.None), time);

        Assert.Equal(4, check.Calls);
        var result = run.Steps.Single(s => s.Number == 4).Checks.Single();
        Assert.Equal(CheckStatus.Fail, result.Status);
        Assert.Equal(4, result.Attempts.Count);
        Assert.Equal(Verdict.NoGo, run.Verdict);
    }

    [Fact]
    public async Task A_failure_that_is_not_transient_is_not_retried()
    {
        var check = new ScriptedCheck(3, "database.connect:db", new CheckResult { Status = CheckStatus.Fail, Findings = [new Finding { Rule = "AG3001", Severity = Severity.High, Message = "authentication failed" }] });
        using var store = RunStore.Open(Path.Combine(_dir, "store.db"));
        var runner = new ProtocolRunner(store, TestProtocol.With([check]), _http);

        var run = await runner.StartAsync(TestSystems.Load(TestSystems.Shop), Options, CancellationToken.None);

        Assert.Equal(1, check.Calls);
        Assert.Empty(run.Steps.Single(s => s.Number == 3).Checks.Single().Attempts);
    }

    [Fact]
    public async Task An_exception_inside_a_check_becomes_status_error_and_the_run_goes_on()
    {
        var boom = new ThrowingCheck();
        var after = new ScriptedCheck(5, "frontend.x", Passed);
        using var store = RunStore.Open(Path.Combine(_dir, "store.db"));
        var runner = new ProtocolRunner(store, TestProtocol.With([boom, after]), _http);

        var run = await runner.StartAsync(TestSystems.Load(TestSystems.Shop), Options, CancellationToken.None);

        var result = run.Steps.Single(s => s.Number == 2).Checks.Single();
        Assert.Equal(CheckStatus.Error, result.Status);
        Assert.Contains("InvalidOperationException: broken Bearer ***", result.Reason, StringComparison.Ordinal);
        Assert.Equal(1, after.Calls);
        Assert.Equal(CriterionStatus.NotEvaluated, run.Criteria.Single(c => c.Id == "contracts").Status);
    }

    private sealed class ThrowingCheck : ICheck
    {
        public string Id => "contracts.boom";

        public int Step => 2;

        public string Title => "boom";

        public Applicability AppliesTo(SystemModel system) => Applicability.Yes;

        public Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("broken Bearer abc.def.ghi");
    }

    [Fact]
    public async Task Every_step_is_checkpointed_and_a_resume_runs_only_the_missing_steps()
    {
        var first = new ScriptedCheck(1, "plan.x", Passed);
        var second = new ScriptedCheck(2, "contracts.x", Passed);
        var system = TestSystems.Load(TestSystems.Shop);
        var storePath = Path.Combine(_dir, "store.db");
        using var cancel = new CancellationTokenSource();
        var cancelling = new CancelAfterStep(1, cancel);
        string runId;
        using (var store = RunStore.Open(storePath))
        {
            var runner = new ProtocolRunner(store, TestProtocol.With([first, second]), _http, cancelling);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => runner.StartAsync(system, Options, cancel.Token));
            runId = runner.RunId!;
        }

        using (var store = RunStore.Open(storePath))
        {
            var partial = store.Load(runId)!;
            Assert.Equal(RunState.Cancelled, partial.State);
            Assert.Equal([1], partial.Steps.Select(s => s.Number));

            var resumed = await new ProtocolRunner(store, TestProtocol.With([first, second]), _http).ResumeAsync(system, partial, Options, CancellationToken.None);

            Assert.Equal(1, first.Calls);
            Assert.Equal(1, second.Calls);
            Assert.Equal(Enumerable.Range(1, 10), resumed.Steps.Select(s => s.Number));
            Assert.Equal(1, resumed.Resumes);
            Assert.Equal(RunState.Completed, store.Load(runId)!.State);
        }
    }

    private sealed class SeesEarlierResults(int step, string id) : ICheck
    {
        public IReadOnlyList<string> Seen { get; private set; } = [];

        public string Id => id;

        public int Step => step;

        public string Title => id;

        public Applicability AppliesTo(SystemModel system) => Applicability.Yes;

        public Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
        {
            Seen = context.EarlierResults.Select(r => r.Id).ToList();
            return Task.FromResult(new CheckResult { Status = CheckStatus.Pass });
        }
    }

    [Fact]
    public async Task A_step_the_manifest_has_nothing_for_runs_no_check_and_is_recorded_not_applicable_with_its_reason()
    {
        var frontend = new ScriptedCheck(5, "frontend.x", Passed);
        using var store = RunStore.Open(Path.Combine(_dir, "store.db"));
        var protocol = TestProtocol.With([frontend], notApplicable: new Dictionary<int, string> { [5] = "no frontend component declared" });

        var run = await new ProtocolRunner(store, protocol, _http).StartAsync(TestSystems.Load(TestSystems.Shop), Options, CancellationToken.None);

        Assert.Equal(0, frontend.Calls);
        var step = run.Steps.Single(s => s.Number == 5);
        Assert.Equal("no frontend component declared", step.NotApplicable);
        Assert.Empty(step.Checks);
        Assert.Equal(CriterionStatus.NotApplicable, run.Criteria.Single(c => c.Id == "frontend").Status);
        Assert.Equal("no frontend component declared", store.Load(run.RunId)!.Steps.Single(s => s.Number == 5).NotApplicable);
    }

    [Fact]
    public async Task A_check_sees_the_results_of_the_checks_before_it_in_its_step_and_no_others()
    {
        var other = new ScriptedCheck(2, "contracts.x", Passed);
        var first = new ScriptedCheck(3, "database.a", Passed);
        var second = new ScriptedCheck(3, "database.b", Passed);
        var last = new SeesEarlierResults(3, "database.scenario");
        using var store = RunStore.Open(Path.Combine(_dir, "store.db"));

        await new ProtocolRunner(store, TestProtocol.With([other, first, second, last]), _http).StartAsync(TestSystems.Load(TestSystems.Shop), Options, CancellationToken.None);

        Assert.Equal(["database.a", "database.b"], last.Seen);
    }

    [Fact]
    public void Backoff_jitter_comes_from_the_injected_random_and_stays_within_its_bounds()
    {
        var a = ProtocolRunner.Backoff(TimeSpan.FromMilliseconds(500), 3, new Random(7));
        var b = ProtocolRunner.Backoff(TimeSpan.FromMilliseconds(500), 3, new Random(7));

        Assert.Equal(a, b);
        Assert.InRange(a, TimeSpan.FromMilliseconds(2000), TimeSpan.FromMilliseconds(3000));
    }

    [Fact]
    public async Task Steps_left_out_with_steps_are_skipped_and_their_criteria_not_selected()
    {
        var check = new ScriptedCheck(4, "services.health:api", Passed);
        using var store = RunStore.Open(Path.Combine(_dir, "store.db"));
        var runner = new ProtocolRunner(store, TestProtocol.With([check]), _http);

        var run = await runner.StartAsync(TestSystems.Load(TestSystems.Shop), Options with { Steps = new HashSet<int> { 1, 4 } }, CancellationToken.None);

        Assert.Equal(SkipKind.NotSelected, run.Steps.Single(s => s.Number == 3).Checks.Single().Skip);
        Assert.Equal(CriterionStatus.Pass, run.Criteria.Single(c => c.Id == "services").Status);
        Assert.Equal(CriterionStatus.NotSelected, run.Criteria.Single(c => c.Id == "database").Status);
        Assert.Equal(Verdict.Incomplete, run.Verdict);
    }

    private static Archgate.Model.SystemModel WithRollback(string marker) => TestSystems.Load($$"""
        version: 1
        system: { name: s }
        components:
          - { name: api, kind: service, url: "http://127.0.0.1:1" }
        recovery:
          rollback: [ "sh -c 'echo rolled back; echo done > {{marker}}'", "sh -c 'exit 3'", "no-such-command-xyz" ]
        """);

    [Fact]
    public async Task A_failed_late_step_runs_every_rollback_command_and_records_each_outcome()
    {
        var marker = Path.Combine(_dir, "rolled-back");
        var failing = new ScriptedCheck(7, "journeys.x", new CheckResult { Status = CheckStatus.Fail, Findings = [new Finding { Rule = "AG7001", Severity = Severity.High, Message = "journey broke" }] });
        using var store = RunStore.Open(Path.Combine(_dir, "store.db"));

        var run = await new ProtocolRunner(store, TestProtocol.With([failing]), _http).StartAsync(WithRollback(marker), Options, CancellationToken.None);

        Assert.True(File.Exists(marker));
        Assert.Equal(3, run.Rollbacks.Count);
        Assert.Equal(0, run.Rollbacks[0].ExitCode);
        Assert.Equal("rolled back", run.Rollbacks[0].Output);
        Assert.Equal(3, run.Rollbacks[1].ExitCode);
        Assert.Null(run.Rollbacks[2].ExitCode);
        Assert.StartsWith("cannot start 'no-such-command-xyz'", run.Rollbacks[2].Error, StringComparison.Ordinal);
        Assert.Equal(3, store.Load(run.RunId)!.Rollbacks.Count);
        Assert.Contains("| `sh -c 'exit 3'` | 3 |", Archgate.Reporting.MarkdownReporter.Render(run), StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_rollback_runs_when_only_an_early_step_fails()
    {
        var marker = Path.Combine(_dir, "rolled-back");
        var failing = new ScriptedCheck(4, "services.health:api", new CheckResult { Status = CheckStatus.Fail, Findings = [new Finding { Rule = "AG4001", Severity = Severity.High, Message = "503" }] });
        using var store = RunStore.Open(Path.Combine(_dir, "store.db"));

        var run = await new ProtocolRunner(store, TestProtocol.With([failing]), _http).StartAsync(WithRollback(marker), Options, CancellationToken.None);

        Assert.False(File.Exists(marker));
        Assert.Empty(run.Rollbacks);
        Assert.Equal(Verdict.NoGo, run.Verdict);
    }
}

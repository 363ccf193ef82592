using Archgate.Judging;
using Archgate.Model;
using Archgate.Protocol;
using Archgate.Store;
using Archgate.Tests;
using Microsoft.Extensions.Time.Testing;

namespace Archgate.Core.Tests.Judging;

public sealed class NotifyHumanTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("archgate-notify-").FullName;
    private readonly HttpClient _http = new();

    public void Dispose()
    {
        _http.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private sealed class ScriptedCheck(int step, string id, params CheckResult[] script) : ICheck
    {
        public string Id => id;

        public int Step => step;

        public string Title => id;

        public int Calls { get; private set; }

        public Applicability AppliesTo(SystemModel system) => Applicability.Yes;

        public Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken) =>
            Task.FromResult(script[Math.Min(Calls++, script.Length - 1)]);
    }

    private static CheckResult Refused(int port) => new()
    {
        Status = CheckStatus.Fail,
        TransientCause = "connection refused",
        Findings = [new Finding { Rule = "AG4002", Severity = Severity.High, Component = "api", Message = $"127.0.0.1:{port} refused the connection" }],
    };

    private async Task<RunRecord> RunAsync(params ICheck[] checks)
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-26T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        using var store = RunStore.Open(Path.Combine(_dir, "store.db"));
        var runner = new ProtocolRunner(store, TestProtocol.With(checks), _http, null, time);
        var work = runner.StartAsync(TestSystems.Load(TestSystems.Shop), new RunOptions { OutputDirectory = Path.Combine(_dir, "{runId}") }, CancellationToken.None);
        while (!work.IsCompleted)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Delay(1);
        }

        return await work;
    }

    [Fact]
    public async Task A_step_that_still_fails_after_its_three_retries_raises_notify_human_at_level_3_with_every_attempt_s_time_and_error()
    {
        var check = new ScriptedCheck(4, "services.health:api", Refused(7101), Refused(7102), Refused(7103), Refused(7104));

        var run = await RunAsync(check);

        var escalation = Assert.Single(run.Escalations, e => e.Trigger == NotifyHuman.Trigger);
        Assert.Equal(3, escalation.Level);
        Assert.StartsWith("step 4 (Service-to-service) still fails after 3 retries", escalation.Message, StringComparison.Ordinal);
        Assert.Contains("services.health:api: attempt 1 at 2026-11-26 10:00:0", escalation.Message, StringComparison.Ordinal);
        Assert.Contains("fail: 127.0.0.1:7101 refused the connection (retried for: connection refused); attempt 2 at 2026-11-26 10:00:0", escalation.Message, StringComparison.Ordinal);
        Assert.Contains("attempt 4 at 2026-11-26 10:00:0", escalation.Message, StringComparison.Ordinal);
        Assert.Contains("fail: 127.0.0.1:7104 refused the connection", escalation.Message, StringComparison.Ordinal);
        var attempts = run.Steps.Single(s => s.Number == 4).Checks.Single().Attempts;
        Assert.Equal(4, attempts.Count);
        Assert.True(attempts.Zip(attempts.Skip(1)).All(p => p.First.StartedAt < p.Second.StartedAt), "each attempt's time is recorded, later ones later");
        Assert.Equal("127.0.0.1:7103 refused the connection", attempts[2].Error);
        Assert.Contains("notify-human", Archgate.Reporting.HtmlReporter.Render(run), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_step_that_recovers_on_a_retry_or_fails_for_good_at_once_notifies_nobody_and_the_recovery_is_recorded_at_level_1()
    {
        var recovers = new ScriptedCheck(4, "services.health:api", Refused(1), Refused(2), new CheckResult { Status = CheckStatus.Pass });
        var hard = new ScriptedCheck(3, "database.connect:db", new CheckResult { Status = CheckStatus.Fail, Findings = [new Finding { Rule = "AG3001", Severity = Severity.High, Message = "authentication failed" }] });

        var run = await RunAsync(recovers, hard);

        Assert.Equal(3, recovers.Calls);
        Assert.Equal(1, hard.Calls);
        Assert.DoesNotContain(run.Escalations, e => e.Trigger == NotifyHuman.Trigger);

        // Level 1, self-recovery: the retry that worked is recorded with the attempts' errors; the hard failure is not one.
        var recovered = Assert.Single(run.Escalations, e => e.Trigger == SelfRecovery.Trigger);
        Assert.Equal(1, recovered.Level);
        Assert.Equal("step 4 (Service-to-service): 1 check(s) recovered on a retry with backoff: services.health:api", recovered.Message);
        Assert.Equal(["services.health:api: passed on attempt 3 after 2 failed (attempt 1: 127.0.0.1:1 refused the connection (retried for: connection refused); attempt 2: 127.0.0.1:2 refused the connection (retried for: connection refused))"], recovered.Evidence);
    }

    [Fact]
    public async Task The_escalation_quotes_the_finding_that_made_the_check_transient_not_another_of_equal_severity()
    {
        // ex12: a timeout made step 2 retry, and the escalation quoted a deterministic 'currency' failure as what still failed.
        var failure = new CheckResult
        {
            Status = CheckStatus.Fail,
            TransientCause = "timeout",
            Findings =
            [
                new Finding { Rule = "AG2015", Severity = Severity.High, Component = "api", Message = "POST /claims answered 201: required body property 'currency' left out, yet the answer was 201, not 4xx" },
                new Finding { Rule = "AG2019", Severity = Severity.High, Component = "api", Message = "GET /claims/events answered no answer: no answer: timeout after 10 s" },
            ],
        };
        var check = new ScriptedCheck(2, "contracts.conformance:api", failure);

        var run = await RunAsync(check);

        var escalation = Assert.Single(run.Escalations, e => e.Trigger == NotifyHuman.Trigger);
        Assert.Contains("attempt 1 at 2026-11-26 10:00:0", escalation.Message, StringComparison.Ordinal);
        Assert.Contains("fail: GET /claims/events answered no answer: no answer: timeout after 10 s; attempt 2", escalation.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("currency", escalation.Message, StringComparison.Ordinal);
    }
}

using Archgate.Judging;
using Archgate.Model;
using Archgate.Protocol;
using Archgate.Store;
using Archgate.Tests;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Archgate.Core.Tests.Judging;

/// <summary>Step 10 and <see cref="Signing"/>: what a run awaits, who may sign what, waivers, and the verdict after each record.</summary>
public sealed class SigningTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("archgate-signing-").FullName;
    private readonly HttpClient _http = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.Zero));
    private readonly RunStore _store;

    public SigningTests() => _store = RunStore.Open(Path.Combine(_dir, "store.db"), _time);

    public void Dispose()
    {
        _store.Dispose();
        _http.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private const string NoReviews = """
        version: 1
        system: { name: sys, owners: { architect: alice@example.test } }
        components:
          - { name: api, kind: service, url: "http://127.0.0.1:1" }
        """;

    private const string WithQa = """
        version: 1
        system: { name: sys, owners: { architect: alice@example.test, qa: quinn@example.test } }
        components:
          - { name: api, kind: service, url: "http://127.0.0.1:1" }
        """;

    private sealed class Fixed(int step, string id, CheckResult result) : ICheck
    {
        public string Id => id;

        public int Step => step;

        public string Title => id;

        public Applicability AppliesTo(SystemModel system) => Applicability.Yes;

        public Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken) => Task.FromResult(result);
    }

    private static readonly CheckResult Passing = new() { Status = CheckStatus.Pass };

    private static CheckResult Failing(params string[] rules) => new()
    {
        Status = CheckStatus.Fail,
        Findings = [.. rules.Select(r => new Finding { Rule = r, Severity = Severity.High, Message = $"{r} failed" })],
    };

    private static ProtocolDefinition Protocol(CheckResult step2) => TestProtocol.With([new Fixed(2, "contracts.x", step2), new SignoffCheck()]);

    private async Task<RunRecord> RunAsync(CheckResult step2, string manifest = NoReviews, string sha = "0123456789abcdef")
    {
        var system = TestSystems.Load(manifest) with { ManifestSha256 = sha };
        var runner = new ProtocolRunner(_store, Protocol(step2), _http, time: _time);
        return await runner.StartAsync(system, new RunOptions { Steps = new HashSet<int> { 2, 10 }, OutputDirectory = Path.Combine(_dir, "{runId}") }, CancellationToken.None);
    }

    private SigningResult Sign(RunRecord run, CheckResult step2, string role, SignoffDecision decision = SignoffDecision.Approve, params Waiver[] waivers) =>
        Signing.Sign(_store, Protocol(step2), run.RunId, new SignoffRequest("alice", IdentitySource.Flag, role, decision, "ok", waivers), _time.GetUtcNow());

    private Waiver Waive(string rule, int days = 30) => new(rule, "vendor outage, fix scheduled", _time.GetUtcNow().Date.AddDays(days));

    [Fact]
    public async Task A_run_whose_evidence_passes_awaits_the_approvers_signoff_with_exit_code_6()
    {
        var run = await RunAsync(Passing);

        Assert.Equal(Verdict.Incomplete, run.Verdict);
        Assert.Equal(RunOutcome.AwaitingSignoff, RunOutcomes.Of(run));
        Assert.Equal(6, RunOutcomes.ExitCode(RunOutcomes.Of(run)));
        Assert.Equal("awaiting sign-off (GO pending sign-off): sign-off by System-Architect (alice@example.test)", run.Awaiting);
        var step10 = run.Steps.Single(s => s.Number == 10).Checks.Single();
        Assert.Equal(SkipKind.Awaiting, step10.Skip);
        Assert.Equal(SignoffJudge.SignoffAwaited, step10.Findings.Single().Rule);
    }

    [Fact]
    public async Task The_approvers_approval_makes_it_GO_and_is_stored_with_who_role_source_and_manifest_hash()
    {
        var run = await RunAsync(Passing);

        var result = Sign(run, Passing, "system-architect");

        Assert.Null(result.Error);
        Assert.Equal(Verdict.Go, result.Run!.Verdict);
        Assert.Null(result.Run.Awaiting);
        Assert.Equal(RunOutcome.Go, RunOutcomes.Of(_store.Load(run.RunId)!));
        var record = Assert.Single(_store.Signoffs(run.RunId));
        Assert.Equal(("signoff", "System-Architect", "alice", IdentitySource.Flag, "0123456789abcdef", 1), (record.Kind, record.Role, record.Identity, record.IdentitySource, record.ManifestSha256, record.Seq));
        Assert.Equal(RunStore.GenesisHash, record.PreviousHash);
        Assert.Equal(CriterionStatus.Pass, result.Run.Criteria.Single(c => c.Id == "signoff").Status);
        Assert.Single(result.Run.Signoffs);
    }

    [Fact]
    public async Task A_rejection_by_the_approver_is_NO_GO()
    {
        var run = await RunAsync(Passing);

        var result = Sign(run, Passing, "System-Architect", SignoffDecision.Reject);

        Assert.Equal(Verdict.NoGo, result.Run!.Verdict);
        Assert.Equal(CriterionStatus.Fail, result.Run.Criteria.Single(c => c.Id == "signoff").Status);
        Assert.Contains("rejected by alice (System-Architect): ok", result.Run.Criteria.Single(c => c.Id == "signoff").Observed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_reviews_the_owners_name_come_before_the_signoff()
    {
        var run = await RunAsync(Passing, WithQa);
        Assert.Equal("awaiting sign-off (GO pending sign-off): review by QA-Tester (quinn@example.test); then sign-off by System-Architect (alice@example.test)", run.Awaiting);

        var early = Sign(run, Passing, "System-Architect");
        var review = Sign(run, Passing, "QA-Tester");
        var signed = Sign(run, Passing, "System-Architect");

        Assert.Contains("the reviews come first: no approving review yet by QA-Tester", early.Error, StringComparison.Ordinal);
        Assert.Equal(Verdict.Incomplete, review.Run!.Verdict);
        Assert.Equal("awaiting sign-off (GO pending sign-off): sign-off by System-Architect (alice@example.test)", review.Run.Awaiting);
        Assert.Equal(Verdict.Go, signed.Run!.Verdict);
        Assert.Equal([1, 2], _store.Signoffs(run.RunId).Select(r => r.Seq));
        Assert.Equal(_store.Signoffs(run.RunId)[0].Hash, _store.Signoffs(run.RunId)[1].PreviousHash);
    }

    [Fact]
    public async Task A_rejecting_review_keeps_the_run_awaiting_until_an_approving_review_of_the_role()
    {
        var run = await RunAsync(Passing, WithQa);

        var rejected = Sign(run, Passing, "QA-Tester", SignoffDecision.Reject);
        var blocked = Sign(run, Passing, "System-Architect");
        var approved = Sign(run, Passing, "QA-Tester");

        Assert.Equal(RunOutcome.AwaitingSignoff, RunOutcomes.Of(rejected.Run!));
        Assert.Contains("review by QA-Tester (quinn@example.test): rejected by alice: ok", rejected.Run!.Awaiting, StringComparison.Ordinal);
        Assert.Contains(rejected.Run.Steps.Single(s => s.Number == 10).Checks.Single().Findings, f => f.Rule == SignoffJudge.ReviewRejected);
        Assert.NotNull(blocked.Error);
        Assert.Equal("awaiting sign-off (GO pending sign-off): sign-off by System-Architect (alice@example.test)", approved.Run!.Awaiting);
    }

    [Fact]
    public async Task A_role_outside_the_signoff_and_a_second_signoff_are_refused()
    {
        var run = await RunAsync(Passing);

        var stranger = Sign(run, Passing, "Intern");
        Sign(run, Passing, "System-Architect");
        var again = Sign(run, Passing, "System-Architect", SignoffDecision.Reject);

        Assert.Contains("'Intern' is not a role of this run's sign-off", stranger.Error, StringComparison.Ordinal);
        Assert.Contains("already signed off by alice", again.Error, StringComparison.Ordinal);
        Assert.Single(_store.Signoffs(run.RunId));
    }

    [Fact]
    public async Task A_NO_GO_run_cannot_be_signed_without_a_waiver_of_every_failing_rule()
    {
        var failing = Failing("AG2001", "AG2002");
        var run = await RunAsync(failing);
        Assert.Equal(Verdict.NoGo, run.Verdict);
        Assert.Null(run.Awaiting);

        var bare = Sign(run, failing, "System-Architect");
        var half = Sign(run, failing, "System-Architect", SignoffDecision.Approve, Waive("AG2001"));
        var whole = Sign(run, failing, "System-Architect", SignoffDecision.Approve, Waive("AG2001"), Waive("AG2002"));

        Assert.Equal("run " + run.RunId + " is NO-GO: failing rules not waived: AG2001 (contracts), AG2002 (contracts)", bare.Error);
        Assert.Contains("failing rules not waived: AG2002 (contracts)", half.Error, StringComparison.Ordinal);
        Assert.Null(whole.Error);
        Assert.Equal(Verdict.Go, whole.Run!.Verdict);
        var contracts = whole.Run.Criteria.Single(c => c.Id == "contracts");
        Assert.Equal(CriterionStatus.Waived, contracts.Status);
        Assert.Equal(["AG2001", "AG2002"], whole.Run.Waivers.Where(w => w.Used).Select(w => w.Waiver.Rule));
    }

    [Fact]
    public async Task Waivers_are_the_approvers_alone_with_a_reason_a_future_expiry_and_only_for_failing_rules()
    {
        var failing = Failing("AG2001");
        var run = await RunAsync(failing, WithQa);

        var byReviewer = Sign(run, failing, "QA-Tester", SignoffDecision.Approve, Waive("AG2001"));
        var expired = Sign(run, failing, "System-Architect", SignoffDecision.Approve, Waive("AG2001", days: -1));
        var stranger = Sign(run, failing, "System-Architect", SignoffDecision.Approve, Waive("AG9999"));

        Assert.Contains("only the approver (System-Architect) may waive", byReviewer.Error, StringComparison.Ordinal);
        Assert.Contains("which is not in the future", expired.Error, StringComparison.Ordinal);
        Assert.Contains("AG9999 does not fail in run", stranger.Error, StringComparison.Ordinal);
        Assert.Empty(_store.Signoffs(run.RunId));
    }

    [Fact]
    public async Task Waivers_carry_over_to_later_runs_of_the_system_until_they_expire()
    {
        var failing = Failing("AG2001");
        var first = await RunAsync(failing);
        Sign(first, failing, "System-Architect", SignoffDecision.Approve, Waive("AG2001", days: 10));

        _time.Advance(TimeSpan.FromDays(1));
        var later = await RunAsync(failing, sha: "another-manifest-hash");
        _time.Advance(TimeSpan.FromDays(20));
        var expired = await RunAsync(failing);

        Assert.Equal(CriterionStatus.Waived, later.Criteria.Single(c => c.Id == "contracts").Status);
        Assert.Equal(RunOutcome.AwaitingSignoff, RunOutcomes.Of(later)); // the evidence is GO with the waiver; the sign-off is still needed
        var carried = Assert.Single(later.Waivers);
        Assert.Equal(("AG2001", "alice", first.RunId, false, true), (carried.Waiver.Rule, carried.By, carried.RunId, carried.Expired, carried.Used));
        Assert.Equal(Verdict.NoGo, expired.Verdict);
        Assert.Equal(CriterionStatus.Fail, expired.Criteria.Single(c => c.Id == "contracts").Status);
        Assert.True(Assert.Single(expired.Waivers).Expired);
        Assert.Contains(expired.Steps.Single(s => s.Number == 10).Checks.Single().Findings, f => f.Rule == SignoffJudge.WaiverExpired);
        Assert.Contains("expired: waives nothing", Archgate.Reporting.MarkdownReporter.Render(expired), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_with_a_criterion_not_evaluated_cannot_be_reviewed_or_signed()
    {
        var run = await RunAsync(CheckResult.NotImplemented());

        var result = Sign(run, CheckResult.NotImplemented(), "System-Architect");

        Assert.Null(run.Awaiting);
        Assert.Contains("is INCOMPLETE (not evaluated: contracts)", result.Error, StringComparison.Ordinal);
    }
}

using Archgate.Model;
using Archgate.Protocol;
using Archgate.Store;
using Archgate.Tests;

namespace Archgate.Core.Tests.Protocol;

/// <summary>When the runner snapshots, and what it does with the snapshots: the engines are faked here (the real ones are tested in Archgate.Checks.Tests).</summary>
public sealed class StateRecoveryTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("archgate-state-").FullName;
    private readonly HttpClient _http = new();

    public void Dispose()
    {
        _http.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private sealed class FakeSnapshots : IStateSnapshots
    {
        public List<string> Calls { get; } = [];

        public string? RestoreError { get; init; }

        /// <summary>The fake's database target: the connection string as written.</summary>
        public string? Target(DatabaseComponent database) => database.Connection;

        public async Task<StateSnapshot> TakeAsync(DatabaseComponent database, string folder, long maxBytes, CancellationToken cancellationToken)
        {
            var path = Path.Combine(folder, database.Name + ".snap");
            await File.WriteAllTextAsync(path, "snapshot", cancellationToken);
            Calls.Add($"take {database.Name} max {maxBytes}");
            return new StateSnapshot { Component = database.Name, Engine = database.Engine, State = SnapshotState.Taken, Path = path, Rows = new Dictionary<string, long> { ["t"] = 1 } };
        }

        public Task<StateSnapshot> RestoreAsync(DatabaseComponent database, StateSnapshot snapshot, CancellationToken cancellationToken)
        {
            Calls.Add($"restore {database.Name}");
            return RestoreError is not null
                ? Task.FromResult(snapshot with { State = SnapshotState.Failed, Error = RestoreError })
                : Task.FromResult(snapshot with { State = SnapshotState.Restored, RowsAfterRestore = snapshot.Rows, RowsBeforeRestore = new Dictionary<string, long> { ["t"] = 9 } });
        }
    }

    private sealed class StepCheck(int step, CheckStatus status) : ICheck
    {
        public string Id => $"check.step{step}";

        public int Step => step;

        public string Title => Id;

        public Applicability AppliesTo(SystemModel system) => Applicability.Yes;

        public Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken) =>
            Task.FromResult(new CheckResult { Status = status, Findings = status == CheckStatus.Fail ? [new Finding { Rule = "AG0001", Severity = Severity.High, Message = "broke" }] : [] });
    }

    private async Task<RunRecord> RunAsync(FakeSnapshots fake, string recovery, IReadOnlySet<int> steps, params ICheck[] checks)
    {
        using var store = RunStore.Open(Path.Combine(_dir, "store.db"));
        var protocol = new ProtocolDefinition(TestProtocol.With(checks).Steps) { Snapshots = fake };
        var system = TestSystems.Load(TestSystems.Shop + "\n" + recovery);
        return await new ProtocolRunner(store, protocol, _http).StartAsync(system, new RunOptions { OutputDirectory = Path.Combine(_dir, "{runId}"), Steps = steps }, CancellationToken.None);
    }

    [Fact]
    public async Task Every_database_is_snapshotted_once_before_the_first_selected_step_of_the_rollback_scope_and_restored_when_a_step_of_it_fails()
    {
        var fake = new FakeSnapshots();

        var run = await RunAsync(fake, "recovery: { snapshotMaxMb: 2 }\n", new HashSet<int> { 4, 6, 7, 9 }, new StepCheck(6, CheckStatus.Pass), new StepCheck(9, CheckStatus.Fail));

        Assert.Equal(["take db max 2097152", "restore db"], fake.Calls);
        Assert.Equal((6, SnapshotState.Restored), (Assert.Single(run.Snapshots).BeforeStep, run.Snapshots[0].State));
        Assert.All(run.Snapshots, s => Assert.False(File.Exists(s.Path)));
        Assert.Contains("db: restored to its state before step 6 (row counts and schema as snapshotted)", Archgate.Reporting.MarkdownReporter.Render(run), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_components_on_one_database_are_snapshotted_and_restored_once_and_the_second_says_whose_snapshot_covers_it()
    {
        var fake = new FakeSnapshots();
        var system = TestSystems.Load(TestSystems.Shop.Replace("""
              - name: audit
            """, """
              - name: payments-store
                kind: database
                connection: "Data Source=shop.db"
              - name: ledger
                kind: database
                connection: "Data Source=ledger.db"
              - name: audit
            """, StringComparison.Ordinal));

        var taken = await StateRecovery.TakeAsync(fake, system, _dir, 5, TimeProvider.System, CancellationToken.None);
        var settled = await StateRecovery.SettleAsync(fake, system, taken, restore: true, keep: false, TimeProvider.System, CancellationToken.None);

        Assert.Equal(["take db max 1073741824", "take ledger max 1073741824", "restore db", "restore ledger"], fake.Calls);
        var shared = Assert.Single(settled, s => s.Component == "payments-store");
        Assert.Equal(SnapshotState.Skipped, shared.State);
        Assert.Equal("payments-store: not snapshotted: the same database as 'db', whose snapshot covers it", StateRecovery.Describe(shared));
        Assert.Empty(StateRecovery.Escalations(settled));
    }

    [Fact]
    public async Task Nothing_is_snapshotted_when_no_step_of_the_scope_runs_or_the_manifest_switches_snapshots_off()
    {
        var fake = new FakeSnapshots();

        var early = await RunAsync(fake, string.Empty, new HashSet<int> { 1, 2, 3, 4 }, new StepCheck(4, CheckStatus.Fail));
        var off = await RunAsync(fake, "recovery: { snapshots: false }\n", new HashSet<int> { 5, 7 }, new StepCheck(7, CheckStatus.Fail));

        Assert.Empty(fake.Calls);
        Assert.Empty(early.Snapshots);
        Assert.Empty(off.Snapshots);
        Assert.Equal([7], off.RollbackFor);
    }

    [Fact]
    public async Task A_restore_that_fails_keeps_the_snapshot_file_and_raises_a_level_3_escalation()
    {
        var fake = new FakeSnapshots { RestoreError = "pg_restore exited with 1: lock timeout" };

        var run = await RunAsync(fake, string.Empty, new HashSet<int> { 5, 8 }, new StepCheck(8, CheckStatus.Fail));

        var snapshot = Assert.Single(run.Snapshots);
        Assert.Equal(SnapshotState.Failed, snapshot.State);
        Assert.True(File.Exists(snapshot.Path));
        var escalation = Assert.Single(run.Escalations, e => e.Trigger == StateRecovery.RestoreFailedTrigger);
        Assert.Equal(3, escalation.Level);
        Assert.Contains("db: snapshot failed: pg_restore exited with 1: lock timeout", escalation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failure_outside_the_rollback_scope_drops_the_snapshots()
    {
        var fake = new FakeSnapshots();

        var run = await RunAsync(fake, string.Empty, new HashSet<int> { 3, 5 }, new StepCheck(3, CheckStatus.Fail), new StepCheck(5, CheckStatus.Pass));

        Assert.Equal(Verdict.NoGo, run.Verdict);
        Assert.Equal(["take db max 1073741824"], fake.Calls);
        Assert.Equal(SnapshotState.Dropped, Assert.Single(run.Snapshots).State);
        Assert.All(run.Snapshots, s => Assert.False(File.Exists(s.Path)));
    }
}

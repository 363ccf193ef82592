using Archgate.Checks.Recovery;
using Archgate.Model;
using Archgate.Protocol;
using Archgate.Store;

namespace Archgate.Checks.Tests.Recovery;

/// <summary>
/// A step table for the P-RECOVERY tests: the real snapshots (<see cref="DatabaseSnapshots"/>), steps 5-10 in the
/// rollback scope, a passing check in steps 5 and 6, step 7 writing to the database as a journey would (the test's
/// <c>write</c>), and step 8 passing or failing. Steps 5-8 carry a criterion each, so a clean run is GO.
/// </summary>
internal static class RecoveryTestKit
{
    public static readonly CheckResult Pass = new() { Status = CheckStatus.Pass };

    public static readonly CheckResult Fail = new()
    {
        Status = CheckStatus.Fail,
        Findings = [new Finding { Rule = "AG8001", Severity = Severity.High, Component = "api", Message = "p95 above the SLO" }],
    };

    public static ProtocolDefinition TableWith(Func<CancellationToken, Task> write, CheckResult step8) => new(
        [.. Enumerable.Range(1, ProtocolSteps.Count).Select(n => new StepDefinition
        {
            Number = n,
            Name = $"step {n}",
            Checks = _ => n switch
            {
                5 or 6 => [new Scripted(n, _ => Task.FromResult(Pass))],
                7 => [new Scripted(7, async ct => { await write(ct); return Pass; })],
                8 => [new Scripted(8, _ => Task.FromResult(step8))],
                _ => [],
            },
            Criterion = n is >= 5 and <= 8 ? new CriterionDefinition($"c{n}", $"criterion {n}", _ => "pass") : null,
            RollbackOnFailure = n >= 5,
        })]) { Snapshots = DatabaseSnapshots.Default };

    public static SystemModel SystemWith(string engine, string connection, string? directory = null) => TestSystems.Load($"""
        version: 1
        system: {"{"} name: shop {"}"}
        components:
          - name: db
            kind: database
            engine: {engine}
            connection: "{connection}"
          - {"{"} name: api, kind: service, url: "http://127.0.0.1:1", dependsOn: [db] {"}"}
        recovery:
          rollback: [ "true" ]
        """, directory);

    public static async Task<RunRecord> RunAsync(
        string dir, SystemModel system, ProtocolDefinition protocol, bool keepState = false, RunRecord? resume = null, IRunObserver? observer = null, CancellationToken cancellationToken = default)
    {
        using var store = RunStore.Open(Path.Combine(dir, "store.db"));
        using var http = new HttpClient();
        var runner = new ProtocolRunner(store, protocol, http, observer);
        var options = new RunOptions { OutputDirectory = Path.Combine(dir, "{runId}"), KeepState = keepState, Steps = Enumerable.Range(5, 4).ToHashSet() };
        return resume is null
            ? await runner.StartAsync(system, options, cancellationToken)
            : await runner.ResumeAsync(system, resume, options, cancellationToken);
    }

    public static RunRecord? Load(string dir, string runId)
    {
        using var store = RunStore.Open(Path.Combine(dir, "store.db"));
        return store.Load(runId);
    }

    private sealed class Scripted(int step, Func<CancellationToken, Task<CheckResult>> run) : ICheck
    {
        public string Id => $"scripted.step{step}";

        public int Step => step;

        public string Title => Id;

        public Applicability AppliesTo(SystemModel system) => Applicability.Yes;

        public Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken) => run(cancellationToken);
    }
}

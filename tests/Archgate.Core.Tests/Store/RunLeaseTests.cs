using System.Diagnostics;
using Archgate.Launch;
using Archgate.Protocol;
using Archgate.Store;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Archgate.Core.Tests.Store;

public sealed class RunLeaseTests : IDisposable
{
    private const string RunId = "20261203-140000-aaaa";
    private readonly string _dir = Directory.CreateTempSubdirectory("archgate-lease-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 3, 14, 0, 0, TimeSpan.Zero));
    private readonly RunStore _store;

    public RunLeaseTests()
    {
        _store = RunStore.Open(Path.Combine(_dir, "archgate.db"), _time);
        _store.SaveRun(new RunRecord { RunId = RunId, System = "shop", ManifestPath = "/x/archgate.yaml", ManifestSha256 = "abc", StartedAt = _time.GetUtcNow() });
    }

    public void Dispose()
    {
        _store.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private RunLease Other(string host = "ci-runner-7", int pid = 4242) => new(pid, host, 777, _time.GetUtcNow(), _time.GetUtcNow());

    [Fact]
    public void A_free_run_is_leased_and_a_second_owner_is_refused_with_the_holder()
    {
        Assert.Null(_store.TryAcquireLease(RunId, Other(), RunLease.Expiry));

        var holder = _store.TryAcquireLease(RunId, RunLease.ForThisProcess(_time.GetUtcNow()), RunLease.Expiry);

        Assert.NotNull(holder);
        Assert.Equal((4242, "ci-runner-7"), (holder.Pid, holder.Host));
        Assert.StartsWith($"run {RunId} is being executed by PID 4242 on ci-runner-7 since 2026-12-03 14:00:00Z", holder.Describe(RunId), StringComparison.Ordinal);
    }

    [Fact]
    public void A_lease_not_renewed_for_the_expiry_is_taken_over_and_not_before()
    {
        Assert.Null(_store.TryAcquireLease(RunId, Other(), RunLease.Expiry));

        _time.Advance(RunLease.Expiry - TimeSpan.FromSeconds(1));
        Assert.NotNull(_store.TryAcquireLease(RunId, Other("laptop", 5), RunLease.Expiry));

        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(_store.TryAcquireLease(RunId, Other("laptop", 5), RunLease.Expiry));
        Assert.Equal("laptop", _store.LeaseOf(RunId)!.Host);
    }

    [Fact]
    public void The_keeper_renews_every_few_seconds_so_its_lease_never_expires_and_releases_it_when_disposed()
    {
        var keeper = RunLeaseKeeper.TryAcquire(_store, RunId, _time, out var refused);
        Assert.NotNull(keeper);
        Assert.Null(refused);

        for (var i = 0; i < 24; i++)
        {
            _time.Advance(RunLease.RenewEvery);
        }

        Assert.Equal(_time.GetUtcNow(), _store.LeaseOf(RunId)!.Heartbeat);
        var holder = _store.TryAcquireLease(RunId, Other(), RunLease.Expiry);
        Assert.NotNull(holder);
        Assert.Equal(Environment.ProcessId, holder.Pid);

        keeper.Dispose();

        Assert.Null(_store.LeaseOf(RunId));
        Assert.Null(_store.TryAcquireLease(RunId, Other(), RunLease.Expiry));
    }

    [Fact]
    public void A_fresh_lease_whose_process_died_on_this_host_is_taken_over_at_once()
    {
        using var gone = Process.Start("true")!;
        gone.WaitForExit();
        Assert.Null(_store.TryAcquireLease(RunId, Other(Environment.MachineName, gone.Id), RunLease.Expiry));

        Assert.Null(_store.TryAcquireLease(RunId, RunLease.ForThisProcess(_time.GetUtcNow()), RunLease.Expiry));
        Assert.Equal(Environment.ProcessId, _store.LeaseOf(RunId)!.Pid);
    }

    [Fact]
    public void A_fresh_lease_of_a_live_process_on_this_host_is_refused()
    {
        using var alive = Process.Start("sleep", "60")!;
        try
        {
            var owner = new RunLease(alive.Id, Environment.MachineName, ProcessTree.StartTicks(alive.Id)!.Value, _time.GetUtcNow(), _time.GetUtcNow());
            Assert.Null(_store.TryAcquireLease(RunId, owner, RunLease.Expiry));

            Assert.NotNull(_store.TryAcquireLease(RunId, RunLease.ForThisProcess(_time.GetUtcNow()), RunLease.Expiry));
        }
        finally
        {
            alive.Kill();
            alive.WaitForExit();
        }
    }

    [Fact]
    public void Started_processes_are_recorded_per_run_with_their_start_time_command_and_port()
    {
        var api = new StartedComponent("api", 1234, "/x/logs/api.log", _time.GetUtcNow(), 98765, "dotnet api.dll", 8080);
        var worker = new StartedComponent("worker", 1240, "/x/logs/worker.log", _time.GetUtcNow().AddSeconds(1), 98800, "worker --fast");

        _store.SaveProcesses(RunId, [api, worker]);

        Assert.Equal([api, worker], _store.Processes(RunId));
        Assert.Empty(_store.Processes("20261203-150000-bbbb"));
    }
}

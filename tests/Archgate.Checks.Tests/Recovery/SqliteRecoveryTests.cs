using Archgate.Protocol;
using Microsoft.Data.Sqlite;
using static Archgate.Checks.Tests.Recovery.RecoveryTestKit;

namespace Archgate.Checks.Tests.Recovery;

/// <summary>P-RECOVERY on a SQLite file: snapshot before step 5, restore after a failed step 8, drop on GO, keep with --keep-state, resume after a crash.</summary>
public sealed class SqliteRecoveryTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("archgate-recovery-").FullName;

    private string Db => Path.Combine(_dir, "shop.db");

    public SqliteRecoveryTests()
    {
        Execute("""
            create table customers (id integer primary key, name text not null);
            create table orders (id integer primary key, customer integer not null references customers(id), total real not null);
            create index orders_customer on orders(customer);
            insert into customers (name) values ('ann'), ('bob'), ('cy');
            insert into orders (customer, total) values (1, 10), (2, 20);
            """);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private void Execute(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={Db};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>Step 7 as a journey leaves it: new orders, a new customer, a changed total and a table a migration added.</summary>
    private Task WriteAsync(CancellationToken cancellationToken)
    {
        Execute("""
            insert into orders (customer, total) values (1, 5), (3, 7), (3, 9);
            insert into customers (name) values ('dee');
            update orders set total = 99 where id = 1;
            create table audit (id integer primary key, what text);
            insert into audit (what) values ('order placed');
            alter table customers add column email text;
            """);
        return Task.CompletedTask;
    }

    private (Dictionary<string, long> Rows, List<string> Schema, double Total) State()
    {
        using var connection = new SqliteConnection($"Data Source={Db};Pooling=False;Mode=ReadOnly");
        connection.Open();
        var schema = new List<string>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "select type || ' ' || name || ' ' || coalesce(sql, '') from sqlite_master order by type, name";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                schema.Add(reader.GetString(0));
            }
        }

        var rows = new Dictionary<string, long>();
        foreach (var table in schema.Where(s => s.StartsWith("table ", StringComparison.Ordinal)).Select(s => s.Split(' ')[1]))
        {
            using var count = connection.CreateCommand();
            count.CommandText = $"select count(*) from \"{table}\"";
            rows[table] = (long)count.ExecuteScalar()!;
        }

        using var total = connection.CreateCommand();
        total.CommandText = "select sum(total) from orders";
        return (rows, schema, (double)total.ExecuteScalar()!);
    }

    [Fact]
    public async Task A_failing_run_that_wrote_data_in_step_7_leaves_the_rows_and_the_schema_of_before_step_5()
    {
        var before = State();

        var run = await RunAsync(_dir, SystemWith("sqlite", $"Data Source={Db}"), TableWith(WriteAsync, Fail));

        var after = State();
        Assert.Equal(Verdict.NoGo, run.Verdict);
        Assert.Equal([8], run.RollbackFor);
        Assert.Equal(0, Assert.Single(run.Rollbacks).ExitCode);
        Assert.Equal(before.Rows, after.Rows);
        Assert.Equal(before.Schema, after.Schema);
        Assert.Equal(30, after.Total);
        var snapshot = Assert.Single(run.Snapshots);
        Assert.Equal((SnapshotState.Restored, 5, "db"), (snapshot.State, snapshot.BeforeStep, snapshot.Component));
        Assert.True(snapshot.RestoredExactly);
        Assert.Equal(new Dictionary<string, long> { ["customers"] = 3, ["orders"] = 2 }, snapshot.Rows);
        Assert.Equal(new Dictionary<string, long> { ["audit"] = 1, ["customers"] = 4, ["orders"] = 5 }, snapshot.RowsBeforeRestore);
        Assert.Equal(snapshot.Rows, snapshot.RowsAfterRestore);
        Assert.False(File.Exists(snapshot.Path), "a restored snapshot's file is deleted once the run is stored");
        Assert.StartsWith(Path.Combine(_dir, run.RunId, "snapshots"), snapshot.Path, StringComparison.Ordinal);
        Assert.Equal(SnapshotState.Restored, Load(_dir, run.RunId)!.Snapshots.Single().State);
        var report = Archgate.Reporting.MarkdownReporter.Render(run);
        Assert.Contains("| db | restored | customers 3, orders 2 | audit 1, customers 4, orders 5 | customers 3, orders 2 |", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_GO_run_drops_the_snapshot_and_keeps_what_the_run_wrote()
    {
        var run = await RunAsync(_dir, SystemWith("sqlite", $"Data Source={Db}"), TableWith(WriteAsync, Pass));

        Assert.Equal(Verdict.Go, run.Verdict);
        var snapshot = Assert.Single(run.Snapshots);
        Assert.Equal(SnapshotState.Dropped, snapshot.State);
        Assert.NotNull(snapshot.Path);
        Assert.False(File.Exists(snapshot.Path));
        Assert.True(snapshot.Bytes > 0);
        Assert.Equal(5, State().Rows["orders"]);
        Assert.Empty(run.Rollbacks);
    }

    [Fact]
    public async Task Keep_state_runs_the_rollback_but_leaves_the_data_and_keeps_the_snapshot_file()
    {
        var run = await RunAsync(_dir, SystemWith("sqlite", $"Data Source={Db}"), TableWith(WriteAsync, Fail), keepState: true);

        var snapshot = Assert.Single(run.Snapshots);
        Assert.Equal(SnapshotState.Kept, snapshot.State);
        Assert.True(File.Exists(snapshot.Path));
        Assert.Single(run.Rollbacks);
        Assert.Equal(5, State().Rows["orders"]);
        Assert.Contains("--keep-state", StateRecovery.Describe(snapshot), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_crash_after_step_7_keeps_the_snapshot_for_the_resume_which_restores_it()
    {
        var before = State();
        var system = SystemWith("sqlite", $"Data Source={Db}");
        using var cancel = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            RunAsync(_dir, system, TableWith(WriteAsync, Fail), observer: new CancelAfterStep(7, cancel), cancellationToken: cancel.Token));
        var runId = Directory.GetDirectories(_dir).Select(Path.GetFileName).Single()!;
        var crashed = Load(_dir, runId)!;
        var taken = Assert.Single(crashed.Snapshots);
        Assert.Equal((RunState.Cancelled, SnapshotState.Taken), (crashed.State, taken.State));
        Assert.True(File.Exists(taken.Path));
        Assert.Equal(5, State().Rows["orders"]);

        // The resume re-runs nothing before step 8 and does not snapshot the written state again.
        var run = await RunAsync(_dir, system, TableWith(_ => throw new InvalidOperationException("step 7 must not run again"), Fail), resume: crashed);

        var restored = Assert.Single(run.Snapshots);
        Assert.Equal(SnapshotState.Restored, restored.State);
        Assert.Equal(taken.TakenAt, restored.TakenAt);
        Assert.True(restored.RestoredExactly);
        Assert.Equal(before.Rows, State().Rows);
        Assert.Equal(before.Schema, State().Schema);
    }

    [Fact]
    public void A_database_is_told_apart_by_its_file_or_its_server_and_name_not_by_how_the_connection_string_is_written()
    {
        var snapshots = Archgate.Checks.Recovery.DatabaseSnapshots.Default;
        string? Target(string engine, string connection) => snapshots.Target(Assert.Single(SystemWith(engine, connection, _dir).OfKind<Archgate.Model.DatabaseComponent>()));

        Assert.Equal(Target("sqlite", $"Data Source={Db}"), Target("sqlite", $"Data Source={Db};Cache=Shared;Pooling=False"));
        Assert.NotEqual(Target("sqlite", $"Data Source={Db}"), Target("sqlite", $"Data Source={Path.Combine(_dir, "payments.db")}"));
        Assert.Null(Target("sqlite", "Data Source=:memory:"));
        Assert.Equal(
            Target("postgres", "Host=127.0.0.1;Port=5433;Username=shop;Password=a;Database=shop"),
            Target("postgres", "Host=127.0.0.1;Port=5433;Database=shop;Username=payments;Password=b;Maximum Pool Size=5"));
        Assert.NotEqual(
            Target("postgres", "Host=127.0.0.1;Port=5433;Username=shop;Database=shop"),
            Target("postgres", "Host=127.0.0.1;Port=5433;Username=shop;Database=payments"));
    }
}

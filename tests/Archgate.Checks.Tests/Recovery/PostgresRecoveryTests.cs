using Archgate.Checks.Tests.Fixtures;
using Archgate.Protocol;
using Npgsql;
using static Archgate.Checks.Tests.Recovery.RecoveryTestKit;

namespace Archgate.Checks.Tests.Recovery;

/// <summary>P-RECOVERY on a real PostgreSQL cluster: pg_dump before step 5, pg_restore after a failed step 8, drop on GO.</summary>
[Collection(PostgresServer.Collection)]
public sealed class PostgresRecoveryTests(PostgresServer server) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("archgate-pg-recovery-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private const string Schema = """
        create table customers (id serial primary key, name text not null unique);
        create table orders (id serial primary key, customer int not null references customers(id), total numeric(10,2) not null check (total >= 0));
        create index orders_customer on orders(customer);
        create schema billing;
        create table billing.invoices (id serial primary key, order_id int references public.orders(id));
        insert into customers (name) values ('ann'), ('bob'), ('cy');
        insert into orders (customer, total) values (1, 10), (2, 20);
        insert into billing.invoices (order_id) values (1);
        """;

    /// <summary>Step 7 as a journey and a migration leave it: rows in every table, a new table, a view and a column.</summary>
    private static Func<CancellationToken, Task> Write(string db) => _ => PostgresServer.ExecuteAsync(db, """
        insert into orders (customer, total) values (1, 5), (3, 7), (3, 9);
        insert into customers (name) values ('dee');
        update orders set total = 99 where id = 1;
        delete from billing.invoices;
        create table audit (id serial primary key, what text);
        insert into audit (what) values ('order placed');
        create view big_orders as select * from orders where total > 50;
        alter table customers add column email text;
        """);

    private static async Task<(Dictionary<string, long> Rows, List<string> Schema, decimal Total, long NextId)> StateAsync(string db)
    {
        await using var connection = new NpgsqlConnection(db + ";Pooling=false");
        await connection.OpenAsync();
        var schema = new List<string>();
        await using (var command = new NpgsqlCommand("""
            select table_schema || '.' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable from information_schema.columns
              where table_schema in ('public', 'billing')
            union all select 'index ' || schemaname || '.' || indexdef from pg_indexes where schemaname in ('public', 'billing')
            union all select 'constraint ' || conname || ' ' || pg_get_constraintdef(oid) from pg_constraint where connamespace in ('public'::regnamespace, 'billing'::regnamespace)
            union all select 'relation ' || table_schema || '.' || table_name || ' ' || table_type from information_schema.tables where table_schema in ('public', 'billing')
            order by 1
            """, connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                schema.Add(reader.GetString(0));
            }
        }

        var rows = new Dictionary<string, long>();
        foreach (var table in schema.Where(s => s.StartsWith("relation ", StringComparison.Ordinal) && s.EndsWith("BASE TABLE", StringComparison.Ordinal)).Select(s => s.Split(' ')[1]))
        {
            await using var count = new NpgsqlCommand($"select count(*) from {table}", connection);
            rows[table] = (long)(await count.ExecuteScalarAsync())!;
        }

        await using var total = new NpgsqlCommand("select sum(total) from orders", connection);
        await using var next = new NpgsqlCommand("select last_value from orders_id_seq", connection);
        return (rows, schema, (decimal)(await total.ExecuteScalarAsync())!, (long)(await next.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task A_failing_run_that_wrote_data_in_step_7_leaves_the_rows_the_schema_and_the_sequences_of_before_step_5()
    {
        var db = await server.CreateDatabaseAsync("recovery", Schema, statements: true);
        var before = await StateAsync(db);

        var run = await RunAsync(_dir, SystemWith("postgres", db), TableWith(Write(db), Fail));

        var after = await StateAsync(db);
        Assert.Equal(Verdict.NoGo, run.Verdict);
        var snapshot = Assert.Single(run.Snapshots);
        Assert.True(snapshot.State == SnapshotState.Restored, snapshot.Error);
        Assert.True(snapshot.RestoredExactly);
        Assert.Equal(before.Rows, after.Rows);
        Assert.Equal(before.Schema, after.Schema);
        Assert.Equal((30m, 2L), (after.Total, after.NextId));
        Assert.Equal(new Dictionary<string, long> { ["billing.invoices"] = 1, ["public.customers"] = 3, ["public.orders"] = 2 }, snapshot.Rows);
        Assert.Equal(new Dictionary<string, long> { ["billing.invoices"] = 0, ["public.audit"] = 1, ["public.customers"] = 4, ["public.orders"] = 5 }, snapshot.RowsBeforeRestore);
        Assert.False(File.Exists(snapshot.Path));
        await using var connection = new NpgsqlConnection(db + ";Pooling=false");
        await connection.OpenAsync();
        await using var extension = new NpgsqlCommand("select count(*) from pg_extension where extname = 'pg_stat_statements'", connection);
        Assert.Equal(1L, await extension.ExecuteScalarAsync()); // extensions are left as they were

    }

    [Fact]
    public async Task A_GO_run_drops_the_dump_and_keeps_what_the_run_wrote()
    {
        var db = await server.CreateDatabaseAsync("recovery", Schema);

        var run = await RunAsync(_dir, SystemWith("postgres", db), TableWith(Write(db), Pass));

        Assert.Equal(Verdict.Go, run.Verdict);
        var snapshot = Assert.Single(run.Snapshots);
        Assert.True(snapshot.State == SnapshotState.Dropped, snapshot.Error);
        Assert.EndsWith(".pgdump", snapshot.Path, StringComparison.Ordinal);
        Assert.False(File.Exists(snapshot.Path));
        Assert.Equal(5, (await StateAsync(db)).Rows["public.orders"]);
    }
}

using Shop.Api.Data;
using Shop.Common;

namespace Shop.Tests.Data;

/// <summary>
/// On SQLite the api's writes take turns inside the process: a second writer waits for the first without blocking a
/// thread, instead of finding the file locked (which Microsoft.Data.Sqlite retries every 150 ms on a blocked thread,
/// and gives up on after the connection's timeout).
/// </summary>
public sealed class SqliteWriterTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("shop-writer-").FullName;

    private ShopDb Open(string timeout = "Default Timeout=1") =>
        ShopDb.Create($"Data Source={Path.Combine(_folder, "shop.db")};{timeout}", FaultSwitches.None);

    [Fact]
    public async Task A_second_transaction_waits_for_the_first_one_s_commit_and_both_writes_land()
    {
        using var db = Open();
        await using (var setup = await db.OpenAsync(CancellationToken.None))
        {
            await setup.ExecuteAsync("PRAGMA journal_mode=WAL", [], CancellationToken.None);
            await setup.ExecuteAsync("CREATE TABLE t (v INTEGER NOT NULL)", [], CancellationToken.None);
        }

        await using var first = await db.OpenAsync(CancellationToken.None);
        await first.BeginAsync(CancellationToken.None);
        await first.ExecuteAsync("INSERT INTO t (v) VALUES (1)", [], CancellationToken.None);

        await using var second = await db.OpenAsync(CancellationToken.None);
        var begin = Task.Run(() => second.BeginAsync(CancellationToken.None));
        var standalone = Task.Run(async () =>
        {
            await using var third = await db.OpenAsync(CancellationToken.None);
            await third.ExecuteAsync("INSERT INTO t (v) VALUES (3)", [], CancellationToken.None);
        });

        // Both wait their turn longer than the connection's 1 s busy timeout would have allowed: no "database is locked".
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.False(begin.IsCompleted, begin.Exception?.ToString());
        Assert.False(standalone.IsCompleted, standalone.Exception?.ToString());

        await first.CommitAsync(CancellationToken.None);
        await begin.WaitAsync(TimeSpan.FromSeconds(30));
        await second.ExecuteAsync("INSERT INTO t (v) VALUES (2)", [], CancellationToken.None);
        await second.CommitAsync(CancellationToken.None);
        await standalone.WaitAsync(TimeSpan.FromSeconds(30));

        await using var check = await db.OpenAsync(CancellationToken.None);
        Assert.Equal(3L, await check.ScalarAsync<long>("SELECT count(*) FROM t", [], CancellationToken.None));
    }

    [Fact]
    public async Task A_transaction_that_is_not_committed_gives_the_turn_back_when_its_lease_ends()
    {
        using var db = Open();
        await using (var setup = await db.OpenAsync(CancellationToken.None))
        {
            await setup.ExecuteAsync("CREATE TABLE t (v INTEGER NOT NULL)", [], CancellationToken.None);
        }

        await using (var abandoned = await db.OpenAsync(CancellationToken.None))
        {
            await abandoned.BeginAsync(CancellationToken.None);
            await abandoned.ExecuteAsync("INSERT INTO t (v) VALUES (1)", [], CancellationToken.None);
        }

        await using var next = await db.OpenAsync(CancellationToken.None);
        await next.ExecuteAsync("INSERT INTO t (v) VALUES (2)", [], CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(2L, await next.ScalarAsync<long>("SELECT sum(v) FROM t", [], CancellationToken.None));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}

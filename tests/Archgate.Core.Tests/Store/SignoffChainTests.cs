using Archgate.Protocol;
using Archgate.Store;
using Microsoft.Data.Sqlite;

namespace Archgate.Core.Tests.Store;

/// <summary>The sign-off records' hash chain: append-only, and any change to a stored record found by <see cref="RunStore.VerifySignoffs"/>.</summary>
public sealed class SignoffChainTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("archgate-chain-").FullName;

    private string Path => System.IO.Path.Combine(_dir, "archgate.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private static SignoffRecord Record(string run, string who) => new()
    {
        Seq = 0, RunId = run, System = "shop", ManifestSha256 = "abc", Kind = "review", Role = "QA-Tester", Identity = who,
        IdentitySource = IdentitySource.Flag, Decision = SignoffDecision.Approve, At = DateTimeOffset.UnixEpoch, PreviousHash = string.Empty,
    };

    private static void Fill(RunStore store)
    {
        foreach (var run in new[] { "run-a", "run-b" })
        {
            store.SaveRun(new RunRecord { RunId = run, System = "shop", ManifestPath = "/m", ManifestSha256 = "abc", StartedAt = DateTimeOffset.UnixEpoch });
            var head = RunStore.GenesisHash;
            foreach (var who in new[] { "ann", "bob", "cid" })
            {
                head = store.AppendSignoff(Record(run, who) with { PreviousHash = head })!.Hash!;
            }
        }
    }

    private void Sql(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={Path};Pooling=False");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    [Fact]
    public void Each_record_links_to_the_previous_records_hash_of_its_run()
    {
        using var store = RunStore.Open(Path);
        Fill(store);

        var records = store.Signoffs("run-a");

        Assert.Equal([1, 2, 3], records.Select(r => r.Seq));
        Assert.Equal(RunStore.GenesisHash, records[0].PreviousHash);
        Assert.Equal(records[0].Hash, records[1].PreviousHash);
        Assert.Equal(records[1].Hash, records[2].PreviousHash);
        Assert.Empty(store.VerifySignoffs());
    }

    [Fact]
    public void An_append_judged_against_an_old_head_is_refused()
    {
        using var store = RunStore.Open(Path);
        Fill(store);

        var stale = store.AppendSignoff(Record("run-a", "eve") with { PreviousHash = store.Signoffs("run-a")[1].Hash! });

        Assert.Null(stale);
        Assert.Equal(3, store.Signoffs("run-a").Count);
    }

    [Fact]
    public void The_store_refuses_to_update_or_delete_a_record()
    {
        using (var store = RunStore.Open(Path))
        {
            Fill(store);
        }

        Assert.Throws<SqliteException>(() => Sql("UPDATE signoffs SET body = replace(body, 'bob', 'eve')"));
        Assert.Throws<SqliteException>(() => Sql("DELETE FROM signoffs WHERE seq = 3"));
    }

    [Fact]
    public void One_changed_byte_breaks_the_chain_at_that_record()
    {
        using (var store = RunStore.Open(Path))
        {
            Fill(store);
        }

        // A tamperer who gets past the triggers: bob's review of run-b becomes eve's.
        Sql("DROP TRIGGER signoffs_no_update; UPDATE signoffs SET body = replace(body, '\"bob\"', '\"eve\"') WHERE run_id = 'run-b' AND seq = 2");

        using var reopened = RunStore.Open(Path);
        var broken = Assert.Single(reopened.VerifySignoffs());
        Assert.Equal(("run-b", 2), (broken.RunId, broken.Seq));
        Assert.Contains("does not match its hash", broken.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_removed_record_and_a_rehashed_record_are_found_too()
    {
        using (var store = RunStore.Open(Path))
        {
            Fill(store);
        }

        Sql("DROP TRIGGER signoffs_no_delete; DELETE FROM signoffs WHERE run_id = 'run-a' AND seq = 2");
        using (var connection = new SqliteConnection($"Data Source={Path};Pooling=False"))
        {
            // Change run-b's first record and store a matching hash: the next record no longer links to it.
            connection.Open();
            using var read = connection.CreateCommand();
            read.CommandText = "DROP TRIGGER signoffs_no_update; SELECT replace(body, '\"ann\"', '\"eve\"') FROM signoffs WHERE run_id = 'run-b' AND seq = 1";
            var body = (string)read.ExecuteScalar()!;
            using var write = connection.CreateCommand();
            write.CommandText = "UPDATE signoffs SET body = $b, hash = $h WHERE run_id = 'run-b' AND seq = 1";
            write.Parameters.AddWithValue("$b", body);
            write.Parameters.AddWithValue("$h", RunStore.HashOf(body));
            write.ExecuteNonQuery();
        }

        using var reopened = RunStore.Open(Path);
        var breaks = reopened.VerifySignoffs();

        Assert.Equal([("run-a", 2), ("run-b", 2)], breaks.Select(b => (b.RunId, b.Seq)));
        Assert.Contains("a record is missing", breaks[0].Problem, StringComparison.Ordinal);
        Assert.Contains("does not link to the previous record", breaks[1].Problem, StringComparison.Ordinal);
    }
}

using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Archgate.EndToEnd.Tests.Cli;

/// <summary>
/// P-RECOVERY through the command: step 8 fails (its target is down), the manifest's rollback command writes a row,
/// and the snapshot taken before step 8 undoes it; with --keep-state the row stays and the snapshot is kept.
/// </summary>
public sealed class RecoveryTests : CliTestBase
{
    private string Manifest() => WriteMinimalManifest(text => text
        .Replace("retries: 3", "retries: 0", StringComparison.Ordinal)
        .Replace("backoff: 500ms", $"backoff: 500ms\n  rollback: [ 'sqlite3 {Database} \"insert into items (name) values (1)\"' ]", StringComparison.Ordinal));

    private long Items()
    {
        using var connection = new SqliteConnection($"Data Source={Database};Pooling=False;Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "select count(*) from items";
        return (long)command.ExecuteScalar()!;
    }

    private JsonElement Snapshot(ProcessResult result)
    {
        var runId = RunIdFrom(result.Stdout);
        using var run = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, ".archgate", "runs", runId, "run.json")));
        return Assert.Single(run.RootElement.GetProperty("snapshots").EnumerateArray()).Clone();
    }

    [Fact]
    public async Task A_failed_late_step_runs_the_rollback_then_restores_the_database_and_keep_state_leaves_it_as_it_is()
    {
        CreateDatabase();
        var manifest = Manifest();

        var restored = await ArchgateAsync("run", manifest, "--steps", "8");

        Assert.Equal(0, Items()); // the rollback command's row is gone with the restore that follows it
        var snapshot = Snapshot(restored);
        Assert.True(snapshot.GetProperty("state").GetString() == "restored", restored.All);
        Assert.Equal((8, 0L, 1L), (snapshot.GetProperty("beforeStep").GetInt32(), snapshot.GetProperty("rows").GetProperty("items").GetInt64(), snapshot.GetProperty("rowsBeforeRestore").GetProperty("items").GetInt64()));
        Assert.Contains("rollback sqlite3", restored.Stdout, StringComparison.Ordinal);
        Assert.Contains("state db: restored to its state before step 8", restored.Stdout, StringComparison.Ordinal);

        var kept = await ArchgateAsync("run", manifest, "--steps", "8", "--keep-state");

        Assert.Equal(1, Items());
        snapshot = Snapshot(kept);
        Assert.True(snapshot.GetProperty("state").GetString() == "kept", kept.All);
        Assert.True(File.Exists(snapshot.GetProperty("path").GetString()));
        Assert.Contains("not restored (--keep-state)", kept.Stdout, StringComparison.Ordinal);
    }
}

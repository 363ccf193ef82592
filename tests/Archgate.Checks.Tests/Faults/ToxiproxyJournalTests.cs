using Archgate.Checks.Faults;
using Archgate.Checks.Tests.Fixtures;

namespace Archgate.Checks.Tests.Faults;

/// <summary>
/// A killed Archgate leaves its Toxiproxy faults in place; the next process undoes them from the journal. The server is
/// a local one speaking Toxiproxy 2.x's documented HTTP API (no Toxiproxy binary is packaged for Debian).
/// </summary>
public sealed class ToxiproxyJournalTests
{
    [Fact]
    public async Task Faults_a_killed_process_left_are_undone_by_the_next_one_and_only_those()
    {
        var fake = new FakeToxiproxy();
        using var server = new ScriptedHttpServer(fake.Answer);
        using var http = new HttpClient();
        var journal = new ToxiproxyJournal(Path.Combine(Path.GetTempPath(), $"archgate-toxiproxy-{Guid.NewGuid():N}.jsonl"));
        try
        {
            // The "killed" process: two toxics and a refusal still in force, one toxic removed properly.
            var killed = new ToxiproxyClient(http, server.Url, journal);
            await killed.AddAsync("shop_payments", new LatencyToxic(TimeSpan.FromSeconds(2), TimeSpan.Zero), CancellationToken.None);
            await killed.AddAsync("shop_payments", new BlackholeToxic(), CancellationToken.None);
            await (await killed.AddAsync("shop_payments", new ResetToxic(), CancellationToken.None)).DisposeAsync();
            await killed.AddAsync("shop_payments", new RefusedToxic(), CancellationToken.None);
            Assert.Equal(2, fake.Toxics.Count);
            Assert.False(fake.Enabled);

            // The next process, as on resume: same journal, and a toxic of a team's own that must stay.
            fake.Toxics.Add(new System.Text.Json.Nodes.JsonObject { ["name"] = "team_latency", ["type"] = "latency" });
            var next = new ToxiproxyClient(http, server.Url, journal);
            var undone = await next.CleanLeftoversAsync(CancellationToken.None);
            var again = await next.CleanLeftoversAsync(CancellationToken.None);

            Assert.Equal(3, undone.Count);
            Assert.Contains(undone, u => u.StartsWith("removed toxic archgate_latency_", StringComparison.Ordinal));
            Assert.Contains(undone, u => u.StartsWith("removed toxic archgate_timeout_", StringComparison.Ordinal));
            Assert.Contains("enabled shop_payments again", undone);
            Assert.Equal("team_latency", Assert.Single(fake.Toxics)["name"]!.GetValue<string>());
            Assert.True(fake.Enabled);
            Assert.Empty(again);

            // A new process's toxic names never clash with a killed one's.
            await using var fresh = await next.AddAsync("shop_payments", new LatencyToxic(TimeSpan.FromSeconds(1), TimeSpan.Zero), CancellationToken.None);
            Assert.Equal(2, fake.Toxics.Count);
        }
        finally
        {
            File.Delete(journal.Path);
        }
    }

    [Fact]
    public async Task A_journal_line_cut_short_by_the_kill_is_skipped_and_another_servers_entries_are_left_alone()
    {
        var fake = new FakeToxiproxy();
        using var server = new ScriptedHttpServer(fake.Answer);
        using var http = new HttpClient();
        var path = Path.Combine(Path.GetTempPath(), $"archgate-toxiproxy-{Guid.NewGuid():N}.jsonl");
        await File.WriteAllLinesAsync(path,
        [
            """{"op":"add","server":"http://127.0.0.1:1","proxy":"shop_payments","toxic":"archgate_latency_x_1"}""",
            """{"op":"add","server":"http://127.0""",
        ]);
        try
        {
            var undone = await new ToxiproxyClient(http, server.Url, new ToxiproxyJournal(path)).CleanLeftoversAsync(CancellationToken.None);

            Assert.Empty(undone);
            Assert.Empty(server.Requests);
        }
        finally
        {
            File.Delete(path);
        }
    }
}

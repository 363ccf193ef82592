using System.Text.Json;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Protocol;
using Archgate.Store;
using Microsoft.Data.Sqlite;

namespace Archgate.EndToEnd.Tests.Cli;

/// <summary>
/// Escalations as a user meets them: raised at the end of a run (timeline overrun across the store's runs, a nearly
/// full disk by the manifest's limit), delivered to a file and a Slack-shaped webhook, listed, acknowledged, raised
/// by hand. Only step 1 runs: nothing is started.
/// </summary>
public sealed class EscalationTests : CliTestBase
{
    [Fact]
    public async Task A_run_raises_timeline_and_disk_escalations_that_are_listed_acknowledged_and_joined_by_a_manual_one()
    {
        // The integration of 'minimal' began ten days ago, in this store.
        using (var store = RunStore.Open(Store))
        {
            store.SaveRun(new RunRecord
            {
                RunId = "20261120-090000-aaaa", System = "minimal", ManifestPath = "/gone/archgate.yaml", ManifestSha256 = "x",
                StartedAt = DateTimeOffset.UtcNow.AddDays(-10), FinishedAt = DateTimeOffset.UtcNow.AddDays(-10), State = RunState.Completed, Verdict = Verdict.NoGo,
            });
        }

        SqliteConnection.ClearAllPools();
        var posts = new List<string>();
        using var hook = new LocalHttpServer(async context =>
        {
            var body = (await LocalHttpServer.ReadAsync(context)).Body;
            lock (posts)
            {
                posts.Add(body);
            }

            await LocalHttpServer.WriteAsync(context, 200, [], "text/plain");
        });
        var log = Path.Combine(Folder, "escalations.log");
        var manifest = WriteMinimalManifest(text => text + $$"""

            escalation:
              channels:
                - { console: true }
                - { file: {{log}} }
                - { webhook: { url: "http://127.0.0.1:{{hook.Port}}/slack", format: slack } }
              executive: cto@example.test
              resources: { diskFree: 1000000TiB }
            """);

        var run = await ArchgateAsync("run", manifest, "--steps", "1");

        Assert.True(run.ExitCode is 4 or 5, run.All); // only step 1 ran: nothing to sign, or NO-GO; never GO
        Assert.Contains("escalation level 3 timeline-overrun: Timeline overrun: the integration of minimal has taken 24", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("escalation level 2 resource-exhaustion: Resource exhaustion:", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("(archgate ack e-", run.Stdout, StringComparison.Ordinal);
        Assert.Contains($"escalations sent to webhook http://127.0.0.1:{hook.Port}/slack", run.Stdout, StringComparison.Ordinal);
        var id = RunIdFrom(run.Stdout);
        string timelineId;
        using (var runJson = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, ".archgate", "runs", id, "run.json"))))
        {
            var escalations = runJson.RootElement.GetProperty("escalations").EnumerateArray().ToList();
            Assert.Equal(["timeline-overrun", "resource-exhaustion"], escalations.Select(e => e.GetProperty("trigger").GetString()).Order(StringComparer.Ordinal).Reverse());
            timelineId = escalations.Single(e => e.GetProperty("trigger").GetString() == "timeline-overrun").GetProperty("id").GetString()!;
        }

        var report = File.ReadAllText(Path.Combine(Folder, ".archgate", "runs", id, "integration-validation-report.md"));
        Assert.Contains($"| 3 | timeline-overrun (`{timelineId}`) |", report, StringComparison.Ordinal);
        Assert.Contains($"`archgate escalations {id}` shows where they stand", report, StringComparison.Ordinal);

        var lines = File.ReadAllLines(log).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(2, lines.Count);
        var timeline = lines.Single(l => l.GetProperty("id").GetString() == timelineId);
        Assert.Equal(3, timeline.GetProperty("level").GetInt32());
        Assert.Equal(["architect@example.test"], timeline.GetProperty("notify").EnumerateArray().Select(e => e.GetString())); // level 3: the System-Architect
        Assert.Equal(Path.Combine(Folder, ".archgate", "runs", id, "integration-validation-report.md"), timeline.GetProperty("report").GetString());
        using (var slack = JsonDocument.Parse(Assert.Single(posts)))
        {
            Assert.Contains("2 escalations on minimal", slack.RootElement.GetProperty("text").GetString(), StringComparison.Ordinal);
        }

        var listed = await ArchgateAsync("escalations", "last");
        Assert.True(listed.ExitCode == 0, listed.All);
        Assert.Contains(timelineId, listed.Stdout, StringComparison.Ordinal);
        Assert.Contains("timeline-overrun", listed.Stdout, StringComparison.Ordinal);
        Assert.Contains("open", listed.Stdout, StringComparison.Ordinal);
        Assert.Contains("2/2", listed.Stdout, StringComparison.Ordinal); // file and webhook delivered

        var ack = await ArchgateAsync("ack", timelineId[..7], "--as", "alice", "--note", "scope cut agreed");
        Assert.True(ack.ExitCode == 0, ack.All);
        Assert.Contains($"acknowledged {timelineId} (level 3, timeline-overrun, run {id}) as alice", ack.Stdout, StringComparison.Ordinal);
        Assert.Equal(1, (await ArchgateAsync("ack", timelineId, "--as", "bob")).ExitCode); // once

        var escalate = await ArchgateAsync("escalate", "last", "--reason", "vendor", "--note", "sandbox down since Monday", "--component", "api", "--as", "bob");
        Assert.True(escalate.ExitCode == 0, escalate.All);
        Assert.Contains("level 2 (technical coordination) vendor on run " + id + " by bob", escalate.Stdout, StringComparison.Ordinal);
        Assert.Equal(3, File.ReadAllLines(log).Length);
        Assert.Equal(1, (await ArchgateAsync("escalate", "last", "--reason", "boredom", "--note", "x")).ExitCode);

        var open = await ArchgateAsync("escalations", "--open", "--tick");
        Assert.True(open.ExitCode == 0, open.All);
        Assert.Contains("tick: 0 escalation(s) risen or retried", open.Stdout, StringComparison.Ordinal); // nothing is due yet
        Assert.DoesNotContain(timelineId, open.Stdout, StringComparison.Ordinal);
        Assert.Contains("vendor", open.Stdout, StringComparison.Ordinal);
        Assert.Contains("resource-exhaustion", open.Stdout, StringComparison.Ordinal);
    }
    [Fact]
    public async Task A_started_component_that_eats_memory_raises_resource_exhaustion_for_its_owner_listed_with_its_id_in_the_html_report()
    {
        // A tiny service that holds 160 MiB (written, so resident) for as long as it runs, and answers its health.
        var port = FreePort.Next();
        await File.WriteAllTextAsync(Path.Combine(Folder, "hog.py"), """
            import http.server, sys
            held = b"\x01" * (160 * 1024 * 1024)
            class Health(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    self.send_response(200); self.send_header("Content-Type", "text/plain"); self.end_headers(); self.wfile.write(b"ok")
                def log_message(self, *args): pass
            http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Health).serve_forever()
            """);
        var manifest = Path.Combine(Folder, "archgate.yaml");
        await File.WriteAllTextAsync(manifest, $$"""
            version: 1
            system: { name: hog }
            components:
              - name: hog
                kind: service
                url: http://127.0.0.1:{{port}}
                health: /health
                owner: ops@example.test
                run:
                  command: python3 hog.py {{port}}
                  workdir: .
                  ready: { http: /health, timeout: 120s }
            escalation:
              channels: [ { console: true } ]
              resources: { memory: 64MiB }
            """);

        var run = await ArchgateAsync("run", manifest, "--up", "--steps", "4");

        Assert.True(run.ExitCode is 0 or 4 or 5 or 6, run.All);
        Assert.Contains("escalation level 2 resource-exhaustion: Resource exhaustion: hog used memory ", run.Stdout, StringComparison.Ordinal);
        var id = RunIdFrom(run.Stdout);
        using var runJson = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, ".archgate", "runs", id, "run.json")));
        var hog = Assert.Single(runJson.RootElement.GetProperty("escalations").EnumerateArray(), e => e.GetProperty("trigger").GetString() == "resource-exhaustion");
        Assert.Equal(2, hog.GetProperty("level").GetInt32());
        Assert.EndsWith("resident (limit 64 MiB)", hog.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(["hog"], hog.GetProperty("components").EnumerateArray().Select(c => c.GetString()));
        var escalationId = hog.GetProperty("id").GetString()!;
        Assert.StartsWith("e-", escalationId, StringComparison.Ordinal);

        var html = File.ReadAllText(Path.Combine(Folder, ".archgate", "runs", id, "integration-validation-report.html"));
        Assert.Contains($"<tr><td><code>{escalationId}</code></td><td>2</td><td>resource-exhaustion</td>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_tick_rises_an_escalation_left_unacknowledged_past_ackWithin_and_notifies_the_next_level()
    {
        var log = Path.Combine(Folder, "escalations.log");
        var manifest = WriteMinimalManifest(text => text + $$"""

            escalation:
              channels: [ { file: {{log}} } ]
              ackWithin: { 2: 4h }
            """);
        var raised = DateTimeOffset.UtcNow.AddHours(-5);
        using (var store = RunStore.Open(Store))
        {
            store.SaveRun(new RunRecord { RunId = "20261203-080000-bbbb", System = "minimal", ManifestPath = manifest, ManifestSha256 = "x", StartedAt = raised });
            store.AddEscalation(new EscalationRecord
            {
                Id = "e-00000000aa", RunId = "20261203-080000-bbbb", System = "minimal", Trigger = "contract-mismatch-rate", Source = "automatic",
                StartLevel = 2, Level = 2, Message = "api mismatches 40 %", Components = ["api"], RaisedAt = raised, LevelSince = raised,
            });
        }

        SqliteConnection.ClearAllPools();
        var tick = await ArchgateAsync("escalations", "--tick");

        Assert.True(tick.ExitCode == 0, tick.All);
        Assert.Contains("e-00000000aa level 3 (human in the loop): contract-mismatch-rate", tick.Stdout, StringComparison.Ordinal);
        var line = JsonDocument.Parse(Assert.Single(File.ReadAllLines(log))).RootElement;
        Assert.Equal(3, line.GetProperty("level").GetInt32());
        Assert.Equal("architect@example.test", line.GetProperty("notify")[0].GetString());
        var listed = await ArchgateAsync("escalations");
        Assert.Contains("2 -> 3", listed.Stdout, StringComparison.Ordinal);
        var again = await ArchgateAsync("escalations", "--tick");
        Assert.Contains("tick: 0 escalation(s)", again.Stdout, StringComparison.Ordinal); // this ackWithin lists no level 3: it stays
    }
}

using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Judging;
using Archgate.Model;
using Archgate.Protocol;
using Microsoft.Extensions.Time.Testing;

namespace Archgate.Core.Tests.Judging;

/// <summary>The channels against real local receivers: a file, an HTTP server for the three webhook shapes, Debian's aiosmtpd for e-mail.</summary>
public sealed class EscalationNotifierTests
{
    private static readonly NotifierOptions NoWait = new() { FirstBackoff = TimeSpan.Zero };

    private static NoticeBatch Batch(params Notice[] notices) => new("r1", "shop", Verdict.NoGo, notices);

    private static Notice Notice(string id, string trigger, int level, string message, params string[] notify) =>
        new(id, "r1", "shop", trigger, level, message, notify, DateTimeOffset.UnixEpoch)
        {
            Components = ["api"],
            Evidence = ["AG3046 db: 3 orphaned rows in order_lines <script>"],
            Report = "/out/r1/integration-validation-report.md",
        };

    [Fact]
    public async Task The_file_channel_gets_one_json_line_per_escalation_with_its_id_recipients_evidence_and_report()
    {
        var dir = Directory.CreateTempSubdirectory("archgate-esc-").FullName;
        var file = Path.Combine(dir, "escalations.log");
        using var http = new HttpClient();
        var notifier = new EscalationNotifier(http, TimeProvider.System, NoWait);

        var deliveries = await notifier.DeliverAsync(
            Batch(Notice("e-1", "dependent-services-failing", 3, "4 services failing", "alice@example.test"), Notice("e-2", "contract-mismatch-rate", 2, "25 %")),
            [new EscalationChannel("console", null), new EscalationChannel("file", file)], CancellationToken.None);

        var delivery = Assert.Single(deliveries);
        Assert.True(delivery.Delivered);
        Assert.Equal(["e-1", "e-2"], delivery.EscalationIds);
        var lines = await File.ReadAllLinesAsync(file);
        Assert.Equal(2, lines.Length);
        using var first = JsonDocument.Parse(lines[0]);
        Assert.Equal("e-1", first.RootElement.GetProperty("id").GetString());
        Assert.Equal("dependent-services-failing", first.RootElement.GetProperty("trigger").GetString());
        Assert.Equal("alice@example.test", first.RootElement.GetProperty("notify")[0].GetString());
        Assert.Equal("/out/r1/integration-validation-report.md", first.RootElement.GetProperty("report").GetString());
        Assert.StartsWith("AG3046", first.RootElement.GetProperty("evidence")[0].GetString(), StringComparison.Ordinal);
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public async Task The_webhook_posts_archgate_json_a_slack_message_and_a_teams_adaptive_card()
    {
        var bodies = new List<Received>();
        using var server = new LocalHttpServer(async context =>
        {
            lock (bodies)
            {
                bodies.Add(LocalHttpServer.ReadAsync(context).GetAwaiter().GetResult());
            }

            await LocalHttpServer.WriteAsync(context, 200, [], "text/plain");
        });
        using var http = new HttpClient();
        var notifier = new EscalationNotifier(http, TimeProvider.System, NoWait);
        var batch = Batch(Notice("e-1", "critical-vulnerability", 4, "sqli <!channel>", "cto@example.test"));

        var deliveries = await notifier.DeliverAsync(batch,
        [
            new EscalationChannel("webhook", $"http://127.0.0.1:{server.Port}/json?token=abc"),
            new EscalationChannel("webhook", $"http://127.0.0.1:{server.Port}/slack") { Format = WebhookFormat.Slack },
            new EscalationChannel("webhook", $"http://127.0.0.1:{server.Port}/teams") { Format = WebhookFormat.Teams },
        ], CancellationToken.None);

        Assert.All(deliveries, d => Assert.True(d.Delivered, d.Error));
        Assert.DoesNotContain("abc", deliveries[0].Target, StringComparison.Ordinal);
        Assert.Equal(3, bodies.Count);

        using var json = JsonDocument.Parse(bodies.Single(b => b.PathAndQuery.StartsWith("/json", StringComparison.Ordinal)).Body);
        Assert.Equal("NO-GO", json.RootElement.GetProperty("verdict").GetString());
        var escalation = json.RootElement.GetProperty("escalations")[0];
        Assert.Equal(4, escalation.GetProperty("level").GetInt32());
        Assert.Equal("e-1", escalation.GetProperty("id").GetString());
        Assert.Equal("r1", escalation.GetProperty("runId").GetString());

        using var slack = JsonDocument.Parse(bodies.Single(b => b.PathAndQuery == "/slack").Body);
        Assert.Contains("critical-vulnerability", slack.RootElement.GetProperty("text").GetString(), StringComparison.Ordinal);
        var blocks = slack.RootElement.GetProperty("blocks");
        Assert.Equal("header", blocks[0].GetProperty("type").GetString());
        Assert.Equal("plain_text", blocks[0].GetProperty("text").GetProperty("type").GetString());
        var section = blocks[1].GetProperty("text");
        Assert.Equal("mrkdwn", section.GetProperty("type").GetString());
        Assert.Contains("sqli &lt;!channel&gt;", section.GetProperty("text").GetString(), StringComparison.Ordinal); // no @channel ping from a target's text
        Assert.Contains("&lt;script&gt;", section.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Contains("archgate ack e-1", blocks[2].GetProperty("elements")[0].GetProperty("text").GetString(), StringComparison.Ordinal);

        using var teams = JsonDocument.Parse(bodies.Single(b => b.PathAndQuery == "/teams").Body);
        Assert.Equal("message", teams.RootElement.GetProperty("type").GetString());
        var attachment = teams.RootElement.GetProperty("attachments")[0];
        Assert.Equal("application/vnd.microsoft.card.adaptive", attachment.GetProperty("contentType").GetString());
        var card = attachment.GetProperty("content");
        Assert.Equal("AdaptiveCard", card.GetProperty("type").GetString());
        Assert.Equal("http://adaptivecards.io/schemas/adaptive-card.json", card.GetProperty("$schema").GetString());
        var facts = card.GetProperty("body").EnumerateArray().Where(b => b.GetProperty("type").GetString() == "FactSet").Single().GetProperty("facts");
        Assert.Contains(facts.EnumerateArray(), f => f.GetProperty("title").GetString() == "Report" && f.GetProperty("value").GetString() == "/out/r1/integration-validation-report.md");
        Assert.Contains(facts.EnumerateArray(), f => f.GetProperty("title").GetString() == "Notify" && f.GetProperty("value").GetString() == "cto@example.test");
    }

    [Fact]
    public async Task A_failing_webhook_is_tried_four_times_with_doubling_waits_and_reported_not_thrown()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var arrivals = new List<DateTimeOffset>();
        using var server = new LocalHttpServer(async context =>
        {
            lock (arrivals)
            {
                arrivals.Add(time.GetUtcNow());
            }

            await LocalHttpServer.WriteAsync(context, 503, [], "text/plain");
        });
        using var http = new HttpClient();
        var notifier = new EscalationNotifier(http, time);

        var work = notifier.DeliverAsync(Batch(Notice("e-1", "x", 2, "y")), [new EscalationChannel("webhook", $"http://127.0.0.1:{server.Port}/hook")], CancellationToken.None);
        var deadline = Stopwatch.StartNew();
        while (!work.IsCompleted && deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(20);
            time.Advance(TimeSpan.FromMilliseconds(250));
        }

        var delivery = Assert.Single(await work);
        Assert.False(delivery.Delivered);
        Assert.Equal(4, delivery.Attempts);
        Assert.Equal("HTTP 503", delivery.Error);
        Assert.Equal(4, arrivals.Count);
        var gaps = arrivals.Zip(arrivals.Skip(1), (a, b) => b - a).ToList();
        Assert.True(gaps[0] >= TimeSpan.FromSeconds(1) && gaps[1] >= TimeSpan.FromSeconds(2) && gaps[2] >= TimeSpan.FromSeconds(4), string.Join(", ", gaps));
        Assert.Equal(TimeSpan.FromSeconds(4), new NotifierOptions().Backoff(3));
    }

    [Fact]
    public async Task Email_reaches_a_real_smtp_server_with_the_run_trigger_level_evidence_report_and_recipients()
    {
        var aiosmtpd = AiosmtpdPath();
        var port = FreePort.Next();
        var output = new StringBuilder();
        var start = new ProcessStartInfo(aiosmtpd, ["-n", "-l", $"127.0.0.1:{port}"]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.Environment["PYTHONUNBUFFERED"] = "1";
        using var smtpd = Process.Start(start)!;
        smtpd.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        smtpd.ErrorDataReceived += (_, _) => { };
        smtpd.BeginOutputReadLine();
        smtpd.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient();
            var notifier = new EscalationNotifier(http, TimeProvider.System, NoWait with { Attempts = 20, FirstBackoff = TimeSpan.FromMilliseconds(250), Timeout = TimeSpan.FromSeconds(10) });
            var channel = new EscalationChannel("email", $"127.0.0.1:{port}")
            {
                Email = new SmtpSettings { Host = "127.0.0.1", Port = port, From = "archgate@example.test", To = ["ops@example.test"] },
            };

            // Retries cover the moment aiosmtpd takes to listen.
            var delivery = Assert.Single(await notifier.DeliverAsync(Batch(Notice("e-7", "data-integrity-violation", 3, "orphaned rows", "alice@example.test", "bob (no address)")), [channel], CancellationToken.None));

            Assert.True(delivery.Delivered, delivery.Error);
            Assert.Equal("smtp://127.0.0.1:" + port, delivery.Target);
            string text;
            var deadline = Stopwatch.StartNew();
            do
            {
                await Task.Delay(100);
                lock (output)
                {
                    text = output.ToString();
                }
            }
            while (!text.Contains("Acknowledge: archgate ack e-7", StringComparison.Ordinal) && deadline.Elapsed < TimeSpan.FromSeconds(30));

            Assert.Contains("Subject: Archgate level 3 escalation on shop run r1: data-integrity-violation", text, StringComparison.Ordinal);
            Assert.Contains("To: ops@example.test, alice@example.test", text, StringComparison.Ordinal);
            Assert.Contains("Level 3 escalation e-7: data-integrity-violation", text, StringComparison.Ordinal);
            Assert.Contains("AG3046 db: 3 orphaned rows", text, StringComparison.Ordinal);
            Assert.Contains("Report: /out/r1/integration-validation-report.md", text, StringComparison.Ordinal);
            Assert.Contains("verdict NO-GO", text, StringComparison.Ordinal);
        }
        finally
        {
            smtpd.Kill();
            await smtpd.WaitForExitAsync();
        }

        // Nothing listens any more: recorded as undelivered after every attempt, not thrown.
        using var again = new HttpClient();
        var failed = Assert.Single(await new EscalationNotifier(again, TimeProvider.System, NoWait with { Attempts = 2 }).DeliverAsync(Batch(Notice("e-8", "x", 2, "y")),
            [new EscalationChannel("email", "x") { Email = new SmtpSettings { Host = "127.0.0.1", Port = port, From = "archgate@example.test", To = ["ops@example.test"] } }],
            CancellationToken.None));
        Assert.False(failed.Delivered);
        Assert.Equal(2, failed.Attempts);
        Assert.StartsWith($"cannot connect to 127.0.0.1:{port}", failed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nothing_is_sent_without_escalations()
    {
        using var http = new HttpClient();
        Assert.Empty(await new EscalationNotifier(http, TimeProvider.System).DeliverAsync(Batch(), [new EscalationChannel("file", "/nonexistent/x")], CancellationToken.None));
    }

    /// <summary>Debian's aiosmtpd (package python3-aiosmtpd; ./build.sh test installs it).</summary>
    private static string AiosmtpdPath()
    {
        const string path = "/usr/bin/aiosmtpd";
        Assert.True(File.Exists(path), "aiosmtpd is missing: 'apt-get install python3-aiosmtpd' (./build.sh test and 'archgate doctor --tests --install' install it)");
        return path;
    }
}

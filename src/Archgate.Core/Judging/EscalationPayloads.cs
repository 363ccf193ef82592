using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Archgate.Model;
using MimeKit;

namespace Archgate.Judging;

/// <summary>
/// The bodies the channels send: Archgate's JSON, a Slack incoming-webhook message (<c>text</c> as the notification
/// fallback, Block Kit <c>blocks</c>), a Teams message with one Adaptive Card attachment, and a plain-text mail.
/// Every text from a target is escaped for the format it lands in.
/// </summary>
public static class EscalationPayloads
{
    private const int SlackSectionLimit = 2900; // Slack refuses a section text over 3000 characters
    private const int SlackHeaderLimit = 150;

    /// <summary>The webhook body of <paramref name="batch"/> in <paramref name="format"/>.</summary>
    public static object Webhook(WebhookFormat format, NoticeBatch batch) => format switch
    {
        WebhookFormat.Slack => Slack(batch),
        WebhookFormat.Teams => Teams(batch),
        _ => new { batch.RunId, batch.System, batch.Verdict, Escalations = batch.Notices },
    };

    /// <summary>One line for a notification list: <c>3 escalations on shop run 20261203-...</c>.</summary>
    public static string Title(NoticeBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return batch.Notices.Count == 1
            ? $"Archgate level {batch.Notices[0].Level} escalation on {batch.System} run {batch.RunId}: {batch.Notices[0].Trigger}"
            : $"Archgate: {batch.Notices.Count} escalations on {batch.System} run {batch.RunId} (highest level {batch.Notices.Max(n => n.Level)})";
    }

    /// <summary>A Slack incoming-webhook message.</summary>
    public static JsonObject Slack(NoticeBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var blocks = new JsonArray
        {
            new JsonObject { ["type"] = "header", ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = Cut(Title(batch), SlackHeaderLimit) } },
        };
        foreach (var n in batch.Notices)
        {
            var text = new StringBuilder()
                .Append(CultureInfo.InvariantCulture, $"*Level {n.Level}* `{SlackEscape(n.Trigger)}` ({SlackEscape(n.Id)})\n{SlackEscape(n.Message)}");
            if (n.Notify.Count > 0)
            {
                text.Append(CultureInfo.InvariantCulture, $"\n*Notify:* {SlackEscape(string.Join(", ", n.Notify))}");
            }

            foreach (var e in n.Evidence)
            {
                text.Append(CultureInfo.InvariantCulture, $"\n• {SlackEscape(e)}");
            }

            blocks.Add(new JsonObject { ["type"] = "section", ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = Cut(text.ToString(), SlackSectionLimit) } });
            blocks.Add(new JsonObject
            {
                ["type"] = "context",
                ["elements"] = new JsonArray
                {
                    new JsonObject { ["type"] = "mrkdwn", ["text"] = SlackEscape($"report: {n.Report ?? "(not written)"} · acknowledge: archgate ack {n.Id}") },
                },
            });
        }

        return new JsonObject { ["text"] = SlackEscape(Title(batch)), ["blocks"] = blocks };
    }

    /// <summary>A Teams message (incoming webhook or Workflows) carrying one Adaptive Card.</summary>
    public static JsonObject Teams(NoticeBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var body = new JsonArray
        {
            new JsonObject { ["type"] = "TextBlock", ["text"] = Title(batch), ["weight"] = "Bolder", ["size"] = "Medium", ["wrap"] = true },
        };
        foreach (var n in batch.Notices)
        {
            body.Add(new JsonObject { ["type"] = "TextBlock", ["text"] = $"Level {n.Level}: {n.Trigger}", ["weight"] = "Bolder", ["separator"] = true, ["wrap"] = true });
            body.Add(new JsonObject { ["type"] = "TextBlock", ["text"] = n.Message, ["wrap"] = true });
            var facts = new JsonArray
            {
                Fact("Escalation", n.Id),
                Fact("Run", n.RunId),
                Fact("Notify", n.Notify.Count == 0 ? "-" : string.Join(", ", n.Notify)),
                Fact("Report", n.Report ?? "(not written)"),
                Fact("Acknowledge", $"archgate ack {n.Id}"),
            };
            foreach (var (e, i) in n.Evidence.Select((e, i) => (e, i)))
            {
                facts.Add(Fact($"Evidence {i + 1}", e));
            }

            body.Add(new JsonObject { ["type"] = "FactSet", ["facts"] = facts });
        }

        var card = new JsonObject
        {
            ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
            ["type"] = "AdaptiveCard",
            ["version"] = "1.4",
            ["body"] = body,
        };
        return new JsonObject
        {
            ["type"] = "message",
            ["attachments"] = new JsonArray
            {
                new JsonObject { ["contentType"] = "application/vnd.microsoft.card.adaptive", ["contentUrl"] = null, ["content"] = card },
            },
        };
    }

    /// <summary>The mail of <paramref name="batch"/>: to the channel's <c>to</c> and the level's recipients that are e-mail addresses.</summary>
    public static MimeMessage Mail(SmtpSettings smtp, NoticeBatch batch)
    {
        ArgumentNullException.ThrowIfNull(smtp);
        ArgumentNullException.ThrowIfNull(batch);
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(smtp.From));
        foreach (var to in smtp.To.Concat(batch.Notices.SelectMany(n => n.Notify)).Where(a => a.Contains('@', StringComparison.Ordinal)).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (MailboxAddress.TryParse(to, out var address))
            {
                message.To.Add(address);
            }
        }

        message.Subject = OneLine(Title(batch));
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"System {batch.System}, run {batch.RunId}{(batch.Verdict is { } v ? $", verdict {Verdicts(v)}" : string.Empty)}.");
        foreach (var n in batch.Notices)
        {
            text.AppendLine()
                .AppendLine(CultureInfo.InvariantCulture, $"Level {n.Level} escalation {n.Id}: {n.Trigger}")
                .AppendLine(n.Message);
            if (n.Components.Count > 0)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"Components: {string.Join(", ", n.Components)}");
            }

            if (n.Notify.Count > 0)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"Notified: {string.Join(", ", n.Notify)}");
            }

            foreach (var e in n.Evidence)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  - {e}");
            }

            text.AppendLine(CultureInfo.InvariantCulture, $"Report: {n.Report ?? "(not written)"}")
                .AppendLine(CultureInfo.InvariantCulture, $"Acknowledge: archgate ack {n.Id} --as NAME");
        }

        message.Body = new TextPart("plain") { Text = text.ToString() };
        return message;
    }

    private static string Verdicts(Protocol.Verdict verdict) => verdict switch
    {
        Protocol.Verdict.Go => "GO",
        Protocol.Verdict.NoGo => "NO-GO",
        _ => "INCOMPLETE",
    };

    private static JsonObject Fact(string title, string value) => new() { ["title"] = title, ["value"] = value };

    /// <summary>Slack reads &amp;, &lt; and &gt; as markup (<c>&lt;!channel&gt;</c> pings everyone): escaped.</summary>
    private static string SlackEscape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    private static string Cut(string text, int limit) => text.Length <= limit ? text : string.Concat(text.AsSpan(0, limit - 1), "…");

    private static string OneLine(string text) => new([.. text.Select(c => char.IsControl(c) ? ' ' : c)]);
}

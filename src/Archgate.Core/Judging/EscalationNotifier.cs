using System.Net.Http.Json;
using System.Text.Json;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Judging;

/// <summary>One delivery of a run's escalations to a channel, or why it failed.</summary>
public sealed record EscalationDelivery(string Channel, string Target, bool Delivered, string? Error);

/// <summary>
/// Sends a finished run's escalations to the manifest's channels: a JSON line per escalation appended to a
/// file, one JSON POST per run to a webhook. The console channel is the CLI's summary. A channel that
/// fails is reported, never fatal: the verdict stands whatever the notifications do.
/// </summary>
public static class EscalationNotifier
{
    /// <summary>How long a webhook may take.</summary>
    public static readonly TimeSpan WebhookTimeout = TimeSpan.FromSeconds(5);

    /// <summary>What one escalation looks like on a channel.</summary>
    public sealed record Notice(string RunId, string System, string Trigger, int Level, string Message, IReadOnlyList<string> Notify, DateTimeOffset At);

    /// <summary>Delivers <paramref name="run"/>'s escalations; nothing is sent when there are none.</summary>
    public static async Task<IReadOnlyList<EscalationDelivery>> NotifyAsync(
        RunRecord run, EscalationPolicy policy, HttpClient http, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(time);
        if (run.Escalations.Count == 0)
        {
            return [];
        }

        var at = run.FinishedAt ?? time.GetUtcNow();
        var notices = run.Escalations
            .Select(e => new Notice(run.RunId, run.System, e.Trigger, e.Level, e.Message, policy.Owners.GetValueOrDefault(e.Level) ?? [], at))
            .ToList();
        var result = new List<EscalationDelivery>();
        foreach (var channel in policy.Channels)
        {
            switch (channel.Kind)
            {
                case "file":
                    result.Add(await AppendAsync(channel.Target!, notices, cancellationToken));
                    break;
                case "webhook":
                    result.Add(await PostAsync(channel.Target!, run, notices, http, cancellationToken));
                    break;
            }
        }

        return result;
    }

    private static async Task<EscalationDelivery> AppendAsync(string path, IReadOnlyList<Notice> notices, CancellationToken cancellationToken)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            var lines = notices.Select(n => JsonSerializer.Serialize(n, ArchgateJson.Compact));
            await File.AppendAllLinesAsync(path, lines, cancellationToken);
            return new EscalationDelivery("file", path, true, null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new EscalationDelivery("file", path, false, ex.Message);
        }
    }

    private static async Task<EscalationDelivery> PostAsync(string url, RunRecord run, IReadOnlyList<Notice> notices, HttpClient http, CancellationToken cancellationToken)
    {
        var shown = Redact.Url(url);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(WebhookTimeout);
        try
        {
            var body = new { run.RunId, run.System, Verdict = run.Verdict, Escalations = notices };
            using var response = await http.PostAsJsonAsync(new Uri(url), body, ArchgateJson.Compact, timeout.Token);
            return response.IsSuccessStatusCode
                ? new EscalationDelivery("webhook", shown, true, null)
                : new EscalationDelivery("webhook", shown, false, $"HTTP {(int)response.StatusCode}");
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new EscalationDelivery("webhook", shown, false, ex is OperationCanceledException ? "timeout" : Redact.Text(ex.Message));
        }
    }
}

using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Archgate.Model;
using Archgate.Protocol;
using MailKit.Net.Smtp;
using MailKit.Security;

namespace Archgate.Judging;

/// <summary>One delivery of a batch of escalations to a channel, or why it failed after every attempt.</summary>
public sealed record EscalationDelivery(string Channel, string Target, bool Delivered, string? Error)
{
    /// <summary>How many attempts were made. <value>1</value>.</summary>
    public int Attempts { get; init; } = 1;

    /// <summary>The escalations the batch carried.</summary>
    public IReadOnlyList<string> EscalationIds { get; init; } = [];
}

/// <summary>What one escalation looks like on a channel (a file line, an element of the webhook's JSON, a paragraph of a mail).</summary>
/// <param name="Id">Its id, for <c>archgate ack</c>.</param>
/// <param name="RunId">The run.</param>
/// <param name="System">The run's system.</param>
/// <param name="Trigger">The trigger or manual reason.</param>
/// <param name="Level">The level it is notified at.</param>
/// <param name="Message">What happened.</param>
/// <param name="Notify">Who the level routes it to.</param>
/// <param name="At">When it was raised or rose to this level.</param>
public sealed record Notice(string Id, string RunId, string System, string Trigger, int Level, string Message, IReadOnlyList<string> Notify, DateTimeOffset At)
{
    /// <summary>The components it concerns.</summary>
    public IReadOnlyList<string> Components { get; init; } = [];

    /// <summary>What tripped it.</summary>
    public IReadOnlyList<string> Evidence { get; init; } = [];

    /// <summary>The run's report, when written.</summary>
    public string? Report { get; init; }
}

/// <summary>The escalations of one run sent together.</summary>
public sealed record NoticeBatch(string RunId, string System, Verdict? Verdict, IReadOnlyList<Notice> Notices);

/// <summary>How deliveries are attempted.</summary>
public sealed record NotifierOptions
{
    /// <summary>Attempts per channel before the delivery is recorded as failed. <value>4</value>.</summary>
    public int Attempts { get; init; } = 4;

    /// <summary>The wait after the first failed attempt, doubled after each further one (1 s, 2 s, 4 s). <value>1 s</value>.</summary>
    public TimeSpan FirstBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long one webhook or SMTP attempt may take. <value>5 s</value>.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The wait after failed attempt <paramref name="attempt"/> (1-based).</summary>
    public TimeSpan Backoff(int attempt) => FirstBackoff * Math.Pow(2, Math.Max(0, attempt - 1));
}

/// <summary>
/// Sends batches of escalations to the manifest's channels: a JSON line per escalation appended to a file, one POST
/// per batch to a webhook (Archgate JSON, Slack or Teams shape), one mail per batch over SMTP. Each channel is tried
/// up to <see cref="NotifierOptions.Attempts"/> times with exponential backoff; a channel that still fails is
/// reported with its error, never thrown: the verdict stands whatever the notifications do. The console channel is
/// the CLI's own output.
/// </summary>
public sealed class EscalationNotifier(HttpClient http, TimeProvider time, NotifierOptions? options = null)
{
    private readonly NotifierOptions _options = options ?? new NotifierOptions();

    /// <summary>Delivers <paramref name="batch"/> to every channel but the console; nothing is sent for an empty batch.</summary>
    public async Task<IReadOnlyList<EscalationDelivery>> DeliverAsync(NoticeBatch batch, IReadOnlyList<EscalationChannel> channels, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(channels);
        var result = new List<EscalationDelivery>();
        if (batch.Notices.Count == 0)
        {
            return result;
        }

        foreach (var channel in channels.Where(c => c.Kind != "console"))
        {
            result.Add(await WithRetriesAsync(channel, batch, cancellationToken));
        }

        return result;
    }

    /// <summary>Where a channel delivers, as shown and stored (a webhook's URL without its secrets).</summary>
    public static string TargetOf(EscalationChannel channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        return channel.Kind switch
        {
            "webhook" => Redact.Url(channel.Target ?? string.Empty),
            "email" when channel.Email is { } e => $"smtp://{e.Host}:{e.Port}",
            _ => channel.Target ?? channel.Kind,
        };
    }

    private async Task<EscalationDelivery> WithRetriesAsync(EscalationChannel channel, NoticeBatch batch, CancellationToken cancellationToken)
    {
        string? error = null;
        var attempt = 0;
        while (++attempt <= _options.Attempts)
        {
            error = await AttemptAsync(channel, batch, cancellationToken);
            if (error is null || attempt == _options.Attempts)
            {
                break;
            }

            await Task.Delay(_options.Backoff(attempt), time, cancellationToken);
        }

        return new EscalationDelivery(channel.Kind, TargetOf(channel), error is null, error)
        {
            Attempts = Math.Min(attempt, _options.Attempts),
            EscalationIds = [.. batch.Notices.Select(n => n.Id)],
        };
    }

    /// <summary>One attempt: null when delivered, else why not.</summary>
    private Task<string?> AttemptAsync(EscalationChannel channel, NoticeBatch batch, CancellationToken cancellationToken) => channel.Kind switch
    {
        "file" => AppendAsync(channel.Target!, batch, cancellationToken),
        "webhook" => PostAsync(channel, batch, cancellationToken),
        "email" => MailAsync(channel.Email!, batch, cancellationToken),
        _ => Task.FromResult<string?>($"unknown channel '{channel.Kind}'"),
    };

    private static async Task<string?> AppendAsync(string path, NoticeBatch batch, CancellationToken cancellationToken)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            var lines = batch.Notices.Select(n => JsonSerializer.Serialize(n, ArchgateJson.Compact));
            await File.AppendAllLinesAsync(path, lines, cancellationToken);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ex.Message;
        }
    }

    private async Task<string?> PostAsync(EscalationChannel channel, NoticeBatch batch, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        try
        {
            var body = EscalationPayloads.Webhook(channel.Format, batch);
            using var response = await http.PostAsJsonAsync(new Uri(channel.Target!), body, ArchgateJson.Compact, timeout.Token);
            return response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode}";
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return ex is OperationCanceledException ? "timeout" : Redact.Text(ex.Message);
        }
    }

    private async Task<string?> MailAsync(SmtpSettings smtp, NoticeBatch batch, CancellationToken cancellationToken)
    {
        var message = EscalationPayloads.Mail(smtp, batch);
        if (message.To.Count == 0)
        {
            return "no recipient: give the e-mail channel 'to', or people with e-mail addresses at this level";
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        using var client = new SmtpClient { Timeout = (int)_options.Timeout.TotalMilliseconds };
        try
        {
            await client.ConnectAsync(smtp.Host, smtp.Port, smtp.StartTls ? SecureSocketOptions.StartTls : SecureSocketOptions.None, timeout.Token);
            if (smtp.User is { } user)
            {
                await client.AuthenticateAsync(user, smtp.Password ?? string.Empty, timeout.Token);
            }

            await client.SendAsync(message, timeout.Token);
            await client.DisconnectAsync(quit: true, timeout.Token);
            return null;
        }
        catch (Exception ex) when (ex is SocketException or IOException or TimeoutException or MailKit.CommandException or MailKit.ProtocolException
            or AuthenticationException or SslHandshakeException or MailKit.ServiceNotConnectedException or MailKit.ServiceNotAuthenticatedException
            || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return ex switch
            {
                OperationCanceledException => "timeout",
                SmtpCommandException command => $"SMTP {(int)command.StatusCode}: {Redact.Text(command.Message)}",
                SocketException socket => $"cannot connect to {smtp.Host}:{smtp.Port} ({socket.SocketErrorCode})",
                _ => Redact.Text(ex.Message),
            };
        }
    }
}

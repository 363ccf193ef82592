using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Shop.Common;

namespace Shop.Api.Email;

/// <summary>A mail to send through the provider.</summary>
internal sealed record Mail(string To, string Subject, string Text);

/// <summary>The e-mail provider's circuit breaker.</summary>
internal sealed class EmailCircuit
{
    public CircuitMonitor Monitor { get; } = new();
}

/// <summary>
/// Calls the e-mail provider: 2 s per attempt, 6 s in all, 3 retries with backoff, breaker. Speaks SendGrid's v3
/// mail/send (JSON, Bearer key) by default, Mailgun's messages API (form, basic auth api:KEY) under SHOP_EMAIL_API=mailgun.
/// Under <c>email-invalid</c> the mail leaves out its sender.
/// </summary>
internal sealed class EmailClient(HttpClient http, ApiSettings settings, FaultSwitches faults)
{
    public static readonly CallPolicy Policy = new()
    {
        AttemptTimeout = TimeSpan.FromSeconds(2),
        TotalTimeout = TimeSpan.FromSeconds(6),
        Retries = 3,
        BaseDelay = TimeSpan.FromMilliseconds(300),
    };

    public async Task SendAsync(Mail mail, CancellationToken ct)
    {
        using var request = settings.EmailApi == "mailgun" ? Mailgun(mail) : SendGrid(mail);
        using var response = await http.SendAsync(request, ct);
        response.EnsureSuccessStatusCode();
    }

    private string From => $"orders@{settings.EmailDomain}";

    private HttpRequestMessage SendGrid(Mail mail)
    {
        var body = new JsonObject
        {
            ["personalizations"] = new JsonArray(new JsonObject
            {
                ["to"] = new JsonArray(new JsonObject { ["email"] = mail.To }),
            }),
            ["subject"] = mail.Subject,
            ["content"] = new JsonArray(new JsonObject { ["type"] = "text/plain", ["value"] = mail.Text }),
        };
        if (!faults.IsOn(FaultSwitches.EmailInvalid))
        {
            body["from"] = new JsonObject { ["email"] = From, ["name"] = "Shop" };
        }

        var request = new HttpRequestMessage(HttpMethod.Post, "/v3/mail/send") { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", settings.EmailApiKey);
        return request;
    }

    private HttpRequestMessage Mailgun(Mail mail)
    {
        var fields = new List<KeyValuePair<string, string>> { new("to", mail.To), new("subject", mail.Subject), new("text", mail.Text) };
        if (!faults.IsOn(FaultSwitches.EmailInvalid))
        {
            fields.Insert(0, new("from", $"Shop <{From}>"));
        }

        var request = new HttpRequestMessage(HttpMethod.Post, $"/v3/{Uri.EscapeDataString(settings.EmailDomain)}/messages") { Content = new FormUrlEncodedContent(fields) };
        request.Headers.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"api:{settings.EmailApiKey}")));
        return request;
    }
}

/// <summary>
/// Sends mail off the request path. Fallback when the provider fails: the mail waits and is sent again
/// later (up to 5 tries, 10 s apart, SHOP_EMAIL_RETRY_AFTER_MS); an order never fails because a mail could not go out.
/// Under <c>email-no-queue</c> a mail the provider did not take is dropped.
/// </summary>
internal sealed partial class EmailOutbox(IServiceScopeFactory scopes, ApiSettings settings, FaultSwitches faults, TimeProvider time, ILogger<EmailOutbox> logger) : BackgroundService
{
    private const int MaxTries = 5;
    private readonly Channel<(Mail Mail, int Try)> _queue = Channel.CreateBounded<(Mail, int)>(
        new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropOldest });

    public void Enqueue(Mail mail) => _queue.Writer.TryWrite((mail, 1));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var (mail, attempt) in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            using var scope = scopes.CreateScope();
            try
            {
                await scope.ServiceProvider.GetRequiredService<EmailClient>().SendAsync(mail, stoppingToken);
            }
            catch (Exception ex) when (ex is HttpRequestException or BrokenCircuitException or TimeoutRejectedException
                                       || (ex is OperationCanceledException && !stoppingToken.IsCancellationRequested))
            {
                if (attempt >= MaxTries || faults.IsOn(FaultSwitches.EmailNoQueue)) // email-no-queue: the defect, the mail is lost
                {
                    LogGaveUp(mail.Subject, attempt);
                    continue;
                }

                LogDeferred(mail.Subject, ex.GetType().Name);
                _ = RequeueLaterAsync(mail, attempt + 1, stoppingToken);
            }
        }
    }

    private async Task RequeueLaterAsync(Mail mail, int attempt, CancellationToken ct)
    {
        try
        {
            await Task.Delay(settings.EmailRetryAfter, time, ct);
            _queue.Writer.TryWrite((mail, attempt));
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mail '{Subject}' deferred ({Error}); will retry")]
    private partial void LogDeferred(string subject, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Mail '{Subject}' dropped after {Tries} tries")]
    private partial void LogGaveUp(string subject, int tries);
}

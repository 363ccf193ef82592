using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Shop.ThirdParty;

/// <summary>A message handed to the e-mail provider.</summary>
internal sealed record EmailRequest(string To, string Subject, string Text);

/// <summary>A message the provider accepted.</summary>
internal sealed record EmailMessage(string Id, string To, string Subject, string Text, DateTimeOffset AcceptedAt);

/// <summary>The fake e-mail provider: accepts messages and keeps them in a test-mode inbox.</summary>
internal sealed class Mailbox(TimeProvider time)
{
    private const int Capacity = 1000;
    private readonly ConcurrentQueue<EmailMessage> _messages = new();

    public EmailMessage Accept(EmailRequest request)
    {
        var message = new EmailMessage(
            "msg_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)),
            request.To, request.Subject, request.Text, time.GetUtcNow());
        _messages.Enqueue(message);
        while (_messages.Count > Capacity && _messages.TryDequeue(out _))
        {
        }

        return message;
    }

    public IReadOnlyList<EmailMessage> All() => [.. _messages];
}

internal static class MailboxEndpoints
{
    public static void MapMailbox(this WebApplication app)
    {
        var group = app.MapGroup("/email/v1").AddEndpointFilter<NeverAnswerFilter>();

        group.MapPost("/messages", (EmailRequest request, HttpContext http, Mailbox mailbox, ProviderKeys keys) =>
        {
            if (!IsAuthorized(http, keys))
            {
                return Results.Problem(statusCode: 401, title: "Missing or wrong API key.");
            }

            if (string.IsNullOrWhiteSpace(request.To) || !request.To.Contains('@', StringComparison.Ordinal)
                || string.IsNullOrWhiteSpace(request.Subject))
            {
                return Results.Problem(statusCode: 400, title: "to (an address) and subject are required.");
            }

            var message = mailbox.Accept(request);
            return Results.Accepted($"/email/v1/messages/{message.Id}", message);
        });

        // The test-mode inbox, so journeys can see that a confirmation mail went out.
        group.MapGet("/messages", (HttpContext http, Mailbox mailbox, ProviderKeys keys) =>
            IsAuthorized(http, keys)
                ? Results.Ok(mailbox.All())
                : Results.Problem(statusCode: 401, title: "Missing or wrong API key."));
    }

    private static bool IsAuthorized(HttpContext http, ProviderKeys keys) =>
        CryptographicOperations.FixedTimeEquals(
            Encoding.UTF8.GetBytes(http.Request.Headers["X-Api-Key"].ToString()),
            Encoding.UTF8.GetBytes(keys.EmailApiKey));
}

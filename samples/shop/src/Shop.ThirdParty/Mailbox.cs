using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Shop.ThirdParty;

/// <summary>A message the provider accepted, through either API shape.</summary>
/// <param name="Api"><c>sendgrid</c> or <c>mailgun</c>: the shape it came in.</param>
/// <param name="From">The sender, or null when the caller left it out (the stub takes that; the real providers do not).</param>
internal sealed record EmailMessage(string Id, string Api, string? From, string To, string Subject, string Text, DateTimeOffset AcceptedAt);

/// <summary>The fake e-mail provider's test-mode inbox: every message accepted, newest last.</summary>
internal sealed class Mailbox(TimeProvider time)
{
    private const int Capacity = 1000;
    private readonly ConcurrentQueue<EmailMessage> _messages = new();

    public EmailMessage Accept(string api, string? from, string to, string subject, string text)
    {
        var message = new EmailMessage("msg_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)), api, from, to, subject, text, time.GetUtcNow());
        _messages.Enqueue(message);
        while (_messages.Count > Capacity && _messages.TryDequeue(out _))
        {
        }

        return message;
    }

    public IReadOnlyList<EmailMessage> All() => [.. _messages];
}

/// <summary>
/// The e-mail provider's two API shapes, as lenient as a test-mode stub is (a missing sender is taken: step 6's vendor
/// contract is what catches it): SendGrid's v3 <c>POST /v3/mail/send</c> (JSON, <c>Authorization: Bearer KEY</c>, 202
/// with no body) and Mailgun's <c>POST /v3/{domain}/messages</c> (form, basic auth <c>api:KEY</c>, 200 with an id).
/// The inbox is readable at <c>GET /email/v1/messages</c> with the key in <c>X-Api-Key</c>.
/// </summary>
internal static class MailboxEndpoints
{
    public static void MapMailbox(this WebApplication app)
    {
        var v3 = app.MapGroup("/v3").AddEndpointFilter<NeverAnswerFilter>();
        v3.MapPost("/mail/send", SendGridAsync);
        v3.MapPost("/{domain}/messages", MailgunAsync);

        // The test-mode inbox, so tests and journeys can see that a mail went out.
        app.MapGet("/email/v1/messages", (HttpContext http, Mailbox mailbox, ProviderKeys keys) =>
            Same(http.Request.Headers["X-Api-Key"].ToString(), keys.EmailApiKey) || Bearer(http) is { } key && Same(key, keys.EmailApiKey)
                ? Results.Ok(mailbox.All())
                : Results.Problem(statusCode: 401, title: "Missing or wrong API key."));
    }

    private static async Task<IResult> SendGridAsync(HttpContext http, Mailbox mailbox, ProviderKeys keys)
    {
        if (Bearer(http) is not { } key || !Same(key, keys.EmailApiKey))
        {
            return SendGridError(401, "The provided authorization grant is invalid, expired, or revoked", null);
        }

        JsonElement body;
        try
        {
            body = (await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted)).RootElement;
        }
        catch (JsonException)
        {
            return SendGridError(400, "Bad Request", null);
        }

        var personalization = body.TryGetProperty("personalizations", out var p) && p.ValueKind == JsonValueKind.Array && p.GetArrayLength() > 0 ? p[0] : default;
        var to = personalization.ValueKind == JsonValueKind.Object && personalization.TryGetProperty("to", out var list) && list.ValueKind == JsonValueKind.Array && list.GetArrayLength() > 0
            ? Text(list[0], "email")
            : null;
        if (to is null || !to.Contains('@', StringComparison.Ordinal))
        {
            return SendGridError(400, "The to array is required for all personalization objects, and must have at least one email object with a valid email address.", "personalizations.0.to");
        }

        var subject = (personalization.ValueKind == JsonValueKind.Object ? Text(personalization, "subject") : null) ?? Text(body, "subject");
        if (string.IsNullOrWhiteSpace(subject))
        {
            return SendGridError(400, "The subject is required.", "subject");
        }

        var text = body.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.Array && content.GetArrayLength() > 0 ? Text(content[0], "value") ?? "" : "";
        var from = body.TryGetProperty("from", out var f) && f.ValueKind == JsonValueKind.Object ? Text(f, "email") : null;
        var message = mailbox.Accept("sendgrid", from, to, subject, text);
        http.Response.Headers["X-Message-Id"] = message.Id;
        return Results.StatusCode(202);
    }

    private static async Task<IResult> MailgunAsync(string domain, HttpContext http, Mailbox mailbox, ProviderKeys keys)
    {
        if (!Basic(http, keys.EmailApiKey))
        {
            return Results.Text("Forbidden", "text/plain", statusCode: 401);
        }

        if (!http.Request.HasFormContentType)
        {
            return Results.Json(new { message = "from, to and subject are sent as a form" }, statusCode: 400);
        }

        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var to = form["to"].ToString();
        if (!to.Contains('@', StringComparison.Ordinal))
        {
            return Results.Json(new { message = "'to' parameter is not a valid address. please check documentation" }, statusCode: 400);
        }

        var message = mailbox.Accept("mailgun", form.ContainsKey("from") ? form["from"].ToString() : null, to, form["subject"].ToString(), form["text"].ToString());
        return Results.Ok(new { id = $"<{message.Id}@{domain}>", message = "Queued. Thank you." });
    }

    private static IResult SendGridError(int status, string message, string? field) =>
        Results.Json(new { errors = new[] { new { message, field, help = (string?)null } } }, statusCode: status);

    private static string? Text(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string? Bearer(HttpContext http) =>
        http.Request.Headers.Authorization.ToString() is { } header && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;

    private static bool Basic(HttpContext http, string key)
    {
        var header = http.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        try
        {
            return Same(Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim())), $"api:{key}");
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static bool Same(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected));
}

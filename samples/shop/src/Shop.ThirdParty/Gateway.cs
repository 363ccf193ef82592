using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Shop.Common;

namespace Shop.ThirdParty;

/// <summary>A charge request from a merchant.</summary>
internal sealed record ChargeRequest(decimal Amount, string Currency, string Reference, string CallbackUrl);

/// <summary>A charge as the gateway reports it, with the Idempotency-Key it was made under (null: none).</summary>
internal sealed record Charge(string Id, decimal Amount, string Currency, string Reference, string Status, DateTimeOffset CreatedAt, string? IdempotencyKey);

/// <summary>
/// The fake payment gateway: accepts charges (202), then confirms each one by a signed webhook to its
/// callback URL, retrying delivery with exponential backoff. Test card rule: an amount whose cents are
/// 13 is declined.
/// </summary>
internal sealed partial class Gateway(
    ProviderKeys keys, IHttpClientFactory httpClients, TimeProvider time, ILogger<Gateway> logger) : BackgroundService
{
    public const string WebhookClient = "webhooks";
    private readonly ConcurrentDictionary<string, Charge> _charges = new();
    private readonly ConcurrentDictionary<string, string> _byIdempotencyKey = new();
    private readonly Channel<(Charge Charge, Uri Callback)> _deliveries = Channel.CreateUnbounded<(Charge, Uri)>();

    public (Charge Charge, bool Created) Create(ChargeRequest request, Uri callback, string? idempotencyKey)
    {
        if (idempotencyKey is not null && _byIdempotencyKey.TryGetValue(idempotencyKey, out var existingId))
        {
            return (_charges[existingId], false);
        }

        var charge = new Charge(
            "ch_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)),
            request.Amount, request.Currency, request.Reference, "processing", time.GetUtcNow(), idempotencyKey);
        if (idempotencyKey is not null && !_byIdempotencyKey.TryAdd(idempotencyKey, charge.Id))
        {
            return (_charges[_byIdempotencyKey[idempotencyKey]], false);
        }

        _charges[charge.Id] = charge;
        _deliveries.Writer.TryWrite((charge, callback));
        return (charge, true);
    }

    public Charge? Find(string id) => _charges.GetValueOrDefault(id);

    /// <summary>The newest <paramref name="limit"/> charges, newest first (Stripe's order).</summary>
    public IReadOnlyList<Charge> List(int limit) =>
        [.. _charges.Values.OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id, StringComparer.Ordinal).Take(limit)];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var (charge, callback) in _deliveries.Reader.ReadAllAsync(stoppingToken))
        {
            _ = Task.Run(() => ConfirmAsync(charge, callback, stoppingToken), stoppingToken);
        }
    }

    private async Task ConfirmAsync(Charge charge, Uri callback, CancellationToken ct)
    {
        await Task.Delay(keys.ConfirmDelay, time, ct);
        var declined = decimal.Remainder(decimal.Truncate(charge.Amount * 100m), 100m) == 13m;
        var settled = charge with { Status = declined ? "failed" : "succeeded" };
        _charges[charge.Id] = settled;
        var body = JsonSerializer.Serialize(
            new { type = declined ? "charge.failed" : "charge.succeeded", data = settled },
            JsonSerializerOptions.Web);

        var client = httpClients.CreateClient(WebhookClient);
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, callback)
                {
                    Content = new StringContent(body, Encoding.UTF8, "application/json"),
                };
                request.Headers.Add(WebhookSignature.HeaderName, WebhookSignature.Sign(keys.WebhookSecret, time.GetUtcNow(), body));
                using var response = await client.SendAsync(request, ct);
                if (response.IsSuccessStatusCode)
                {
                    LogDelivered(charge.Id, settled.Status, attempt);
                    return;
                }

                LogRejected(charge.Id, (int)response.StatusCode, attempt);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                LogUnreachable(charge.Id, ex.GetType().Name, attempt);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250 * Math.Pow(2, attempt)), time, ct);
        }
    }

    /// <summary>The stub only calls back to loopback addresses: it must never become an open relay.</summary>
    public static bool IsAllowedCallback(string url, out Uri? uri) =>
        Uri.TryCreate(url, UriKind.Absolute, out uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && (uri.IsLoopback || (IPAddress.TryParse(uri.Host, out var ip) && IPAddress.IsLoopback(ip)));

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook for {ChargeId} delivered ({Status}) on attempt {Attempt}")]
    private partial void LogDelivered(string chargeId, string status, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook for {ChargeId} rejected with {StatusCode} on attempt {Attempt}")]
    private partial void LogRejected(string chargeId, int statusCode, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook for {ChargeId} not delivered ({Error}) on attempt {Attempt}")]
    private partial void LogUnreachable(string chargeId, string error, int attempt);
}

internal static class GatewayEndpoints
{
    public static void MapGateway(this WebApplication app)
    {
        var group = app.MapGroup("/gateway/v1").AddEndpointFilter<NeverAnswerFilter>();

        group.MapPost("/charges", (ChargeRequest request, HttpContext http, Gateway gateway, ProviderKeys keys) =>
        {
            if (!IsAuthorized(http, keys))
            {
                return Results.Problem(statusCode: 401, title: "Missing or wrong API key.");
            }

            if (request.Amount <= 0 || string.IsNullOrWhiteSpace(request.Reference) || request.Currency is not { Length: 3 })
            {
                return Results.Problem(statusCode: 400, title: "amount > 0, a 3-letter currency and a reference are required.");
            }

            if (!Gateway.IsAllowedCallback(request.CallbackUrl, out var callback))
            {
                return Results.Problem(statusCode: 400, title: "callbackUrl must be an http(s) loopback URL in test mode.");
            }

            var key = http.Request.Headers["Idempotency-Key"].FirstOrDefault();
            var (charge, created) = gateway.Create(request, callback!, key);
            return created
                ? Results.Accepted($"/gateway/v1/charges/{charge.Id}", charge)
                : Results.Ok(charge);
        });

        // The ledger, shaped as Stripe's list object: { object: "list", data: [...], has_more }, newest first, ?limit=1..100 (10).
        group.MapGet("/charges", (HttpContext http, Gateway gateway, ProviderKeys keys, int? limit) =>
        {
            if (!IsAuthorized(http, keys))
            {
                return Results.Problem(statusCode: 401, title: "Missing or wrong API key.");
            }

            if (limit is < 1 or > 100)
            {
                return Results.Problem(statusCode: 400, title: "limit is between 1 and 100.");
            }

            var page = gateway.List((limit ?? 10) + 1);
            return Results.Ok(new { @object = "list", url = "/gateway/v1/charges", has_more = page.Count > (limit ?? 10), data = page.Take(limit ?? 10) });
        });

        group.MapGet("/charges/{id}", (string id, HttpContext http, Gateway gateway, ProviderKeys keys) =>
            !IsAuthorized(http, keys) ? Results.Problem(statusCode: 401, title: "Missing or wrong API key.")
            : gateway.Find(id) is { } charge ? Results.Ok(charge)
            : Results.Problem(statusCode: 404, title: "No such charge."));
    }

    private static bool IsAuthorized(HttpContext http, ProviderKeys keys)
    {
        var header = http.Request.Headers.Authorization.ToString();
        const string Prefix = "Bearer ";
        return header.StartsWith(Prefix, StringComparison.Ordinal)
            && CryptographicOperations.FixedTimeEquals(
                Encoding.UTF8.GetBytes(header[Prefix.Length..]), Encoding.UTF8.GetBytes(keys.GatewayApiKey));
    }
}

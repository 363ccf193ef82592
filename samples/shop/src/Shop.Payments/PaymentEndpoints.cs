using System.Text.Json;
using Shop.Common;

namespace Shop.Payments;

/// <summary>The body of a gateway webhook.</summary>
internal sealed record GatewayEvent(string Type, GatewayEventData Data);

/// <summary>The charge a webhook reports on.</summary>
internal sealed record GatewayEventData(string Id, string Reference, string Status);

internal static partial class PaymentEndpoints
{
    private static readonly TimeSpan SignatureTolerance = TimeSpan.FromMinutes(5);

    public static void MapPayments(this WebApplication app)
    {
        app.MapPost("/payments", async (PaymentRequest request, HttpRequest http, IPaymentStore store, GatewaySubmitter submitter) =>
        {
            if (request.OrderId <= 0 || request.Amount <= 0 || request.Currency is not { Length: 3 })
            {
                return Results.Problem(statusCode: 400, title: "orderId, amount > 0 and a 3-letter currency are required.");
            }

            var key = http.Headers["Idempotency-Key"].FirstOrDefault();
            if (key is { Length: > 100 })
            {
                return Results.Problem(statusCode: 400, title: "Idempotency-Key is at most 100 characters.");
            }

            var (payment, created) = await store.GetOrCreateAsync(request, key, submitter.Instance, http.HttpContext.RequestAborted);
            if (payment.OrderId != request.OrderId)
            {
                return Results.Problem(statusCode: 422, title: "This Idempotency-Key was used for another order's payment.");
            }

            if (!payment.Matches(request))
            {
                // A kept store outlives an api database that was reset: the same order id now asks for another amount.
                return Results.Problem(statusCode: 422, title: "This order's payment was made for another amount or currency.");
            }

            if (!created)
            {
                return Results.Ok(payment);
            }

            submitter.Enqueue(payment.Id);
            return Results.Accepted($"/payments/{payment.Id}", payment);
        });

        app.MapGet("/payments/{id}", async (string id, IPaymentStore store, CancellationToken ct) =>
            await store.FindAsync(id, ct) is { } payment ? Results.Ok(payment) : Results.Problem(statusCode: 404, title: "No such payment."));

        app.MapPost("/webhooks/gateway", async (HttpRequest http, IPaymentStore store, PaymentsSettings settings,
            TimeProvider time, ILoggerFactory logs, FaultSwitches faults) =>
        {
            var log = logs.CreateLogger("Shop.Payments.Webhooks");
            using var reader = new StreamReader(http.Body);
            var body = await reader.ReadToEndAsync(http.HttpContext.RequestAborted);
            // webhook-unsigned: the defect, anyone can post the gateway's events.
            if (!faults.IsOn(FaultSwitches.WebhookUnsigned) && !WebhookSignature.Verify(settings.WebhookSecret, http.Headers[WebhookSignature.HeaderName], body,
                    time.GetUtcNow(), SignatureTolerance))
            {
                LogBadSignature(log);
                return Results.Problem(statusCode: 401, title: "Invalid webhook signature.");
            }

            var evt = JsonSerializer.Deserialize<GatewayEvent>(body, JsonSerializerOptions.Web);
            if (evt?.Data is null)
            {
                return Results.Problem(statusCode: 400, title: "Unreadable event.");
            }

            var status = evt.Type switch
            {
                "charge.succeeded" => "succeeded",
                "charge.failed" => "failed",
                _ => null,
            };
            if (status is null)
            {
                return Results.NoContent(); // Events we do not handle are acknowledged, as providers expect.
            }

            var updated = await store.UpdateAsync(evt.Data.Reference, p => p with { Status = status, GatewayChargeId = evt.Data.Id }, http.HttpContext.RequestAborted);
            return updated is null ? Results.Problem(statusCode: 404, title: "No such payment.") : Results.NoContent();
        });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected a gateway webhook with a bad signature")]
    private static partial void LogBadSignature(ILogger logger);
}

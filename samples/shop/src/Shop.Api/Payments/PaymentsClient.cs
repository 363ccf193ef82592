using Polly.CircuitBreaker;
using Polly.Timeout;
using Shop.Common;

namespace Shop.Api.Payments;

/// <summary>The payments service's view of a payment.</summary>
internal sealed record PaymentInfo(string Id, long OrderId, string Status);

/// <summary>What payments said about a payment: the payment, or that it does not know it (<see cref="IsUnknown"/>), or nothing.</summary>
internal sealed record PaymentLookup(PaymentInfo? Payment, bool IsUnknown)
{
    public static readonly PaymentLookup Unknown = new(null, true);

    public static readonly PaymentLookup Unavailable = new(null, false);
}

/// <summary>The circuit breaker in front of payments (state shown by /health/ready).</summary>
internal sealed class PaymentsCircuit
{
    public CircuitMonitor Monitor { get; } = new();
}

/// <summary>
/// Calls the payments service: 2 s per attempt, 6 s in all, 2 retries with exponential backoff and jitter,
/// and a circuit breaker (50% failures over at least 4 calls in 10 s opens it for 5 s). Failures come back
/// as null so callers can take the fallback; they never throw for a sick dependency.
/// </summary>
internal sealed partial class PaymentsClient(HttpClient http, ILogger<PaymentsClient> logger)
{
    public static CallPolicy PolicyFor(FaultSwitches faults) => new()
    {
        AttemptTimeout = TimeSpan.FromSeconds(2),
        TotalTimeout = TimeSpan.FromSeconds(6),
        Retries = 2,
        BaseDelay = TimeSpan.FromMilliseconds(100),
        CircuitBreaker = !faults.IsOn(FaultSwitches.NoCircuitBreaker),
    };

    public async Task<PaymentInfo?> CreateAsync(long orderId, decimal amount, string currency, string idempotencyKey, CancellationToken ct)
    {
        try
        {
            // Safe to retry: payments answers a repeated Idempotency-Key (and a repeated order id) with the same payment.
            using var request = new HttpRequestMessage(HttpMethod.Post, "/payments") { Content = JsonContent.Create(new { orderId, amount, currency }) };
            request.Headers.Add("Idempotency-Key", idempotencyKey);
            using var response = await http.SendAsync(request, ct);
            response.EnsureSuccessStatusCode();
            return await response.Content.ReadFromJsonAsync<PaymentInfo>(ct);
        }
        catch (Exception ex) when (IsUnavailable(ex, ct))
        {
            LogUnavailable(ex.GetType().Name);
            return null;
        }
    }

    /// <summary>
    /// The payment as payments knows it; <see cref="PaymentLookup.Unknown"/> when payments answers 404 (it keeps
    /// payments in memory, so a restart forgets them); <see cref="PaymentLookup.Unavailable"/> when it cannot say.
    /// </summary>
    public async Task<PaymentLookup> GetAsync(string paymentId, CancellationToken ct)
    {
        try
        {
            using var response = await http.GetAsync($"/payments/{Uri.EscapeDataString(paymentId)}", ct);
            if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                return PaymentLookup.Unknown;
            }

            response.EnsureSuccessStatusCode();
            return new PaymentLookup(await response.Content.ReadFromJsonAsync<PaymentInfo>(ct), false);
        }
        catch (Exception ex) when (IsUnavailable(ex, ct))
        {
            LogUnavailable(ex.GetType().Name);
            return PaymentLookup.Unavailable;
        }
    }

    private static bool IsUnavailable(Exception ex, CancellationToken ct) =>
        ex is HttpRequestException or BrokenCircuitException or TimeoutRejectedException or System.Text.Json.JsonException
        || (ex is OperationCanceledException && !ct.IsCancellationRequested);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Payments unavailable ({Error}); taking the fallback")]
    private partial void LogUnavailable(string error);
}

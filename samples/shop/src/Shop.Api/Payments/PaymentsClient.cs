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

/// <summary>
/// One payments instance as the api sees it: named as in the manifest (<c>payments</c>, then <c>payments-2</c>, ...), its
/// address, and its own circuit breaker (state shown by /health/ready under its name).
/// </summary>
internal sealed record PaymentsInstance(string Name, Uri Url)
{
    public CircuitMonitor Circuit { get; } = new();

    public string HttpClientName => "payments:" + Name;

    /// <summary>The instances of SHOP_PAYMENTS_URL, in its order.</summary>
    public static IReadOnlyList<PaymentsInstance> Of(IReadOnlyList<Uri> urls) =>
        [.. urls.Select((url, n) => new PaymentsInstance(n == 0 ? "payments" : $"payments-{n + 1}", url))];
}

/// <summary>
/// Calls the payments instances, each through its own resilient client: 2 s per attempt, 6 s in all, 2 retries with
/// exponential backoff and jitter, and a circuit breaker per instance (50% failures over at least 4 calls in 10 s opens
/// it for 5 s). A new payment goes to the first instance that takes it (the others in turn when it fails or its breaker
/// is open): the instance that creates a payment charges the gateway, so a fault on one instance's gateway edge meets
/// every order. Status reads go round-robin over every instance, the next one taking over when one fails. Failures come
/// back as null so callers can take the fallback; they never throw for a sick dependency.
/// </summary>
internal sealed partial class PaymentsClient(IHttpClientFactory factory, IReadOnlyList<PaymentsInstance> instances, FaultSwitches faults, ILogger<PaymentsClient> logger)
{
    private static int s_next = -1;

    public static CallPolicy PolicyFor(FaultSwitches faults) => new()
    {
        AttemptTimeout = TimeSpan.FromSeconds(2),
        TotalTimeout = TimeSpan.FromSeconds(6),
        Retries = 2,
        BaseDelay = TimeSpan.FromMilliseconds(100),
        CircuitBreaker = !faults.IsOn(FaultSwitches.NoCircuitBreaker),
    };

    /// <summary>Every instance, beginning with the next in turn (round-robin); payments-pinned: always the first.</summary>
    private IEnumerable<PaymentsInstance> InTurn()
    {
        var first = faults.IsOn(FaultSwitches.PaymentsPinned) ? 0 : (int)((uint)Interlocked.Increment(ref s_next) % (uint)instances.Count);
        return Enumerable.Range(0, instances.Count).Select(n => instances[(first + n) % instances.Count]);
    }

    public async Task<PaymentInfo?> CreateAsync(long orderId, decimal amount, string currency, string idempotencyKey, CancellationToken ct)
    {
        foreach (var instance in instances)
        {
            try
            {
                // Safe to retry, and to send to another instance: payments answers a repeated Idempotency-Key (and a
                // repeated order id) with the same payment, from the store the instances share.
                using var request = new HttpRequestMessage(HttpMethod.Post, "/payments") { Content = JsonContent.Create(new { orderId, amount, currency }) };
                request.Headers.Add("Idempotency-Key", idempotencyKey);
                using var response = await factory.CreateClient(instance.HttpClientName).SendAsync(request, ct);
                response.EnsureSuccessStatusCode();
                return await response.Content.ReadFromJsonAsync<PaymentInfo>(ct);
            }
            catch (Exception ex) when (IsUnavailable(ex, ct))
            {
                LogUnavailable(instance.Name, ex.GetType().Name);
            }
        }

        return null;
    }

    /// <summary>
    /// The payment as payments knows it; <see cref="PaymentLookup.Unknown"/> when payments answers 404 (an instance that
    /// keeps payments in memory forgets them when restarted); <see cref="PaymentLookup.Unavailable"/> when no instance can say.
    /// </summary>
    public async Task<PaymentLookup> GetAsync(string paymentId, CancellationToken ct)
    {
        foreach (var instance in InTurn())
        {
            try
            {
                using var response = await factory.CreateClient(instance.HttpClientName).GetAsync($"/payments/{Uri.EscapeDataString(paymentId)}", ct);
                if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
                {
                    return PaymentLookup.Unknown;
                }

                response.EnsureSuccessStatusCode();
                return new PaymentLookup(await response.Content.ReadFromJsonAsync<PaymentInfo>(ct), false);
            }
            catch (Exception ex) when (IsUnavailable(ex, ct))
            {
                LogUnavailable(instance.Name, ex.GetType().Name);
            }
        }

        return PaymentLookup.Unavailable;
    }

    private static bool IsUnavailable(Exception ex, CancellationToken ct) =>
        ex is HttpRequestException or BrokenCircuitException or TimeoutRejectedException or System.Text.Json.JsonException
        || (ex is OperationCanceledException && !ct.IsCancellationRequested);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Payments instance {Instance} unavailable ({Error}); trying the next or taking the fallback")]
    private partial void LogUnavailable(string instance, string error);
}

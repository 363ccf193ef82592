using System.Net.Http.Headers;
using Shop.Common;

namespace Shop.Payments;

/// <summary>The circuit breaker state of the gateway client.</summary>
internal sealed class GatewayCircuit
{
    public CircuitMonitor Monitor { get; } = new();
}

/// <summary>The gateway's answer to a charge.</summary>
internal sealed record GatewayCharge(string Id, string Status);

/// <summary>Calls the external payment gateway: 2 s per attempt, 6 s in all, 3 retries with backoff, breaker.</summary>
internal sealed class GatewayClient(HttpClient http, PaymentsSettings settings)
{
    public static CallPolicy PolicyFor(FaultSwitches faults) => new()
    {
        AttemptTimeout = TimeSpan.FromSeconds(2),
        TotalTimeout = TimeSpan.FromSeconds(6),
        Retries = faults.IsOn(FaultSwitches.NoRetry) ? 0 : 3, // no-retry: the defect, the first error ends the call
        BaseDelay = TimeSpan.FromMilliseconds(300),
    };

    public async Task<GatewayCharge> ChargeAsync(Payment payment, Uri callback, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/gateway/v1/charges")
        {
            Content = JsonContent.Create(new
            {
                amount = payment.Amount,
                currency = payment.Currency,
                reference = payment.Id,
                callbackUrl = callback.ToString(),
            }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", settings.GatewayApiKey);
        // The payment id makes retried charges safe: the gateway answers a repeat with the same charge.
        request.Headers.Add("Idempotency-Key", payment.Id);
        using var response = await http.SendAsync(request, ct);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<GatewayCharge>(ct)
            ?? throw new HttpRequestException("The gateway answered with an empty body.");
    }

    public async Task<bool> IsReachableAsync(CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            // Straight to the socket, outside the pipeline: a probe must not trip or wait on the breaker.
            using var probe = new HttpClient { BaseAddress = settings.GatewayUrl };
            using var response = await probe.GetAsync("/health/live", cts.Token);
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return false;
        }
    }
}

internal static class GatewayClientRegistration
{
    public static IServiceCollection AddGatewayClient(this IServiceCollection services, PaymentsSettings settings, FaultSwitches faults)
    {
        var client = services.AddHttpClient<GatewayClient>(c => c.BaseAddress = settings.GatewayUrl)
            .AddShopResilience("gateway", GatewayClient.PolicyFor(faults), services.BuildCircuit());
        if (faults.IsOn(FaultSwitches.DoubleCharge))
        {
            // The defect: a handler added after the resilience handler runs once per attempt, so each retry gets a new key.
            client.AddHttpMessageHandler(() => new FreshIdempotencyKeyHandler());
        }

        return services;
    }

    private static CircuitMonitor BuildCircuit(this IServiceCollection services)
    {
        var circuit = new GatewayCircuit();
        services.AddSingleton(circuit);
        return circuit.Monitor;
    }
}

/// <summary>double-charge: replaces the request's Idempotency-Key with a new one on every send (a key made per attempt, as a misplaced handler does).</summary>
internal sealed class FreshIdempotencyKeyHandler : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Headers.Remove("Idempotency-Key"))
        {
            request.Headers.Add("Idempotency-Key", "pay_" + Guid.NewGuid().ToString("N")[..16]);
        }

        return base.SendAsync(request, cancellationToken);
    }
}

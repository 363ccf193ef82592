using System.Threading.Channels;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Polly.CircuitBreaker;

namespace Shop.Payments;

/// <summary>
/// Submits payments to the gateway off the request path. Fallback when the gateway cannot be reached
/// (timeouts, errors, open breaker): the payment waits as <c>gateway_pending</c> and is submitted again
/// every few seconds.
/// </summary>
internal sealed partial class GatewaySubmitter(
    PaymentStore store, IServiceScopeFactory scopes, PaymentsSettings settings, IServer server,
    TimeProvider time, ILogger<GatewaySubmitter> logger) : BackgroundService
{
    private static readonly TimeSpan RetryEvery = TimeSpan.FromSeconds(3);
    private readonly Channel<string> _queue = Channel.CreateUnbounded<string>();

    public void Enqueue(string paymentId) => _queue.Writer.TryWrite(paymentId);

    public int Pending => store.WithStatus("gateway_pending").Count();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(RetryEvery, time);
        var retries = RequeueAsync(timer, stoppingToken);
        await foreach (var id in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            // One at a time keeps the sample simple; the gateway answers in milliseconds when healthy.
            await SubmitAsync(id, stoppingToken);
        }

        await retries;
    }

    private async Task RequeueAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                foreach (var payment in store.WithStatus("gateway_pending"))
                {
                    Enqueue(payment.Id);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task SubmitAsync(string id, CancellationToken ct)
    {
        var payment = store.Find(id);
        if (payment is null || payment.Status is "succeeded" or "failed" || payment.GatewayChargeId is not null)
        {
            return;
        }

        using var scope = scopes.CreateScope();
        var client = scope.ServiceProvider.GetRequiredService<GatewayClient>();
        try
        {
            var charge = await client.ChargeAsync(payment, CallbackUrl(), ct);
            store.Update(id, p => p with { Status = p.Status is "succeeded" or "failed" ? p.Status : "processing", GatewayChargeId = charge.Id });
            LogSubmitted(id, charge.Id);
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutException or BrokenCircuitException
                                       or Polly.Timeout.TimeoutRejectedException
                                   || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            store.Update(id, p => p with { Status = "gateway_pending" });
            LogQueued(id, ex.GetType().Name);
        }
    }

    private Uri CallbackUrl()
    {
        var root = settings.PublicUrl
            ?? new Uri(server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://127.0.0.1:7201");
        return new Uri(root, "/webhooks/gateway");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Payment {PaymentId} submitted as charge {ChargeId}")]
    private partial void LogSubmitted(string paymentId, string chargeId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gateway unavailable for payment {PaymentId} ({Error}); queued for retry")]
    private partial void LogQueued(string paymentId, string error);
}

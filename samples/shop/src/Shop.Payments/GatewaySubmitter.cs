using System.Threading.Channels;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Polly.CircuitBreaker;

namespace Shop.Payments;

/// <summary>
/// Submits payments to the gateway off the request path. Fallback when the gateway cannot be reached
/// (timeouts, errors, open breaker): the payment waits as <c>gateway_pending</c> and is submitted again
/// every few seconds (<see cref="PaymentsSettings.ResubmitEvery"/>).
/// </summary>
internal sealed partial class GatewaySubmitter(
    IPaymentStore store, IServiceScopeFactory scopes, PaymentsSettings settings, IServer server,
    TimeProvider time, ILogger<GatewaySubmitter> logger) : BackgroundService
{
    /// <summary>
    /// A pending payment that its instance has not sent again for this long is taken over by another instance of a
    /// shared store (its own instance would have touched it every <see cref="PaymentsSettings.ResubmitEvery"/>). <value>30 s</value>.
    /// </summary>
    private static readonly TimeSpan TakeOverAfter = TimeSpan.FromSeconds(30);
    private readonly Channel<string> _queue = Channel.CreateUnbounded<string>();

    /// <summary>This process among the instances that share a store: the payments it created are the ones it sends again.</summary>
    public string Instance { get; } = "payments-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6));

    public void Enqueue(string paymentId) => _queue.Writer.TryWrite(paymentId);

    public async Task<int> PendingAsync(CancellationToken ct) => (await store.ToResubmitAsync(Instance, time.GetUtcNow() - TakeOverAfter, ct)).Count;

    /// <summary>
    /// Payments sent to the gateway at once. <value>4</value>. One at a time, a charge's round trip (through the edge's
    /// proxy under step 8's 500 users) bounded the orders paid per second below the orders placed, and placed -> paid
    /// grew with the queue. A payment queued twice (placed, then resubmitted) is safe: its id is its Idempotency-Key.
    /// </summary>
    private const int Senders = 4;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(settings.ResubmitEvery, time);
        var retries = RequeueAsync(timer, stoppingToken);
        await Task.WhenAll(Enumerable.Range(0, Senders).Select(_ => SendAsync(stoppingToken)));
        await retries;
    }

    private async Task SendAsync(CancellationToken ct)
    {
        await foreach (var id in _queue.Reader.ReadAllAsync(ct))
        {
            try
            {
                await SubmitAsync(id, ct);
            }
            catch (System.Data.Common.DbException ex)
            {
                // The shared store is away for a moment: the payment stays as it was and the next round takes it.
                LogStoreFailed(id, ex.GetType().Name);
            }
        }
    }

    private async Task RequeueAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                try
                {
                    foreach (var payment in await store.ToResubmitAsync(Instance, time.GetUtcNow() - TakeOverAfter, ct))
                    {
                        Enqueue(payment.Id);
                    }
                }
                catch (System.Data.Common.DbException ex)
                {
                    LogStoreFailed("(queued)", ex.GetType().Name);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task SubmitAsync(string id, CancellationToken ct)
    {
        var payment = await store.FindAsync(id, ct);
        if (payment is null || payment.Status is "succeeded" or "failed" || payment.GatewayChargeId is not null)
        {
            return;
        }

        using var scope = scopes.CreateScope();
        var client = scope.ServiceProvider.GetRequiredService<GatewayClient>();
        try
        {
            var charge = await client.ChargeAsync(payment, CallbackUrl(), ct);
            await store.UpdateAsync(id, p => p with { Status = p.Status is "succeeded" or "failed" ? p.Status : "processing", GatewayChargeId = charge.Id }, ct);
            LogSubmitted(id, charge.Id);
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutException or BrokenCircuitException
                                       or Polly.Timeout.TimeoutRejectedException
                                   || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            await store.UpdateAsync(id, p => p with { Status = "gateway_pending" }, ct);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Payment store unavailable for payment {PaymentId} ({Error}); tried again later")]
    private partial void LogStoreFailed(string paymentId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gateway unavailable for payment {PaymentId} ({Error}); queued for retry")]
    private partial void LogQueued(string paymentId, string error);
}

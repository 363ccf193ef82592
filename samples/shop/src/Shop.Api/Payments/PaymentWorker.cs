using Shop.Api.Email;
using Shop.Api.Orders;

namespace Shop.Api.Payments;

/// <summary>
/// Every half second: submits queued <c>payment_pending</c> orders to payments (the fallback's retry queue;
/// while the breaker is open these calls fail fast, and after its break they are the probes that close it), and asks payments about <c>awaiting_payment</c> orders, moving them to
/// <c>paid</c> or <c>payment_failed</c>. Each change is pushed to SSE subscribers.
/// </summary>
internal sealed partial class PaymentWorker(
    IServiceScopeFactory scopes, OrderEvents events, EmailOutbox outbox,
    TimeProvider time, ILogger<PaymentWorker> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(ex);
            }
        }
    }

    private async Task RunOnceAsync(CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var orders = scope.ServiceProvider.GetRequiredService<OrderStore>();
        var payments = scope.ServiceProvider.GetRequiredService<PaymentsClient>();

        foreach (var order in await orders.WithStatusAsync(OrderStatus.PaymentPending, 20, ct))
        {
            if (await payments.CreateAsync(order.Id, order.Total, order.Currency, ct) is { } payment)
            {
                await MoveAsync(orders, order, OrderStatus.PaymentPending, OrderStatus.AwaitingPayment, payment.Id, ct);
            }
        }

        foreach (var order in await orders.WithStatusAsync(OrderStatus.AwaitingPayment, 50, ct))
        {
            if (order.PaymentId is null)
            {
                continue;
            }

            var payment = await payments.GetAsync(order.PaymentId, ct);
            var next = payment?.Status switch
            {
                "succeeded" => OrderStatus.Paid,
                "failed" => OrderStatus.PaymentFailed,
                _ => null,
            };
            if (next is not null && await MoveAsync(orders, order, OrderStatus.AwaitingPayment, next, null, ct) is { } moved
                && next == OrderStatus.Paid && await orders.EmailOfAsync(moved.UserId, ct) is { } email)
            {
                outbox.Enqueue(new Mail(email, $"Order {moved.Id} is paid",
                    $"Thank you! We received {moved.Total:0.00} {moved.Currency} for order {moved.Id}."));
            }
        }
    }

    private async Task<Order?> MoveAsync(OrderStore orders, Order order, string from, string to, string? paymentId, CancellationToken ct)
    {
        var (moved, error) = await orders.ChangeStatusAsync(order.Id, null, [from], to, paymentId, ct);
        if (error != OrderError.None || moved is null)
        {
            return null; // Someone else (a cancel, the request path) changed it first.
        }

        events.Publish(moved);
        LogMoved(order.Id, from, to);
        return moved;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId}: {From} -> {To}")]
    private partial void LogMoved(long orderId, string from, string to);

    [LoggerMessage(Level = LogLevel.Error, Message = "Payment worker round failed")]
    private partial void LogFailed(Exception exception);
}

using System.Threading.Channels;
using Shop.Api.Email;
using Shop.Api.Orders;

namespace Shop.Api.Payments;

/// <summary>Wakes the payment worker when an order has been placed, so its payment goes out at once.</summary>
internal sealed class PaymentSignal
{
    private readonly Channel<bool> _kicks = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Kick() => _kicks.Writer.TryWrite(true);

    /// <summary>Waits for a kick or <paramref name="timeout"/>, whichever comes first.</summary>
    public async Task WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken ct)
    {
        using var elapsed = new CancellationTokenSource(timeout, time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(elapsed.Token, ct);
        try
        {
            await _kicks.Reader.WaitToReadAsync(either.Token);
            _kicks.Reader.TryRead(out _);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // The interval passed without a kick.
        }
    }
}

/// <summary>
/// Takes the payments of placed orders, off the request path, in two loops that do not wait for each other. The
/// submitting loop sends the outbox's unsent payments to payments (with the row's <c>Idempotency-Key</c>; while the
/// breaker is open these calls fail fast and the rows wait, and after its break they are the probes that close it),
/// moving each order to <c>awaiting_payment</c>; it runs when an order is placed (<see cref="PaymentSignal"/>) or after
/// <see cref="PollInterval"/>. The polling loop asks payments every <see cref="PollInterval"/> about
/// <c>awaiting_payment</c> orders, moving them to <c>paid</c> (and mailing the customer) or <c>payment_failed</c>.
/// Each change is pushed to SSE subscribers. (One loop doing both made new payments wait for a page of lookups, and
/// lookups for a batch of new payments: under step 8's 500 users placed -> paid grew to seconds.)
/// </summary>
internal sealed partial class PaymentWorker(
    IServiceScopeFactory scopes, OrderEvents events, EmailOutbox outbox, PaymentSignal signal,
    TimeProvider time, ILogger<PaymentWorker> logger) : BackgroundService
{
    /// <summary>How often payments is asked about submitted payments. <value>250 ms</value>.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>Awaiting orders asked about per round. <value>50</value>.</summary>
    private const int PollPage = 50;

    /// <summary>Unsent payments taken per round. <value>50</value>.</summary>
    private const int SubmitPage = 50;

    /// <summary>Calls to payments a loop makes at once. <value>8</value>.</summary>
    private const int Parallelism = 8;

    private long _pollAfter;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The polling loop keeps its pace: a round that took longer than the interval is followed by the next at once.
        using var pace = new PeriodicTimer(PollInterval, time);
        await Task.WhenAll(
            LoopAsync(SubmitAsync, ct => signal.WaitAsync(PollInterval, time, ct), stoppingToken),
            LoopAsync(PollAsync, async ct => await pace.WaitForNextTickAsync(ct), stoppingToken));
    }

    private async Task LoopAsync(Func<OrderStore, PaymentsClient, CancellationToken, Task> round, Func<CancellationToken, Task> wait, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                using (var scope = scopes.CreateScope())
                {
                    await round(scope.ServiceProvider.GetRequiredService<OrderStore>(), scope.ServiceProvider.GetRequiredService<PaymentsClient>(), stoppingToken);
                }

                await wait(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogFailed(ex);
                await Task.Delay(PollInterval, time, stoppingToken);
            }
        }
    }

    private async Task SubmitAsync(OrderStore orders, PaymentsClient payments, CancellationToken ct)
    {
        var away = false;
        await Parallel.ForEachAsync(await orders.UnsentPaymentsAsync(SubmitPage, ct), InParallel(ct), async (entry, token) =>
        {
            if (Volatile.Read(ref away))
            {
                return; // Payments is away (or its breaker open): the rest wait for the next round.
            }

            if (await payments.CreateAsync(entry.OrderId, entry.Amount, entry.Currency, entry.IdempotencyKey, token) is not { } payment)
            {
                Volatile.Write(ref away, true);
                await orders.PaymentAttemptFailedAsync(entry.OrderId, token);
                return;
            }

            if (await orders.MarkPaymentSentAsync(entry.OrderId, payment.Id, token) is { } moved)
            {
                Moved(moved, OrderStatus.PaymentPending);
            }
        });
    }

    private async Task PollAsync(OrderStore orders, PaymentsClient payments, CancellationToken ct)
    {
        // A page of awaiting orders per round, resuming after the last one asked about: a payment that stays
        // open (a gateway that never confirms) never starves the orders placed after it.
        var awaiting = await orders.WithStatusAsync(OrderStatus.AwaitingPayment, PollPage, _pollAfter, ct);
        _pollAfter = awaiting.Count < PollPage ? 0 : awaiting[^1].Id;
        await Parallel.ForEachAsync(awaiting.Where(o => o.PaymentId is not null), InParallel(ct), async (order, token) =>
        {
            var lookup = await payments.GetAsync(order.PaymentId!, token);
            if (lookup.IsUnknown)
            {
                await SubmitAgainAsync(orders, payments, order, token);
                return;
            }

            var next = lookup.Payment?.Status switch
            {
                "succeeded" => OrderStatus.Paid,
                "failed" => OrderStatus.PaymentFailed,
                _ => null,
            };
            if (next is not null && await MoveAsync(orders, order, OrderStatus.AwaitingPayment, next, token) is { } moved
                && next == OrderStatus.Paid && await orders.EmailOfAsync(moved.UserId, token) is { } email)
            {
                outbox.Enqueue(new Mail(email, $"Order {moved.Id} is paid",
                    $"Thank you! We received {moved.Total:0.00} {moved.Currency} for order {moved.Id}."));
            }
        });
    }

    /// <summary>A round's calls to payments, <see cref="Parallelism"/> at a time: one by one, a round took longer than the orders placed meanwhile under load.</summary>
    private static ParallelOptions InParallel(CancellationToken ct) => new() { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct };

    /// <summary>
    /// Payments no longer knows the order's payment (it keeps them in memory, and was restarted): the payment is
    /// submitted again under the order's idempotency key, and the order follows the new payment.
    /// </summary>
    private async Task SubmitAgainAsync(OrderStore orders, PaymentsClient payments, Order order, CancellationToken ct)
    {
        if (await orders.PaymentOfAsync(order.Id, ct) is not { } entry)
        {
            return;
        }

        LogUnknownPayment(order.PaymentId!, order.Id);
        if (await payments.CreateAsync(entry.OrderId, entry.Amount, entry.Currency, entry.IdempotencyKey, ct) is { } payment)
        {
            await orders.ReplacePaymentAsync(order.Id, order.PaymentId!, payment.Id, ct);
        }
    }

    private async Task<Order?> MoveAsync(OrderStore orders, Order order, string from, string to, CancellationToken ct)
    {
        var (moved, error) = await orders.ChangeStatusAsync(order.Id, null, [from], to, null, ct);
        if (error != OrderError.None || moved is null)
        {
            return null; // Someone else (a cancel) changed it first.
        }

        Moved(moved, from);
        return moved;
    }

    private void Moved(Order moved, string from)
    {
        events.Publish(moved);
        LogMoved(moved.Id, from, moved.Status);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId}: {From} -> {To}")]
    private partial void LogMoved(long orderId, string from, string to);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Payments does not know payment {PaymentId} of order {OrderId} (restarted?): submitting it again under the order's idempotency key")]
    private partial void LogUnknownPayment(string paymentId, long orderId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Payment worker round failed")]
    private partial void LogFailed(Exception exception);
}

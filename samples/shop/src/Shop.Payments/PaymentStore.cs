using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Shop.Payments;

/// <summary>A payment request from the api.</summary>
internal sealed record PaymentRequest(long OrderId, decimal Amount, string Currency);

/// <summary>
/// A payment. Status: <c>processing</c> (sent to the gateway), <c>gateway_pending</c> (gateway unreachable,
/// queued for retry), <c>succeeded</c>, <c>failed</c>.
/// </summary>
internal sealed record Payment(
    string Id, long OrderId, decimal Amount, string Currency, string Status, string? GatewayChargeId,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    /// <summary>A new payment for <paramref name="request"/>, in <c>processing</c>.</summary>
    public static Payment For(PaymentRequest request, DateTimeOffset now) => new(
        "pay_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)), request.OrderId,
        request.Amount, request.Currency, "processing", null, now, now);

    /// <summary>Whether a repeated request asks for this very payment (same order, amount and currency).</summary>
    public bool Matches(PaymentRequest request) =>
        OrderId == request.OrderId && Amount == request.Amount && string.Equals(Currency, request.Currency, StringComparison.Ordinal);
}

/// <summary>
/// Where payments live: one payment per order, and one per <c>Idempotency-Key</c>: a repeated request (a retry of the
/// api's payment worker, or the same call sent to another instance) gets the payment the first one created.
/// </summary>
internal interface IPaymentStore
{
    /// <summary>
    /// The payment of <paramref name="idempotencyKey"/> or of the request's order, or a new one that
    /// <paramref name="submitter"/> (this instance) submits to the gateway.
    /// </summary>
    Task<(Payment Payment, bool Created)> GetOrCreateAsync(PaymentRequest request, string? idempotencyKey, string submitter, CancellationToken ct);

    /// <summary>
    /// The <c>gateway_pending</c> payments <paramref name="submitter"/> sends again: its own, and those whose submitter
    /// has not touched them since <paramref name="staleBefore"/> (that instance is gone: this one takes them over).
    /// </summary>
    Task<IReadOnlyList<Payment>> ToResubmitAsync(string submitter, DateTimeOffset staleBefore, CancellationToken ct);

    Task<Payment?> FindAsync(string id, CancellationToken ct);

    Task<IReadOnlyList<Payment>> WithStatusAsync(string status, CancellationToken ct);

    /// <summary>Applies <paramref name="change"/> to the payment (again, if another writer came first); null when unknown.</summary>
    Task<Payment?> UpdateAsync(string id, Func<Payment, Payment> change, CancellationToken ct);
}

/// <summary>In memory: one instance of payments only (a second one would not know the first one's payments).</summary>
internal sealed class MemoryPaymentStore(TimeProvider time) : IPaymentStore
{
    private readonly ConcurrentDictionary<string, Payment> _payments = new();
    private readonly ConcurrentDictionary<long, string> _byOrder = new();
    private readonly ConcurrentDictionary<string, string> _byKey = new(StringComparer.Ordinal);

    public Task<(Payment Payment, bool Created)> GetOrCreateAsync(PaymentRequest request, string? idempotencyKey, string submitter, CancellationToken ct)
    {
        if (idempotencyKey is null)
        {
            return Task.FromResult(GetOrCreate(request));
        }

        var (payment, created) = _byKey.TryGetValue(idempotencyKey, out var known) ? (_payments[known], false) : GetOrCreate(request);
        var first = _byKey.GetOrAdd(idempotencyKey, payment.Id);
        return Task.FromResult(first == payment.Id ? (payment, created) : (_payments[first], false));
    }

    private (Payment Payment, bool Created) GetOrCreate(PaymentRequest request)
    {
        var candidate = Payment.For(request, time.GetUtcNow());
        var id = _byOrder.GetOrAdd(request.OrderId, candidate.Id);
        if (id != candidate.Id)
        {
            return (_payments[id], false);
        }

        _payments[id] = candidate;
        return (candidate, true);
    }

    public Task<Payment?> FindAsync(string id, CancellationToken ct) => Task.FromResult(_payments.GetValueOrDefault(id));

    public Task<IReadOnlyList<Payment>> ToResubmitAsync(string submitter, DateTimeOffset staleBefore, CancellationToken ct) =>
        WithStatusAsync("gateway_pending", ct);

    public Task<IReadOnlyList<Payment>> WithStatusAsync(string status, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<Payment>>([.. _payments.Values.Where(p => p.Status == status)]);

    public Task<Payment?> UpdateAsync(string id, Func<Payment, Payment> change, CancellationToken ct)
    {
        while (_payments.TryGetValue(id, out var current))
        {
            var next = change(current) with { UpdatedAt = time.GetUtcNow() };
            if (_payments.TryUpdate(id, next, current))
            {
                return Task.FromResult<Payment?>(next);
            }
        }

        return Task.FromResult<Payment?>(null);
    }
}

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
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>
/// In-memory payments; one payment per order, and one per <c>Idempotency-Key</c>: a repeated request (a retry of the
/// api's payment worker) gets the payment the first one created.
/// </summary>
internal sealed class PaymentStore(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Payment> _payments = new();
    private readonly ConcurrentDictionary<long, string> _byOrder = new();
    private readonly ConcurrentDictionary<string, string> _byKey = new(StringComparer.Ordinal);

    /// <summary>The payment of <paramref name="idempotencyKey"/> or of the request's order, or a new one.</summary>
    public (Payment Payment, bool Created) GetOrCreate(PaymentRequest request, string? idempotencyKey)
    {
        if (idempotencyKey is null)
        {
            return GetOrCreate(request);
        }

        var (payment, created) = _byKey.TryGetValue(idempotencyKey, out var known) ? (_payments[known], false) : GetOrCreate(request);
        var first = _byKey.GetOrAdd(idempotencyKey, payment.Id);
        return first == payment.Id ? (payment, created) : (_payments[first], false);
    }

    private (Payment Payment, bool Created) GetOrCreate(PaymentRequest request)
    {
        var now = time.GetUtcNow();
        var candidate = new Payment(
            "pay_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)), request.OrderId,
            request.Amount, request.Currency, "processing", null, now, now);
        var id = _byOrder.GetOrAdd(request.OrderId, candidate.Id);
        if (id != candidate.Id)
        {
            return (_payments[id], false);
        }

        _payments[id] = candidate;
        return (candidate, true);
    }

    public Payment? Find(string id) => _payments.GetValueOrDefault(id);

    public IEnumerable<Payment> WithStatus(string status) => _payments.Values.Where(p => p.Status == status);

    public Payment? Update(string id, Func<Payment, Payment> change)
    {
        while (_payments.TryGetValue(id, out var current))
        {
            var next = change(current) with { UpdatedAt = time.GetUtcNow() };
            if (_payments.TryUpdate(id, next, current))
            {
                return next;
            }
        }

        return null;
    }
}

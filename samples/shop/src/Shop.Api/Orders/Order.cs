using System.Text.Json.Serialization;

namespace Shop.Api.Orders;

/// <summary>One line of an order or a cart.</summary>
internal sealed record OrderLine(long ProductId, string Name, int Quantity, decimal UnitPrice)
{
    public decimal LineTotal => UnitPrice * Quantity;
}

/// <summary>
/// An order. Status: <c>payment_pending</c> (stored with its payment in the outbox; the payment worker has not yet
/// handed it to payments, e.g. while payments is unreachable), <c>awaiting_payment</c> (payments took it, waiting for the gateway), <c>paid</c>, <c>payment_failed</c>, <c>shipped</c>, <c>cancelled</c>.
/// <see cref="Version"/> is the optimistic-concurrency token behind the ETag.
/// </summary>
internal sealed record Order(
    long Id, long UserId, string Status, IReadOnlyList<OrderLine> Items, decimal Total, string Currency,
    string? ShippingAddress, string? Note, string? PaymentId, int Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    [JsonIgnore]
    public string ETag => $"\"{Version}\"";
}

/// <summary>The order as <c>contract-drift</c> serializes it: id a string, total renamed.</summary>
internal sealed record DriftedOrder(
    string Id, long UserId, string Status, IReadOnlyList<OrderLine> Items, decimal TotalAmount, string Currency,
    string? ShippingAddress, string? Note, string? PaymentId, int Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>A page of orders.</summary>
internal sealed record OrderPage(IReadOnlyList<object> Items, int Count);

/// <summary>An order's payment in the outbox: written with the order, submitted to payments by the payment worker.</summary>
/// <param name="IdempotencyKey">Sent as <c>Idempotency-Key</c>: payments answers a repeat with the same payment.</param>
internal sealed record PaymentOutboxEntry(long OrderId, string IdempotencyKey, int Attempts, decimal Amount, string Currency)
{
    public static string KeyFor(long orderId) => "order-" + orderId.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>The known statuses.</summary>
internal static class OrderStatus
{
    public const string PaymentPending = "payment_pending";
    public const string AwaitingPayment = "awaiting_payment";
    public const string Paid = "paid";
    public const string PaymentFailed = "payment_failed";
    public const string Shipped = "shipped";
    public const string Cancelled = "cancelled";

    public static readonly string[] All = [PaymentPending, AwaitingPayment, Paid, PaymentFailed, Shipped, Cancelled];

    /// <summary>Statuses whose payment has not settled yet (what <c>Prefer: wait</c> waits out).</summary>
    public static readonly string[] PaymentOpen = [PaymentPending, AwaitingPayment];

    /// <summary>Statuses from which an order may still be cancelled or edited.</summary>
    public static readonly string[] Open = [PaymentPending, AwaitingPayment, Paid, PaymentFailed];
}

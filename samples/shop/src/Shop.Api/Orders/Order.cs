using System.Text.Json.Serialization;

namespace Shop.Api.Orders;

/// <summary>One line of an order or a cart.</summary>
internal sealed record OrderLine(long ProductId, string Name, int Quantity, decimal UnitPrice)
{
    public decimal LineTotal => UnitPrice * Quantity;
}

/// <summary>
/// An order. Status: <c>payment_pending</c> (payments unreachable, queued for retry), <c>awaiting_payment</c>
/// (submitted, waiting for the gateway), <c>paid</c>, <c>payment_failed</c>, <c>shipped</c>, <c>cancelled</c>.
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

    /// <summary>Statuses from which an order may still be cancelled or edited.</summary>
    public static readonly string[] Open = [PaymentPending, AwaitingPayment, Paid, PaymentFailed];
}

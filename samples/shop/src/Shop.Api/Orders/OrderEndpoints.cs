using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Claims;
using System.Net.ServerSentEvents;
using Shop.Api.Auth;
using Shop.Api.Payments;
using Shop.Common;

namespace Shop.Api.Orders;

internal sealed record PlaceOrderRequest(IReadOnlyList<LineRequest>? Items, string? ShippingAddress, string? Note);

internal sealed record ReplaceOrderRequest(string? ShippingAddress, string? Note);

internal sealed record ChangeStatusRequest(string? Status);

internal static partial class OrderEndpoints
{
    public static void MapOrders(this WebApplication app)
    {
        var orders = app.MapGroup("/orders").RequireAuthorization();
        orders.MapGet("", ListAsync);
        orders.MapPost("", PlaceAsync);
        orders.MapGet("/{id:long}", GetAsync);
        orders.MapPut("/{id:long}", ReplaceAsync);
        orders.MapPatch("/{id:long}", ChangeStatusAsync);
        orders.MapGet("/events", (ClaimsPrincipal user, OrderEvents events, CancellationToken ct) =>
            TypedResults.ServerSentEvents(StreamAsync(user, events, ct)));
        orders.MapGet("/ws", OrderSocket.AcceptAsync);
    }

    /// <summary>The JSON shape of an order: the contract's, or the drifted one under <c>contract-drift</c>.</summary>
    public static object View(this Order order, FaultSwitches faults) => faults.IsOn(FaultSwitches.ContractDrift)
        ? new DriftedOrder(order.Id.ToString(CultureInfo.InvariantCulture), order.UserId, order.Status, order.Items, order.Total,
            order.Currency, order.ShippingAddress, order.Note, order.PaymentId, order.Version, order.CreatedAt, order.UpdatedAt)
        : order;

    private static async Task<IResult> ListAsync(
        string? status, int? limit, int? offset, ClaimsPrincipal user, OrderStore store, FaultSwitches faults,
        TimeProvider time, CancellationToken ct)
    {
        if (Invalid(status, limit, offset) is { } invalid)
        {
            return invalid;
        }

        if (faults.IsOn(FaultSwitches.SlowOrders))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(350), time, ct);
        }

        var page = await store.ListAsync(CurrentUser.From(user).Id, status, limit ?? 20, offset ?? 0, ct);
        return Results.Ok(new OrderPage([.. page.Select(o => o.View(faults))], page.Count));
    }

    internal static IResult? Invalid(string? status, int? limit, int? offset) =>
        limit is < 1 or > 100 || offset < 0 || (status is not null && !OrderStatus.All.Contains(status))
            ? Validation.Problem(("query", $"limit is 1..100, offset >= 0, status one of {string.Join(", ", OrderStatus.All)}."))
            : null;

    /// <summary>
    /// Accepts an order asynchronously: validated, stock reserved, stored as <c>payment_pending</c> together with its
    /// payment in the outbox (one transaction), answered 201 with its location. The payment worker takes the payment;
    /// the order's status (GET, SSE) follows: <c>awaiting_payment</c>, then <c>paid</c> or <c>payment_failed</c>.
    /// </summary>
    private static async Task<IResult> PlaceAsync(
        PlaceOrderRequest request, ClaimsPrincipal user, OrderStore store, PaymentSignal payments, OrderEvents events,
        FaultSwitches faults, HttpContext http, CancellationToken ct)
    {
        var items = request.Items ?? [];
        if (!faults.IsOn(FaultSwitches.NoValidation) && (items.Count > 20 || items.Any(i => i.ProductId <= 0 || i.Quantity is < 1 or > 100)
            || request.ShippingAddress is { Length: > 500 } || request.Note is { Length: > 500 }))
        {
            return Validation.Problem(("items", "At most 20 lines, each with a productId and a quantity of 1..100; address and note at most 500 characters."));
        }

        var (order, error) = await store.PlaceAsync(CurrentUser.From(user).Id, items, request.ShippingAddress, request.Note, ct);
        if (order is null)
        {
            return error switch
            {
                OrderError.OutOfStock => Results.Problem(statusCode: 409, title: "A product is out of stock."),
                OrderError.EmptyCart => Results.Problem(statusCode: 422, title: "No items given and the cart is empty."),
                _ => Results.Problem(statusCode: 422, title: "An item names a product that does not exist."),
            };
        }

        events.Publish(order);
        payments.Kick();
        http.Response.Headers.ETag = order.ETag;
        return Results.Created($"/orders/{order.Id}", order.View(faults));
    }

    private static async Task<IResult> GetAsync(
        long id, ClaimsPrincipal user, OrderStore store, OrderEvents events, FaultSwitches faults, HttpContext http, TimeProvider time,
        CancellationToken ct)
    {
        var order = await store.GetAsync(id, ct);
        // A customer's foreign order answers 404, as if it did not exist; the bola fault skips the check.
        if (order is null || !(CanAccess(user, order) || faults.IsOn(FaultSwitches.Bola)))
        {
            return Results.Problem(statusCode: 404, title: "No such order.");
        }

        if (PreferredWait(http.Request) is { } wait && OrderStatus.PaymentOpen.Contains(order.Status))
        {
            order = await WaitForPaymentAsync(order, store, events, wait, time, ct);
        }

        http.Response.Headers.ETag = order.ETag;
        return http.Request.Headers.IfNoneMatch.ToString() == order.ETag
            ? Results.StatusCode(StatusCodes.Status304NotModified)
            : Results.Ok(order.View(faults));
    }

    /// <summary>
    /// <c>Prefer: wait=N</c> (RFC 7240): the client would rather wait up to N seconds (at most
    /// <see cref="MaxWait"/>) for the order's payment to settle than poll. Anything else in Prefer is ignored.
    /// </summary>
    internal static TimeSpan? PreferredWait(HttpRequest request)
    {
        foreach (var preference in request.Headers["Prefer"].SelectMany(v => (v ?? "").Split(',')))
        {
            var parts = preference.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length == 2 && parts[0].Equals("wait", StringComparison.OrdinalIgnoreCase)
                && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0)
            {
                return TimeSpan.FromSeconds(Math.Min(seconds, MaxWait.TotalSeconds));
            }
        }

        return null;
    }

    /// <summary>The longest wait <c>Prefer: wait</c> may ask for. <value>10 s</value>.</summary>
    internal static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(10);

    private static async Task<Order> WaitForPaymentAsync(
        Order order, OrderStore store, OrderEvents events, TimeSpan wait, TimeProvider time, CancellationToken ct)
    {
        // Subscribe first, then read again: a change between the first read and the subscription is not lost.
        var (subscription, reader) = events.Subscribe(order.UserId);
        try
        {
            using var timeout = new CancellationTokenSource(wait, time);
            using var either = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, ct);
            var current = await store.GetAsync(order.Id, ct) ?? order;
            while (OrderStatus.PaymentOpen.Contains(current.Status))
            {
                var change = await reader.ReadAsync(either.Token);
                if (change.OrderId == order.Id && !OrderStatus.PaymentOpen.Contains(change.Status))
                {
                    current = await store.GetAsync(order.Id, ct) ?? current;
                }
            }

            return current;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return await store.GetAsync(order.Id, ct) ?? order; // Waited long enough: the state as it is now.
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
            return await store.GetAsync(order.Id, ct) ?? order;
        }
        finally
        {
            events.Unsubscribe(subscription);
        }
    }

    private static async Task<IResult> ReplaceAsync(
        long id, ReplaceOrderRequest request, ClaimsPrincipal user, OrderStore store, FaultSwitches faults, HttpContext http,
        CancellationToken ct)
    {
        if (request.ShippingAddress is { Length: > 500 } || request.Note is { Length: > 500 })
        {
            return Validation.Problem(("shippingAddress", "shippingAddress and note are at most 500 characters."));
        }

        var (version, precondition) = IfMatch(http.Request);
        if (precondition is not null)
        {
            return precondition;
        }

        var existing = await store.GetAsync(id, ct);
        if (existing is null || !CanAccess(user, existing))
        {
            return Results.Problem(statusCode: 404, title: "No such order.");
        }

        // The lost-update fault: the version in If-Match is not compared, so concurrent edits overwrite each other.
        var (order, error) = await store.ReplaceDetailsAsync(id, version ?? existing.Version, request.ShippingAddress, request.Note, ct,
            checkVersion: !faults.IsOn(FaultSwitches.LostUpdate));
        return Answer(order, error, faults, http, "The order can no longer be changed.");
    }

    private static async Task<IResult> ChangeStatusAsync(
        long id, ChangeStatusRequest request, ClaimsPrincipal user, OrderStore store, OrderEvents events, FaultSwitches faults,
        HttpContext http, CancellationToken ct)
    {
        var admin = user.IsAdmin();
        string[] allowed = admin ? [OrderStatus.Cancelled, OrderStatus.Shipped] : [OrderStatus.Cancelled];
        if (request.Status is null || !allowed.Contains(request.Status))
        {
            return Validation.Problem(("status", $"status must be one of: {string.Join(", ", allowed)}."));
        }

        var (version, precondition) = IfMatch(http.Request);
        if (precondition is not null)
        {
            return precondition;
        }

        var existing = await store.GetAsync(id, ct);
        if (existing is null || !CanAccess(user, existing))
        {
            return Results.Problem(statusCode: 404, title: "No such order.");
        }

        string[] from = request.Status == OrderStatus.Shipped ? [OrderStatus.Paid] : OrderStatus.Open;
        var (order, error) = await store.ChangeStatusAsync(id, version, from, request.Status, null, ct);
        if (error == OrderError.None && order is not null)
        {
            events.Publish(order);
        }

        return Answer(order, error, faults, http, $"An order in this status cannot become {request.Status}.");
    }

    private static IResult Answer(Order? order, OrderError error, FaultSwitches faults, HttpContext http, string wrongState)
    {
        if (order is not null)
        {
            http.Response.Headers.ETag = order.ETag;
        }

        return error switch
        {
            OrderError.None => Results.Ok(order!.View(faults)),
            OrderError.NotFound => Results.Problem(statusCode: 404, title: "No such order."),
            OrderError.Stale => Results.Problem(statusCode: 412, title: "The order changed since you read it.",
                detail: "Fetch it again and retry with the new ETag in If-Match."),
            _ => Results.Problem(statusCode: 409, title: wrongState),
        };
    }

    /// <summary>If-Match is required on writes: 428 without it; <c>*</c> matches any version.</summary>
    private static (int? Version, IResult? Problem) IfMatch(HttpRequest request)
    {
        var header = request.Headers.IfMatch.ToString().Trim();
        if (header.Length == 0)
        {
            return (null, Results.Problem(statusCode: 428, title: "If-Match is required.", type: "https://tools.ietf.org/html/rfc6585#section-3",
                detail: "Send the ETag from GET /orders/{id} in If-Match."));
        }

        if (header == "*")
        {
            return (null, null);
        }

        var tag = header.StartsWith("W/", StringComparison.Ordinal) ? header[2..] : header;
        return tag.Length > 2 && tag[0] == '"' && tag[^1] == '"'
               && int.TryParse(tag[1..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            ? (version, null)
            : (null, Results.Problem(statusCode: 412, title: "The order changed since you read it."));
    }

    private static bool CanAccess(ClaimsPrincipal user, Order order) =>
        user.IsAdmin() || CurrentUser.From(user).Id == order.UserId;

    private static async IAsyncEnumerable<SseItem<object>> StreamAsync(
        ClaimsPrincipal user, OrderEvents events, [EnumeratorCancellation] CancellationToken ct)
    {
        var me = CurrentUser.From(user);
        var (id, reader) = events.Subscribe(user.IsAdmin() ? null : me.Id);
        try
        {
            // The first event tells the client the subscription is live.
            yield return new SseItem<object>(new { user = me.Username }, "ready") { ReconnectionInterval = TimeSpan.FromSeconds(3) };
            while (!ct.IsCancellationRequested)
            {
                OrderStatusChanged? change = null;
                using (var heartbeat = CancellationTokenSource.CreateLinkedTokenSource(ct))
                {
                    heartbeat.CancelAfter(TimeSpan.FromSeconds(15));
                    try
                    {
                        change = await reader.ReadAsync(heartbeat.Token);
                    }
                    catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                    {
                        // Quiet for 15 s: send a heartbeat so proxies keep the stream open.
                    }
                }

                yield return change is null
                    ? new SseItem<object>(new { }, "ping")
                    : new SseItem<object>(change, "order-status") { EventId = $"{change.OrderId}-{change.Version}" };
            }
        }
        finally
        {
            events.Unsubscribe(id);
        }
    }

}

using System.Data.Common;
using Shop.Api.Data;

namespace Shop.Api.Orders;

/// <summary>A requested order line.</summary>
internal sealed record LineRequest(long ProductId, int Quantity);

/// <summary>Why an order could not be placed or changed, or null when it worked.</summary>
internal enum OrderError
{
    None,
    NotFound,
    UnknownProduct,
    OutOfStock,
    EmptyCart,
    Stale,
    WrongState,
}

/// <summary>Orders in the database; every statement is parameterized.</summary>
internal sealed class OrderStore(ShopDb db, TimeProvider time)
{
    private const string Columns =
        "id, user_id, status, total_cents, currency, shipping_address, note, payment_id, version, created_at, updated_at";

    public async Task<Order?> GetAsync(long id, CancellationToken ct)
    {
        await using var lease = await db.OpenAsync(ct);
        var orders = await LoadAsync(lease, $"SELECT {Columns} FROM orders WHERE id = @id", [("id", id)], ct);
        return orders.FirstOrDefault();
    }

    public async Task<List<Order>> ListAsync(long? userId, string? status, int limit, int offset, CancellationToken ct)
    {
        await using var lease = await db.OpenAsync(ct);
        if (db.LongTransaction > TimeSpan.Zero)
        {
            // pool-exhaustion: a long-running transaction holds the connection.
            await lease.BeginAsync(ct);
            await Task.Delay(db.LongTransaction, time, ct);
        }

        var filters = new List<string>();
        var args = new List<(string, object?)> { ("take", limit), ("skip", offset) };
        if (userId is not null)
        {
            filters.Add("user_id = @user");
            args.Add(("user", userId));
        }

        if (status is not null)
        {
            filters.Add("status = @status");
            args.Add(("status", status));
        }

        var where = filters.Count == 0 ? "" : "WHERE " + string.Join(" AND ", filters);
        var orders = await LoadAsync(
            lease, $"SELECT {Columns} FROM orders {where} ORDER BY id DESC LIMIT @take OFFSET @skip", args, ct);
        await lease.CommitAsync(ct);
        return orders;
    }

    public async Task<(Order? Order, OrderError Error)> PlaceAsync(
        long userId, IReadOnlyList<LineRequest>? lines, string? address, string? note, CancellationToken ct)
    {
        await using var lease = await db.OpenAsync(ct);
        await lease.BeginAsync(ct);
        var fromCart = lines is null || lines.Count == 0;
        if (fromCart)
        {
            lines = await lease.QueryAsync(
                "SELECT product_id, quantity FROM cart_items WHERE user_id = @u ORDER BY product_id",
                [("u", userId)], r => new LineRequest(r.GetInt64(0), r.GetInt32(1)), ct);
            if (lines.Count == 0)
            {
                return (null, OrderError.EmptyCart);
            }
        }

        var priced = new List<(LineRequest Line, long PriceCents)>();
        foreach (var line in lines!.GroupBy(l => l.ProductId).Select(g => new LineRequest(g.Key, g.Sum(l => l.Quantity))))
        {
            var price = await lease.ScalarAsync<long?>("SELECT price_cents FROM products WHERE id = @id", [("id", line.ProductId)], ct);
            if (price is null)
            {
                return (null, OrderError.UnknownProduct);
            }

            var taken = await lease.ExecuteAsync(
                "UPDATE products SET stock = stock - @q WHERE id = @id AND stock >= @q",
                [("q", line.Quantity), ("id", line.ProductId)], ct);
            if (taken != 1)
            {
                return (null, OrderError.OutOfStock);
            }

            priced.Add((line, price.Value));
        }

        var now = time.GetUtcNow();
        var total = priced.Sum(p => p.PriceCents * p.Line.Quantity);
        var id = await lease.ScalarAsync<long>(
            """
            INSERT INTO orders (user_id, total_cents, currency, shipping_address, note, version, created_at, updated_at, status)
            VALUES (@u, @total, 'EUR', @address, @note, 1, @now, @now, @status) RETURNING id
            """,
            [("u", userId), ("total", total), ("address", address), ("note", note), ("now", now), ("status", OrderStatus.PaymentPending)], ct);
        foreach (var (line, price) in priced)
        {
            await lease.ExecuteAsync(
                "INSERT INTO order_items (order_id, product_id, quantity, unit_price_cents) VALUES (@o, @p, @q, @price)",
                [("o", id), ("p", line.ProductId), ("q", line.Quantity), ("price", price)], ct);
        }

        if (fromCart)
        {
            await lease.ExecuteAsync("DELETE FROM cart_items WHERE user_id = @u", [("u", userId)], ct);
        }

        // The outbox row commits with the order or not at all: no order is stored without its payment to take.
        await lease.ExecuteAsync(
            "INSERT INTO payment_outbox (order_id, idempotency_key, attempts, created_at) VALUES (@o, @key, 0, @now)",
            [("o", id), ("key", PaymentOutboxEntry.KeyFor(id)), ("now", now)], ct);

        var order = (await LoadAsync(lease, $"SELECT {Columns} FROM orders WHERE id = @id", [("id", id)], ct))[0];
        await lease.CommitAsync(ct);
        return (order, OrderError.None);
    }

    /// <summary>
    /// Moves an order to <paramref name="status"/> if it is in one of <paramref name="from"/> and, when
    /// <paramref name="expectedVersion"/> is given, still at that version.
    /// </summary>
    public async Task<(Order? Order, OrderError Error)> ChangeStatusAsync(
        long id, int? expectedVersion, IReadOnlyCollection<string> from, string status, string? paymentId, CancellationToken ct)
    {
        await using var lease = await db.OpenAsync(ct);
        await lease.BeginAsync(ct);
        var current = (await LoadAsync(lease, $"SELECT {Columns} FROM orders WHERE id = @id", [("id", id)], ct)).FirstOrDefault();
        if (current is null)
        {
            return (null, OrderError.NotFound);
        }

        if (expectedVersion is { } v && v != current.Version)
        {
            return (current, OrderError.Stale);
        }

        if (!from.Contains(current.Status))
        {
            return (current, OrderError.WrongState);
        }

        var changed = await lease.ExecuteAsync(
            """
            UPDATE orders SET status = @status, payment_id = COALESCE(@payment, payment_id), version = version + 1, updated_at = @now
            WHERE id = @id AND version = @version
            """,
            [("status", status), ("payment", paymentId), ("now", time.GetUtcNow()), ("id", id), ("version", current.Version)], ct);
        if (changed != 1)
        {
            return (current, OrderError.Stale);
        }

        var updated = (await LoadAsync(lease, $"SELECT {Columns} FROM orders WHERE id = @id", [("id", id)], ct))[0];
        await lease.CommitAsync(ct);
        return (updated, OrderError.None);
    }

    /// <summary>
    /// Replaces address and note if the order is still at <paramref name="expectedVersion"/>; with
    /// <paramref name="checkVersion"/> false (the <c>lost-update</c> fault) whatever its version.
    /// </summary>
    public async Task<(Order? Order, OrderError Error)> ReplaceDetailsAsync(
        long id, int expectedVersion, string? address, string? note, CancellationToken ct, bool checkVersion = true)
    {
        await using var lease = await db.OpenAsync(ct);
        await lease.BeginAsync(ct);
        var current = (await LoadAsync(lease, $"SELECT {Columns} FROM orders WHERE id = @id", [("id", id)], ct)).FirstOrDefault();
        if (current is null)
        {
            return (null, OrderError.NotFound);
        }

        if (checkVersion && expectedVersion != current.Version)
        {
            return (current, OrderError.Stale);
        }

        if (!OrderStatus.Open.Contains(current.Status))
        {
            return (current, OrderError.WrongState);
        }

        var changed = await lease.ExecuteAsync(
            """
            UPDATE orders SET shipping_address = @address, note = @note, version = version + 1, updated_at = @now
            WHERE id = @id AND version = @version
            """,
            [("address", address), ("note", note), ("now", time.GetUtcNow()), ("id", id), ("version", checkVersion ? expectedVersion : current.Version)], ct);
        if (changed != 1)
        {
            return (current, OrderError.Stale);
        }

        var updated = (await LoadAsync(lease, $"SELECT {Columns} FROM orders WHERE id = @id", [("id", id)], ct))[0];
        await lease.CommitAsync(ct);
        return (updated, OrderError.None);
    }

    /// <summary>Orders in <paramref name="status"/> with an id above <paramref name="afterId"/>, oldest first.</summary>
    public async Task<List<Order>> WithStatusAsync(string status, int limit, long afterId, CancellationToken ct)
    {
        await using var lease = await db.OpenAsync(ct);
        return await LoadAsync(
            lease, $"SELECT {Columns} FROM orders WHERE status = @status AND id > @after ORDER BY id LIMIT @take",
            [("status", status), ("after", afterId), ("take", limit)], ct);
    }

    /// <summary>The order's outbox row, sent or not (what a payment submitted again needs).</summary>
    public async Task<PaymentOutboxEntry?> PaymentOfAsync(long orderId, CancellationToken ct)
    {
        await using var lease = await db.OpenAsync(ct);
        var rows = await lease.QueryAsync(
            """
            SELECT p.order_id, p.idempotency_key, p.attempts, o.total_cents, o.currency
            FROM payment_outbox p JOIN orders o ON o.id = p.order_id WHERE p.order_id = @o
            """,
            [("o", orderId)],
            r => new PaymentOutboxEntry(r.GetInt64(0), r.GetString(1), r.GetInt32(2), r.GetInt64(3) / 100m, r.GetString(4).Trim()),
            ct);
        return rows.FirstOrDefault();
    }

    /// <summary>The order follows <paramref name="newPaymentId"/> if it still awaits <paramref name="oldPaymentId"/>.</summary>
    public async Task ReplacePaymentAsync(long orderId, string oldPaymentId, string newPaymentId, CancellationToken ct)
    {
        await using var lease = await db.OpenAsync(ct);
        await lease.ExecuteAsync(
            """
            UPDATE orders SET payment_id = @new, version = version + 1, updated_at = @now
            WHERE id = @id AND status = @awaiting AND payment_id = @old
            """,
            [("new", newPaymentId), ("now", time.GetUtcNow()), ("id", orderId), ("awaiting", OrderStatus.AwaitingPayment), ("old", oldPaymentId)], ct);
    }

    /// <summary>Outbox rows not yet sent to payments, oldest first, with what the payment needs (a cancelled order's row is never sent).</summary>
    public async Task<List<PaymentOutboxEntry>> UnsentPaymentsAsync(int limit, CancellationToken ct)
    {
        await using var lease = await db.OpenAsync(ct);
        return await lease.QueryAsync(
            """
            SELECT p.order_id, p.idempotency_key, p.attempts, o.total_cents, o.currency
            FROM payment_outbox p JOIN orders o ON o.id = p.order_id
            WHERE p.sent_at IS NULL AND o.status = @pending ORDER BY p.id LIMIT @take
            """,
            [("take", limit), ("pending", OrderStatus.PaymentPending)],
            r => new PaymentOutboxEntry(r.GetInt64(0), r.GetString(1), r.GetInt32(2), r.GetInt64(3) / 100m, r.GetString(4).Trim()),
            ct);
    }

    /// <summary>
    /// Payments took the order's payment: in one transaction the outbox row is marked sent and the order moves from
    /// <c>payment_pending</c> to <c>awaiting_payment</c> with the payment id (unless it left payment_pending meanwhile).
    /// </summary>
    public async Task<Order?> MarkPaymentSentAsync(long orderId, string paymentId, CancellationToken ct)
    {
        await using var lease = await db.OpenAsync(ct);
        await lease.BeginAsync(ct);
        var now = time.GetUtcNow();
        await lease.ExecuteAsync(
            "UPDATE payment_outbox SET sent_at = @now, attempts = attempts + 1 WHERE order_id = @o AND sent_at IS NULL",
            [("now", now), ("o", orderId)], ct);
        var moved = await lease.ExecuteAsync(
            """
            UPDATE orders SET status = @to, payment_id = @payment, version = version + 1, updated_at = @now
            WHERE id = @id AND status = @from
            """,
            [("to", OrderStatus.AwaitingPayment), ("payment", paymentId), ("now", now), ("id", orderId), ("from", OrderStatus.PaymentPending)], ct);
        var order = moved == 1
            ? (await LoadAsync(lease, $"SELECT {Columns} FROM orders WHERE id = @id", [("id", orderId)], ct)).FirstOrDefault()
            : null;
        await lease.CommitAsync(ct);
        return order;
    }

    /// <summary>Counts a failed submission of the order's payment (it stays in the outbox and is tried again).</summary>
    public async Task PaymentAttemptFailedAsync(long orderId, CancellationToken ct)
    {
        await using var lease = await db.OpenAsync(ct);
        await lease.ExecuteAsync("UPDATE payment_outbox SET attempts = attempts + 1 WHERE order_id = @o AND sent_at IS NULL", [("o", orderId)], ct);
    }

    public async Task<string?> EmailOfAsync(long userId, CancellationToken ct)
    {
        await using var lease = await db.OpenAsync(ct);
        return await lease.ScalarAsync<string>("SELECT email FROM users WHERE id = @u", [("u", userId)], ct);
    }

    private static async Task<List<Order>> LoadAsync(
        DbLease lease, string sql, IReadOnlyList<(string, object?)> args, CancellationToken ct)
    {
        var heads = await lease.QueryAsync(sql, args, ReadHead, ct);
        if (heads.Count == 0)
        {
            return [];
        }

        var names = heads.Select((_, i) => "@o" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var lines = await lease.QueryAsync(
            $"""
             SELECT oi.order_id, oi.product_id, p.name, oi.quantity, oi.unit_price_cents
             FROM order_items oi JOIN products p ON p.id = oi.product_id
             WHERE oi.order_id IN ({string.Join(", ", names)}) ORDER BY oi.id
             """,
            [.. heads.Select((h, i) => ("o" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), (object?)h.Id))],
            r => (OrderId: r.GetInt64(0), Line: new OrderLine(r.GetInt64(1), r.GetString(2), r.GetInt32(3), r.GetInt64(4) / 100m)),
            ct);
        var byOrder = lines.ToLookup(l => l.OrderId, l => l.Line);
        return [.. heads.Select(h => h with { Items = [.. byOrder[h.Id]] })];
    }

    private static Order ReadHead(DbDataReader r) => new(
        r.GetInt64(0), r.GetInt64(1), r.GetString(2), [], r.GetInt64(3) / 100m, r.GetString(4).Trim(),
        r.IsDBNull(5) ? null : r.GetString(5), r.IsDBNull(6) ? null : r.GetString(6), r.IsDBNull(7) ? null : r.GetString(7),
        r.GetInt32(8), r.GetFieldValue<DateTimeOffset>(9), r.GetFieldValue<DateTimeOffset>(10));
}

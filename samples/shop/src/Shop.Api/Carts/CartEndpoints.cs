using System.Security.Claims;
using Shop.Api.Auth;
using Shop.Api.Data;
using Shop.Api.Orders;

namespace Shop.Api.Carts;

/// <summary>The caller's cart.</summary>
internal sealed record Cart(IReadOnlyList<OrderLine> Items, decimal Total);

internal sealed record CartItemRequest(int Quantity);

internal static class CartEndpoints
{
    public static void MapCart(this WebApplication app)
    {
        var cart = app.MapGroup("/cart").RequireAuthorization();

        cart.MapGet("", async (ClaimsPrincipal user, ShopDb db, CancellationToken ct) =>
            Results.Ok(await LoadAsync(db, CurrentUser.From(user).Id, ct)));

        cart.MapPut("/items/{productId:long}", async (long productId, CartItemRequest request, ClaimsPrincipal user, ShopDb db, CancellationToken ct) =>
        {
            if (request.Quantity is < 1 or > 100)
            {
                return Validation.Problem(("quantity", "quantity is 1..100."));
            }

            var userId = CurrentUser.From(user).Id;
            await using (var lease = await db.OpenAsync(ct))
            {
                var exists = await lease.ScalarAsync<long>("SELECT COUNT(*) FROM products WHERE id = @p", [("p", productId)], ct);
                if (exists == 0)
                {
                    return Results.Problem(statusCode: 404, title: "No such product.");
                }

                await lease.ExecuteAsync(
                    """
                    INSERT INTO cart_items (user_id, product_id, quantity) VALUES (@u, @p, @q)
                    ON CONFLICT (user_id, product_id) DO UPDATE SET quantity = excluded.quantity
                    """,
                    [("u", userId), ("p", productId), ("q", request.Quantity)], ct);
            }

            return Results.Ok(await LoadAsync(db, userId, ct));
        });

        cart.MapDelete("/items/{productId:long}", async (long productId, ClaimsPrincipal user, ShopDb db, CancellationToken ct) =>
        {
            var userId = CurrentUser.From(user).Id;
            await using (var lease = await db.OpenAsync(ct))
            {
                await lease.ExecuteAsync("DELETE FROM cart_items WHERE user_id = @u AND product_id = @p", [("u", userId), ("p", productId)], ct);
            }

            return Results.Ok(await LoadAsync(db, userId, ct));
        });

        cart.MapDelete("", async (ClaimsPrincipal user, ShopDb db, CancellationToken ct) =>
        {
            await using var lease = await db.OpenAsync(ct);
            await lease.ExecuteAsync("DELETE FROM cart_items WHERE user_id = @u", [("u", CurrentUser.From(user).Id)], ct);
            return Results.NoContent();
        });
    }

    private static async Task<Cart> LoadAsync(ShopDb db, long userId, CancellationToken ct)
    {
        await using var lease = await db.OpenAsync(ct);
        var lines = await lease.QueryAsync(
            """
            SELECT c.product_id, p.name, c.quantity, p.price_cents
            FROM cart_items c JOIN products p ON p.id = c.product_id
            WHERE c.user_id = @u ORDER BY c.product_id
            """,
            [("u", userId)], r => new OrderLine(r.GetInt64(0), r.GetString(1), r.GetInt32(2), r.GetInt64(3) / 100m), ct);
        return new Cart(lines, lines.Sum(l => l.LineTotal));
    }
}

using Shop.Api.Data;
using Shop.Api.Orders;

namespace Shop.Api.Testing;

internal sealed record PactStateRequest(string? State, string? Action);

/// <summary>
/// Test mode only: the provider-state endpoint that consumer pact verification calls before (setup) and
/// after (teardown) each interaction of <c>contracts/pacts/web-api.json</c>. It exists only when
/// <c>SHOP_PACT_STATES=on</c>, which the Archgate manifest's run section sets; otherwise the route is not
/// mapped at all (404), so a normal start of the api has no test back door.
/// </summary>
internal static class PactStateEndpoints
{
    public static void MapPactStates(this WebApplication app)
    {
        if (!string.Equals(app.Configuration["SHOP_PACT_STATES"], "on", StringComparison.Ordinal))
        {
            return;
        }

        app.MapPost("/_pact/state", async (PactStateRequest request, ShopDb db, OrderStore orders, CancellationToken ct) =>
        {
            if (request.Action == "teardown")
            {
                return Results.NoContent(); // The states only add data a test may keep.
            }

            switch (request.State)
            {
                case "" or null or "the demo users exist" or "ann is signed in":
                    // Users are seeded at start-up; the verifier logs in as ann itself (contracts.auth).
                    return Results.NoContent();
                case "ann is signed in and has an order":
                    var (ann, count) = await AnnsOrdersAsync(db, ct);
                    if (count == 0)
                    {
                        await orders.PlaceAsync(ann, [new LineRequest(1, 2)], "1 Demo Street, Testville", null, ct);
                    }

                    return Results.NoContent();
                default:
                    return Results.Problem(statusCode: 400, title: $"Unknown provider state '{request.State}'.");
            }
        });
    }

    private static async Task<(long Ann, long Orders)> AnnsOrdersAsync(ShopDb db, CancellationToken ct)
    {
        await using var lease = await db.OpenAsync(ct);
        var ann = await lease.ScalarAsync<long>("SELECT id FROM users WHERE username = @u", [("u", "ann")], ct);
        return (ann, await lease.ScalarAsync<long>("SELECT COUNT(*) FROM orders WHERE user_id = @u", [("u", ann)], ct));
    }
}

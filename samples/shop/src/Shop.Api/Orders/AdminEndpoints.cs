using Shop.Common;

namespace Shop.Api.Orders;

internal static class AdminEndpoints
{
    public static void MapAdmin(this WebApplication app)
    {
        var admin = app.MapGroup("/admin");
        if (app.Services.GetRequiredService<FaultSwitches>().IsOn(FaultSwitches.UnauthenticatedAdmin))
        {
            admin.AllowAnonymous(); // The defect: anyone may list every order.
        }
        else
        {
            admin.RequireAuthorization(ApiPolicies.Admin);
        }

        admin.MapGet("/orders", async (string? status, int? limit, int? offset, OrderStore store, FaultSwitches faults, CancellationToken ct) =>
        {
            if (OrderEndpoints.Invalid(status, limit, offset) is { } invalid)
            {
                return invalid;
            }

            var page = await store.ListAsync(null, status, limit ?? 20, offset ?? 0, ct);
            return Results.Ok(new OrderPage([.. page.Select(o => o.View(faults))], page.Count));
        });
    }
}

internal static class ApiPolicies
{
    public const string Admin = "admin";
}

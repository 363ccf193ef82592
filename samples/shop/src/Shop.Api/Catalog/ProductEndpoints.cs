using System.Data.Common;
using Shop.Api.Auth;
using Shop.Api.Data;
using Shop.Common;

namespace Shop.Api.Catalog;

/// <summary>A product in the catalogue.</summary>
internal sealed record Product(long Id, string Sku, string Name, string Description, decimal Price, int Stock);

/// <summary>A page of products.</summary>
internal sealed record ProductPage(IReadOnlyList<Product> Items, int Count);

internal static class ProductEndpoints
{
    private const string Columns = "id, sku, name, description, price_cents, stock";

    public static void MapProducts(this WebApplication app)
    {
        app.MapGet("/products", async (string? search, int? limit, int? offset, ShopDb db, FaultSwitches faults, CancellationToken ct) =>
        {
            var take = limit ?? 50;
            var skip = offset ?? 0;
            if (take is < 1 or > 100 || skip < 0 || search is { Length: > 100 })
            {
                return Validation.Problem(("query", "limit is 1..100, offset >= 0, search at most 100 characters."));
            }

            await using var lease = await db.OpenAsync(ct);
            List<Product> items;
            if (string.IsNullOrEmpty(search))
            {
                items = await lease.QueryAsync(
                    $"SELECT {Columns} FROM products ORDER BY id LIMIT @take OFFSET @skip",
                    [("take", take), ("skip", skip)], Read, ct);
            }
            else if (faults.IsOn(FaultSwitches.SqliSearch))
            {
                // The defect: the search text is pasted into the SQL.
                items = await lease.QueryAsync(
                    $"SELECT {Columns} FROM products WHERE LOWER(name) LIKE LOWER('%{search}%') ORDER BY id LIMIT {take} OFFSET {skip}",
                    [], Read, ct);
            }
            else
            {
                var pattern = "%" + search.Replace("\\", "\\\\", StringComparison.Ordinal)
                    .Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";
                items = await lease.QueryAsync(
                    $"SELECT {Columns} FROM products WHERE LOWER(name) LIKE LOWER(@pattern) ESCAPE '\\' ORDER BY id LIMIT @take OFFSET @skip",
                    [("pattern", pattern), ("take", take), ("skip", skip)], Read, ct);
            }

            return Results.Ok(new ProductPage(items, items.Count));
        });

        app.MapGet("/products/{id:long}", async (long id, ShopDb db, CancellationToken ct) =>
        {
            await using var lease = await db.OpenAsync(ct);
            var rows = await lease.QueryAsync($"SELECT {Columns} FROM products WHERE id = @id", [("id", id)], Read, ct);
            return rows.Count == 1 ? Results.Ok(rows[0]) : Results.Problem(statusCode: 404, title: "No such product.");
        });
    }

    public static Product Read(DbDataReader r) =>
        new(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt64(4) / 100m, r.GetInt32(5));
}

using Shop.Api.Auth;

namespace Shop.Api.Data;

/// <summary>The demo users: customers ann and ben, admin ada; password "demo" for all (hashed per install).</summary>
internal sealed class Seeder(ShopDb db)
{
    private static readonly (string User, string Email, string Role)[] Users =
    [
        ("ann", "ann@example.test", "customer"),
        ("ben", "ben@example.test", "customer"),
        ("ada", "ada@example.test", "admin"),
    ];

    public async Task SeedAsync(CancellationToken ct)
    {
        await using var lease = await db.OpenAsync(ct);
        foreach (var (user, email, role) in Users)
        {
            var exists = await lease.ScalarAsync<long>("SELECT COUNT(*) FROM users WHERE username = @u", [("u", user)], ct);
            if (exists == 0)
            {
                await lease.ExecuteAsync(
                    "INSERT INTO users (username, email, password_hash, role) VALUES (@u, @e, @h, @r)",
                    [("u", user), ("e", email), ("h", PasswordHasher.Hash("demo")), ("r", role)], ct);
            }
        }
    }
}

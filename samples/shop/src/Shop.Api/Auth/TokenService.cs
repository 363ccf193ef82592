using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Shop.Api.Data;

namespace Shop.Api.Auth;

/// <summary>A signed-in user as tokens describe them.</summary>
internal sealed record UserInfo(long Id, string Username, string Role);

/// <summary>What login and refresh answer.</summary>
internal sealed record TokenResponse(string AccessToken, string TokenType, int ExpiresIn, string RefreshToken, UserInfo User);

/// <summary>
/// Issues short-lived JWT access tokens and rotating refresh tokens. A refresh token works once: refreshing
/// revokes it and issues a successor; presenting a rotated token again revokes every token of that user
/// (reuse detection). Only SHA-256 hashes of refresh tokens are stored.
/// </summary>
internal sealed class TokenService(ShopDb db, JwtSettings jwt, TimeProvider time)
{
    private static readonly TimeSpan RefreshLifetime = TimeSpan.FromDays(7);

    public async Task<TokenResponse?> LoginAsync(string username, string password, CancellationToken ct)
    {
        await using var lease = await db.OpenAsync(ct);
        var rows = await lease.QueryAsync(
            "SELECT id, username, role, password_hash FROM users WHERE username = @u",
            [("u", username)],
            r => (User: new UserInfo(r.GetInt64(0), r.GetString(1), r.GetString(2)), Hash: r.GetString(3)), ct);
        var found = rows.Count == 1;
        var ok = PasswordHasher.Verify(password, found ? rows[0].Hash : PasswordHasher.Decoy) && found;
        return ok ? await IssueAsync(lease, rows[0].User, ct) : null;
    }

    /// <summary>Tokens for the user named <paramref name="username"/> whose identity a sign-in provider vouched for; null when the shop has no such user.</summary>
    public async Task<TokenResponse?> SignInAsync(string username, CancellationToken ct)
    {
        await using var lease = await db.OpenAsync(ct);
        var rows = await lease.QueryAsync(
            "SELECT id, username, role FROM users WHERE username = @u",
            [("u", username)],
            r => new UserInfo(r.GetInt64(0), r.GetString(1), r.GetString(2)), ct);
        return rows.Count == 1 ? await IssueAsync(lease, rows[0], ct) : null;
    }

    public async Task<TokenResponse?> RefreshAsync(string refreshToken, CancellationToken ct)
    {
        var hash = HashOf(refreshToken);
        await using var lease = await db.OpenAsync(ct);
        await lease.BeginAsync(ct);
        var rows = await lease.QueryAsync(
            """
            SELECT t.user_id, t.expires_at, t.revoked_at, t.replaced_by_hash, u.username, u.role
            FROM refresh_tokens t JOIN users u ON u.id = t.user_id
            WHERE t.token_hash = @h
            """,
            [("h", hash)],
            r => (User: new UserInfo(r.GetInt64(0), r.GetString(4), r.GetString(5)),
                  Expires: r.GetFieldValue<DateTimeOffset>(1),
                  Revoked: !r.IsDBNull(2),
                  Rotated: !r.IsDBNull(3)), ct);
        if (rows.Count == 0)
        {
            return null;
        }

        var token = rows[0];
        var now = time.GetUtcNow();
        if (token.Revoked)
        {
            if (token.Rotated)
            {
                // A rotated token came back: someone holds a copy. Revoke the whole family.
                await lease.ExecuteAsync(
                    "UPDATE refresh_tokens SET revoked_at = @now WHERE user_id = @u AND revoked_at IS NULL",
                    [("now", now), ("u", token.User.Id)], ct);
                await lease.CommitAsync(ct);
            }

            return null;
        }

        if (token.Expires <= now)
        {
            return null;
        }

        var issued = await IssueAsync(lease, token.User, ct);
        var changed = await lease.ExecuteAsync(
            "UPDATE refresh_tokens SET revoked_at = @now, replaced_by_hash = @next WHERE token_hash = @h AND revoked_at IS NULL",
            [("now", now), ("next", HashOf(issued.RefreshToken)), ("h", hash)], ct);
        if (changed != 1)
        {
            return null; // A concurrent refresh won the race; the transaction rolls back.
        }

        await lease.CommitAsync(ct);
        return issued;
    }

    public async Task LogoutAsync(string refreshToken, CancellationToken ct)
    {
        await using var lease = await db.OpenAsync(ct);
        await lease.ExecuteAsync(
            "UPDATE refresh_tokens SET revoked_at = @now WHERE token_hash = @h AND revoked_at IS NULL",
            [("now", time.GetUtcNow()), ("h", HashOf(refreshToken))], ct);
    }

    private async Task<TokenResponse> IssueAsync(DbLease lease, UserInfo user, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var access = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = JwtSettings.Issuer,
            Audience = JwtSettings.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = now.Add(jwt.AccessLifetime).UtcDateTime,
            Subject = new ClaimsIdentity(
            [
                new Claim(JwtRegisteredClaimNames.Sub, user.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new Claim("name", user.Username),
                new Claim("role", user.Role),
                new Claim(JwtRegisteredClaimNames.Jti, Guid.NewGuid().ToString("N")),
            ]),
            SigningCredentials = new SigningCredentials(jwt.Key, SecurityAlgorithms.HmacSha256),
        });
        var refresh = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        await lease.ExecuteAsync(
            "INSERT INTO refresh_tokens (user_id, token_hash, expires_at, created_at) VALUES (@u, @h, @e, @now)",
            [("u", user.Id), ("h", HashOf(refresh)), ("e", now.Add(RefreshLifetime)), ("now", now)], ct);
        return new TokenResponse(access, "Bearer", (int)jwt.AccessLifetime.TotalSeconds, refresh, user);
    }

    private static string HashOf(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}

/// <summary>The access token's signing key and lifetime.</summary>
internal sealed class JwtSettings
{
    public const string Issuer = "shop-api";
    public const string Audience = "shop";

    public JwtSettings(IConfiguration configuration)
    {
        // SHOP_JWT_SIGNING_KEY (>= 32 bytes) keeps tokens valid across restarts; without it each start
        // makes a random key, which suits a test system.
        var configured = configuration["SHOP_JWT_SIGNING_KEY"];
        var bytes = string.IsNullOrEmpty(configured) ? RandomNumberGenerator.GetBytes(32) : Encoding.UTF8.GetBytes(configured);
        if (bytes.Length < 32)
        {
            throw new InvalidOperationException("SHOP_JWT_SIGNING_KEY must be at least 32 bytes long.");
        }

        Key = new SymmetricSecurityKey(bytes);
        AccessLifetime = TimeSpan.FromSeconds(configuration.GetValue("SHOP_ACCESS_TOKEN_SECONDS", 900));
    }

    public SymmetricSecurityKey Key { get; }

    public TimeSpan AccessLifetime { get; }
}

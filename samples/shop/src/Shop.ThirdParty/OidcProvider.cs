using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;

namespace Shop.ThirdParty;

/// <summary>A test-mode account of the sign-in provider.</summary>
internal sealed record OidcUser(string Subject, string Username, string Name, string Email);

/// <summary>An authorization code waiting for its exchange (RFC 6749 4.1.2, RFC 7636 4.4).</summary>
internal sealed record PendingCode(string ClientId, string RedirectUri, string Challenge, string? Nonce, OidcUser User, DateTimeOffset IssuedAt);

/// <summary>What the token endpoint answers: the tokens, or an RFC 6749 5.2 error.</summary>
internal sealed record TokenOutcome(object? Tokens, string? Error, string? Description);

/// <summary>
/// The fake OpenID Connect provider ("sign in with ..." in test mode): one RS256 key made at start and published as a
/// JWKS, authorization codes bound to a PKCE S256 challenge (RFC 7636), used once and valid for 60 s, and id tokens
/// carrying iss, sub, aud, exp, iat and the client's nonce. Any client id is accepted, with a loopback redirect URI.
/// </summary>
internal sealed class OidcProvider(OidcSettings settings, TimeProvider time) : IDisposable
{
    public static readonly TimeSpan CodeLifetime = TimeSpan.FromSeconds(60);

    private readonly RSA _key = RSA.Create(2048);
    private readonly ConcurrentDictionary<string, PendingCode> _codes = new(StringComparer.Ordinal);

    public static IReadOnlyList<OidcUser> Users { get; } =
    [
        new("u-7f3a-ann", "ann", "Ann Example", "ann@example.test"),
        new("u-2b9c-ben", "ben", "Ben Example", "ben@example.test"),
        new("u-c41d-ada", "ada", "Ada Example", "ada@example.test"),
    ];

    public string Issuer => settings.Issuer;

    public string KeyId { get; } = "k-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    public object Discovery => new Dictionary<string, object>
    {
        ["issuer"] = Issuer,
        ["authorization_endpoint"] = Issuer + "/authorize",
        ["token_endpoint"] = Issuer + "/token",
        ["jwks_uri"] = Issuer + "/jwks",
        ["response_types_supported"] = new[] { "code" },
        ["grant_types_supported"] = new[] { "authorization_code" },
        ["subject_types_supported"] = new[] { "public" },
        ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
        ["code_challenge_methods_supported"] = new[] { "S256" },
        ["scopes_supported"] = new[] { "openid", "profile", "email" },
        ["token_endpoint_auth_methods_supported"] = new[] { "none" },
        ["claims_supported"] = new[] { "iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "name", "preferred_username", "email", "email_verified" },
    };

    public object Jwks
    {
        get
        {
            var p = _key.ExportParameters(false);
            return new { keys = new[] { new { kty = "RSA", use = "sig", alg = "RS256", kid = KeyId, n = Base64Url(p.Modulus!), e = Base64Url(p.Exponent!) } } };
        }
    }

    public static OidcUser? FindUser(string? username) => Users.FirstOrDefault(u => u.Username == username);

    /// <summary>A new code for <paramref name="user"/>, bound to the client, its redirect URI, PKCE challenge and nonce.</summary>
    public string IssueCode(string clientId, string redirectUri, string challenge, string? nonce, OidcUser user)
    {
        var now = time.GetUtcNow();
        foreach (var stale in _codes.Where(c => now - c.Value.IssuedAt > CodeLifetime).Select(c => c.Key).ToList())
        {
            _codes.TryRemove(stale, out _);
        }

        var code = Base64Url(RandomNumberGenerator.GetBytes(24));
        _codes[code] = new PendingCode(clientId, redirectUri, challenge, nonce, user, now);
        return code;
    }

    /// <summary>
    /// The token endpoint's work: the code is taken out on the first attempt, right or wrong (it works once), then
    /// must match the client and redirect URI it was issued for, be fresh, and the verifier must hash to its challenge.
    /// </summary>
    public TokenOutcome Exchange(string? grantType, string? code, string? redirectUri, string? clientId, string? verifier)
    {
        if (grantType != "authorization_code")
        {
            return new(null, "unsupported_grant_type", "grant_type must be authorization_code.");
        }

        if (string.IsNullOrEmpty(code) || !_codes.TryRemove(code, out var pending))
        {
            return new(null, "invalid_grant", "The code is unknown, expired or already used.");
        }

        var now = time.GetUtcNow();
        if (now - pending.IssuedAt > CodeLifetime || pending.ClientId != clientId || pending.RedirectUri != redirectUri)
        {
            return new(null, "invalid_grant", "The code was issued to another client or redirect_uri, or has expired.");
        }

        if (verifier is null || !IsVerifier(verifier))
        {
            return new(null, "invalid_request", "code_verifier (43 to 128 unreserved characters) is required.");
        }

        var computed = Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(computed), Encoding.ASCII.GetBytes(pending.Challenge)))
        {
            return new(null, "invalid_grant", "code_verifier does not match the code_challenge.");
        }

        var lifetime = settings.TokenLifetime;
        var claims = new Dictionary<string, object>
        {
            ["iss"] = Issuer,
            ["sub"] = pending.User.Subject,
            ["aud"] = pending.ClientId,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["auth_time"] = pending.IssuedAt.ToUnixTimeSeconds(),
            ["exp"] = now.Add(lifetime).ToUnixTimeSeconds(),
            ["name"] = pending.User.Name,
            ["preferred_username"] = pending.User.Username,
            ["email"] = pending.User.Email,
            ["email_verified"] = true,
        };
        if (pending.Nonce is not null)
        {
            claims["nonce"] = pending.Nonce;
        }

        return new(new
        {
            access_token = Base64Url(RandomNumberGenerator.GetBytes(24)),
            token_type = "Bearer",
            expires_in = (int)lifetime.TotalSeconds,
            scope = "openid profile email",
            id_token = Sign(claims),
        }, null, null);
    }

    /// <summary>A compact JWS (RS256) of <paramref name="claims"/> under the provider's key.</summary>
    private string Sign(Dictionary<string, object> claims)
    {
        var header = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new { alg = "RS256", typ = "JWT", kid = KeyId }));
        var payload = Base64Url(JsonSerializer.SerializeToUtf8Bytes(claims));
        var signature = _key.SignData(Encoding.ASCII.GetBytes($"{header}.{payload}"), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{header}.{payload}.{Base64Url(signature)}";
    }

    /// <summary>RFC 7636 4.1: 43 to 128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~".</summary>
    public static bool IsVerifier(string value) =>
        value.Length is >= 43 and <= 128 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~');

    public static string Base64Url(byte[] bytes) => WebEncoders.Base64UrlEncode(bytes);

    public void Dispose() => _key.Dispose();
}

/// <summary>The provider's issuer (SHOP_OIDC_ISSUER) and its id tokens' lifetime (SHOP_OIDC_TOKEN_SECONDS).</summary>
internal sealed record OidcSettings(string Issuer, TimeSpan TokenLifetime);

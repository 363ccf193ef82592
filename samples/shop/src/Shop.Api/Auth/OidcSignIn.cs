using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Shop.Api.Auth;

/// <summary>What a client sends after signing in at the provider: the id token and the nonce it put in the authorization request.</summary>
internal sealed record OidcLoginRequest(string? IdToken, string? Nonce);

/// <summary>
/// The sign-in provider the api trusts: SHOP_OIDC_ISSUER (empty: sign-in with a provider is off) and
/// SHOP_OIDC_CLIENT_ID, the audience its id tokens must carry.
/// </summary>
internal sealed class OidcConfig(IConfiguration configuration)
{
    /// <summary>How long one sign-in may wait for the provider's discovery document and keys together.</summary>
    public static readonly TimeSpan ProviderTimeout = TimeSpan.FromSeconds(3);

    /// <summary>
    /// SHOP_OIDC_CLOCK_SKEW_SECONDS: how far an id token's exp may lie in the past (clocks differ); the manifest's
    /// oidc.skew says the same. <value>5 s</value>.
    /// </summary>
    public TimeSpan ClockSkew { get; } = TimeSpan.FromSeconds(configuration.GetValue("SHOP_OIDC_CLOCK_SKEW_SECONDS", 5));

    public string? Issuer { get; } = configuration["SHOP_OIDC_ISSUER"]?.TrimEnd('/') is { Length: > 0 } i ? i : null;

    public string ClientId { get; } = configuration["SHOP_OIDC_CLIENT_ID"] ?? "shop-web";
}

/// <summary>
/// The provider's signing keys, from its discovery document's jwks_uri; kept 5 minutes, fetched again for a key id it
/// does not know (at most every 10 s). A provider that does not answer within <see cref="OidcConfig.ProviderTimeout"/>
/// is remembered as down for 5 s, so sign-in attempts meanwhile fail at once instead of queueing on it.
/// </summary>
internal sealed partial class OidcKeys(IHttpClientFactory clients, OidcConfig config, TimeProvider time, ILogger<OidcKeys> logger) : IDisposable
{
    public const string Client = "oidc";
    private static readonly TimeSpan Keep = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan RefreshAtMost = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan DownFor = TimeSpan.FromSeconds(5);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IReadOnlyList<SecurityKey>? _keys;
    private DateTimeOffset _fetchedAt;
    private DateTimeOffset _downSince = DateTimeOffset.MinValue;

    /// <summary>The keys, or null when the provider cannot be reached now.</summary>
    public async Task<IReadOnlyList<SecurityKey>?> GetAsync(string? keyId, CancellationToken ct)
    {
        if (Fresh(keyId) is { } cached)
        {
            return cached;
        }

        await _gate.WaitAsync(ct);
        try
        {
            if (Fresh(keyId) is { } fetched)
            {
                return fetched;
            }

            if (time.GetUtcNow() - _downSince < DownFor)
            {
                return _keys;
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(OidcConfig.ProviderTimeout);
            try
            {
                var http = clients.CreateClient(Client);
                using var discovery = JsonDocument.Parse(await http.GetStringAsync(new Uri(config.Issuer + "/.well-known/openid-configuration"), timeout.Token));
                if (discovery.RootElement.GetProperty("issuer").GetString() != config.Issuer)
                {
                    LogWrongIssuer(discovery.RootElement.GetProperty("issuer").GetString());
                    return null;
                }

                var jwks = await http.GetStringAsync(new Uri(discovery.RootElement.GetProperty("jwks_uri").GetString()!), timeout.Token);
                _keys = [.. new JsonWebKeySet(jwks).GetSigningKeys()];
                _fetchedAt = time.GetUtcNow();
                return _keys;
            }
            catch (Exception ex) when (ex is HttpRequestException or JsonException or KeyNotFoundException or InvalidOperationException or ArgumentException
                || (ex is OperationCanceledException && !ct.IsCancellationRequested))
            {
                _downSince = time.GetUtcNow();
                LogUnavailable(ex.GetType().Name);
                return null;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    private IReadOnlyList<SecurityKey>? Fresh(string? keyId)
    {
        var age = time.GetUtcNow() - _fetchedAt;
        return _keys is { } keys && age < Keep && (keyId is null || keys.Any(k => k.KeyId == keyId) || age < RefreshAtMost) ? keys : null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The sign-in provider did not answer with its keys ({Error}); sign-in with it fails until it does")]
    private partial void LogUnavailable(string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The sign-in provider's discovery document names issuer {Issuer}, not the configured one")]
    private partial void LogWrongIssuer(string? issuer);
}

/// <summary>
/// <c>POST /auth/oidc</c>: sign in with the provider's id token (OpenID Connect Core 3.1.3.7): signed RS256 by one of
/// the provider's keys, issued by the configured issuer, for this client (and, with several audiences, authorized for it
/// by azp), not expired, carrying the nonce the client sent. The account is the shop user named by the token's
/// preferred_username (test mode: the stub's accounts are the shop's users; a real shop keeps a link of iss and sub).
/// </summary>
internal static class OidcSignIn
{
    public static void MapOidcSignIn(this RouteGroupBuilder auth) =>
        auth.MapPost("/oidc", async (OidcLoginRequest request, OidcConfig config, OidcKeys keys, TokenService tokens, CancellationToken ct) =>
        {
            if (config.Issuer is null)
            {
                return Results.Problem(statusCode: 404, title: "Sign-in with a provider is not configured (SHOP_OIDC_ISSUER).");
            }

            if (string.IsNullOrWhiteSpace(request.IdToken) || string.IsNullOrEmpty(request.Nonce))
            {
                return Validation.Problem(("idToken", "idToken and nonce are required."));
            }

            var handler = new JsonWebTokenHandler();
            if (!handler.CanReadToken(request.IdToken))
            {
                return Refused("it is not a JWT");
            }

            var kid = handler.ReadJsonWebToken(request.IdToken).Kid;
            if (await keys.GetAsync(kid, ct) is not { } signingKeys)
            {
                return Results.Problem(statusCode: 503, title: "The sign-in provider is not answering. Sign in with your username and password, or try again later.");
            }

            var result = await handler.ValidateTokenAsync(request.IdToken, new TokenValidationParameters
            {
                ValidIssuer = config.Issuer,
                ValidAudience = config.ClientId,
                IssuerSigningKeys = signingKeys,
                ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
                RequireSignedTokens = true,
                RequireExpirationTime = true,
                ClockSkew = config.ClockSkew,
            });
            if (!result.IsValid)
            {
                return Refused(result.Exception switch
                {
                    SecurityTokenExpiredException => "it has expired",
                    SecurityTokenInvalidAudienceException => "it was issued to another client",
                    SecurityTokenInvalidIssuerException => "another issuer made it",
                    SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "its signature is not the provider's",
                    _ => "it is not valid",
                });
            }

            var token = (JsonWebToken)result.SecurityToken;
            if (token.Audiences.Count() > 1 && (!token.TryGetPayloadValue<string>("azp", out var azp) || azp != config.ClientId))
            {
                return Refused("it was issued to several clients and azp is not this one");
            }

            if (!token.TryGetPayloadValue<string>("nonce", out var nonce)
                || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(nonce), Encoding.UTF8.GetBytes(request.Nonce)))
            {
                return Refused("its nonce is not the one of this sign-in");
            }

            var issued = token.TryGetPayloadValue<string>("preferred_username", out var username)
                ? await tokens.SignInAsync(username, ct)
                : null;
            return issued is null
                ? Results.Problem(statusCode: 403, title: "The provider's account is not linked to a shop user.")
                : Results.Ok(issued);
        });

    private static IResult Refused(string why) => Results.Problem(statusCode: 401, title: $"The id token is refused: {why}.");
}

using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Archgate.Checks.Tests.Fixtures;

namespace Archgate.Checks.Tests.ThirdParty;

/// <summary>How the fake provider and the fake caller behave; each flag off plants one defect.</summary>
internal sealed record FakeOidcBehaviour
{
    public bool ProviderDown { get; init; }

    public bool ChecksPkce { get; init; } = true;

    public bool CodesWorkOnce { get; init; } = true;

    public bool KeepsState { get; init; } = true;

    public bool CallerChecksSignature { get; init; } = true;

    public bool CallerChecksAudience { get; init; } = true;

    public bool CallerChecksExpiry { get; init; } = true;

    public bool CallerChecksNonce { get; init; } = true;

    /// <summary>With the provider down, the caller answers 500 instead of 503 with a message.</summary>
    public bool CallerCrashesWhenProviderDown { get; init; }

    public int TokenSeconds { get; init; } = 2;
}

/// <summary>
/// One local server playing both an OpenID Connect provider (issuer /oidc: discovery, JWKS, authorize with login_hint,
/// token with PKCE S256) and the caller that takes its id tokens at POST /auth/oidc, plus a password login at
/// POST /auth/login. The caller trusts the provider's key directly (as if from its JWKS) and checks what the
/// behaviour says it checks.
/// </summary>
internal sealed class FakeOidcSystem : IDisposable
{
    private readonly RSA _key = RSA.Create(2048);
    private readonly Dictionary<string, (string Client, string Challenge, string Nonce)> _codes = [];
    private readonly HashSet<string> _used = [];
    private readonly FakeOidcBehaviour _b;
    private readonly ScriptedHttpServer _server;

    public FakeOidcSystem(FakeOidcBehaviour behaviour)
    {
        _b = behaviour;
        _server = new ScriptedHttpServer(Handle);
    }

    public string Issuer => _server.Url.AbsoluteUri.TrimEnd('/') + "/oidc";

    public IReadOnlyCollection<Received> Requests => _server.Requests;

    public string Manifest => $$"""
        version: 1
        system: { name: s }
        auth:
          ann: { login: POST /auth/login, user: ann, password: demo, token: $.accessToken }
        components:
          - name: signin
            kind: third-party
            url: "{{_server.Url}}"
            critical: true
            policy: { timeout: 3s }
            oidc: { issuer: "{{Issuer}}", clientId: shop-web, redirectUri: "http://127.0.0.1:9/callback", user: ann, to: api, path: /auth/oidc, skew: 1s }
          - { name: api, kind: service, url: "{{_server.Url}}", auth: ann, dependsOn: [signin], critical: true }
          - { name: web, kind: frontend, url: "http://127.0.0.1:9", dependsOn: [api] }
        """;

    public void Dispose()
    {
        _server.Dispose();
        _key.Dispose();
    }

    private Reply Handle(Received r)
    {
        var path = r.PathAndQuery.Split('?')[0];
        if (path.StartsWith("/oidc", StringComparison.Ordinal) && _b.ProviderDown)
        {
            return new Reply(503, """{"error":"temporarily_unavailable"}""");
        }

        return path switch
        {
            "/oidc/.well-known/openid-configuration" => Json(new JsonObject
            {
                ["issuer"] = Issuer,
                ["authorization_endpoint"] = Issuer + "/authorize",
                ["token_endpoint"] = Issuer + "/token",
                ["jwks_uri"] = Issuer + "/jwks",
                ["response_types_supported"] = new JsonArray("code"),
                ["subject_types_supported"] = new JsonArray("public"),
                ["id_token_signing_alg_values_supported"] = new JsonArray("RS256"),
                ["code_challenge_methods_supported"] = new JsonArray("S256"),
            }),
            "/oidc/jwks" => Jwks(),
            "/oidc/authorize" => Authorize(Query(r.PathAndQuery)),
            "/oidc/token" => Token(Query("?" + r.Body)),
            "/auth/oidc" => SignIn(r.Body),
            "/auth/login" => new Reply(200, """{"accessToken":"password-token"}"""),
            _ => new Reply(404),
        };
    }

    private Reply Jwks()
    {
        var p = _key.ExportParameters(false);
        return Json(new JsonObject { ["keys"] = new JsonArray(new JsonObject { ["kty"] = "RSA", ["use"] = "sig", ["kid"] = "k1", ["n"] = B64(p.Modulus!), ["e"] = B64(p.Exponent!) }) });
    }

    private Reply Authorize(Dictionary<string, string> q)
    {
        var code = "c" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        _codes[code] = (q["client_id"], q.GetValueOrDefault("code_challenge") ?? string.Empty, q.GetValueOrDefault("nonce") ?? string.Empty);
        var state = _b.KeepsState ? q.GetValueOrDefault("state") : "changed";
        return new Reply(302, Headers: new Dictionary<string, string> { ["Location"] = $"{q["redirect_uri"]}?code={code}&state={Uri.EscapeDataString(state ?? string.Empty)}" });
    }

    private Reply Token(Dictionary<string, string> f)
    {
        var code = f.GetValueOrDefault("code") ?? string.Empty;
        if (!_codes.TryGetValue(code, out var pending) || (_b.CodesWorkOnce && !_used.Add(code)))
        {
            return new Reply(400, """{"error":"invalid_grant"}""");
        }

        var verifier = f.GetValueOrDefault("code_verifier");
        var computed = verifier is null ? null : B64(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        if (_b.ChecksPkce && computed != pending.Challenge)
        {
            return new Reply(400, """{"error":"invalid_grant","error_description":"code_verifier"}""");
        }

        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var claims = new JsonObject
        {
            ["iss"] = Issuer, ["sub"] = "u-ann", ["aud"] = pending.Client, ["iat"] = now, ["exp"] = now + _b.TokenSeconds,
            ["nonce"] = pending.Nonce, ["preferred_username"] = "ann",
        };
        return Json(new JsonObject { ["id_token"] = Sign(claims), ["token_type"] = "Bearer", ["access_token"] = "at" });
    }

    private Reply SignIn(string body)
    {
        if (_b.ProviderDown)
        {
            return _b.CallerCrashesWhenProviderDown ? new Reply(500) : new Reply(503, """{"title":"The sign-in provider is not answering."}""");
        }

        using var request = JsonDocument.Parse(body);
        var token = request.RootElement.GetProperty("idToken").GetString()!.Split('.');
        var header = JsonNode.Parse(FromB64(token[0]))!;
        var claims = JsonNode.Parse(FromB64(token[1]))!;
        if (_b.CallerChecksSignature && ((string?)header["alg"] != "RS256"
            || !_key.VerifyData(Encoding.ASCII.GetBytes($"{token[0]}.{token[1]}"), FromB64(token[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)))
        {
            return new Reply(401, """{"title":"signature"}""");
        }

        if (_b.CallerChecksAudience && (string?)claims["aud"] != "shop-web")
        {
            return new Reply(401, """{"title":"audience"}""");
        }

        if (_b.CallerChecksExpiry && (long)claims["exp"]! + 1 < DateTimeOffset.UtcNow.ToUnixTimeSeconds())
        {
            return new Reply(401, """{"title":"expired"}""");
        }

        if (_b.CallerChecksNonce && (string?)claims["nonce"] != request.RootElement.GetProperty("nonce").GetString())
        {
            return new Reply(401, """{"title":"nonce"}""");
        }

        return new Reply(200, """{"accessToken":"shop-token"}""");
    }

    private string Sign(JsonObject claims)
    {
        var input = $"{B64(Encoding.UTF8.GetBytes("""{"alg":"RS256","typ":"JWT","kid":"k1"}"""))}.{B64(Encoding.UTF8.GetBytes(claims.ToJsonString()))}";
        return $"{input}.{B64(_key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))}";
    }

    private static Reply Json(JsonObject json) => new(200, json.ToJsonString());

    private static Dictionary<string, string> Query(string pathAndQuery)
    {
        var i = pathAndQuery.IndexOf('?', StringComparison.Ordinal);
        return i < 0 ? [] : pathAndQuery[(i + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2)).ToDictionary(p => WebUtility.UrlDecode(p[0]), p => p.Length > 1 ? WebUtility.UrlDecode(p[1]) : string.Empty);
    }

    private static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromB64(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '='));
    }
}

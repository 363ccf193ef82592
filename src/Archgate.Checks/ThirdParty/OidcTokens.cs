using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Archgate.Checks.ThirdParty;

/// <summary>A compact JWS split into its parts: the decoded header and claims, and what the signature covers.</summary>
internal sealed record JwtParts(JsonObject Header, JsonObject Claims, byte[] SigningInput, byte[] Signature)
{
    public string? Alg => (string?)Header["alg"];

    public string? Kid => (string?)Header["kid"];

    public string? Claim(string name) => Claims[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public long? Seconds(string name) => Claims[name] is JsonValue v && v.TryGetValue<long>(out var n) ? n : null;

    /// <summary>The aud claim as a list (a string or an array of strings, OpenID Connect Core 2).</summary>
    public IReadOnlyList<string> Audiences => Claims["aud"] switch
    {
        JsonArray a => [.. a.Select(n => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : null).OfType<string>()],
        JsonValue v when v.TryGetValue<string>(out var s) => [s],
        _ => [],
    };
}

/// <summary>
/// Reading and making JSON Web Tokens for the OIDC check: RS256 verification against a JWKS (RFC 7517/7518), and the
/// forgeries a caller must refuse (a token signed with a key the provider never published, an unsigned one).
/// </summary>
internal static class OidcTokens
{
    /// <summary>The parts of <paramref name="token"/>, or null when it is not a three-part JWS with JSON header and claims.</summary>
    public static JwtParts? Read(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(FromBase64Url(parts[0])) is JsonObject header && JsonNode.Parse(FromBase64Url(parts[1])) is JsonObject claims
                ? new JwtParts(header, claims, Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"), FromBase64Url(parts[2]))
                : null;
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return null;
        }
    }

    /// <summary>The RSA signing keys of a JWKS by kid (keys without kid under the empty string); keys of other types or uses are left out.</summary>
    public static Dictionary<string, RSAParameters> RsaKeys(JsonElement jwks)
    {
        var keys = new Dictionary<string, RSAParameters>(StringComparer.Ordinal);
        if (jwks.ValueKind != JsonValueKind.Object || !jwks.TryGetProperty("keys", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            return keys;
        }

        foreach (var key in list.EnumerateArray())
        {
            if (Text(key, "kty") == "RSA" && Text(key, "use") is null or "sig" && Text(key, "n") is { } n && Text(key, "e") is { } e)
            {
                try
                {
                    keys[Text(key, "kid") ?? string.Empty] = new RSAParameters { Modulus = FromBase64Url(n), Exponent = FromBase64Url(e) };
                }
                catch (FormatException)
                {
                    // A key that does not decode is no key.
                }
            }
        }

        return keys;
    }

    /// <summary>Whether <paramref name="jwt"/> is RS256 and its signature verifies under the JWKS key its kid names (or the only key when it names none).</summary>
    public static bool VerifiesRs256(JwtParts jwt, Dictionary<string, RSAParameters> keys)
    {
        var key = jwt.Kid is { } kid ? keys.GetValueOrDefault(kid) : keys.Count == 1 ? keys.Values.First() : default;
        if (jwt.Alg != "RS256" || key.Modulus is null)
        {
            return false;
        }

        using var rsa = RSA.Create(key);
        return rsa.VerifyData(jwt.SigningInput, jwt.Signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    }

    /// <summary>A JWS of <paramref name="claims"/> signed RS256 with <paramref name="key"/> and carrying <paramref name="kid"/>.</summary>
    public static string SignRs256(JsonObject claims, RSA key, string? kid)
    {
        var header = new JsonObject { ["alg"] = "RS256", ["typ"] = "JWT" };
        if (kid is not null)
        {
            header["kid"] = kid;
        }

        var input = $"{Base64Url(header)}.{Base64Url(claims)}";
        return $"{input}.{Base64Url(key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))}";
    }

    /// <summary>An unsecured JWT (<c>alg: none</c>, RFC 7519 6): no signature at all.</summary>
    public static string Unsigned(JsonObject claims) => $"{Base64Url(new JsonObject { ["alg"] = "none", ["typ"] = "JWT" })}.{Base64Url(claims)}.";

    /// <summary>A PKCE code verifier (RFC 7636 4.1): 43 characters from 32 random bytes.</summary>
    public static string NewVerifier() => Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>The S256 code challenge of <paramref name="verifier"/> (RFC 7636 4.2).</summary>
    public static string ChallengeOf(string verifier) => Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    public static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string Base64Url(JsonObject json) => Base64Url(Encoding.UTF8.GetBytes(json.ToJsonString()));

    private static byte[] FromBase64Url(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '='));
    }

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}

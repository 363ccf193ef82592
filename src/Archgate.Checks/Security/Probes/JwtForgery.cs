using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Archgate.Checks.Security.Probes;

/// <summary>
/// Forged variants of a real JWT that a service must refuse: the payload changed under the original signature,
/// the payload signed with another key, and <c>alg: none</c> without a signature (RFC 7519, RFC 7515).
/// </summary>
internal static class JwtForgery
{
    /// <summary>Whether <paramref name="token"/> looks like a compact JWS with a JSON header and payload.</summary>
    public static bool IsJwt(string token) => Parts(token) is not null;

    /// <summary>The payload with its subject changed and an admin role added, under the original signature.</summary>
    public static string? TamperedPayload(string token) => Parts(token) is { } p
        ? $"{p.Header}.{Encode(Tamper(p.Payload))}.{p.Signature}"
        : null;

    /// <summary>The tampered payload signed (HS256) with a key the service has never seen.</summary>
    public static string? OtherKey(string token)
    {
        if (Parts(token) is not { } p)
        {
            return null;
        }

        var header = Encode(new JsonObject { ["alg"] = "HS256", ["typ"] = "JWT" });
        var payload = Encode(Tamper(p.Payload));
        var key = RandomNumberGenerator.GetBytes(32);
        var signature = Base64Url(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes($"{header}.{payload}")));
        return $"{header}.{payload}.{signature}";
    }

    /// <summary>The original payload with <c>alg: none</c> and an empty signature.</summary>
    public static string? AlgNone(string token) => Parts(token) is { } p
        ? $"{Encode(new JsonObject { ["alg"] = "none", ["typ"] = "JWT" })}.{Encode(p.Payload)}."
        : null;

    private static JsonObject Tamper(JsonObject payload)
    {
        var copy = (JsonObject)payload.DeepClone();
        copy["sub"] = copy["sub"] is JsonValue sub && sub.TryGetValue<string>(out var s) ? s + "0" : "archgate";
        copy["role"] = "admin";
        return copy;
    }

    private static (string Header, JsonObject Payload, string Signature)? Parts(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            var header = JsonNode.Parse(Decode(parts[0])) as JsonObject;
            var payload = JsonNode.Parse(Decode(parts[1])) as JsonObject;
            return header?["alg"] is null || payload is null ? null : (parts[0], payload, parts[2]);
        }
        catch (Exception ex) when (ex is FormatException or System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static string Encode(JsonNode node) => Base64Url(Encoding.UTF8.GetBytes(node.ToJsonString()));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] Decode(string part)
    {
        var text = part.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '='));
    }
}

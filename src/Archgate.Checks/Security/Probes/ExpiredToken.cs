using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Archgate.Checks.Contracts.Conformance;
using Archgate.Checks.Http;
using Archgate.Model;

namespace Archgate.Checks.Security.Probes;

/// <summary>
/// The expired-token probe of step 9 (AG9003): a token whose <c>exp</c> is past must be refused. Two ways to get
/// one: mint it with the issuer's key the manifest gives for a test environment (<c>security.signingKey</c>: the
/// login token's claims, <c>exp</c> an hour past, after a control token minted the same way but unexpired proved
/// the key right), or wait out a login token that expires within <see cref="SecurityProbeOptions.MaxExpiryWait"/>.
/// Otherwise the probe is not evaluated, and says why.
/// </summary>
internal static class ExpiredToken
{
    /// <summary>How far in the past a minted token expired: beyond any clock skew a service allows.</summary>
    public static readonly TimeSpan MintedPast = TimeSpan.FromHours(1);

    /// <summary>What the probe found: the accepted request (a finding) or null, and a sentence for the coverage finding.</summary>
    public sealed record Outcome(string Note, ProbeRequest? AcceptedRequest = null, ProbeExchange? AcceptedExchange = null, string? How = null);

    /// <summary>The login token re-signed with <paramref name="key"/>, its <c>exp</c> set to <paramref name="expires"/>; or why not.</summary>
    public static (string? Token, string? Problem) Mint(string token, JwtSigningKey key, DateTimeOffset expires, DateTimeOffset now)
    {
        var parts = token.Split('.');
        JsonObject? header, payload;
        try
        {
            header = parts.Length == 3 ? JsonNode.Parse(Decode(parts[0])) as JsonObject : null;
            payload = parts.Length == 3 ? JsonNode.Parse(Decode(parts[1])) as JsonObject : null;
        }
        catch (Exception ex) when (ex is FormatException or System.Text.Json.JsonException)
        {
            header = payload = null;
        }

        if (header is null || payload is null)
        {
            return (null, "the login's token is not a JWT");
        }

        var alg = header["alg"] is JsonValue a && a.TryGetValue<string>(out var s) ? s : "";
        payload = (JsonObject)payload.DeepClone();
        payload["exp"] = expires.ToUnixTimeSeconds();
        var issued = (expires < now ? expires : now) - TimeSpan.FromHours(1);
        payload["iat"] = issued.ToUnixTimeSeconds();
        if (payload.ContainsKey("nbf"))
        {
            payload["nbf"] = issued.ToUnixTimeSeconds();
        }

        if (payload.ContainsKey("jti"))
        {
            payload["jti"] = Guid.NewGuid().ToString("N");
        }

        var input = $"{Encode(Encoding.UTF8.GetBytes(header.ToJsonString()))}.{Encode(Encoding.UTF8.GetBytes(payload.ToJsonString()))}";
        try
        {
            var signature = Sign(alg, key, Encoding.ASCII.GetBytes(input));
            return signature is null
                ? (null, $"the login's token is signed with '{alg}', which security.signingKey's {(key.Secret is null ? "private key" : "secret")} cannot sign")
                : ($"{input}.{Encode(signature)}", null);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            return (null, $"security.signingKey cannot sign {alg}: {ex.GetType().Name}");
        }
    }

    /// <summary>
    /// Runs the probe on the first of <paramref name="operations"/> (safe methods first) that answers 2xx with the
    /// service's own <paramref name="token"/>; <paramref name="minted"/> holds the tokens minted with the manifest's
    /// key (when it gives one). <paramref name="openToForged"/> names the probed operations left out
    /// because they already accepted no credentials or a forged token (AG9001, AG9002), with what they accepted.
    /// </summary>
    public static async Task<Outcome> RunAsync(
        string? token, (string? Valid, string? Expired, string? Problem) minted, IReadOnlyList<(string What, ProbeRequest Request)> operations,
        IReadOnlyList<string> openToForged, ProbeSender sender, TimeProvider time, SecurityProbeOptions options, CancellationToken cancellationToken)
    {
        if (token is null)
        {
            return new("expired token not evaluated: the manifest's auth gives no bearer token");
        }

        if (!JwtForgery.IsJwt(token))
        {
            return new("expired token not evaluated: the login's token is not a JWT, so its expiry cannot be read or set");
        }

        if (minted.Problem is not null)
        {
            return new($"expired token not evaluated: {minted.Problem}");
        }

        var expiry = TokenSource.ExpiryOf(token);
        var noExp = expiry is null ? "; the login's token has no exp" : "";
        var forged = openToForged.Count == 0 ? "" : $"{string.Join(", ", openToForged.Take(6))}{(openToForged.Count > 6 ? $" and {openToForged.Count - 6} more" : "")}";
        if (operations.Count == 0)
        {
            return new("expired token not evaluated: " + (forged.Length > 0
                ? $"every probed operation already accepted a request without credentials or with a forged token ({forged}), so none is left where refusing an expired token would prove anything"
                : "no probed operation answered the probes, so none is left to try an expired token on") + noExp);
        }

        // A control first: an operation the real token opens, so a refusal of the expired one proves something. It
        // comes before asking whether a token can be had at all, so "give security.signingKey" is said only when a key
        // would let the probe run.
        (string What, ProbeRequest Request)? control = null;
        var tried = new List<string>();
        foreach (var (what, request) in operations.OrderBy(o => o.Request.Method is "GET" or "HEAD" ? 0 : 1).Take(3))
        {
            tried.Add(what);
            var answer = await sender.SendAsync(request.WithHeader("Authorization", "Bearer " + token), cancellationToken);
            if (answer?.Succeeded == true)
            {
                control = (what, request);
                break;
            }
        }

        if (control is not { } chosen)
        {
            var expiredAlready = expiry is { } past && past <= time.GetUtcNow()
                ? $"; the login's own token was already past its exp ({past.ToString("u", CultureInfo.InvariantCulture)})" : "";
            return new($"expired token not evaluated: {string.Join(", ", tried)} did not answer 2xx to the login's own token" + (forged.Length > 0
                ? $", and the operations left out already accepted a forged token or none ({forged})" : "")
                + ", so a refusal of an expired one would prove nothing" + expiredAlready + noExp);
        }

        var wait = expiry is { } e ? e + options.ExpirySkew - time.GetUtcNow() : (TimeSpan?)null;
        if (minted.Expired is null && (wait is null || wait > options.MaxExpiryWait))
        {
            return new("expired token not evaluated: " + (wait is null
                ? "the login's token has no exp, so there is no expiry to wait out"
                : $"the login's tokens live {Seconds(wait.Value - options.ExpirySkew)} s more, longer than the {Seconds(options.MaxExpiryWait)} s the probe may wait")
                + "; give security.signingKey (the issuer's key in a test environment) so Archgate can mint one");
        }

        string how;
        string expiredToken;
        if (minted.Expired is not null)
        {
            var check = await sender.SendAsync(chosen.Request.WithHeader("Authorization", "Bearer " + minted.Valid), cancellationToken);
            if (check?.Succeeded != true)
            {
                var status = check?.Status.ToString(CultureInfo.InvariantCulture) ?? "no answer";
                return new($"expired token not evaluated: {chosen.What} refused ({status}) an unexpired token minted with security.signingKey: " + (expiry is null
                    ? "either it is not the key the issuer signs with, or the service refuses a token with an exp (the login's own token has none)"
                    : "it is not the key the issuer signs with"));
            }

            expiredToken = minted.Expired;
            how = $"minted with security.signingKey, exp {MintedPast.TotalMinutes.ToString("0", CultureInfo.InvariantCulture)} min past";
        }
        else
        {
            // A timer may fire a millisecond early (it counts whole milliseconds of a monotonic clock): wait until the
            // wall clock itself is past exp + skew, so a service that compares whole seconds sees the token expired.
            var deadline = expiry!.Value + options.ExpirySkew;
            for (var left = deadline - time.GetUtcNow(); left > TimeSpan.Zero; left = deadline - time.GetUtcNow())
            {
                await Task.Delay(left + TimeSpan.FromMilliseconds(5), time, cancellationToken);
            }

            expiredToken = token;
            how = $"the login's own token, {Seconds(options.ExpirySkew)} s after its exp";
        }

        var expiredRequest = chosen.Request.WithHeader("Authorization", "Bearer " + expiredToken);
        var exchange = await sender.SendAsync(expiredRequest, cancellationToken);
        return exchange switch
        {
            null => new($"expired token not evaluated: {chosen.What} did not answer ({sender.Spent ?? sender.FailureCause})"),
            { Succeeded: true } => new($"an expired token ({how}) was accepted by {chosen.What}{noExp}", expiredRequest, exchange, how),
            _ => new($"an expired token ({how}) was refused by {chosen.What} with {exchange.Status.ToString(CultureInfo.InvariantCulture)}{noExp}"),
        };
    }

    private static byte[]? Sign(string alg, JwtSigningKey key, byte[] data)
    {
        if (key.Secret is { } secret)
        {
            var bytes = Encoding.UTF8.GetBytes(secret);
            return alg switch
            {
                "HS256" => HMACSHA256.HashData(bytes, data),
                "HS384" => HMACSHA384.HashData(bytes, data),
                "HS512" => HMACSHA512.HashData(bytes, data),
                _ => null,
            };
        }

        var hash = alg.Length == 5 ? alg[2..] switch
        {
            "256" => HashAlgorithmName.SHA256,
            "384" => HashAlgorithmName.SHA384,
            "512" => HashAlgorithmName.SHA512,
            _ => default,
        } : default;
        if (hash == default)
        {
            return null;
        }

        switch (alg[..2])
        {
            case "RS" or "PS":
                {
                    using var rsa = RSA.Create();
                    rsa.ImportFromPem(key.PrivateKeyPem);
                    return rsa.SignData(data, hash, alg[0] == 'R' ? RSASignaturePadding.Pkcs1 : RSASignaturePadding.Pss);
                }

            case "ES":
                {
                    using var ec = ECDsa.Create();
                    ec.ImportFromPem(key.PrivateKeyPem);
                    return ec.SignData(data, hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
                }

            default:
                return null;
        }
    }

    private static string Seconds(TimeSpan span) => Math.Max(0, span.TotalSeconds).ToString("0", CultureInfo.InvariantCulture);

    private static string Encode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] Decode(string part)
    {
        var text = part.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '='));
    }
}

using System.Security.Cryptography;
using System.Text;

namespace Archgate.Manifest.Secrets;

/// <summary>AWS credentials: an access key, its secret and, for temporary credentials, the session token.</summary>
internal sealed record AwsCredentials(string AccessKeyId, string SecretAccessKey, string? SessionToken);

/// <summary>
/// A request as Signature Version 4 sees it: the path and query unencoded (the signer encodes them), the headers in the
/// order they are sent (repeated names allowed), the body's bytes.
/// </summary>
internal sealed record SigV4Request(
    string Method,
    string Path,
    IReadOnlyList<(string Name, string Value)> Query,
    IReadOnlyList<(string Name, string Value)> Headers,
    byte[] Body);

/// <summary>What signing produced: the intermediate texts (for tests and error messages) and the headers to send.</summary>
internal sealed record SigV4Signature(
    string CanonicalRequest,
    string StringToSign,
    string Signature,
    IReadOnlyList<(string Name, string Value)> HeadersToAdd);

/// <summary>
/// AWS Signature Version 4 (header form), as AWS documents it: canonical request, string to sign, the HMAC-SHA256
/// key chain over date, region and service. Checked against the aws-c-auth signing test suite.
/// </summary>
internal static class SigV4
{
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>Signs <paramref name="request"/> at <paramref name="time"/>.</summary>
    /// <param name="normalizePath">Remove dot segments and repeated slashes from the path (every service but S3).</param>
    /// <param name="signBody">Add and sign <c>x-amz-content-sha256</c> (S3-style); the payload hash is always in the canonical request.</param>
    public static SigV4Signature Sign(SigV4Request request, AwsCredentials credentials, string region, string service, DateTimeOffset time,
        bool normalizePath = true, bool signBody = false)
    {
        var amzDate = time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'");
        var date = amzDate[..8];
        var payloadHash = Hex(SHA256.HashData(request.Body));
        var added = new List<(string Name, string Value)> { ("X-Amz-Date", amzDate) };
        if (signBody)
        {
            added.Add(("x-amz-content-sha256", payloadHash));
        }

        if (credentials.SessionToken is { Length: > 0 } token)
        {
            added.Add(("X-Amz-Security-Token", token));
        }

        var (canonicalHeaders, signedHeaders) = CanonicalHeaders([.. request.Headers, .. added]);
        var canonical = string.Join('\n',
            request.Method.ToUpperInvariant(),
            CanonicalPath(request.Path, normalizePath),
            CanonicalQuery(request.Query),
            canonicalHeaders,
            signedHeaders,
            payloadHash);
        var scope = $"{date}/{region}/{service}/aws4_request";
        var stringToSign = string.Join('\n', Algorithm, amzDate, scope, Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical))));
        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + credentials.SecretAccessKey), date);
        key = Hmac(key, region);
        key = Hmac(key, service);
        key = Hmac(key, "aws4_request");
        var signature = Hex(Hmac(key, stringToSign));
        added.Add(("Authorization", $"{Algorithm} Credential={credentials.AccessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}"));
        return new SigV4Signature(canonical, stringToSign, signature, added);
    }

    /// <summary>RFC 3986 percent-encoding of every byte but the unreserved characters, hex digits in upper case.</summary>
    public static string UriEncode(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            var c = (char)b;
            if (c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '.' or '_' or '~')
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2"));
            }
        }

        return builder.ToString();
    }

    private static string CanonicalPath(string path, bool normalize)
    {
        if (path.Length == 0)
        {
            return "/";
        }

        var segments = path.Split('/');
        if (normalize)
        {
            var kept = new List<string>();
            foreach (var segment in segments)
            {
                if (segment is "" or ".")
                {
                    continue;
                }

                if (segment == "..")
                {
                    if (kept.Count > 0)
                    {
                        kept.RemoveAt(kept.Count - 1);
                    }

                    continue;
                }

                kept.Add(segment);
            }

            var trailing = kept.Count > 0 && (path.EndsWith('/') || segments[^1] is "." or "..") ? "/" : string.Empty;
            if (segments[^1] is "." or ".." && kept.Count == 0)
            {
                trailing = string.Empty;
            }

            return "/" + string.Join('/', kept.Select(UriEncode)) + trailing;
        }

        return string.Join('/', segments.Select(UriEncode));
    }

    private static string CanonicalQuery(IReadOnlyList<(string Name, string Value)> query) =>
        string.Join('&', query
            .Select(p => (Name: UriEncode(p.Name), Value: UriEncode(p.Value)))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => $"{p.Name}={p.Value}"));

    private static (string Canonical, string Signed) CanonicalHeaders(IReadOnlyList<(string Name, string Value)> headers)
    {
        var grouped = headers
            .GroupBy(h => h.Name.ToLowerInvariant(), StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (Name: g.Key, Value: string.Join(',', g.Select(h => Trim(h.Value)))))
            .ToList();
        return (string.Concat(grouped.Select(h => $"{h.Name}:{h.Value}\n")), string.Join(';', grouped.Select(h => h.Name)));
    }

    /// <summary>Leading and trailing blanks removed, every run of blanks (line breaks of folded values too) one space.</summary>
    private static string Trim(string value)
    {
        var builder = new StringBuilder(value.Length);
        var blank = false;
        foreach (var c in value.Trim())
        {
            if (c is ' ' or '\t' or '\r' or '\n')
            {
                blank = true;
                continue;
            }

            if (blank)
            {
                builder.Append(' ');
                blank = false;
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}

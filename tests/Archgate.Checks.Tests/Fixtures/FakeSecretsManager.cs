using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Archgate.Checks.Tests.Fixtures;

/// <summary>
/// AWS Secrets Manager's <c>GetSecretValue</c> as the JSON 1.1 protocol answers it, on 127.0.0.1. Every request's
/// Signature Version 4 is verified as AWS verifies it, with this fixture's own canonicalization: the credential scope
/// (known access key, date of <c>X-Amz-Date</c>, region, <c>secretsmanager</c>), the clock within 15 minutes, the signed
/// headers (host and x-amz-date at least, the session token when the key is temporary), the canonical request rebuilt
/// from what arrived, and the HMAC-SHA256 chain. Errors carry <c>__type</c> and <c>message</c> as AWS words them.
/// </summary>
public sealed class FakeSecretsManager : IDisposable
{
    private readonly LocalHttpServer _server;
    private readonly Dictionary<string, (string Secret, string? SessionToken, HashSet<string>? Allowed)> _keys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _secrets = new(StringComparer.Ordinal);

    public FakeSecretsManager(string region)
    {
        Region = region;
        _server = new LocalHttpServer(AnswerAsync);
    }

    public string Region { get; }

    public Uri Url => _server.Url;

    /// <summary>Each request's verdict: <c>ok</c> or the error type.</summary>
    public ConcurrentQueue<string> Verdicts { get; } = new();

    /// <summary>An access key; <paramref name="allowed"/> limits the secrets it may read (null: all).</summary>
    public void AddKey(string accessKeyId, string secretAccessKey, string? sessionToken = null, IEnumerable<string>? allowed = null) =>
        _keys[accessKeyId] = (secretAccessKey, sessionToken, allowed?.ToHashSet(StringComparer.Ordinal));

    public void Put(string name, string secretString) => _secrets[name] = secretString;

    public void Dispose() => _server.Dispose();

    private async Task AnswerAsync(HttpListenerContext context)
    {
        var request = context.Request;
        using var buffer = new MemoryStream();
        await request.InputStream.CopyToAsync(buffer);
        var body = buffer.ToArray();
        var (status, type, message) = Verify(request, body);
        if (type is not null)
        {
            Verdicts.Enqueue(type);
            await WriteAsync(context, status, new Dictionary<string, string> { ["__type"] = type, ["message"] = message! });
            return;
        }

        using var json = JsonDocument.Parse(body);
        var id = json.RootElement.GetProperty("SecretId").GetString()!;
        var key = _keys[AccessKey(request)!];
        if (key.Allowed is not null && !key.Allowed.Contains(id))
        {
            Verdicts.Enqueue("AccessDeniedException");
            await WriteAsync(context, 400, new Dictionary<string, string>
            {
                ["__type"] = "AccessDeniedException",
                ["Message"] = $"User: arn:aws:iam::123456789012:user/archgate is not authorized to perform: secretsmanager:GetSecretValue on resource: {id} because no identity-based policy allows the secretsmanager:GetSecretValue action",
            });
            return;
        }

        if (!_secrets.TryGetValue(id, out var value))
        {
            Verdicts.Enqueue("ResourceNotFoundException");
            await WriteAsync(context, 400, new Dictionary<string, string> { ["__type"] = "ResourceNotFoundException", ["message"] = "Secrets Manager can't find the specified secret." });
            return;
        }

        Verdicts.Enqueue("ok");
        await WriteAsync(context, 200, new Dictionary<string, object>
        {
            ["ARN"] = $"arn:aws:secretsmanager:{Region}:123456789012:secret:{id}-AbCdEf",
            ["Name"] = id,
            ["SecretString"] = value,
            ["VersionId"] = "EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE",
            ["VersionStages"] = new[] { "AWSCURRENT" },
            ["CreatedDate"] = 1.523477145713E9,
        });
    }

    private static string? AccessKey(HttpListenerRequest request)
    {
        var auth = request.Headers["Authorization"] ?? string.Empty;
        var at = auth.IndexOf("Credential=", StringComparison.Ordinal);
        return at < 0 ? null : auth[(at + "Credential=".Length)..].Split('/')[0];
    }

    private (int Status, string? Type, string? Message) Verify(HttpListenerRequest request, byte[] body)
    {
        if (request.HttpMethod != "POST" || request.Headers["X-Amz-Target"] != "secretsmanager.GetSecretValue")
        {
            return (400, "UnknownOperationException", string.Empty);
        }

        if (request.ContentType != "application/x-amz-json-1.1")
        {
            return (400, "SerializationException", "Start of structure or map found where not expected.");
        }

        var auth = request.Headers["Authorization"];
        if (auth is null || !auth.StartsWith("AWS4-HMAC-SHA256 ", StringComparison.Ordinal))
        {
            return (400, "MissingAuthenticationTokenException", "Missing Authentication Token");
        }

        var parts = auth["AWS4-HMAC-SHA256 ".Length..].Split(',', StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        if (!parts.TryGetValue("Credential", out var credential) || !parts.TryGetValue("SignedHeaders", out var signedHeaders) || !parts.TryGetValue("Signature", out var signature))
        {
            return (400, "IncompleteSignatureException", "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.");
        }

        var scope = credential.Split('/');
        if (scope.Length != 5 || !_keys.TryGetValue(scope[0], out var key))
        {
            return (400, "UnrecognizedClientException", "The security token included in the request is invalid.");
        }

        var amzDate = request.Headers["X-Amz-Date"] ?? string.Empty;
        if (!DateTimeOffset.TryParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var when))
        {
            return (400, "IncompleteSignatureException", "X-Amz-Date is missing or malformed.");
        }

        if ((DateTimeOffset.UtcNow - when).Duration() > TimeSpan.FromMinutes(15))
        {
            return (400, "InvalidSignatureException", "Signature expired: " + amzDate + " is now earlier than the allowed skew.");
        }

        if (scope[1] != amzDate[..8] || scope[2] != Region || scope[3] != "secretsmanager" || scope[4] != "aws4_request")
        {
            return (400, "InvalidSignatureException", $"Credential should be scoped to a valid region and service: {amzDate[..8]}/{Region}/secretsmanager/aws4_request.");
        }

        var names = signedHeaders.Split(';');
        if (!names.Contains("host") || !names.Contains("x-amz-date") || !names.SequenceEqual(names.Order(StringComparer.Ordinal)))
        {
            return (400, "InvalidSignatureException", "Signed headers must include host and x-amz-date, in order.");
        }

        if (key.SessionToken is not null && (request.Headers["X-Amz-Security-Token"] != key.SessionToken || !names.Contains("x-amz-security-token")))
        {
            return (400, "UnrecognizedClientException", "The security token included in the request is invalid.");
        }

        var canonicalHeaders = new StringBuilder();
        foreach (var name in names)
        {
            var values = request.Headers.GetValues(name);
            if (values is null)
            {
                return (400, "InvalidSignatureException", $"Signed header {name} is missing.");
            }

            canonicalHeaders.Append(name).Append(':').Append(string.Join(',', values.Select(v => string.Join(' ', v.Split(' ', StringSplitOptions.RemoveEmptyEntries))))).Append('\n');
        }

        var canonical = $"POST\n{request.Url!.AbsolutePath}\n\n{canonicalHeaders}\n{signedHeaders}\n{Convert.ToHexStringLower(SHA256.HashData(body))}";
        var toSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{string.Join('/', scope.Skip(1))}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        var signingKey = Encoding.UTF8.GetBytes("AWS4" + key.Secret);
        foreach (var part in scope.Skip(1))
        {
            signingKey = HMACSHA256.HashData(signingKey, Encoding.UTF8.GetBytes(part));
        }

        var expected = Encoding.ASCII.GetBytes(Convert.ToHexStringLower(HMACSHA256.HashData(signingKey, Encoding.UTF8.GetBytes(toSign))));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signature))
            ? (200, null, null)
            : (400, "InvalidSignatureException", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.");
    }

    private static Task WriteAsync(HttpListenerContext context, int status, object body) =>
        LocalHttpServer.WriteAsync(context, status, Encoding.UTF8.GetBytes(JsonSerializer.Serialize(body)), "application/x-amz-json-1.1");
}

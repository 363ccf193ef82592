using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;

namespace Archgate.Manifest.Secrets;

/// <summary>The value a secret reference stands for, or what went wrong and how to mend it (never the value).</summary>
internal sealed record SecretLookup(string? Value, string? Problem, string? Hint)
{
    /// <summary>A well-formed reference left unread: the command loading the manifest contacts no secret store.</summary>
    public static SecretLookup Unread { get; } = new(null, null, null);

    public bool IsUnread => Value is null && Problem is null;

    public static SecretLookup Failed(string problem, string hint) => new(null, problem, hint);
}

/// <summary>
/// Resolves the manifest's secret references while it loads: <c>vault:MOUNT/data/PATH[?version=N]#KEY</c> through
/// HashiCorp Vault's KV v2 HTTP API (<c>VAULT_ADDR</c>, <c>VAULT_TOKEN</c>, optional <c>VAULT_NAMESPACE</c>) and
/// <c>aws-sm:SECRET-ID[#KEY]</c> through AWS Secrets Manager's <c>GetSecretValue</c>, signed with Signature Version 4
/// (<c>AWS_ACCESS_KEY_ID</c>, <c>AWS_SECRET_ACCESS_KEY</c>, <c>AWS_SESSION_TOKEN</c>, <c>AWS_REGION</c>, endpoint
/// <c>AWS_ENDPOINT_URL_SECRETS_MANAGER</c> or <c>AWS_ENDPOINT_URL</c>). Each secret document is fetched once per load.
/// Without <paramref name="read"/> (<c>archgate validate</c> and <c>plan</c>), a reference's form is checked and the
/// store is not contacted: <see cref="SecretLookup.Unread"/>.
/// </summary>
internal sealed class SecretStores(Func<string, string?> environment, TimeProvider? time = null, bool read = true) : IDisposable
{
    /// <summary>How long one call to a store may take. <value>10 s</value>.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private const int MaxAnswerBytes = 1024 * 1024;
    private readonly Dictionary<string, (JsonDocument? Document, SecretLookup? Failure)> _documents = new(StringComparer.Ordinal);
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private HttpClient? _http;

    /// <summary>Whether <paramref name="body"/> (the text between <c>${</c> and <c>}</c>) is a secret reference.</summary>
    public static bool IsReference(string body) =>
        body.StartsWith("vault:", StringComparison.Ordinal) || body.StartsWith("aws-sm:", StringComparison.Ordinal);

    /// <summary>The store a reference names: <c>vault</c> or <c>aws-sm</c>.</summary>
    public static string StoreOf(string body) => body[..body.IndexOf(':', StringComparison.Ordinal)];

    public SecretLookup Resolve(string body)
    {
        var store = StoreOf(body);
        var rest = body[(store.Length + 1)..];
        var hash = rest.LastIndexOf('#');
        var locator = hash >= 0 ? rest[..hash] : rest;
        var key = hash >= 0 ? rest[(hash + 1)..] : null;
        return store == "vault" ? ResolveVault(locator, key) : ResolveAws(locator, key);
    }

    public void Dispose()
    {
        _http?.Dispose();
        foreach (var (document, _) in _documents.Values)
        {
            document?.Dispose();
        }
    }

    private SecretLookup ResolveVault(string locator, string? key)
    {
        var question = locator.IndexOf('?', StringComparison.Ordinal);
        var path = (question >= 0 ? locator[..question] : locator).Trim('/');
        var version = question >= 0 ? locator[(question + 1)..] : null;
        var segments = path.Split('/');
        if (segments.Length < 3 || segments[1] != "data" || segments.Any(s => s.Length == 0 || s is "." or ".."))
        {
            var suggestion = segments.Length >= 2 ? $"{segments[0]}/data/{string.Join('/', segments.Skip(1))}" : "secret/data/NAME";
            return SecretLookup.Failed($"'{path}' is not a KV v2 secret path", $"write MOUNT/data/PATH#KEY, for example ${{vault:{suggestion}#KEY}}");
        }

        if (version is not null && !(version.StartsWith("version=", StringComparison.Ordinal) && int.TryParse(version["version=".Length..], out var n) && n > 0))
        {
            return SecretLookup.Failed($"'?{version}' is not a version", "write ?version=N with N from 1, or leave it out for the latest version");
        }

        if (string.IsNullOrEmpty(key))
        {
            return SecretLookup.Failed("no key named", $"a Vault secret holds several keys: name one, ${{vault:{locator}#KEY}}");
        }

        if (!read)
        {
            return SecretLookup.Unread;
        }

        var address = environment("VAULT_ADDR");
        var token = environment("VAULT_TOKEN");
        if (string.IsNullOrEmpty(address) || !Uri.TryCreate(address, UriKind.Absolute, out var vault) || vault.Scheme is not ("http" or "https"))
        {
            return SecretLookup.Failed(string.IsNullOrEmpty(address) ? "VAULT_ADDR is not set" : "VAULT_ADDR is not an http(s) address",
                "set VAULT_ADDR to the Vault server's address, for example http://127.0.0.1:8200");
        }

        if (string.IsNullOrEmpty(token))
        {
            return SecretLookup.Failed("VAULT_TOKEN is not set", "set VAULT_TOKEN to a token whose policy may read the path (vault login, or the token your CI gets)");
        }

        var url = new Uri(vault, $"/v1/{string.Join('/', segments.Select(Uri.EscapeDataString))}{(version is null ? string.Empty : "?" + version)}");
        var cacheKey = "vault " + url.AbsoluteUri;
        if (!_documents.TryGetValue(cacheKey, out var fetched))
        {
            fetched = FetchVault(url, vault, token, path, version);
            _documents[cacheKey] = fetched;
        }

        if (fetched.Failure is not null)
        {
            return fetched.Failure;
        }

        if (!fetched.Document!.RootElement.TryGetProperty("data", out var outer) || outer.ValueKind != JsonValueKind.Object
            || !outer.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
        {
            return SecretLookup.Failed($"Vault's answer for {path} has no data.data", "is the mount a KV version 2 engine? (vault secrets list -detailed)");
        }

        return Pick(data, key, $"{path}{(version is null ? string.Empty : "?" + version)}", "vault");
    }

    private (JsonDocument?, SecretLookup?) FetchVault(Uri url, Uri vault, string token, string path, string? version)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("X-Vault-Token", token);
        if (environment("VAULT_NAMESPACE") is { Length: > 0 } ns)
        {
            request.Headers.TryAddWithoutValidation("X-Vault-Namespace", ns);
        }

        var (status, answer, failure) = Send(request, $"Vault at {vault.GetLeftPart(UriPartial.Authority)}", "start Vault, or set VAULT_ADDR to where it listens");
        if (failure is not null)
        {
            return (null, failure);
        }

        var document = Parse(answer!);
        switch (status)
        {
            case HttpStatusCode.OK when document is not null:
                return (document, null);
            case HttpStatusCode.OK:
                return (null, SecretLookup.Failed($"Vault answered {path} with something that is not JSON", "is VAULT_ADDR a Vault server?"));
            case HttpStatusCode.Forbidden:
                document?.Dispose();
                return (null, SecretLookup.Failed($"Vault refused the token for {path} (403 permission denied)",
                    $"the token in VAULT_TOKEN has expired or its policy lacks 'read' on {path} (vault token capabilities {path})"));
            case HttpStatusCode.NotFound:
                var deleted = document is not null && document.RootElement.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Object
                    && d.TryGetProperty("metadata", out var m) && m.ValueKind == JsonValueKind.Object
                    && ((m.TryGetProperty("deletion_time", out var t) && t.ValueKind == JsonValueKind.String && t.GetString()!.Length > 0)
                        || (m.TryGetProperty("destroyed", out var x) && x.ValueKind == JsonValueKind.True));
                document?.Dispose();
                return (null, deleted
                    ? SecretLookup.Failed($"{(version is null ? "the latest version" : "version " + version["version=".Length..])} of {path} was deleted (404)",
                        "undelete it (vault kv undelete -versions=N), or name a version that exists with ?version=N")
                    : SecretLookup.Failed($"Vault has no secret at {path} (404)",
                        $"write it (vault kv put {path.Replace("/data/", "/", StringComparison.Ordinal)} KEY=VALUE), or check the mount and the path"));
            default:
                var errors = document is not null && document.RootElement.TryGetProperty("errors", out var e) && e.ValueKind == JsonValueKind.Array
                    ? string.Join("; ", e.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()))
                    : string.Empty;
                document?.Dispose();
                return (null, SecretLookup.Failed($"Vault answered {(int)status} for {path}{(errors.Length > 0 ? ": " + Printable.Escape(errors) : string.Empty)}",
                    (int)status == 503 ? "Vault is sealed or in standby: unseal it, or point VAULT_ADDR at the active node" : "check VAULT_ADDR and the path"));
        }
    }

    private SecretLookup ResolveAws(string secretId, string? key)
    {
        if (secretId.Length == 0)
        {
            return SecretLookup.Failed("no secret named", "write ${aws-sm:NAME-OR-ARN#KEY}, or ${aws-sm:NAME} for the whole secret string");
        }

        if (!read)
        {
            return SecretLookup.Unread;
        }

        var accessKey = environment("AWS_ACCESS_KEY_ID");
        var secretKey = environment("AWS_SECRET_ACCESS_KEY");
        var region = environment("AWS_REGION") is { Length: > 0 } r ? r : environment("AWS_DEFAULT_REGION");
        if (string.IsNullOrEmpty(accessKey) || string.IsNullOrEmpty(secretKey))
        {
            return SecretLookup.Failed($"{(string.IsNullOrEmpty(accessKey) ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY")} is not set",
                "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials)");
        }

        if (string.IsNullOrEmpty(region))
        {
            return SecretLookup.Failed("AWS_REGION is not set", "set AWS_REGION to the secret's region, for example eu-west-1");
        }

        var configured = environment("AWS_ENDPOINT_URL_SECRETS_MANAGER") is { Length: > 0 } e ? e : environment("AWS_ENDPOINT_URL");
        var endpointText = string.IsNullOrEmpty(configured) ? $"https://secretsmanager.{region}.amazonaws.com" : configured;
        if (!Uri.TryCreate(endpointText, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https"))
        {
            return SecretLookup.Failed("AWS_ENDPOINT_URL_SECRETS_MANAGER is not an http(s) address", "write it as https://host[:port]");
        }

        var cacheKey = $"aws-sm {endpoint.AbsoluteUri} {region} {secretId}";
        if (!_documents.TryGetValue(cacheKey, out var fetched))
        {
            fetched = FetchAws(endpoint, region, new AwsCredentials(accessKey, secretKey, environment("AWS_SESSION_TOKEN") is { Length: > 0 } t ? t : null), secretId);
            _documents[cacheKey] = fetched;
        }

        if (fetched.Failure is not null)
        {
            return fetched.Failure;
        }

        var root = fetched.Document!.RootElement;
        if (!root.TryGetProperty("SecretString", out var secretString) || secretString.ValueKind != JsonValueKind.String)
        {
            return SecretLookup.Failed($"secret {secretId} holds binary data (SecretBinary), not a string",
                "store the value as a secret string (a JSON object of keys, or the value alone)");
        }

        var text = secretString.GetString()!;
        if (key is null)
        {
            return new SecretLookup(text, null, null);
        }

        try
        {
            using var keys = JsonDocument.Parse(text);
            return keys.RootElement.ValueKind == JsonValueKind.Object
                ? Pick(keys.RootElement, key, secretId, "aws-sm")
                : SecretLookup.Failed($"secret {secretId} is not a JSON object of keys", $"leave '#{key}' out to take the secret string whole");
        }
        catch (JsonException)
        {
            return SecretLookup.Failed($"secret {secretId} is not a JSON object of keys", $"leave '#{key}' out to take the secret string whole");
        }
    }

    private (JsonDocument?, SecretLookup?) FetchAws(Uri endpoint, string region, AwsCredentials credentials, string secretId)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["SecretId"] = secretId });
        var host = endpoint.IsDefaultPort ? endpoint.IdnHost : $"{endpoint.IdnHost}:{endpoint.Port}";
        const string contentType = "application/x-amz-json-1.1";
        const string target = "secretsmanager.GetSecretValue";
        var path = endpoint.AbsolutePath.Length == 0 ? "/" : Uri.UnescapeDataString(endpoint.AbsolutePath);
        var signed = SigV4.Sign(
            new SigV4Request("POST", path, [], [("Content-Type", contentType), ("Host", host), ("X-Amz-Target", target)], body),
            credentials, region, "secretsmanager", _time.GetUtcNow());

        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        request.Headers.Host = host;
        request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        foreach (var (name, value) in signed.HeadersToAdd)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        var (status, answer, failure) = Send(request, $"AWS Secrets Manager at {endpoint.GetLeftPart(UriPartial.Authority)}",
            "check AWS_REGION and AWS_ENDPOINT_URL_SECRETS_MANAGER, and that the endpoint is reachable from here");
        if (failure is not null)
        {
            return (null, failure);
        }

        var document = Parse(answer!);
        if (status == HttpStatusCode.OK && document is not null)
        {
            return (document, null);
        }

        var type = document is not null && document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("__type", out var t) && t.ValueKind == JsonValueKind.String
            ? t.GetString()! : string.Empty;
        type = type[(type.LastIndexOf('#') + 1)..];
        var message = document is not null && document.RootElement.ValueKind == JsonValueKind.Object
            && (document.RootElement.TryGetProperty("message", out var m) || document.RootElement.TryGetProperty("Message", out m)) && m.ValueKind == JsonValueKind.String
            ? Printable.Escape(m.GetString()!) : string.Empty;
        document?.Dispose();
        var said = message.Length > 0 ? $": {message}" : string.Empty;
        return (null, type switch
        {
            "ResourceNotFoundException" => SecretLookup.Failed($"AWS Secrets Manager has no secret {secretId} in {region}{said}",
                $"create it (aws secretsmanager create-secret --name {secretId}), or check the name and AWS_REGION"),
            "AccessDeniedException" => SecretLookup.Failed($"AWS refused access to secret {secretId} ({(int)status} AccessDeniedException){said}",
                "the identity of AWS_ACCESS_KEY_ID needs secretsmanager:GetSecretValue on the secret (and kms:Decrypt on its key)"),
            "UnrecognizedClientException" or "InvalidClientTokenId" => SecretLookup.Failed($"AWS does not know the access key in AWS_ACCESS_KEY_ID ({type})",
                "check AWS_ACCESS_KEY_ID, and AWS_SESSION_TOKEN for temporary credentials"),
            "InvalidSignatureException" or "SignatureDoesNotMatch" => SecretLookup.Failed($"AWS refused the request's signature ({type}){said}",
                "check AWS_SECRET_ACCESS_KEY, and that this machine's clock is right"),
            "ExpiredTokenException" => SecretLookup.Failed("the AWS session token has expired (ExpiredTokenException)", "refresh AWS_SESSION_TOKEN (aws sts get-session-token, or your CI's role)"),
            _ => SecretLookup.Failed($"AWS Secrets Manager answered {(int)status}{(type.Length > 0 ? " " + type : string.Empty)} for {secretId}{said}",
                "check the secret's state (scheduled for deletion? its KMS key disabled?) and the endpoint"),
        });
    }

    private static SecretLookup Pick(JsonElement data, string key, string where, string store)
    {
        if (!data.TryGetProperty(key, out var value))
        {
            var names = data.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
            return SecretLookup.Failed($"{where} has no key '{key}'",
                names.Count == 0 ? "the secret holds no keys" : $"keys there: {string.Join(", ", names)} (write ${{{store}:{where}#KEY}})");
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => new SecretLookup(value.GetString()!, null, null),
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => new SecretLookup(value.GetRawText(), null, null),
            _ => SecretLookup.Failed($"{where}#{key} is not a text value", "store the key's value as a string"),
        };
    }

    private (HttpStatusCode Status, byte[]? Answer, SecretLookup? Failure) Send(HttpRequestMessage request, string what, string hint)
    {
        _http ??= new HttpClient(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = Timeout, AllowAutoRedirect = false }) { Timeout = Timeout };
        try
        {
            using var response = _http.Send(request, HttpCompletionOption.ResponseHeadersRead);
            using var stream = response.Content.ReadAsStream();
            using var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = stream.Read(chunk)) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length > MaxAnswerBytes)
                {
                    return (response.StatusCode, null, SecretLookup.Failed($"{what} answered more than 1 MB", "is the address that of the secret store?"));
                }
            }

            return (response.StatusCode, buffer.ToArray(), null);
        }
        catch (HttpRequestException ex)
        {
            var cause = ex.InnerException is SocketException socket ? socket.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "connection refused",
                SocketError.HostNotFound or SocketError.NoData => "unknown host",
                SocketError.TimedOut => "timed out",
                _ => socket.SocketErrorCode.ToString(),
            } : ex.HttpRequestError.ToString();
            return (default, null, SecretLookup.Failed($"cannot reach {what}: {cause}", hint));
        }
        catch (TaskCanceledException)
        {
            return (default, null, SecretLookup.Failed($"{what} did not answer within {Timeout.TotalSeconds:0} s", hint));
        }
        catch (IOException ex)
        {
            return (default, null, SecretLookup.Failed($"{what} broke the connection ({ex.GetType().Name})", hint));
        }
    }

    private static JsonDocument? Parse(byte[] bytes)
    {
        try
        {
            return bytes.Length == 0 ? null : JsonDocument.Parse(bytes);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

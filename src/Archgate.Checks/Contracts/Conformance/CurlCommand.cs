using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Archgate.Checks.Contracts.Conformance;

/// <summary>
/// Renders a request as the curl command that repeats it, with every secret masked: Authorization, cookie and
/// API-key header values, secret-looking body fields (password, token, secret, key) and query values, and any
/// value in <c>secrets</c> (the manifest's passwords and keys, the token of the login) wherever it appears.
/// </summary>
internal static partial class CurlCommand
{
    private static readonly System.Text.Json.JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly string[] SecretHeaders = ["authorization", "proxy-authorization", "cookie", "x-api-key", "api-key", "x-auth-token"];

    /// <summary>The curl command for <paramref name="request"/> against <paramref name="baseUrl"/>.</summary>
    /// <param name="request">The request.</param>
    /// <param name="baseUrl">The service's base URL.</param>
    /// <param name="secrets">Values to mask wherever they appear.</param>
    /// <param name="secretHeaders">More header names whose values are secret (the API-key header of the manifest).</param>
    public static string Render(ProbeRequest request, Uri baseUrl, IEnumerable<string> secrets, IEnumerable<string>? secretHeaders = null)
    {
        var hidden = SecretHeaders.Concat(secretHeaders ?? []).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var text = new StringBuilder("curl");
        if (request.Method != "GET" || request.Body is not null)
        {
            text.Append(" -X ").Append(request.Method);
        }

        text.Append(' ').Append(Quote(Redact.Url(request.Url(baseUrl).AbsoluteUri)));
        foreach (var (name, value) in request.Headers)
        {
            text.Append(" -H ").Append(Quote($"{name}: {(hidden.Contains(name) ? MaskHeader(value) : value)}"));
        }

        if (request.Cookies.Count > 0)
        {
            text.Append(" -b ").Append(Quote(string.Join("; ", request.Cookies.Select(c => $"{c.Key}={Redact.Mask}"))));
        }

        if (request.Body is not null)
        {
            text.Append(" -H ").Append(Quote($"Content-Type: {request.ContentType}"));
            text.Append(" --data-raw ").Append(Quote(MaskBody(request.Body, request.ContentType)));
        }

        var result = text.ToString();
        foreach (var secret in secrets.Where(s => s.Length >= 3).OrderByDescending(s => s.Length))
        {
            result = result.Replace(secret, Redact.Mask, StringComparison.Ordinal);
        }

        return Redact.Text(result);
    }

    /// <summary>A body with secret-looking fields masked (JSON or form); other text as it is.</summary>
    public static string MaskBody(string body, string? contentType)
    {
        if (contentType is not null && contentType.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var node = JsonNode.Parse(body);
                return Mask(node) ? node!.ToJsonString(Relaxed) : body;
            }
            catch (System.Text.Json.JsonException)
            {
                return body;
            }
        }

        return contentType is "application/x-www-form-urlencoded"
            ? SecretFormPair().Replace(body, m => $"{m.Groups[1].Value}={Redact.Mask}")
            : body;
    }

    /// <summary>Whether a field name looks like it holds a secret.</summary>
    public static bool IsSecretName(string name) => SecretName().IsMatch(name);

    /// <summary>Masks secret-looking fields in place; true when something was masked.</summary>
    private static bool Mask(JsonNode? node)
    {
        var masked = false;
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, value) in o.ToList())
                {
                    if (IsSecretName(key) && value is JsonValue)
                    {
                        o[key] = Redact.Mask;
                        masked = true;
                    }
                    else
                    {
                        masked |= Mask(value);
                    }
                }

                break;
            case JsonArray a:
                foreach (var item in a)
                {
                    masked |= Mask(item);
                }

                break;
        }

        return masked;
    }

    private static string MaskHeader(string value)
    {
        var space = value.IndexOf(' ', StringComparison.Ordinal);
        return space > 0 && value[..space] is "Bearer" or "Basic" ? $"{value[..space]} {Redact.Mask}" : Redact.Mask;
    }

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    [GeneratedRegex("(?i)pass|token|secret|api[_-]?key|credential|authorization")]
    private static partial Regex SecretName();

    [GeneratedRegex(@"(?i)((?:^|&)[^=&]*(?:pass|token|secret|key)[^=&]*)=[^&]*")]
    private static partial Regex SecretFormPair();
}

using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Archgate.Checks.Http;
using Archgate.Model;
using Microsoft.OpenApi;

namespace Archgate.Checks.Contracts.Conformance;

/// <summary>The credentials to send, the secrets to mask, and what went wrong getting them.</summary>
/// <param name="Headers">Headers every secured request carries.</param>
/// <param name="Secrets">Values masked wherever they might appear (passwords, keys, the token obtained).</param>
/// <param name="Problem">Why authentication failed, or null.</param>
/// <param name="TransientCause">Set when the failure may pass by itself (the service is not reachable yet).</param>
/// <param name="Login">The login request, for the evidence of a failure.</param>
internal sealed record Credentials(
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    IReadOnlyList<string> Secrets,
    string? Problem = null,
    string? TransientCause = null,
    ProbeRequest? Login = null)
{
    /// <summary>Query parameters every secured request carries (an API key <c>in: query</c>).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Query { get; init; } = [];

    /// <summary>Cookies every secured request carries (an API key <c>in: cookie</c>).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Cookies { get; init; } = [];

    /// <summary>Whether there is anything to send.</summary>
    public bool Any => Headers.Count + Query.Count + Cookies.Count > 0;

    /// <summary>Whether secured operations can be called as the manifest intends.</summary>
    public bool Ok => Problem is null;

    /// <summary><paramref name="request"/> with these credentials' headers, query parameters and cookies.</summary>
    public ProbeRequest On(ProbeRequest request) => request with
    {
        Headers = [.. Headers, .. request.Headers],
        Query = [.. request.Query, .. Query],
        Cookies = [.. Cookies, .. request.Cookies],
    };
}

/// <summary>Turns the manifest's <c>auth</c> into credentials: a login for a bearer token, an API key (header, query or cookie), basic or a fixed token.</summary>
internal static class Authenticator
{
    private static readonly string[] DefaultTokenFields = ["accessToken", "access_token", "token", "jwt", "idToken", "id_token"];

    public static async Task<Credentials> AuthenticateAsync(
        ServiceAuth? auth, Uri baseUrl, OpenApiDocument document, HttpClient http, TimeSpan timeout, CancellationToken cancellationToken)
    {
        switch (auth)
        {
            case null:
                return new Credentials([], []);
            case ApiKeyAuth { In: ApiKeyLocation.Query } key:
                return new Credentials([], key.Secrets) { Query = [new(key.Header, key.Value)] };
            case ApiKeyAuth { In: ApiKeyLocation.Cookie } key:
                return new Credentials([], key.Secrets) { Cookies = [new(key.Header, key.Value)] };
            case ApiKeyAuth key:
                return new Credentials([new(key.Header, key.Value)], key.Secrets);
            case BearerAuth bearer:
                return new Credentials([new("Authorization", $"Bearer {bearer.Token}")], bearer.Secrets);
            case BasicAuth basic:
                var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{basic.User}:{basic.Password}"));
                return new Credentials([new("Authorization", $"Basic {encoded}")], [.. basic.Secrets, encoded]);
            case LoginAuth login:
                return await LoginAsync(login, baseUrl, document, http, timeout, cancellationToken);
            default:
                return new Credentials([], [], $"unsupported authentication {auth}");
        }
    }

    private static async Task<Credentials> LoginAsync(
        LoginAuth login, Uri baseUrl, OpenApiDocument document, HttpClient http, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var (userField, passwordField) = Fields(document, login);
        var body = new JsonObject { [userField] = login.User, [passwordField] = login.Password }.ToJsonString();
        var request = new ProbeRequest
        {
            Method = login.Method,
            Template = login.Path,
            Path = login.Path,
            Body = body,
            ContentType = "application/json",
            Purpose = "login from the manifest's auth",
        };
        using var message = new HttpRequestMessage(new HttpMethod(login.Method), request.Url(baseUrl))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            using var response = await http.SendAsync(message, limit.Token);
            var text = await response.Content.ReadAsStringAsync(limit.Token);
            if (!response.IsSuccessStatusCode)
            {
                var failure = ProbeHttp.Classify(response.StatusCode);
                return new Credentials([], login.Secrets, $"the login {login.Method} {login.Path} as '{login.User}' answered {(int)response.StatusCode}",
                    failure.Transient ? failure.Cause : null, request);
            }

            var token = Token(text, login.TokenPath);
            return token is null
                ? new Credentials([], login.Secrets,
                    $"the login answered {(int)response.StatusCode} but no token was found at {login.TokenPath ?? string.Join(", ", DefaultTokenFields.Select(f => "$." + f))}", null, request)
                : new Credentials([new("Authorization", $"Bearer {token}")], [.. login.Secrets, token]);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            var failure = ProbeHttp.Classify(ex);
            return new Credentials([], login.Secrets, $"the login {login.Method} {login.Path} got no answer: {failure.Cause}",
                failure.Transient ? failure.Cause : null, request);
        }
    }

    /// <summary>The user and password field names of the login body: from its schema when the document has it.</summary>
    private static (string User, string Password) Fields(OpenApiDocument document, LoginAuth login)
    {
        var operation = document.Paths?.GetValueOrDefault(login.Path)?.Operations?
            .FirstOrDefault(o => o.Key.Method.Equals(login.Method, StringComparison.OrdinalIgnoreCase)).Value;
        var schema = operation?.RequestBody?.Content?.FirstOrDefault(c => c.Key.Contains("json", StringComparison.OrdinalIgnoreCase)).Value?.Schema;
        var names = schema is null ? [] : Diff.SchemaView.Of(schema).Properties.Keys.ToList();
        var user = names.FirstOrDefault(n => n.Equals("username", StringComparison.OrdinalIgnoreCase) || n.Equals("user", StringComparison.OrdinalIgnoreCase))
            ?? names.FirstOrDefault(n => n.Contains("user", StringComparison.OrdinalIgnoreCase) || n.Contains("login", StringComparison.OrdinalIgnoreCase)
                || n.Contains("email", StringComparison.OrdinalIgnoreCase))
            ?? "username";
        var password = names.FirstOrDefault(n => n.Contains("pass", StringComparison.OrdinalIgnoreCase)) ?? "password";
        return (user, password);
    }

    /// <summary>The token at a simple JSON path (<c>$.a.b</c>, <c>$.a[0].b</c>), or at a usual field name.</summary>
    internal static string? Token(string body, string? path)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }

        if (path is null)
        {
            return DefaultTokenFields.Select(f => (root as JsonObject)?[f]).OfType<JsonValue>().Select(v => v.TryGetValue<string>(out var s) ? s : null).FirstOrDefault(s => !string.IsNullOrEmpty(s));
        }

        var node = root;
        foreach (var part in path.TrimStart('$').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = part;
            var index = -1;
            var bracket = part.IndexOf('[', StringComparison.Ordinal);
            if (bracket >= 0 && part.EndsWith(']') && int.TryParse(part[(bracket + 1)..^1], out var i))
            {
                name = part[..bracket];
                index = i;
            }

            node = name.Length == 0 ? node : (node as JsonObject)?[name];
            if (index >= 0)
            {
                node = node is JsonArray array && index < array.Count ? array[index] : null;
            }
        }

        return node is JsonValue value && value.TryGetValue<string>(out var token) && token.Length > 0 ? token : null;
    }

    /// <summary>Adds <paramref name="headers"/> to a request message.</summary>
    public static void Apply(HttpRequestHeaders target, IEnumerable<KeyValuePair<string, string>> headers)
    {
        foreach (var (name, value) in headers)
        {
            target.Remove(name);
            target.TryAddWithoutValidation(name, value);
        }
    }
}

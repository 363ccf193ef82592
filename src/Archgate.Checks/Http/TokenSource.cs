using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Http;

/// <summary>
/// Turns an identity of the manifest (<see cref="ServiceAuth"/>) into credentials for a service, for every check of
/// a run: an API key (header, query or cookie), basic, a fixed bearer token, or a login whose bearer token (or, when
/// its answer holds no token, the session cookies it set, with an anti-CSRF cookie echoed in its header as a page does)
/// is kept per identity and service for the whole run and fetched again when it expires (its JWT <c>exp</c>, the
/// cookies' <c>Max-Age</c>) or when a check says it no longer works (<see cref="Forget"/>). A failed login is never
/// kept: the next caller tries again. The login body's field names come from the manifest, else from
/// <see cref="LoginFields"/> (the login operation's schema in the service's contract), else <c>username</c>/<c>password</c>.
/// </summary>
public sealed class TokenSource(HttpClient http, TimeProvider time)
{
    /// <summary>A token that expires within this margin is fetched again before use.</summary>
    public static readonly TimeSpan ExpiryMargin = TimeSpan.FromSeconds(30);

    private static readonly string[] DefaultTokenFields = ["accessToken", "access_token", "token", "jwt", "idToken", "id_token"];

    private readonly ConcurrentDictionary<(ServiceAuth Auth, string BaseUrl), Lazy<Task<TokenResult>>> _tokens = new();
    private int _logins;

    /// <summary>How many logins this source has sent (a check counts its requests with it).</summary>
    public int Logins => Volatile.Read(ref _logins);

    /// <summary>
    /// The user and password field names of a login at a service when the caller gives none (null: <c>username</c>
    /// and <c>password</c>). <value>null</value>.
    /// </summary>
    public Func<LoginAuth, Uri, CancellationToken, Task<(string User, string Password)?>>? LoginFields { get; init; }

    /// <summary>
    /// The url of a component by name, where a login with <see cref="LoginAuth.At"/> is sent (null: unknown).
    /// <value>null</value>: such a login fails, saying so.
    /// </summary>
    public Func<string, Uri?>? Locate { get; init; }

    /// <summary>The run's token source; its login field names come from the contracts of the run's services.</summary>
    public static TokenSource Of(CheckContext context) => context.Services.Get(() => new TokenSource(context.Http, context.Time)
    {
        LoginFields = Contracts.Conformance.Authenticator.FieldsFromContracts(context.System),
        Locate = name => context.System.Find<HttpComponent>(name)?.Url,
    });

    /// <summary>
    /// Where <paramref name="login"/> is sent for a call to the service at <paramref name="baseUrl"/>: the component it
    /// names (<c>at</c>), else that service; null when the component it names has no url.
    /// </summary>
    public Uri? LoginUrl(LoginAuth login, Uri baseUrl) => login.At is { } at ? Locate?.Invoke(at) : baseUrl;

    /// <summary>
    /// The credentials of <paramref name="auth"/> for the service at <paramref name="baseUrl"/>; null auth gives none.
    /// <paramref name="fields"/> names the login body's fields when the login does not (from a contract's schema).
    /// </summary>
    public async Task<Credentials> CredentialsAsync(
        ServiceAuth? auth, Uri baseUrl, TimeSpan timeout, CancellationToken cancellationToken, (string User, string Password)? fields = null)
    {
        switch (auth)
        {
            case null:
                return Credentials.None;
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
            case ClientCredentialsAuth client:
                var granted = await ClientTokenAsync(client, baseUrl, timeout, cancellationToken);
                return granted.Token is { } clientToken
                    ? new Credentials([new("Authorization", $"Bearer {clientToken}")], [.. client.Secrets, clientToken])
                    : new Credentials([], client.Secrets, granted.Problem, granted.TransientCause);
            case LoginAuth login:
                var result = await TokenAsync(login, baseUrl, timeout, cancellationToken, fields);
                if (result.Token is { } token)
                {
                    return new Credentials([new("Authorization", $"Bearer {token}")], [.. login.Secrets, token]);
                }

                return result.Cookies.Count > 0
                    ? Credentials.OfSession(result.Cookies, login.Secrets)
                    : new Credentials([], login.Secrets, result.Problem, result.TransientCause);
            default:
                return new Credentials([], [], $"unsupported authentication {auth}");
        }
    }

    /// <summary>The bearer token (or session cookies) of <paramref name="login"/> at <paramref name="baseUrl"/>: the kept one while it is valid, else a new login.</summary>
    public async Task<TokenResult> TokenAsync(
        LoginAuth login, Uri baseUrl, TimeSpan timeout, CancellationToken cancellationToken, (string User, string Password)? fields = null)
    {
        // A login at another component (at) is one session for every service that accepts its token.
        if (LoginUrl(login, baseUrl) is not { } loginUrl)
        {
            return new TokenResult(null, $"the login {login.Method} {login.Path} as '{login.User}' goes to '{login.At}', which has no url", null);
        }

        if (loginUrl.AbsoluteUri != baseUrl.AbsoluteUri)
        {
            // The caller's field names are those of its own contract, not of the component that signs in.
            (baseUrl, fields) = (loginUrl, null);
        }

        return await KeptAsync(login, baseUrl, () => LoginAsync(login, baseUrl, timeout, fields, CancellationToken.None), cancellationToken);
    }

    /// <summary>
    /// The bearer token of a client credentials grant (RFC 6749, 4.4) for the service at <paramref name="baseUrl"/>: the
    /// kept one until its <c>expires_in</c> (or JWT <c>exp</c>) comes near, else a new one from the token endpoint.
    /// </summary>
    public async Task<TokenResult> ClientTokenAsync(ClientCredentialsAuth client, Uri baseUrl, TimeSpan timeout, CancellationToken cancellationToken)
    {
        // A token endpoint at another component (an identity provider) gives one token for every service that accepts it.
        if (client.At is { } at)
        {
            if (Locate?.Invoke(at) is not { } provider)
            {
                return new TokenResult(null, $"the token endpoint {client.Token} as client '{client.ClientId}' is at '{at}', which has no url", null);
            }

            baseUrl = provider;
        }

        return await KeptAsync(client, baseUrl, () => GrantAsync(client, baseUrl, timeout), cancellationToken);
    }

    /// <summary>
    /// The kept token of <paramref name="auth"/> at <paramref name="baseUrl"/> while it is valid, else what
    /// <paramref name="fetch"/> gets. One fetch at a time per identity and service: callers that come meanwhile wait for
    /// the same answer. The fetch belongs to no caller (bounded by its timeout alone), so one caller's cancellation fails
    /// no other. A failure is never kept.
    /// </summary>
    private async Task<TokenResult> KeptAsync(ServiceAuth auth, Uri baseUrl, Func<Task<TokenResult>> fetch, CancellationToken cancellationToken)
    {
        var key = (auth, baseUrl.AbsoluteUri);
        for (var attempt = 0; ; attempt++)
        {
            var pending = _tokens.GetOrAdd(key, _ => new Lazy<Task<TokenResult>>(fetch));
            var result = await pending.Value.WaitAsync(cancellationToken);
            var stale = result.Succeeded && result.Expires is { } expires && expires - ExpiryMargin <= time.GetUtcNow();
            if (!result.Succeeded || stale)
            {
                _tokens.TryRemove(new KeyValuePair<(ServiceAuth, string), Lazy<Task<TokenResult>>>(key, pending));
            }

            if (!stale || attempt > 0)
            {
                return result;
            }
        }
    }

    /// <summary>Drops the kept token of <paramref name="login"/> at <paramref name="baseUrl"/> (it was refused): the next call signs in again.</summary>
    public void Forget(LoginAuth login, Uri baseUrl)
    {
        if (LoginUrl(login, baseUrl) is { } url)
        {
            _tokens.TryRemove(((ServiceAuth)login, url.AbsoluteUri), out _);
        }
    }

    /// <summary>The token at a simple JSON path (<c>$.a.b</c>, <c>$.a[0].b</c>), or at a usual field name when <paramref name="path"/> is null.</summary>
    public static string? ReadToken(string body, string? path)
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
            return DefaultTokenFields.Select(f => (root as JsonObject)?[f]).OfType<JsonValue>()
                .Select(v => v.TryGetValue<string>(out var s) ? s : null).FirstOrDefault(s => !string.IsNullOrEmpty(s));
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

    /// <summary>
    /// A token endpoint's error answer (RFC 6749, 5.2) as <c> (invalid_client: unknown client)</c>, with a leading
    /// space, or empty when <paramref name="body"/> has no <c>error</c>.
    /// </summary>
    public static string OAuthError(string body) =>
        ReadToken(body, "$.error") is { } code ? $" ({code}{(ReadToken(body, "$.error_description") is { } description ? $": {description}" : string.Empty)})" : string.Empty;

    /// <summary>When a JWT expires (its <c>exp</c> claim), or null for a token that is not a JWT or has no expiry.</summary>
    public static DateTimeOffset? ExpiryOf(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3 || !Base64Url.IsValid(parts[1]))
        {
            return null;
        }

        try
        {
            using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
            return payload.RootElement.ValueKind == JsonValueKind.Object
                && payload.RootElement.TryGetProperty("exp", out var exp) && exp.TryGetInt64(out var seconds)
                && seconds is > 0 and < 253402300800
                ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>An absolute URL as is; a path appended to <paramref name="baseUrl"/> (which may have a path of its own, <c>/api</c>).</summary>
    public static Uri Resolve(Uri baseUrl, string urlOrPath) => ProbeHttp.Under(baseUrl, urlOrPath);

    /// <summary>The token endpoint's answer to <c>grant_type=client_credentials</c>: its <c>access_token</c>, kept until its <c>expires_in</c>.</summary>
    private async Task<TokenResult> GrantAsync(ClientCredentialsAuth client, Uri baseUrl, TimeSpan timeout)
    {
        var what = $"the token endpoint {client.Endpoint} as client '{client.ClientId}'";
        using var message = new HttpRequestMessage(new HttpMethod(client.Token.Method), Resolve(baseUrl, client.Token.Path)) { Content = new FormUrlEncodedContent(client.Form()) };
        if (client.BasicAuthorization is { } basic)
        {
            message.Headers.TryAddWithoutValidation("Authorization", basic);
        }

        using var limit = new CancellationTokenSource(timeout);
        Interlocked.Increment(ref _logins);
        try
        {
            using var response = await http.SendAsync(message, limit.Token);
            var text = await response.Content.ReadAsStringAsync(limit.Token);
            if (!response.IsSuccessStatusCode)
            {
                var failure = ProbeHttp.Classify(response.StatusCode);
                return new TokenResult(null, $"{what} answered {(int)response.StatusCode}{OAuthError(text)}", failure.Transient ? failure.Cause : null);
            }

            if (ReadToken(text, "$.access_token") is not { } token)
            {
                return new TokenResult(null, $"{what} answered {(int)response.StatusCode} without an access_token", null);
            }

            var lifetime = JsonNode.Parse(text)?["expires_in"] is JsonValue value && value.TryGetValue<long>(out var seconds) && seconds > 0 ? seconds : (long?)null;
            return new TokenResult(token, null, null) { ExpiresAt = lifetime is { } s ? time.GetUtcNow().AddSeconds(s) : null };
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            var failure = ProbeHttp.Classify(ex);
            return new TokenResult(null, $"{what} got no answer: {failure.Cause}", failure.Transient ? failure.Cause : null);
        }
    }

    private async Task<TokenResult> LoginAsync(
        LoginAuth login, Uri baseUrl, TimeSpan timeout, (string User, string Password)? fields, CancellationToken cancellationToken)
    {
        var url = Resolve(baseUrl, login.Path);
        var what = $"the login {login.Method} {login.Path}{(login.At is null ? string.Empty : $" at {login.At}")} as '{login.User}'";
        if (fields is null && login.UserField is null && LoginFields is not null)
        {
            fields = await LoginFields(login, baseUrl, cancellationToken);
        }

        using var message = new HttpRequestMessage(new HttpMethod(login.Method), url)
        {
            Content = new StringContent(login.Body(fields), Encoding.UTF8, "application/json"),
        };
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        Interlocked.Increment(ref _logins);
        try
        {
            using var response = await http.SendAsync(message, limit.Token);
            var text = await response.Content.ReadAsStringAsync(limit.Token);
            if (!response.IsSuccessStatusCode)
            {
                var failure = ProbeHttp.Classify(response.StatusCode);
                return new TokenResult(null, $"{what} answered {(int)response.StatusCode}", failure.Transient ? failure.Cause : null);
            }

            if (ReadToken(text, login.TokenPath) is { } token)
            {
                return new TokenResult(token, null, null);
            }

            // A cookie session: the answer set a session cookie (an anti-CSRF cookie alone is not a session). A token
            // path the manifest names must hold a token, though: the login did not give what was declared.
            var cookies = SessionCookie.Set(response.Headers, time.GetUtcNow());
            return login.TokenPath is null && SessionCookie.AnySession(cookies)
                ? new TokenResult(null, null, null) { Cookies = cookies }
                : new TokenResult(null,
                    $"{what} answered {(int)response.StatusCode} but no token was found at {login.TokenPath ?? string.Join(", ", DefaultTokenFields.Select(f => "$." + f))}"
                    + (login.TokenPath is null ? " and it set no session cookie" : string.Empty), null);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            var failure = ProbeHttp.Classify(ex);
            return new TokenResult(null, $"{what} got no answer: {failure.Cause}", failure.Transient ? failure.Cause : null);
        }
    }
}

/// <summary>A bearer token or the session cookies of a login, or why there are none.</summary>
/// <param name="Token">The token; a secret. Null for a cookie session.</param>
/// <param name="Problem">Why the login failed, or null.</param>
/// <param name="TransientCause">Set when the failure may pass by itself (the service is not reachable yet).</param>
public sealed record TokenResult(string? Token, string? Problem, string? TransientCause)
{
    /// <summary>The cookies the login answer set, when it gave no token (a cookie session); secrets.</summary>
    public IReadOnlyList<SessionCookie> Cookies { get; init; } = [];

    /// <summary>Whether the login gave a token or a session.</summary>
    public bool Succeeded => Token is not null || Cookies.Count > 0;

    /// <summary>When the token endpoint said the token expires (<c>expires_in</c>), or null.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>When the token (as its endpoint said, else its JWT <c>exp</c>) or the first of the session cookies expires; null when unknown.</summary>
    public DateTimeOffset? Expires => ExpiresAt ?? (Token is not null ? TokenSource.ExpiryOf(Token) : Cookies.Select(c => c.Expires).Where(e => e is not null).Min());
}

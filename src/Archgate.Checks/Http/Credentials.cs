namespace Archgate.Checks.Http;

/// <summary>What a request carries to authenticate as an identity, the secrets to mask, and what went wrong getting them.</summary>
/// <param name="Headers">Headers every secured request carries.</param>
/// <param name="Secrets">Values masked wherever they might appear (passwords, keys, the token obtained).</param>
/// <param name="Problem">Why authentication failed, or null.</param>
/// <param name="TransientCause">Set when the failure may pass by itself (the service is not reachable yet).</param>
public sealed record Credentials(
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    IReadOnlyList<string> Secrets,
    string? Problem = null,
    string? TransientCause = null)
{
    /// <summary>No credentials: anonymous calls.</summary>
    public static readonly Credentials None = new([], []);

    /// <summary>
    /// The credentials of a cookie session, as a page sends them: every cookie the login set, and each anti-CSRF cookie
    /// echoed in its header (<see cref="SessionCookie.CsrfHeader"/>). <paramref name="secrets"/> and the cookies' values are masked.
    /// </summary>
    public static Credentials OfSession(IReadOnlyList<SessionCookie> cookies, IEnumerable<string> secrets) =>
        new([.. cookies.Where(c => c.IsCsrfToken).Select(c => new KeyValuePair<string, string>(c.CsrfHeader, c.Value))], [.. secrets, .. cookies.Select(c => c.Value)])
        {
            Cookies = [.. cookies.Select(c => new KeyValuePair<string, string>(c.Name, c.Value))],
            SessionCookies = cookies,
        };

    /// <summary>Query parameters every secured request carries (an API key <c>in: query</c>).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Query { get; init; } = [];

    /// <summary>Cookies every secured request carries (an API key <c>in: cookie</c>, a login's session cookies).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Cookies { get; init; } = [];

    /// <summary>The cookies of a cookie-session login with their attributes (SameSite, expiry); none otherwise.</summary>
    public IReadOnlyList<SessionCookie> SessionCookies { get; init; } = [];

    /// <summary>
    /// The headers of a request that carries these credentials: <see cref="Headers"/>, and the <see cref="Cookies"/> as
    /// one <c>Cookie</c> header (query parameters aside: they go into the URL).
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> RequestHeaders =>
        Cookies.Count == 0 ? Headers : [.. Headers, new("Cookie", string.Join("; ", Cookies.Select(c => $"{c.Key}={c.Value}")))];

    /// <summary>Whether there is anything to send.</summary>
    public bool Any => Headers.Count + Query.Count + Cookies.Count > 0;

    /// <summary>Whether secured operations can be called as the manifest intends.</summary>
    public bool Ok => Problem is null;

    /// <summary>Adds these credentials' headers and cookies to <paramref name="message"/> (query parameters go into its URL first).</summary>
    public void Apply(HttpRequestMessage message) => SetHeaders(message, Headers, Cookies);

    /// <summary>
    /// Sets <paramref name="headers"/> on <paramref name="message"/> (each replacing one of the same name) and sends
    /// <paramref name="cookies"/> as one <c>Cookie</c> header.
    /// </summary>
    public static void SetHeaders(HttpRequestMessage message, IEnumerable<KeyValuePair<string, string>> headers, IReadOnlyCollection<KeyValuePair<string, string>> cookies)
    {
        foreach (var (name, value) in headers)
        {
            message.Headers.Remove(name);
            message.Headers.TryAddWithoutValidation(name, value);
        }

        if (cookies.Count > 0)
        {
            message.Headers.TryAddWithoutValidation("Cookie", string.Join("; ", cookies.Select(c => $"{c.Key}={c.Value}")));
        }
    }
}

using System.Globalization;

namespace Archgate.Checks.Http;

/// <summary>
/// A cookie a login answer set: a session that a browser sends back instead of a bearer token (<c>sid</c>,
/// <c>sessionid</c>, <c>connect.sid</c>), or a double-submit anti-CSRF token that the page's script reads and echoes in
/// a header (<see cref="IsCsrfToken"/>). Its <c>SameSite</c> says whether a browser would send it on a cross-site request.
/// </summary>
/// <param name="Name">The cookie's name.</param>
/// <param name="Value">Its value; a secret.</param>
/// <param name="SameSite">Its <c>SameSite</c> attribute as written (<c>Lax</c>, <c>Strict</c>, <c>None</c>), or null when it has none.</param>
/// <param name="Expires">When it expires (<c>Max-Age</c> first, then <c>Expires</c>), or null for a cookie of the browser session.</param>
public sealed record SessionCookie(string Name, string Value, string? SameSite, DateTimeOffset? Expires)
{
    /// <summary>A double-submit anti-CSRF token (<see cref="IsCsrfName"/>).</summary>
    public bool IsCsrfToken => IsCsrfName(Name);

    /// <summary>
    /// Whether a cookie of this name is a double-submit anti-CSRF token, which the page's script reads to echo it in a
    /// header: the name holds <c>csrf</c> or <c>xsrf</c> (XSRF-TOKEN, csrftoken, _csrf, CSRF-TOKEN).
    /// </summary>
    public static bool IsCsrfName(string name) =>
        name.Contains("csrf", StringComparison.OrdinalIgnoreCase) || name.Contains("xsrf", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The header a page echoes an anti-CSRF cookie in, by the frameworks' conventions: <c>X-XSRF-TOKEN</c> for
    /// XSRF-TOKEN (Angular, Laravel, Axios), <c>X-CSRFToken</c> for Django's csrftoken, <c>X-CSRF-Token</c> otherwise.
    /// </summary>
    public string CsrfHeader => CsrfHeaderOf(Name);

    /// <summary>The header an anti-CSRF cookie of this name is echoed in (<see cref="CsrfHeader"/>).</summary>
    public static string CsrfHeaderOf(string name) =>
        name.Contains("xsrf", StringComparison.OrdinalIgnoreCase) ? "X-XSRF-TOKEN"
        : name.Equals("csrftoken", StringComparison.OrdinalIgnoreCase) ? "X-CSRFToken"
        : "X-CSRF-Token";

    /// <summary>Whether a browser keeps it off a cross-site POST, PUT, PATCH or DELETE (<c>SameSite=Lax</c> or <c>Strict</c>).</summary>
    public bool StaysSameSite => SameSite is { } s && (s.Equals("Lax", StringComparison.OrdinalIgnoreCase) || s.Equals("Strict", StringComparison.OrdinalIgnoreCase));

    /// <summary>The cookies an answer's <c>Set-Cookie</c> headers set (deletions left out).</summary>
    public static IReadOnlyList<SessionCookie> Set(System.Net.Http.Headers.HttpResponseHeaders headers, DateTimeOffset now) =>
        headers?.TryGetValues("Set-Cookie", out var values) == true ? [.. values.Select(v => Parse(v, now)).OfType<SessionCookie>()] : [];

    /// <summary>Whether these cookies make a session: one that is not an anti-CSRF token.</summary>
    public static bool AnySession(IEnumerable<SessionCookie> cookies) => cookies.Any(c => !c.IsCsrfToken);

    /// <summary>
    /// What a <c>Set-Cookie</c> header does to a client's jar: sets <c>Name</c> to <c>Value</c>, or forgets <c>Name</c>
    /// (a null <c>Value</c>: an empty value or an expiry in the past); null when it names no cookie.
    /// </summary>
    public static (string Name, string? Value)? Change(string setCookie, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(setCookie);
        var equals = setCookie.IndexOf('=', StringComparison.Ordinal);
        var semicolon = setCookie.IndexOf(';', StringComparison.Ordinal);
        if (equals <= 0 || (semicolon >= 0 && semicolon < equals))
        {
            return null;
        }

        return Parse(setCookie, now) is { } cookie ? (cookie.Name, cookie.Value) : (setCookie[..equals].Trim(), null);
    }

    /// <summary>
    /// The headers a client's jar of <paramref name="cookies"/> (their <c>Cookie</c> header already joined in
    /// <paramref name="cookieHeader"/>) adds to a request that has <paramref name="own"/> headers: <c>Cookie</c>, and on a
    /// write each anti-CSRF cookie echoed in its header, as the page's script does. A request that sets <c>Cookie</c>
    /// itself keeps its own, and so does one that sets an anti-CSRF header.
    /// </summary>
    public static IEnumerable<KeyValuePair<string, string>> RequestHeaders(
        IReadOnlyList<KeyValuePair<string, string>> cookies, string cookieHeader, string method, IReadOnlyList<KeyValuePair<string, string>> own)
    {
        ArgumentNullException.ThrowIfNull(cookies);
        ArgumentNullException.ThrowIfNull(own);
        bool Has(string header) => own.Any(h => h.Key.Equals(header, StringComparison.OrdinalIgnoreCase));
        if (cookies.Count == 0 || Has("Cookie"))
        {
            yield break;
        }

        yield return new("Cookie", cookieHeader);
        if (method is "GET" or "HEAD" or "OPTIONS")
        {
            yield break;
        }

        foreach (var (name, value) in cookies)
        {
            if (IsCsrfName(name) && CsrfHeaderOf(name) is var header && !Has(header))
            {
                yield return new(header, value);
            }
        }
    }

    /// <summary>The value of a <c>Cookie</c> header that sends <paramref name="cookies"/>: <c>a=1; b=2</c>.</summary>
    public static string CookieHeader(IEnumerable<KeyValuePair<string, string>> cookies) => string.Join("; ", cookies.Select(c => $"{c.Key}={c.Value}"));

    /// <summary>
    /// The cookie a <c>Set-Cookie</c> header sets, or null when it sets none: unparseable, an empty value, or one that
    /// deletes the cookie (<c>Max-Age=0</c>, an <c>Expires</c> in the past).
    /// </summary>
    public static SessionCookie? Parse(string setCookie, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(setCookie);
        var parts = setCookie.Split(';', StringSplitOptions.TrimEntries);
        var equals = parts[0].IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            return null;
        }

        var (name, value) = (parts[0][..equals].Trim(), parts[0][(equals + 1)..].Trim().Trim('"'));
        string? sameSite = null;
        DateTimeOffset? maxAge = null, expires = null;
        foreach (var part in parts.Skip(1))
        {
            var (key, attribute) = part.IndexOf('=', StringComparison.Ordinal) is var i and > 0 ? (part[..i].Trim(), part[(i + 1)..].Trim()) : (part, string.Empty);
            if (key.Equals("SameSite", StringComparison.OrdinalIgnoreCase))
            {
                sameSite = attribute;
            }
            else if (key.Equals("Max-Age", StringComparison.OrdinalIgnoreCase) && long.TryParse(attribute, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds))
            {
                maxAge = now.AddSeconds(Math.Clamp(seconds, -1, 400L * 24 * 3600));
            }
            else if (key.Equals("Expires", StringComparison.OrdinalIgnoreCase)
                && DateTimeOffset.TryParse(attribute, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            {
                expires = at;
            }
        }

        var until = maxAge ?? expires;
        return value.Length == 0 || until <= now ? null : new SessionCookie(name, value, sameSite, until);
    }
}

namespace Archgate.Checks.Http;

/// <summary>
/// The cookies of a journey's HTTP steps and of the load's shared setup, kept as a client keeps them (Hurl, k6 and a
/// browser do): what an answer sets is sent with every later step, and an anti-CSRF cookie is echoed in its header on
/// writes, as a page's script does (<see cref="SessionCookie.CsrfHeader"/>). The jar lives in the variables under names
/// no manifest variable can have (<c>cookie:sid</c>), so the setup's session carries into every run (or every virtual
/// user) as its captures do, and a run's own changes stay in the run. A step that sets <c>Cookie</c> or the anti-CSRF
/// header itself keeps its own.
/// </summary>
internal static class CookieJar
{
    private const string Prefix = "cookie:";

    /// <summary>The cookies kept in <paramref name="variables"/>, by name.</summary>
    public static IEnumerable<KeyValuePair<string, string>> Cookies(IReadOnlyDictionary<string, string> variables) =>
        variables.Where(v => v.Key.StartsWith(Prefix, StringComparison.Ordinal)).Select(v => new KeyValuePair<string, string>(v.Key[Prefix.Length..], v.Value))
            .OrderBy(c => c.Key, StringComparer.Ordinal);

    /// <summary>The headers the jar adds to a request that already has <paramref name="own"/>.</summary>
    public static IEnumerable<KeyValuePair<string, string>> Headers(IReadOnlyDictionary<string, string> variables, string method, IReadOnlyList<KeyValuePair<string, string>> own)
    {
        var cookies = Cookies(variables).ToList();
        return cookies.Count == 0 ? [] : SessionCookie.RequestHeaders(cookies, SessionCookie.CookieHeader(cookies), method, own);
    }

    /// <summary><paramref name="variables"/> without the session cookies of the jar (its anti-CSRF cookies kept).</summary>
    public static IReadOnlyDictionary<string, string> WithoutSessions(IReadOnlyDictionary<string, string> variables) =>
        variables.Where(v => !v.Key.StartsWith(Prefix, StringComparison.Ordinal) || SessionCookie.IsCsrfName(v.Key[Prefix.Length..]))
            .ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);

    /// <summary>Keeps what <paramref name="setCookies"/> set, and forgets what they delete.</summary>
    public static void Keep(Dictionary<string, string> variables, IReadOnlyList<string> setCookies)
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var header in setCookies)
        {
            if (SessionCookie.Change(header, now) is not ({ } name, var value))
            {
                continue;
            }

            if (value is null)
            {
                variables.Remove(Prefix + name);
            }
            else
            {
                variables[Prefix + name] = value;
            }
        }
    }
}

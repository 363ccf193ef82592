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
        var cookies = Cookies(variables).Select(c => (Name: c.Key, c.Value)).ToList();
        bool Has(string header) => own.Any(h => h.Key.Equals(header, StringComparison.OrdinalIgnoreCase));
        if (cookies.Count == 0 || Has("Cookie"))
        {
            yield break;
        }

        yield return new("Cookie", string.Join("; ", cookies.Select(c => $"{c.Name}={c.Value}")));
        if (method is "GET" or "HEAD" or "OPTIONS")
        {
            yield break;
        }

        foreach (var (name, value) in cookies.Where(c => SessionCookie.IsCsrfName(c.Name)))
        {
            var header = SessionCookie.CsrfHeaderOf(name);
            if (!Has(header))
            {
                yield return new(header, value);
            }
        }
    }

    /// <summary>Keeps what <paramref name="setCookies"/> set, and forgets what they delete.</summary>
    public static void Keep(Dictionary<string, string> variables, IReadOnlyList<string> setCookies)
    {
        foreach (var header in setCookies)
        {
            var equals = header.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                continue;
            }

            var name = header[..equals].Trim();
            if (SessionCookie.Parse(header, DateTimeOffset.UtcNow) is { } cookie)
            {
                variables[Prefix + cookie.Name] = cookie.Value;
            }
            else
            {
                variables.Remove(Prefix + name);
            }
        }
    }
}

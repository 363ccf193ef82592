using System.Text.RegularExpressions;

namespace Archgate.Checks.Security.Probes;

/// <summary>
/// The manifest's route patterns (<c>security.protected</c>, <c>security.adminOnly</c>): a path pattern, for every
/// method, or a method, one space and a path pattern (<c>POST /events</c>), for that method only (the manifest loader
/// checks the method and writes it upper case). In the path, <c>**</c> matches any rest of the path (also none:
/// <c>/orders/**</c> covers <c>/orders</c>), <c>*</c> one segment, anything else itself.
/// </summary>
internal static class PathPatterns
{
    /// <summary>Whether <paramref name="method"/> <paramref name="path"/> (a concrete path or a template) matches <paramref name="pattern"/>.</summary>
    public static bool Matches(string pattern, string method, string path)
    {
        var (only, route) = Split(pattern);
        if (only is not null && !only.Equals(method, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var regex = "^" + string.Concat(Tokens(route.TrimEnd('/')).Select(t => t switch
        {
            "/**" => "(/.*)?",
            "**" => ".*",
            "*" => "[^/]*",
            _ => Regex.Escape(t),
        })) + "/?$";
        return Regex.IsMatch(path.Split('?')[0], regex, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }

    /// <summary>The method a pattern is for (upper case; null: every method) and its path pattern.</summary>
    public static (string? Method, string Path) Split(string pattern)
    {
        var space = pattern.IndexOf(' ', StringComparison.Ordinal);
        return space > 0 && !pattern.StartsWith('/') ? (pattern[..space].ToUpperInvariant(), pattern[(space + 1)..].TrimStart()) : (null, pattern);
    }

    /// <summary>The concrete path a pattern's literal part names (<c>/admin/**</c>, <c>POST /admin/**</c>: <c>/admin</c>), to probe when no contract operation matches.</summary>
    public static string LiteralPrefix(string pattern)
    {
        var route = Split(pattern).Path;
        var star = route.IndexOf('*', StringComparison.Ordinal);
        var literal = (star < 0 ? route : route[..star]).TrimEnd('/');
        return literal.Length == 0 ? "/" : literal;
    }

    private static IEnumerable<string> Tokens(string pattern)
    {
        var i = 0;
        while (i < pattern.Length)
        {
            if (pattern.AsSpan(i).StartsWith("/**"))
            {
                yield return "/**";
                i += 3;
            }
            else if (pattern.AsSpan(i).StartsWith("**"))
            {
                yield return "**";
                i += 2;
            }
            else if (pattern[i] == '*')
            {
                yield return "*";
                i++;
            }
            else
            {
                var next = pattern.IndexOf('*', i);
                var end = next < 0 ? pattern.Length : (next > i && pattern[next - 1] == '/' && pattern.AsSpan(next).StartsWith("**") ? next - 1 : next);
                if (end == i)
                {
                    end = next < 0 ? pattern.Length : next;
                }

                yield return pattern[i..end];
                i = end;
            }
        }
    }
}

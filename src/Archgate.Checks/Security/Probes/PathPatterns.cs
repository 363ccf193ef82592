using System.Text.RegularExpressions;

namespace Archgate.Checks.Security.Probes;

/// <summary>
/// The manifest's path patterns (<c>security.protected</c>, <c>security.adminOnly</c>): <c>**</c> matches any rest
/// of the path (also none: <c>/orders/**</c> covers <c>/orders</c>), <c>*</c> one segment, anything else itself.
/// </summary>
internal static class PathPatterns
{
    /// <summary>Whether <paramref name="path"/> (a concrete path or a template) matches <paramref name="pattern"/>.</summary>
    public static bool Matches(string pattern, string path)
    {
        var regex = "^" + string.Concat(Tokens(pattern.TrimEnd('/')).Select(t => t switch
        {
            "/**" => "(/.*)?",
            "**" => ".*",
            "*" => "[^/]*",
            _ => Regex.Escape(t),
        })) + "/?$";
        return Regex.IsMatch(path.Split('?')[0], regex, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }

    /// <summary>The concrete path a pattern's literal part names (<c>/admin/**</c>: <c>/admin</c>), to probe when no contract operation matches.</summary>
    public static string LiteralPrefix(string pattern)
    {
        var star = pattern.IndexOf('*', StringComparison.Ordinal);
        var literal = (star < 0 ? pattern : pattern[..star]).TrimEnd('/');
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

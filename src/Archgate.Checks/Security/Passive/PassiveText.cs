using System.Text.RegularExpressions;

namespace Archgate.Checks.Security.Passive;

/// <summary>Masking and shortening of what the passive rules report, and routes from URLs.</summary>
internal static partial class PassiveText
{
    /// <summary>The URL with every query value masked that could be a credential (by name or by shape), user-info masked.</summary>
    public static string MaskUrl(Uri url)
    {
        var builder = new UriBuilder(url) { UserName = string.Empty, Password = string.Empty };
        var query = url.Query.TrimStart('?');
        if (query.Length > 0)
        {
            builder.Query = string.Join("&", query.Split('&').Select(part =>
            {
                var pair = part.Split('=', 2);
                return pair.Length == 2 && (SecretName().IsMatch(Uri.UnescapeDataString(pair[0])) || pair[1].Length >= 20)
                    ? $"{pair[0]}={Redact.Mask}" : part;
            }));
        }

        var text = builder.Uri.GetComponents(UriComponents.AbsoluteUri, UriFormat.UriEscaped);
        return Redact.Url(PathSession().Replace(text, m => $";{m.Groups[1].Value}={Redact.Mask}"));
    }

    /// <summary><see cref="MaskUrl(Uri)"/> for a URL written as text.</summary>
    public static string MaskUrlText(string url) => Uri.TryCreate(url, UriKind.Absolute, out var u) ? MaskUrl(u) : Redact.Url(url);

    /// <summary><c>a***@example.org</c>.</summary>
    public static string MaskEmail(string email)
    {
        var at = email.IndexOf('@', StringComparison.Ordinal);
        return at <= 1 ? $"***{email[at..]}" : $"{email[0]}***{email[at..]}";
    }

    /// <summary>At most <paramref name="max"/> characters, on one line.</summary>
    public static string Cut(string text, int max)
    {
        var line = Whitespace().Replace(text.Replace("\\r\\n", " ", StringComparison.Ordinal).Replace("\\n", " ", StringComparison.Ordinal), " ").Trim();
        return line.Length > max ? line[..max] + "..." : line;
    }

    /// <summary>
    /// The route of a path: segments that are ids (numbers, UUIDs, long hex or opaque tokens) or percent-encoded values
    /// become <c>{id}</c>, so one finding covers <c>/orders/17</c>, <c>/orders/18</c> and a probe's <c>/orders/2%27</c>.
    /// </summary>
    public static string Route(string path)
    {
        var segments = path.Split('/');
        for (var i = 0; i < segments.Length; i++)
        {
            var s = segments[i].Split(';')[0];
            // A percent-encoded segment is a value, not a route's name: mostly a probe's (2%27%20AND%20SLEEP...).
            if (s.Length > 0 && (s.All(char.IsAsciiDigit) || Guid.TryParse(s, out _) || (s.Length >= 16 && s.All(char.IsAsciiHexDigit))
                || (s.Length >= 24 && OpaqueToken().IsMatch(s) && s.Any(char.IsAsciiDigit)) || s.Contains('%', StringComparison.Ordinal)))
            {
                segments[i] = "{id}";
            }
            else
            {
                segments[i] = s;
            }
        }

        var route = string.Join('/', segments);
        return route.Length == 0 ? "/" : route;
    }

    [GeneratedRegex(@"(?i)(token|session|sid|secret|password|passwd|pwd|key|auth|jwt|signature|sig|code)")]
    private static partial Regex SecretName();

    [GeneratedRegex(@";(jsessionid|phpsessid|sid|sessionid)=[^/;?]*", RegexOptions.IgnoreCase)]
    private static partial Regex PathSession();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"^[A-Za-z0-9_-]+$")]
    private static partial Regex OpaqueToken();
}

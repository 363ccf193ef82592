using System.Net;
using System.Text.RegularExpressions;
using Archgate.Model;

namespace Archgate.Checks.Security.Passive;

/// <summary>
/// What the passive check follows from a component's answers, as ZAP baseline's spider does before its passive scan:
/// links, frames and GET forms of its HTML pages, and the paths its robots.txt and sitemap.xml name. Only GET, only
/// the component's own origin under its base path, and never a link whose path reads like an action (log out,
/// delete, ...): a scan must not change what it scans.
/// </summary>
internal static partial class PassiveCrawl
{
    /// <summary>Path words that mark a link as an action rather than a page; such links are not followed.</summary>
    public static readonly IReadOnlyList<string> ActionWords =
        ["logout", "log-out", "log_out", "signout", "sign-out", "sign_out", "logoff", "delete", "remove", "destroy", "unsubscribe", "cancel", "reset"];

    /// <summary>Pages and files the HTML links to: a and area href, frame and iframe src, the action of a GET form.</summary>
    public static IEnumerable<Uri> Links(Uri page, string html)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(html);
        foreach (Match m in LinkReference().Matches(html))
        {
            if (Resolve(page, m.Groups["url"].Value) is { } url)
            {
                yield return url;
            }
        }

        foreach (Match form in FormTag().Matches(html))
        {
            var method = AttributeOf(form.Value, "method");
            if (method is null || method.Equals("get", StringComparison.OrdinalIgnoreCase))
            {
                // A form without an action submits to its own page, which is visited already.
                if (AttributeOf(form.Value, "action") is { Length: > 0 } action && Resolve(page, action) is { } url)
                {
                    yield return url;
                }
            }
        }
    }

    /// <summary>The paths of a robots.txt's Allow and Disallow lines (without wildcards) and its Sitemap URLs.</summary>
    public static (IReadOnlyList<Uri> Paths, IReadOnlyList<Uri> Sitemaps) Robots(Uri robots, string text)
    {
        ArgumentNullException.ThrowIfNull(robots);
        ArgumentNullException.ThrowIfNull(text);
        var paths = new List<Uri>();
        var sitemaps = new List<Uri>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Split('#')[0].Trim();
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            var key = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (key.Equals("sitemap", StringComparison.OrdinalIgnoreCase) && Resolve(robots, value) is { } sitemap)
            {
                sitemaps.Add(sitemap);
            }
            else if ((key.Equals("allow", StringComparison.OrdinalIgnoreCase) || key.Equals("disallow", StringComparison.OrdinalIgnoreCase))
                && value.StartsWith('/') && value.Length > 1 && value.IndexOfAny(['*', '$']) < 0 && Resolve(robots, value) is { } path)
            {
                paths.Add(path);
            }
        }

        return (paths, sitemaps);
    }

    /// <summary>The loc entries of a sitemap (or sitemap index).</summary>
    public static IEnumerable<Uri> Sitemap(Uri sitemap, string xml)
    {
        ArgumentNullException.ThrowIfNull(sitemap);
        ArgumentNullException.ThrowIfNull(xml);
        foreach (Match m in SitemapLoc().Matches(xml))
        {
            if (Resolve(sitemap, m.Groups["url"].Value.Trim()) is { } url)
            {
                yield return url;
            }
        }
    }

    /// <summary>True when <paramref name="url"/> is the component's to follow: its origin, under its base path, not an action.</summary>
    public static bool Follows(HttpComponent component, Uri url)
    {
        ArgumentNullException.ThrowIfNull(component);
        ArgumentNullException.ThrowIfNull(url);
        if (!string.Equals(PassiveTraffic.Origin(url), PassiveTraffic.Origin(component.Url), StringComparison.OrdinalIgnoreCase)
            || !url.AbsolutePath.StartsWith(component.Url.AbsolutePath.TrimEnd('/'), StringComparison.Ordinal))
        {
            return false;
        }

        var words = WebUtility.UrlDecode(url.PathAndQuery).ToLowerInvariant();
        return !ActionWords.Any(w => Regex.IsMatch(words, $@"(^|[^a-z]){Regex.Escape(w)}([^a-z]|$)"));
    }

    private static Uri? Resolve(Uri page, string reference)
    {
        var decoded = WebUtility.HtmlDecode(reference).Trim();
        if (decoded.Length == 0 || decoded.StartsWith('#') || !Uri.TryCreate(page, decoded, out var url) || url.Scheme is not ("http" or "https"))
        {
            return null;
        }

        // The fragment never reaches the server: pages that differ in it are one page.
        return new UriBuilder(url) { Fragment = string.Empty }.Uri;
    }

    private static string? AttributeOf(string tag, string name)
    {
        var m = Regex.Match(tag, $@"\b{name}\s*=\s*(?:""(?<v>[^""]*)""|'(?<v>[^']*)'|(?<v>[^\s>]+))", RegexOptions.IgnoreCase);
        return m.Success ? m.Groups["v"].Value : null;
    }

    [GeneratedRegex(@"<(?:a|area)\b[^>]*?\bhref\s*=\s*[""']?(?<url>[^""'\s>]+)|<i?frame\b[^>]*?\bsrc\s*=\s*[""']?(?<url>[^""'\s>]+)", RegexOptions.IgnoreCase)]
    private static partial Regex LinkReference();

    [GeneratedRegex(@"<form\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex FormTag();

    [GeneratedRegex(@"<loc>\s*(?<url>[^<]+?)\s*</loc>", RegexOptions.IgnoreCase)]
    private static partial Regex SitemapLoc();
}

using System.Globalization;
using System.Text.RegularExpressions;

namespace Archgate.Checks.Security.Audit;

/// <summary>
/// Version ordering per ecosystem, as OSV ranges need it: SemVer 2.0 precedence (npm), NuGet (up to four numbers,
/// a missing one is 0, case-insensitive pre-release labels, metadata ignored), PEP 440 (PyPI: epoch, release,
/// a/b/rc pre-releases, post- and dev-releases), Gem::Version (RubyGems), Maven's ComparableVersion and Composer's
/// (Packagist). Returns null when a text is not a version of the ecosystem.
/// </summary>
internal static partial class PackageVersion
{
    /// <summary>Compares two versions of <paramref name="ecosystem"/>; null when either does not parse.</summary>
    public static int? Compare(string ecosystem, string a, string b)
    {
        if (a == "0" || b == "0")
        {
            return a == b ? 0 : a == "0" ? -1 : 1; // OSV's "introduced: 0": before every version
        }

        return ecosystem.ToLowerInvariant() switch
        {
            "pypi" => ComparePep440(a, b),
            "rubygems" => CompareGem(a, b),
            "nuget" => CompareDotted(a, b, caseInsensitive: true),
            "maven" => CompareMaven(a, b),
            "packagist" => CompareComposer(a, b),
            _ => CompareDotted(a, b, caseInsensitive: false),
        };
    }

    private static int? CompareDotted(string a, string b, bool caseInsensitive)
    {
        if (Dotted(a) is not { } x || Dotted(b) is not { } y)
        {
            return null;
        }

        for (var i = 0; i < Math.Max(x.Numbers.Length, y.Numbers.Length); i++)
        {
            var c = (i < x.Numbers.Length ? x.Numbers[i] : 0).CompareTo(i < y.Numbers.Length ? y.Numbers[i] : 0);
            if (c != 0)
            {
                return c;
            }
        }

        // A pre-release sorts before its release; pre-releases compare identifier by identifier.
        if (x.Pre.Length == 0 || y.Pre.Length == 0)
        {
            return Math.Sign(y.Pre.Length.CompareTo(x.Pre.Length));
        }

        var xs = x.Pre.Split('.');
        var ys = y.Pre.Split('.');
        for (var i = 0; i < Math.Min(xs.Length, ys.Length); i++)
        {
            var xn = long.TryParse(xs[i], NumberStyles.None, CultureInfo.InvariantCulture, out var xv);
            var yn = long.TryParse(ys[i], NumberStyles.None, CultureInfo.InvariantCulture, out var yv);
            var c = xn && yn ? xv.CompareTo(yv)
                : xn ? -1 : yn ? 1
                : string.Compare(xs[i], ys[i], caseInsensitive ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
            if (c != 0)
            {
                return Math.Sign(c);
            }
        }

        return xs.Length.CompareTo(ys.Length);
    }

    private static (long[] Numbers, string Pre)? Dotted(string text)
    {
        var m = DottedPattern().Match(text.Trim().TrimStart('v', 'V'));
        if (!m.Success)
        {
            return null;
        }

        var numbers = m.Groups["nums"].Value.Split('.').Select(n => long.Parse(n, CultureInfo.InvariantCulture)).ToArray();
        return (numbers, m.Groups["pre"].Value);
    }

    /// <summary>
    /// RubyGems' order (Gem::Version): segments split at dots and between digits and letters, trailing zeros of the
    /// release ignored, a missing segment is 0, a letter segment (a pre-release: <c>7.1.0.rc1</c>) sorts before a number.
    /// </summary>
    private static int? CompareGem(string a, string b)
    {
        if (GemSegments(a) is not { } x || GemSegments(b) is not { } y)
        {
            return null;
        }

        for (var i = 0; i < Math.Max(x.Count, y.Count); i++)
        {
            var l = i < x.Count ? x[i] : 0L;
            var r = i < y.Count ? y[i] : 0L;
            var c = (l, r) switch
            {
                (long m, long n) => m.CompareTo(n),
                (string m, string n) => Math.Sign(string.CompareOrdinal(m, n)),
                (string, _) => -1,
                _ => 1,
            };
            if (c != 0)
            {
                return c;
            }
        }

        return 0;
    }

    private static List<object>? GemSegments(string text)
    {
        var m = GemPattern().Match(text.Trim());
        if (!m.Success)
        {
            return null;
        }

        var segments = GemSegment().Matches(m.Value).Select(s => long.TryParse(s.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? (object)n : s.Value).ToList();
        // Trailing zeros of the release part (before the first letter) do not count: 1.0 == 1.0.0.
        var release = segments.FindIndex(s => s is string);
        var end = release < 0 ? segments.Count : release;
        var zeros = 0;
        while (end - zeros - 1 > 0 && segments[end - zeros - 1] is 0L)
        {
            zeros++;
        }

        segments.RemoveRange(end - zeros, zeros);
        return segments;
    }

    private static int? ComparePep440(string a, string b)
    {
        if (Pep440(a) is not { } x || Pep440(b) is not { } y)
        {
            return null;
        }

        var keys = new[] { x.Epoch.CompareTo(y.Epoch) };
        if (keys[0] != 0)
        {
            return keys[0];
        }

        for (var i = 0; i < Math.Max(x.Release.Length, y.Release.Length); i++)
        {
            var c = (i < x.Release.Length ? x.Release[i] : 0).CompareTo(i < y.Release.Length ? y.Release[i] : 0);
            if (c != 0)
            {
                return c;
            }
        }

        var p = x.Pre.CompareTo(y.Pre);
        if (p != 0)
        {
            return p;
        }

        var post = x.Post.CompareTo(y.Post);
        return post != 0 ? post : x.Dev.CompareTo(y.Dev);
    }

    /// <summary>PEP 440 as sortable parts: a dev-release sorts first, no pre-release after every pre-release.</summary>
    private static (long Epoch, long[] Release, (int, long) Pre, long Post, long Dev)? Pep440(string text)
    {
        var m = Pep440Pattern().Match(text.Trim().ToLowerInvariant());
        if (!m.Success)
        {
            return null;
        }

        long Num(string group, long missing) => m.Groups[group].Success && m.Groups[group].Value.Length > 0
            ? long.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture) : missing;
        var preKind = m.Groups["prel"].Value switch { "a" or "alpha" => 0, "b" or "beta" => 1, "" => 3, _ => 2 };
        var hasDev = m.Groups["dev"].Success;
        var hasPost = m.Groups["post"].Success;
        // A bare dev-release (1.0.dev1) sorts before the pre-releases of its release.
        var pre = preKind == 3 && hasDev && !hasPost ? (-1, 0L) : (preKind, Num("pren", 0));
        return (Num("epoch", 0), m.Groups["release"].Value.Split('.').Select(n => long.Parse(n, CultureInfo.InvariantCulture)).ToArray(),
            pre, hasPost ? Num("postn", 0) : -1, hasDev ? Num("devn", 0) : long.MaxValue);
    }

    [GeneratedRegex(@"^[0-9]+(?:\.[0-9a-zA-Z]+)*$")]
    private static partial Regex GemPattern();

    [GeneratedRegex(@"[0-9]+|[a-zA-Z]+")]
    private static partial Regex GemSegment();

    [GeneratedRegex(@"^(?<nums>\d+(?:\.\d+){0,3})(?:-(?<pre>[0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$")]
    private static partial Regex DottedPattern();

    [GeneratedRegex(@"^v?(?:(?<epoch>\d+)!)?(?<release>\d+(?:\.\d+)*)(?:[-_.]?(?<prel>a|b|c|rc|alpha|beta|pre|preview)[-_.]?(?<pren>\d*))?(?<post>(?:-(?<postn>\d+))|(?:[-_.]?(?:post|rev|r)[-_.]?(?<postn>\d*)))?(?<dev>[-_.]?dev[-_.]?(?<devn>\d*))?(?:\+[a-z0-9.]+)?$")]
    private static partial Regex Pep440Pattern();
}

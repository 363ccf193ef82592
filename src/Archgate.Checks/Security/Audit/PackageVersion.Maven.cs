using System.Globalization;
using System.Numerics;
using System.Text.RegularExpressions;

namespace Archgate.Checks.Security.Audit;

/// <summary>Maven's version order (ComparableVersion) and Composer's (Packagist).</summary>
internal static partial class PackageVersion
{
    /// <summary>Maven's qualifiers in order; <c>""</c> is the release (<c>ga</c>, <c>final</c>, <c>release</c>), unknown ones sort after <c>sp</c>.</summary>
    private static readonly string[] MavenQualifiers = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];

    /// <summary>
    /// Maven's order (ComparableVersion): items split at <c>.</c>, <c>-</c> and between digits and letters, where a
    /// <c>-</c> or a letter-digit change opens a sub-list; trailing zeros and release qualifiers of each list do not
    /// count (<c>1.0 == 1 == 1-ga</c>); <c>alpha &lt; beta &lt; milestone &lt; rc &lt; snapshot &lt; release &lt; sp</c>,
    /// then unknown qualifiers in lexical order; a number outranks a sub-list, which outranks a qualifier. Every text is
    /// a Maven version.
    /// </summary>
    private static int CompareMaven(string a, string b) => MavenItem.Compare(ParseMaven(a), ParseMaven(b));

    private static List<object> ParseMaven(string text)
    {
        var version = text.Trim().ToLowerInvariant();
        var root = new List<object>();
        var list = root;
        var lists = new Stack<List<object>>();
        lists.Push(root);
        var digit = false;
        var start = 0;

        void Open()
        {
            var sub = new List<object>();
            list.Add(sub);
            list = sub;
            lists.Push(sub);
        }

        for (var i = 0; i < version.Length; i++)
        {
            var c = version[i];
            if (c is '.' or '-')
            {
                list.Add(i == start ? BigInteger.Zero : MavenItem.Parse(version[start..i], digit, followedByDigit: false));
                start = i + 1;
                if (c == '-')
                {
                    Open();
                }
            }
            else if (char.IsAsciiDigit(c))
            {
                if (!digit && i > start)
                {
                    list.Add(MavenItem.Parse(version[start..i], digit: false, followedByDigit: true));
                    start = i;
                    Open();
                }

                digit = true;
            }
            else
            {
                if (digit && i > start)
                {
                    list.Add(MavenItem.Parse(version[start..i], digit: true, followedByDigit: false));
                    start = i;
                    Open();
                }

                digit = false;
            }
        }

        if (version.Length > start)
        {
            list.Add(MavenItem.Parse(version[start..], digit, followedByDigit: false));
        }

        while (lists.Count > 0)
        {
            MavenItem.Normalize(lists.Pop());
        }

        return root;
    }

    /// <summary>Items of a Maven version: a <see cref="BigInteger"/>, a qualifier <see cref="string"/>, or a sub-list.</summary>
    private static class MavenItem
    {
        public static object Parse(string text, bool digit, bool followedByDigit)
        {
            if (digit)
            {
                return BigInteger.Parse(text, CultureInfo.InvariantCulture);
            }

            if (followedByDigit && text.Length == 1)
            {
                text = text switch { "a" => "alpha", "b" => "beta", "m" => "milestone", _ => text };
            }

            return text switch { "ga" or "final" or "release" => string.Empty, "cr" => "rc", _ => text };
        }

        /// <summary>Drops the list's trailing null items (0, the release qualifier, an empty list), stopping at any other item that is not a list.</summary>
        public static void Normalize(List<object> list)
        {
            for (var i = list.Count - 1; i >= 0; i--)
            {
                if (IsNull(list[i]))
                {
                    list.RemoveAt(i);
                }
                else if (list[i] is not List<object>)
                {
                    break;
                }
            }
        }

        public static int Compare(object? left, object? right) => left switch
        {
            null => right is null ? 0 : -Compare(right, null),
            BigInteger n => right switch
            {
                null => n.IsZero ? 0 : 1,
                BigInteger m => n.CompareTo(m),
                _ => 1,
            },
            string q => right switch
            {
                null => Math.Sign(string.CompareOrdinal(Qualifier(q), Qualifier(string.Empty))),
                string r => Math.Sign(string.CompareOrdinal(Qualifier(q), Qualifier(r))),
                _ => -1,
            },
            List<object> list => right switch
            {
                null => list.Count == 0 ? 0 : Compare(list[0], null),
                BigInteger => -1,
                string => 1,
                List<object> other => CompareLists(list, other),
                _ => 0,
            },
            _ => 0,
        };

        private static int CompareLists(List<object> left, List<object> right)
        {
            for (var i = 0; i < Math.Max(left.Count, right.Count); i++)
            {
                var c = Compare(i < left.Count ? left[i] : null, i < right.Count ? right[i] : null);
                if (c != 0)
                {
                    return c;
                }
            }

            return 0;
        }

        private static bool IsNull(object item) => item switch
        {
            BigInteger n => n.IsZero,
            string q => q.Length == 0,
            List<object> list => list.Count == 0,
            _ => false,
        };

        /// <summary>A qualifier's sort key: its rank among the known ones, else after them all, lexically.</summary>
        private static string Qualifier(string q) =>
            Array.IndexOf(MavenQualifiers, q) is var rank and >= 0 ? rank.ToString(CultureInfo.InvariantCulture) : $"{MavenQualifiers.Length}-{q}";
    }

    /// <summary>
    /// Composer's order (Packagist): up to four numbers (<c>v</c> and missing ones ignored), then the stability
    /// <c>dev &lt; alpha &lt; beta &lt; RC &lt; stable &lt; patch</c> with its number; null for a branch (<c>dev-main</c>).
    /// </summary>
    private static int? CompareComposer(string a, string b)
    {
        if (Composer(a) is not { } x || Composer(b) is not { } y)
        {
            return null;
        }

        for (var i = 0; i < 4; i++)
        {
            var c = (i < x.Numbers.Length ? x.Numbers[i] : 0).CompareTo(i < y.Numbers.Length ? y.Numbers[i] : 0);
            if (c != 0)
            {
                return c;
            }
        }

        var s = x.Stability.CompareTo(y.Stability);
        return s != 0 ? s : x.Number.CompareTo(y.Number);
    }

    private static (long[] Numbers, int Stability, long Number)? Composer(string text)
    {
        var m = ComposerPattern().Match(text.Trim());
        if (!m.Success)
        {
            return null;
        }

        var stability = m.Groups["stab"].Value.ToLowerInvariant() switch
        {
            "dev" => 0,
            "a" or "alpha" => 1,
            "b" or "beta" => 2,
            "rc" => 3,
            "" => 4,
            _ => 5, // patch, pl, p
        };
        var number = m.Groups["stabn"].Value is { Length: > 0 } n ? long.Parse(n, CultureInfo.InvariantCulture) : 0;
        return (m.Groups["nums"].Value.Split('.').Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray(), stability, number);
    }

    [GeneratedRegex(@"^[vV]?(?<nums>\d+(?:\.\d+){0,3})(?:[._-]?(?<stab>dev|alpha|a|beta|b|RC|rc|patch|pl|p)(?:[._-]?(?<stabn>\d+))?)?(?:\+.*)?$", RegexOptions.IgnoreCase)]
    private static partial Regex ComposerPattern();
}

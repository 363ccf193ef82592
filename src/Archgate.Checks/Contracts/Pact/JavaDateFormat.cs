using System.Globalization;
using System.Text;

namespace Archgate.Checks.Contracts.Pact;

/// <summary>
/// Checks text against the Java date-time patterns pacts use for date, time and timestamp matchers
/// (<c>yyyy-MM-dd'T'HH:mm:ss.SSSXXX</c>), by translating them to .NET custom formats.
/// </summary>
internal static class JavaDateFormat
{
    /// <summary>The pattern a date matcher without a format uses.</summary>
    public const string DefaultDate = "yyyy-MM-dd";

    /// <summary>The pattern a time matcher without a format uses.</summary>
    public const string DefaultTime = "HH:mm:ss";

    /// <summary>The pattern a timestamp matcher on text (a header) without a format uses.</summary>
    public const string DefaultTimestamp = "yyyy-MM-dd'T'HH:mm:ssXXX";

    /// <summary>Whether <paramref name="text"/> is written in <paramref name="javaPattern"/>; null pattern: ISO 8601 timestamp.</summary>
    public static bool Matches(string text, string? javaPattern)
    {
        if (javaPattern is null)
        {
            return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _)
                && text.Length >= 19 && text[10] is 'T' or ' ';
        }

        var format = ToDotNet(javaPattern);
        return format is not null
            && DateTimeOffset.TryParseExact(text, format, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _);
    }

    /// <summary>The .NET custom format for a Java pattern, or null when it uses letters this does not translate.</summary>
    public static string? ToDotNet(string pattern)
    {
        var result = new StringBuilder();
        var i = 0;
        while (i < pattern.Length)
        {
            var c = pattern[i];
            if (c == '\'')
            {
                var end = pattern.IndexOf('\'', i + 1);
                if (end < 0)
                {
                    return null;
                }

                result.Append(end == i + 1 ? "\\'" : $"'{pattern[(i + 1)..end]}'");
                i = end + 1;
                continue;
            }

            var run = 1;
            while (i + run < pattern.Length && pattern[i + run] == c)
            {
                run++;
            }

            string? piece = c switch
            {
                'y' or 'u' => run == 2 ? "yy" : "yyyy",
                'M' or 'L' => new string('M', Math.Min(run, 4)),
                'd' => new string('d', Math.Min(run, 2)),
                'H' or 'h' or 'm' or 's' => new string(c, Math.Min(run, 2)),
                'S' => new string('f', Math.Min(run, 7)),
                'a' => "tt",
                'E' => run <= 3 ? "ddd" : "dddd",
                'X' or 'x' or 'z' or 'O' => "K",
                'Z' => "zzz",
                _ when char.IsAsciiLetter(c) => null,
                _ => string.Concat(Enumerable.Repeat(c is '%' or '\\' or '"' or ':' or '/' ? $"\\{c}" : c.ToString(), run)),
            };
            if (piece is null)
            {
                return null;
            }

            result.Append(piece);
            i += run;
        }

        return result.ToString();
    }
}

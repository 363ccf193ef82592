using System.Globalization;
using System.Text.RegularExpressions;

namespace Archgate.Manifest;

/// <summary>Parsers for the manifest's value formats: durations (<c>250ms</c>, <c>10s</c>, <c>2m</c>) and percentages (<c>1%</c>).</summary>
public static partial class ValueParsers
{
    /// <summary>Parses <c>250ms</c>, <c>1.5s</c>, <c>2m</c>, <c>1h</c>; one too long for a <see cref="TimeSpan"/> gives <see cref="TimeSpan.MaxValue"/>.</summary>
    public static bool TryParseDuration(string text, out TimeSpan value)
    {
        value = default;
        var m = DurationPattern().Match(text.Trim());
        if (!m.Success)
        {
            return false;
        }

        var number = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        var milliseconds = number * m.Groups[2].Value switch
        {
            "ms" => 1.0,
            "s" => 1000.0,
            "m" => 60_000.0,
            _ => 3_600_000.0,
        };
        // Too long for a TimeSpan ('99999999999999h'): the longest one, which every caller's limit refuses.
        value = milliseconds >= TimeSpan.MaxValue.TotalMilliseconds ? TimeSpan.MaxValue : TimeSpan.FromMilliseconds(milliseconds);
        return true;
    }

    /// <summary>Parses <c>1%</c> or <c>0.5%</c> into a fraction (0.01, 0.005).</summary>
    public static bool TryParsePercent(string text, out double fraction)
    {
        fraction = 0;
        var m = PercentPattern().Match(text.Trim());
        if (!m.Success)
        {
            return false;
        }

        fraction = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) / 100.0;
        return fraction <= 1.0;
    }

    /// <summary>Parses a size: <c>512MiB</c>, <c>2GiB</c>, <c>100MB</c>, <c>4096</c> (bytes); false when it does not fit a <see cref="long"/>.</summary>
    public static bool TryParseBytes(string text, out long bytes)
    {
        bytes = 0;
        var m = BytesPattern().Match(text.Trim());
        if (!m.Success)
        {
            return false;
        }

        var factor = m.Groups[2].Value switch
        {
            "" or "B" => 1.0,
            "KB" => 1e3,
            "MB" => 1e6,
            "GB" => 1e9,
            "TB" => 1e12,
            "KiB" => 1024.0,
            "MiB" => 1024.0 * 1024,
            "GiB" => 1024.0 * 1024 * 1024,
            _ => 1024.0 * 1024 * 1024 * 1024,
        };
        var value = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) * factor;
        if (value >= long.MaxValue)
        {
            return false;
        }

        bytes = (long)value;
        return true;
    }

    /// <summary>Formats a duration the way the manifest writes it.</summary>
    public static string FormatDuration(TimeSpan value) =>
        value.TotalMilliseconds < 1000 ? $"{value.TotalMilliseconds:0.##}ms"
        : value.TotalSeconds < 120 ? $"{value.TotalSeconds:0.##}s"
        : $"{value.TotalMinutes:0.##}m";

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)(ms|s|m|h)$")]
    private static partial Regex DurationPattern();

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)\s*%$")]
    private static partial Regex PercentPattern();

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)?$")]
    private static partial Regex BytesPattern();
}

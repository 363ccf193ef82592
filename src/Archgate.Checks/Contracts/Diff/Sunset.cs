using System.Globalization;
using Microsoft.OpenApi;

namespace Archgate.Checks.Contracts.Diff;

/// <summary>The <c>x-sunset</c> extension of a deprecated operation or parameter: the date after which it may be removed.</summary>
internal readonly record struct Sunset(string? Text, DateOnly? Date)
{
    public static readonly Sunset None = new(null, null);

    public bool IsSet => Text is not null;

    /// <summary>Set but not an RFC 3339 date (<c>2026-12-31</c>) or date-time.</summary>
    public bool IsInvalid => Text is not null && Date is null;

    public static Sunset Of(IDictionary<string, IOpenApiExtension>? extensions) =>
        extensions is not null && extensions.TryGetValue("x-sunset", out var x) && x is JsonNodeExtension json
            ? Parse(SchemaExtras.Text(json.Node))
            : None;

    public static Sunset Parse(string? text)
    {
        if (text is null)
        {
            return None;
        }

        var trimmed = text.Trim();
        if (DateOnly.TryParseExact(trimmed, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return new Sunset(trimmed, date);
        }

        return DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var moment) && trimmed.Contains('T', StringComparison.OrdinalIgnoreCase)
            ? new Sunset(trimmed, DateOnly.FromDateTime(moment.UtcDateTime))
            : new Sunset(trimmed, null);
    }

    /// <summary>True when the sunset date has not come yet on <paramref name="today"/>.</summary>
    public bool IsAfter(DateOnly today) => Date is { } d && d > today;
}

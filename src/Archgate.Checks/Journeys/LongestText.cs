using Archgate.Checks.Contracts.Diff;

namespace Archgate.Checks.Journeys;

/// <summary>
/// The longest valid text a string schema allows, for the "largest payload" edge case: a value of the schema's format
/// (when the format can be padded) of at most maxLength characters. A pattern, an enum or a format that cannot grow
/// (date-time, uuid, ipv4 ...) has none: the journey's value stays, since a longer one would be invalid, and a service
/// that refuses it would be right.
/// </summary>
internal static class LongestText
{
    private const string Domain = "example.test";

    /// <summary>The longest valid text for <paramref name="view"/> within <paramref name="maxLength"/>, or null when none can be built.</summary>
    public static string? For(SchemaView view, int maxLength)
    {
        if (view.Pattern is not null || view.Enum.Count > 0 || maxLength < Math.Max(view.MinLength ?? 0, 1))
        {
            return null;
        }

        return view.Format switch
        {
            null or "password" or "binary" => new string('a', maxLength),
            "email" or "idn-email" => Email(maxLength),
            "uri" or "url" or "iri" => Padded($"https://{Domain}/", maxLength),
            "uri-reference" or "iri-reference" => Padded("/", maxLength),
            "hostname" or "idn-hostname" => maxLength <= 253 ? Labels(maxLength - Domain.Length) is { } labels ? labels + Domain : null : null,
            "byte" => maxLength >= 4 ? new string('a', maxLength / 4 * 4) : null, // base64 comes in groups of 4
            _ => null, // date-time, date, time, uuid, ipv4, ipv6, duration, numbers as text, unknown formats: no valid longer value
        };
    }

    private static string? Padded(string prefix, int maxLength) => maxLength > prefix.Length ? prefix + new string('a', maxLength - prefix.Length) : null;

    /// <summary>An address of exactly <paramref name="maxLength"/> characters: a local part of at most 64, then labels before the domain; at most 254 in all (RFC 5321).</summary>
    private static string? Email(int maxLength)
    {
        var room = maxLength - 1 - Domain.Length;
        if (room < 1 || maxLength > 254)
        {
            return null;
        }

        var local = Math.Min(64, room);
        if (room - local == 1)
        {
            local--; // a label needs at least one character before its dot
        }

        return Labels(room - local) is { } labels ? $"{new string('a', local)}@{labels}{Domain}" : null;
    }

    /// <summary><paramref name="length"/> characters of DNS labels, each ending with a dot and at most 63 long; null when impossible.</summary>
    private static string? Labels(int length)
    {
        if (length is < 0 or 1)
        {
            return null;
        }

        var text = new System.Text.StringBuilder();
        var left = length;
        while (left > 0)
        {
            var label = left % 64 == 1 ? 62 : Math.Min(63, left - 1); // never leave one character, which cannot be a label
            text.Append('a', label).Append('.');
            left -= label + 1;
        }

        return text.ToString();
    }
}

using System.Globalization;
using System.Text.Json.Nodes;
using Archgate.Checks.Contracts.Conformance;
using Archgate.Checks.Contracts.Diff;

namespace Archgate.Checks.Journeys;

/// <summary>
/// Two properties of a create's JSON body that bound a period: <c>checkIn</c>/<c>checkOut</c>, <c>startDate</c>/<c>endDate</c>,
/// <c>validFrom</c>/<c>validTo</c>, <c>startsAt</c>/<c>endsAt</c>. Both are strings of one format (<c>date</c> or
/// <c>date-time</c>), their names differ only in a start word and an end word, and the body's start lies before its end.
/// Names alone decide: a birth date before a hire date is no period.
/// </summary>
/// <param name="Start">The start property.</param>
/// <param name="End">The end property.</param>
/// <param name="DateOnly">Dates (<c>date</c>) rather than instants (<c>date-time</c>): moved in whole days.</param>
internal sealed record DateRange(string Start, string End, bool DateOnly)
{
    /// <summary>Words that open a period, as a name's tokens (<c>checkIn</c> is <c>check</c>, <c>in</c>).</summary>
    private static readonly string[][] StartWords =
        [["start"], ["starts"], ["starting"], ["from"], ["begin"], ["begins"], ["since"], ["check", "in"], ["checkin"], ["arrival"], ["arrive"], ["arrives"], ["opens"], ["open"], ["pickup"], ["pick", "up"]];

    /// <summary>Words that close one.</summary>
    private static readonly string[][] EndWords =
        [["end"], ["ends"], ["ending"], ["to"], ["until"], ["till"], ["finish"], ["finishes"], ["check", "out"], ["checkout"], ["departure"], ["depart"], ["departs"], ["closes"], ["close"], ["dropoff"], ["drop", "off"], ["return"]];

    /// <summary>The period of <paramref name="body"/>, a body of <paramref name="create"/>; null when it has none (or more than one).</summary>
    public static DateRange? Of(JsonObject body, OperationInfo create)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(create);
        var schema = create.Operation.RequestBody?.Content?.FirstOrDefault(c => c.Key.Contains("json", StringComparison.OrdinalIgnoreCase)).Value?.Schema;
        if (schema is null)
        {
            return null;
        }

        var dated = SchemaView.Of(schema).Properties
            .Select(p => (Name: p.Key, SchemaView.Of(p.Value).Format))
            .Where(p => p.Format is "date" or "date-time" && Read(body, p.Name) is not null)
            .ToList();
        var ranges = (from start in dated
                      from end in dated
                      where start.Name != end.Name && start.Format == end.Format && Pair(start.Name, end.Name)
                      let range = new DateRange(start.Name, end.Name, start.Format == "date")
                      where range.Bounds(body) is { } b && b.Start < b.End
                      select range).ToList();
        return ranges.Count == 1 ? ranges[0] : null;
    }

    /// <summary>The body's start and end; null when either is missing or no date.</summary>
    public (DateTimeOffset Start, DateTimeOffset End)? Bounds(JsonObject body) =>
        Read(body, Start) is { } start && Read(body, End) is { } end ? (start, end) : null;

    /// <summary>How long the body's period lasts (zero without one).</summary>
    public TimeSpan Length(JsonObject body) => Bounds(body) is { } b ? b.End - b.Start : TimeSpan.Zero;

    /// <summary>A copy of <paramref name="body"/> with its period set to <paramref name="start"/> .. <paramref name="end"/>, written as the body writes its dates.</summary>
    public JsonObject With(JsonObject body, DateTimeOffset start, DateTimeOffset end)
    {
        ArgumentNullException.ThrowIfNull(body);
        var copy = (JsonObject)body.DeepClone();
        copy[Start] = Write(start, (string)body[Start]!);
        copy[End] = Write(end, (string)body[End]!);
        return copy;
    }

    /// <summary>A copy of <paramref name="body"/> with its whole period moved by <paramref name="by"/>.</summary>
    public JsonObject Moved(JsonObject body, TimeSpan by) =>
        Bounds(body) is { } b ? With(body, b.Start + by, b.End + by) : (JsonObject)body.DeepClone();

    /// <summary>
    /// A period that overlaps <paramref name="body"/>'s without being it: moved by half its length (a whole day at
    /// least for dates); a one-day period starts a day earlier instead (a stay of one night, arriving the night before).
    /// </summary>
    public JsonObject Overlapping(JsonObject body)
    {
        if (Bounds(body) is not { } b)
        {
            return (JsonObject)body.DeepClone();
        }

        var length = b.End - b.Start;
        if (DateOnly)
        {
            var half = Math.Floor(length.TotalDays / 2);
            return half >= 1 ? Moved(body, TimeSpan.FromDays(half)) : With(body, b.Start.AddDays(-1), b.End);
        }

        return Moved(body, length / 2);
    }

    /// <summary>The period after <paramref name="body"/>'s, apart from it by a day (dates) or half its length: overlapping nothing of it.</summary>
    public JsonObject After(JsonObject body)
    {
        var length = Length(body);
        return Moved(body, length + (DateOnly ? TimeSpan.FromDays(1) : length / 2));
    }

    /// <summary>How the period reads in a message: <c>checkIn..checkOut 2027-05-01..2027-05-03</c>.</summary>
    public string Describe(JsonObject body) => $"{Start}..{End} {body[Start]}..{body[End]}";

    private static bool Pair(string start, string end)
    {
        var a = Tokens(start);
        var b = Tokens(end);
        return StartWords.Any(s => Without(a, s) is { } restA && EndWords.Any(e => Without(b, e) is { } restB && restA.SequenceEqual(restB)));
    }

    /// <summary><paramref name="tokens"/> without the first run of <paramref name="word"/>; null when it is not in them.</summary>
    private static List<string>? Without(List<string> tokens, string[] word)
    {
        for (var i = 0; i + word.Length <= tokens.Count; i++)
        {
            if (tokens.Skip(i).Take(word.Length).SequenceEqual(word))
            {
                return [.. tokens.Take(i), .. tokens.Skip(i + word.Length)];
            }
        }

        return null;
    }

    /// <summary>A name's words, lower case: <c>checkInDate</c>, <c>check_in_date</c> and <c>check-in-date</c> are <c>check</c>, <c>in</c>, <c>date</c>.</summary>
    private static List<string> Tokens(string name)
    {
        var tokens = new List<string>();
        var current = new System.Text.StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (!char.IsLetterOrDigit(c) || (char.IsUpper(c) && current.Length > 0 && !char.IsUpper(name[i - 1])))
            {
                if (current.Length > 0)
                {
                    tokens.Add(current.ToString());
                    current.Clear();
                }
            }

            if (char.IsLetterOrDigit(c))
            {
                current.Append(char.ToLowerInvariant(c));
            }
        }

        if (current.Length > 0)
        {
            tokens.Add(current.ToString());
        }

        return tokens;
    }

    private static DateTimeOffset? Read(JsonObject body, string name) =>
        body[name] is JsonValue value && value.TryGetValue<string>(out var text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)
            ? at
            : null;

    /// <summary><paramref name="at"/> written as <paramref name="like"/> is: a date, or an instant in UTC (<c>Z</c>).</summary>
    private static string Write(DateTimeOffset at, string like) =>
        like.Length == 10
            ? at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}

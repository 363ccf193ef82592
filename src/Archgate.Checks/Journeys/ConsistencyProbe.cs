using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Archgate.Checks.Contracts;
using Archgate.Checks.Database;
using Archgate.Checks.Frontend;
using Archgate.Checks.Http;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Journeys;

/// <summary>
/// Step 7's data consistency after a journey's write: the API's read of the written resource gives back what was
/// sent, and the stored row (the manifest's <c>resources</c> mapping) holds the values the API reads. A resource that
/// moves on by itself meanwhile (a payment worker) is read again, up to three times, before a difference counts.
/// </summary>
internal static class ConsistencyProbe
{
    private const int Attempts = 3;

    /// <summary>The mapped resource's item path (null when the write maps to none) and the findings; none when consistent.</summary>
    public static async Task<(string? Item, IReadOnlyList<Finding> Findings)> CheckAsync(
        SystemModel system, ServiceComponent service, JourneyWrite write, HttpClient http, TimeProvider time,
        CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? jar = null)
    {
        foreach (var mapping in service.Resources)
        {
            if (ItemPath(mapping, write) is not { } item)
            {
                continue;
            }

            var findings = new List<Finding>();
            var database = system.Find<DatabaseComponent>(mapping.Database);
            for (var attempt = 1; attempt <= Attempts; attempt++)
            {
                findings.Clear();
                var read = await ReadAsync(http, service, item.Path, write, jar, cancellationToken);
                if (!read.Ok)
                {
                    // Refused or not found: what the API holds is not known, so nothing is compared (the journey's own
                    // expectations judge its reads); a failure to answer at all is the same.
                    var status = read.Failure is { } failure ? $"got no answer ({failure.Cause})" : $"answered {read.Status}";
                    var moved = read.Status is >= 300 and < 400 ? read.Header("Location") : null;
                    findings.Add(Finding(JourneyRules.ConsistencyNotChecked, Severity.Info, service.Name, $"GET {item.Path}",
                        $"after {write.Method} {write.Path} the API's read of {item.Path} {status}{(moved is null ? "" : $", a redirect to {moved}")} with the journey's credentials: consistency not checked",
                        read.Evidence(), moved is null ? "make the item readable by the identity that wrote it, or add a read step to the journey" : Redirected(mapping, item.Path, moved)));
                    break;
                }

                JsonObject? api = null;
                try
                {
                    api = JsonNode.Parse(read.Body) as JsonObject;
                }
                catch (JsonException)
                {
                }

                if (api is null)
                {
                    findings.Add(Finding(JourneyRules.ReadDiffers, Severity.High, service.Name, $"GET {item.Path}",
                        $"after {write.Method} {write.Path} the API's read answered {read.Status} with a body that is not a JSON object", read.Evidence(),
                        "a resource the API just wrote must be readable at once, as a JSON object"));
                    break;
                }

                if (write.Body is not null && Sent(write.Body) is { } sent && JsonSubset.Difference(sent, api) is { } difference)
                {
                    findings.Add(Finding(JourneyRules.ReadDiffers, Severity.High, service.Name, $"GET {item.Path}",
                        $"after {write.Method} {write.Path} the API's read differs from what was sent: {difference}", read.Evidence(), "a read after a write must show the write"));
                }

                if (database is null)
                {
                    break;
                }

                var row = await RowAsync(database, mapping, item.Key, cancellationToken);
                if (row.Problem is not null)
                {
                    findings.Add(Finding(JourneyRules.ConsistencyNotChecked, Severity.Medium, database.Name, mapping.Table, $"the row could not be read: {row.Problem}", null,
                        "check the resources mapping (table, key) and that Archgate may read the database"));
                    break;
                }

                if (row.Values is null)
                {
                    findings.Add(Finding(JourneyRules.RowMissing, Severity.High, database.Name, $"{mapping.Table}.{mapping.Key} = {item.Key}",
                        $"{write.Method} {write.Path} answered {write.Answer.Status}, but {mapping.Table} has no row with {mapping.Key} = {item.Key}", write.Answer.Evidence(),
                        "the API must store what it says it wrote before it answers"));
                }
                else if (Differences(mapping, api, row.Values) is { Count: > 0 } differences)
                {
                    findings.Add(Finding(JourneyRules.RowDiffers, Severity.High, database.Name, $"{mapping.Table}.{mapping.Key} = {item.Key}",
                        $"the stored row differs from the API's read of {item.Path}: {string.Join("; ", differences.Take(5))}", ProbeHttp.Excerpt(api.ToJsonString()),
                        "the API must answer what is stored (a cache or a mapping may be stale)"));
                }

                if (findings.Count == 0)
                {
                    return ($"{item.Path} ({mapping.Table})", []);
                }

                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), time, cancellationToken);
            }

            return ($"{item.Path} ({mapping.Table})", findings);
        }

        return (null, []);
    }

    /// <summary>
    /// The hint for an item read that was redirected: a redirect to the same path with or without a trailing slash (Django's
    /// APPEND_SLASH, Spring's trailing-slash match) means the mapping's path is not the one the API serves.
    /// </summary>
    private static string Redirected(ResourceMapping mapping, string path, string location)
    {
        var target = Uri.TryCreate(location, UriKind.RelativeOrAbsolute, out var uri) ? (uri.IsAbsoluteUri ? uri.AbsolutePath : location.Split('?')[0]) : location;
        return target.TrimEnd('/') == path.TrimEnd('/')
            ? $"the API serves its items at {target}: write the resources path as {(target.EndsWith('/') ? mapping.Path.TrimEnd('/') + "/" : mapping.Path.TrimEnd('/'))}"
            : "read the item where the API serves it: the resources path is not it, or the read needs a sign-in the journey's credentials lack";
    }

    /// <summary>
    /// The API's read of <paramref name="path"/> with the write's headers; when those are refused (401, 403) and the run's
    /// cookie jar has moved on since the write (a later sign-in), once more with the jar's cookies as they are now.
    /// </summary>
    private static async Task<ApiAnswer> ReadAsync(
        HttpClient http, ServiceComponent service, string path, JourneyWrite write, IReadOnlyDictionary<string, string>? jar, CancellationToken cancellationToken)
    {
        var own = write.Headers.Where(h => !h.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)).ToList();
        var read = await ApiCall.SendAsync(http, "GET", ApiCall.Resolve(service.Url!, path), own, null, ApiCall.DefaultTimeout, cancellationToken);
        if (read.Status is not (401 or 403) || jar is null)
        {
            return read;
        }

        var kept = own.Where(h => !h.Key.Equals("Cookie", StringComparison.OrdinalIgnoreCase) && !SessionCookie.IsCsrfName(h.Key)).ToList();
        var now = kept.Concat(CookieJar.Headers(jar, "GET", kept)).ToList();
        var before = own.FirstOrDefault(h => h.Key.Equals("Cookie", StringComparison.OrdinalIgnoreCase)).Value;
        var after = now.FirstOrDefault(h => h.Key.Equals("Cookie", StringComparison.OrdinalIgnoreCase)).Value;
        return after is null || after == before ? read : await ApiCall.SendAsync(http, "GET", ApiCall.Resolve(service.Url!, path), now, null, ApiCall.DefaultTimeout, cancellationToken);
    }

    /// <summary>
    /// The writes whose outcome a read can show once the run is over: for each item the last write that reached it, in
    /// the run's order, and none for an item the run deleted last. A create followed by an update reads as the update;
    /// judging the create against that read would blame the service for the journey's own change.
    /// </summary>
    public static IEnumerable<JourneyWrite> Latest(ServiceComponent service, IReadOnlyList<JourneyWrite> writes)
    {
        var items = writes.Select(w => service.Resources.Select(m => ItemPath(m, w)?.Path).FirstOrDefault(p => p is not null)).ToList();
        return writes.Where((w, i) => w.Method != "DELETE" && (items[i] is not { } item || items.LastIndexOf(item) == i));
    }

    /// <summary>
    /// The written item's path and key: the answer's Location, the request's own path, or the collection plus the id in
    /// the answer. The mapping's path is a template with any number of parameters (<c>/claims/{id}/items/{itemId}</c>),
    /// matched segment by segment; the key is the value of its last parameter, the item's own.
    /// </summary>
    internal static (string Path, string Key)? ItemPath(ResourceMapping mapping, JourneyWrite write)
    {
        var template = PathTemplates.Split(mapping.Path);
        if (template.Length == 0 || !IsParameter(template[^1]))
        {
            return null;
        }

        var collection = template[..^1];
        var parameter = template[^1][1..^1];
        (string, string)? Match(string path)
        {
            var segments = PathTemplates.Split(path);
            // The item is read in the mapping's shape: /orders/62/ for "/orders/{id}/" (Django redirects /orders/62 with 301).
            return PathTemplates.Matches(template, segments) ? (PathTemplates.Shaped("/" + string.Join('/', segments), mapping.Path), Uri.UnescapeDataString(segments[^1])) : null;
        }

        var location = write.Answer.Header("Location");
        if (location is not null && Uri.TryCreate(location, UriKind.RelativeOrAbsolute, out var uri)
            && Match(uri.IsAbsoluteUri ? uri.AbsolutePath : location.Split('?')[0]) is { } fromLocation)
        {
            return fromLocation;
        }

        var written = write.Path.Split('?')[0];
        if (Match(written) is { } fromPath)
        {
            return fromPath;
        }

        if (PathTemplates.Matches(collection, PathTemplates.Split(written)))
        {
            try
            {
                var body = JsonNode.Parse(write.Answer.Body) as JsonObject;
                if ((body?[parameter] ?? body?["id"]) is JsonValue id)
                {
                    return (PathTemplates.Child(written, id.ToString(), mapping.Path), id.ToString());
                }
            }
            catch (JsonException)
            {
            }
        }

        return null;
    }

    /// <summary>Why a mapping's path can never name an item (its last segment is no parameter); null when it can.</summary>
    internal static string? Unusable(ResourceMapping mapping) =>
        PathTemplates.EndsInParameter(mapping.Path)
            ? null : $"'{mapping.Path}' does not end in a parameter, so no write names one of its items";

    private static bool IsParameter(string segment) => PathTemplates.IsParameter(segment);

    /// <summary>API property against column, for every scalar property with a column of its name (or of the mapping's).</summary>
    internal static List<string> Differences(ResourceMapping mapping, JsonObject api, IReadOnlyDictionary<string, object?> row, string source = "the API")
    {
        var result = new List<string>();
        foreach (var (property, value) in api)
        {
            if (value is JsonObject or JsonArray)
            {
                continue;
            }

            var column = mapping.Columns.GetValueOrDefault(property) ?? SnakeCase(property);
            if (!row.TryGetValue(column, out var stored))
            {
                continue;
            }

            if (!Same(value, stored))
            {
                result.Add($"{property} is {JsonSubset.Text(value) ?? "null"} in {source}, {column} is {(stored is null ? "null" : DatabaseAccess.Text(stored))} in {mapping.Table}");
            }
        }

        return result;
    }

    internal static bool Same(JsonNode? api, object? stored)
    {
        var text = JsonSubset.Text(api);
        var column = stored is null ? null : stored is bool b ? (b ? "true" : "false") : DatabaseAccess.Text(stored);
        if (text == column)
        {
            return true;
        }

        if (text is null || column is null)
        {
            return false;
        }

        switch (stored)
        {
            case DateOnly date:
                return SameDate(date, text);
            case TimeOnly time:
                return TimeOnly.TryParseExact(text, TimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var read) && read == time;
            case TimeSpan interval:
                return SameInterval(interval, text);
            case Guid id:
                return Guid.TryParse(text, out var other) && other == id;
        }

        if (decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) && decimal.TryParse(column, NumberStyles.Float, CultureInfo.InvariantCulture, out var y))
        {
            return x == y;
        }

        if (stored is DateTime or DateTimeOffset || (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _) && text.Contains('T', StringComparison.Ordinal)))
        {
            var storedInstant = stored switch
            {
                DateTimeOffset o => o,
                DateTime d => new DateTimeOffset(DateTime.SpecifyKind(d, d.Kind == DateTimeKind.Unspecified ? DateTimeKind.Utc : d.Kind)),
                _ => DateTimeOffset.TryParse(column, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : (DateTimeOffset?)null,
            };
            return storedInstant is { } s && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var a)
                && Math.Abs((s - a).TotalMilliseconds) < 1;
        }

        return (text == "true" && column == "1") || (text == "false" && column == "0");
    }

    /// <summary>The ISO 8601 forms of a time of day an API prints: <c>10:30</c>, <c>10:30:00</c>, <c>10:30:00.250</c>.</summary>
    private static readonly string[] TimeFormats = ["HH:mm", "HH:mm:ss", "HH:mm:ss.FFFFFFF"];

    /// <summary>
    /// A stored date (PostgreSQL <c>date</c>) against the API's text: the same ISO date (<c>2028-06-01</c>), or a
    /// date-time at midnight UTC or without an offset (<c>2028-06-01T00:00:00.000Z</c>, how a serializer prints a date
    /// it holds as a date-time). Any other time, or midnight at another offset, is a different value: an API that
    /// prints the day before at 22:00Z has shifted the date by its time zone.
    /// </summary>
    private static bool SameDate(DateOnly date, string text)
    {
        if (DateOnly.TryParseExact(text, DatabaseAccess.DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var read))
        {
            return read == date;
        }

        return text.Contains('T', StringComparison.Ordinal)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant)
            && instant.Offset == TimeSpan.Zero && instant.TimeOfDay == TimeSpan.Zero && DateOnly.FromDateTime(instant.DateTime) == date;
    }

    /// <summary>A stored interval against the API's text: an ISO 8601 duration (<c>PT1H30M</c>) or .NET's constant form (<c>01:30:00</c>).</summary>
    private static bool SameInterval(TimeSpan interval, string text)
    {
        if (text.StartsWith('P') || text.StartsWith("-P", StringComparison.Ordinal))
        {
            try
            {
                return System.Xml.XmlConvert.ToTimeSpan(text) == interval;
            }
            catch (FormatException)
            {
                return false;
            }
            catch (OverflowException)
            {
                return false;
            }
        }

        return TimeSpan.TryParseExact(text, "c", CultureInfo.InvariantCulture, out var read) && read == interval;
    }

    internal static string SnakeCase(string name)
    {
        var text = new StringBuilder();
        foreach (var c in name)
        {
            if (char.IsUpper(c) && text.Length > 0)
            {
                text.Append('_');
            }

            text.Append(char.ToLowerInvariant(c));
        }

        return text.ToString();
    }

    private static JsonNode? Sent(string body)
    {
        try
        {
            return JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    internal static async Task<(IReadOnlyDictionary<string, object?>? Values, string? Problem)> RowAsync(
        DatabaseComponent database, ResourceMapping mapping, string key, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await DatabaseAccess.OpenAsync(database, cancellationToken);
            object value = long.TryParse(key, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? number : key;
            var rows = await DatabaseAccess.QueryAsync(connection,
                $"SELECT * FROM {DatabaseAccess.Quote(mapping.Table)} WHERE {DatabaseAccess.Quote(mapping.Key)} = @key",
                cancellationToken, new Dictionary<string, object> { ["key"] = value }, limit: 1);
            return (rows.Count == 0 ? null : rows[0], null);
        }
        catch (Exception ex) when (ex is DbException or InvalidOperationException or ArgumentException)
        {
            return (null, Redact.Text(ex.Message.Split('\n')[0]));
        }
    }

    private static Finding Finding(string rule, Severity severity, string component, string location, string message, string? evidence, string hint) =>
        Findings.Create(rule, severity, component, location, message, evidence, hint);
}

using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Archgate.Checks.Frontend;
using Archgate.Checks.Http;
using Archgate.Model;
using Archgate.Protocol;
using static Archgate.Checks.Frontend.EventSubject;

namespace Archgate.Checks.Journeys;

/// <summary>
/// Step 7, a real-time update matches the stored state: the endpoint's stream is opened as the service's <c>auth</c>
/// identity (as step 5's <see cref="RealtimeCheck"/> opens it), its <c>trigger</c> write is sent, and the events about
/// the written resource (those whose <c>id</c> or <c>…Id</c> property is its key) are followed until the resource
/// settles (no new event and the same read for <see cref="JourneyCheckOptions.EventQuiet"/>): the last one must hold what the API's read and the stored row (the <c>resources</c> mapping) hold, property
/// by property (<c>status</c> against <c>status</c>, <c>updatedAt</c> against <c>updated_at</c>).
/// </summary>
internal sealed class RealtimeConsistencyCheck(ServiceComponent service, RealtimeEndpoint endpoint, JourneyCheckOptions options) : ICheck
{
    public string Id => $"journeys.realtime-consistency:{service.Name}{endpoint.Path}";

    public int Step => 7;

    public string Title => $"{service.Name} {endpoint.Path}: the last event about a written resource matches the stored row and the API's read";

    public Applicability AppliesTo(SystemModel system) => Mapping(endpoint.Trigger.Path) is null
        ? Applicability.No($"{endpoint.Trigger.Method} {endpoint.Trigger.Path} writes no resource of {service.Name}'s resources mapping")
        : Applicability.Yes;

    /// <summary>
    /// The mapping whose collection or item the trigger writes: its path is the mapping's collection (<c>/books</c> for
    /// <c>/books/{bookId}</c>) or one of its items (<c>/books/7</c>), segment by segment; a sub-resource
    /// (<c>/books/7/reviews</c>) is another resource, not this one.
    /// </summary>
    private ResourceMapping? Mapping(string path)
    {
        var written = path.Split('?')[0].Trim('/').Split('/');
        return service.Resources.FirstOrDefault(m =>
        {
            var item = m.Path.Trim('/').Split('/');
            var collection = item[..^1];
            return (written.Length == collection.Length || written.Length == item.Length)
                && written.Zip(collection).All(p => p.First == p.Second) && (written.Length == collection.Length || written[^1].Length > 0);
        });
    }

    public async Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        var mapping = Mapping(endpoint.Trigger.Path)!;
        var credentials = await ApiSession.SignInAsync(service, context, cancellationToken);
        if (!credentials.Ok)
        {
            return NotChecked($"could not sign in: {credentials.Problem}", null) with { TransientCause = credentials.TransientCause };
        }

        var token = credentials.Headers.FirstOrDefault(h => h.Key == "Authorization").Value?.Replace("Bearer ", string.Empty, StringComparison.Ordinal);
        using var stream = await new RealtimeCheck(service, endpoint).OpenAsync(context, token, credentials.RequestHeaders, null, cancellationToken);
        if (stream.Problem is not null)
        {
            return NotChecked($"the stream did not open: {stream.Problem}", null) with { TransientCause = stream.Transient ? stream.Problem : null };
        }

        await stream.DrainAsync(TimeSpan.FromSeconds(1), cancellationToken);
        var trigger = endpoint.Trigger;
        var variables = TemplateVariables.ForTrigger(token);
        var headers = credentials.RequestHeaders.Concat(trigger.Headers.Select(h => new KeyValuePair<string, string>(h.Key, TemplateVariables.Fill(h.Value, variables, json: false))))
            .GroupBy(h => h.Key, StringComparer.OrdinalIgnoreCase).Select(g => g.Last()).ToList();
        var body = trigger.Body is null ? null : TemplateVariables.Fill(trigger.Body, variables, json: true);
        var answer = await ApiCall.SendAsync(context.Http, trigger.Method, ApiCall.Resolve(service.Url, trigger.Path), headers, body, ApiCall.DefaultTimeout, cancellationToken);
        if (!answer.Ok)
        {
            return NotChecked($"the trigger {answer.Summary}", answer.Evidence()) with { TransientCause = answer.Failure?.Transient == true ? answer.Failure.Cause : null };
        }

        var write = new JourneyWrite(trigger.Method, trigger.Path, headers, body, answer);
        if (ConsistencyProbe.ItemPath(mapping, write) is not { } item)
        {
            return NotChecked($"{trigger.Method} {trigger.Path} answered {answer.Status} without the written item's key (no Location, no id)", answer.Evidence());
        }

        var what = $"{(endpoint.Event is null ? "an event" : $"a '{endpoint.Event}' event")} about {item.Path}";
        var watch = Stopwatch.StartNew();
        JsonObject? last = null;
        var seen = new List<string>();
        var others = new List<ServerSentEvent>();
        while (last is null && watch.Elapsed < endpoint.Within)
        {
            if (await stream.NextAsync(endpoint.Event, endpoint.Within - watch.Elapsed, cancellationToken) is not { } e)
            {
                break;
            }

            if (About(e, item.Key) is { } payload)
            {
                last = payload;
                seen.Add(e.Data);
            }
            else
            {
                others.Add(e);
            }
        }

        // Events of the declared type arrived, none about the item: the stream reports on something else (per-event seat
        // availability after a hold is made), so there is nothing to compare the resource with.
        if (last is null && others.Count > 0 && endpoint.Event is not null)
        {
            var ids = others.Select(AboutId).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
            return CheckResult.From([Finding(JourneyRules.EventSummary, Severity.Info, endpoint.Path,
                $"{trigger.Method} {trigger.Path} wrote {item.Path} ({answer.Status}); the stream's '{endpoint.Event}' events are about other things " +
                    $"({(ids.Count == 0 ? "none names an id" : $"ids {string.Join(", ", ids.Take(5))}")}), so they cannot be compared with {item.Path}",
                $"events: {string.Join(", ", others.TakeLast(5).Select(o => ProbeHttp.Excerpt(o.Data, 120)))}", null)]);
        }

        if (last is null)
        {
            return CheckResult.From([Finding(JourneyRules.EventMissingForWrite, Severity.High, endpoint.Path,
                $"{trigger.Method} {trigger.Path} wrote {item.Path} ({answer.Status}), but the stream carried no {what[2..]} within {Seconds(endpoint.Within)}",
                others.Concat(stream.Skipped).ToList() is { Count: > 0 } other
                    ? $"other events: {string.Join(", ", other.TakeLast(5).Select(s => $"'{s.Type}' {ProbeHttp.Excerpt(s.Data, 120)}"))}"
                    : "no other event arrived",
                "publish each change of a resource, with its key, to the stream its owner follows")]);
        }

        // The resource may move on by itself (a payment worker): follow its events until the last one and the store agree.
        var database = context.System.Find<DatabaseComponent>(mapping.Database);
        (List<string> Api, List<string> Row, string ApiText, string RowText) judged = ([], [], string.Empty, string.Empty);
        var settle = Stopwatch.StartNew();
        var quiet = Stopwatch.StartNew(); // since the last event about the item: agreement counts once the resource is still
        string? lastRead = null;
        while (true)
        {
            while (await stream.NextAsync(endpoint.Event, TimeSpan.FromMilliseconds(300), cancellationToken) is { } e)
            {
                if (About(e, item.Key) is { } payload)
                {
                    last = payload;
                    seen.Add(e.Data);
                    quiet.Restart();
                }
            }

            var read = await ApiCall.SendAsync(context.Http, "GET", ApiCall.Resolve(service.Url, item.Path), credentials.RequestHeaders, null, ApiCall.DefaultTimeout, cancellationToken);
            var api = read.Ok ? Parse(read.Body) : null;
            if (api is null)
            {
                return NotChecked($"the API's read {read.Summary} without a JSON object", read.Evidence());
            }

            var row = database is null ? (Values: null, Problem: null) : await ConsistencyProbe.RowAsync(database, mapping, item.Key, cancellationToken);
            if (row.Problem is not null)
            {
                return NotChecked($"the row of {mapping.Table} could not be read: {row.Problem}", null);
            }

            judged = (ApiDifferences(last, api, item.Key), row.Values is null ? [] : ConsistencyProbe.Differences(mapping, Without(last, item.Key), row.Values, "the event"),
                ProbeHttp.Excerpt(api.ToJsonString(), 300), row.Values is null ? "no row" : RowText(row.Values));
            var still = quiet.Elapsed >= options.EventQuiet && read.Body == lastRead;
            lastRead = read.Body;
            if ((judged.Api.Count == 0 && judged.Row.Count == 0 && still) || settle.Elapsed >= options.EventSettle)
            {
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), context.Time, cancellationToken);
        }

        var compared = string.Join(", ", last.Where(p => p.Value is not JsonObject and not JsonArray && !IsKey(p.Key, p.Value, item.Key)).Select(p => p.Key));
        if (judged.Api.Count > 0 || judged.Row.Count > 0)
        {
            var differences = judged.Row.Concat(judged.Api).Take(6);
            return CheckResult.From([Finding(JourneyRules.EventDiffers, Severity.High, endpoint.Path,
                $"after {trigger.Method} {trigger.Path} wrote {item.Path}, its last event on {endpoint.Path} still differs from the stored state after {Seconds(options.EventSettle)}: {string.Join("; ", differences)}",
                $"event {ProbeHttp.Excerpt(last.ToJsonString(), 200)}; row of {mapping.Table}: {judged.RowText}; API's read: {judged.ApiText}",
                "an event must carry the state that was stored (publish after the commit, from the stored row, not from the request or an earlier read)")]);
        }

        return CheckResult.From([Finding(JourneyRules.EventSummary, Severity.Info, endpoint.Path,
            string.Create(CultureInfo.InvariantCulture, $"{seen.Count} event(s) about {item.Path} after {trigger.Method} {trigger.Path}; the last one's {(compared.Length == 0 ? "properties" : compared)} match{(compared.Contains(',', StringComparison.Ordinal) ? string.Empty : "es")} the row of {mapping.Table} and the API's read"),
            $"last event {ProbeHttp.Excerpt(last.ToJsonString(), 200)}", null)]);
    }

    private static JsonObject Without(JsonObject payload, string key)
    {
        var copy = new JsonObject();
        foreach (var (name, value) in payload.Where(p => !IsKey(p.Key, p.Value, key)))
        {
            copy[name] = value?.DeepClone();
        }

        return copy;
    }

    /// <summary>Each scalar property of the event that the API's read has too, where the two differ.</summary>
    internal static List<string> ApiDifferences(JsonObject payload, JsonObject api, string key)
    {
        var result = new List<string>();
        foreach (var (name, value) in payload)
        {
            if (value is JsonObject or JsonArray || IsKey(name, value, key) || !api.TryGetPropertyValue(name, out var read) || read is JsonObject or JsonArray)
            {
                continue;
            }

            if (!ConsistencyProbe.Same(value, JsonSubset.Text(read)))
            {
                result.Add($"{name} is {JsonSubset.Text(value) ?? "null"} in the event, {JsonSubset.Text(read) ?? "null"} in the API's read");
            }
        }

        return result;
    }

    private static string RowText(IReadOnlyDictionary<string, object?> row) =>
        ProbeHttp.Excerpt(string.Join(", ", row.Select(c => $"{c.Key}={(c.Value is null ? "null" : Database.DatabaseAccess.Text(c.Value))}")), 300);

    private static string Seconds(TimeSpan t) => string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:0.#} s");

    private CheckResult NotChecked(string why, string? evidence) => new()
    {
        Status = CheckStatus.Error,
        Reason = why,
        Findings = [Finding(JourneyRules.EventSummary, Severity.Info, endpoint.Path, $"the event was not compared with the stored row: {why}", evidence, null)],
    };

    private Finding Finding(string rule, Severity severity, string location, string message, string? evidence, string? hint) =>
        Findings.Create(rule, severity, service.Name, location, message, evidence, hint);
}

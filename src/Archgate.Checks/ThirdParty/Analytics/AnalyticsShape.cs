using System.Text;
using System.Text.Json;
using Archgate.Checks.Faults;
using Archgate.Checks.ThirdParty.Vendor;

namespace Archgate.Checks.ThirdParty.Analytics;

/// <summary>
/// Whether a call to an analytics collector is one the vendor takes: Mixpanel's ingestion <c>/track</c> (a form or
/// query field <c>data</c>, or a JSON body, holding one event or an array of <c>{ event, properties: { token,
/// distinct_id, ... } }</c>) or GA4's Measurement Protocol <c>/mp/collect</c> (<c>measurement_id</c> and
/// <c>api_secret</c> in the query, a JSON body <c>{ client_id, events: [ { name, params } ] }</c>, at most 25 events).
/// </summary>
internal static class AnalyticsShape
{
    /// <summary>Which collector API the call is (<c>Mixpanel track</c>, <c>GA4 Measurement Protocol</c>), and what is wrong with it (empty: valid).</summary>
    public static (string Api, IReadOnlyList<string> Problems) Check(ProxiedRequest request)
    {
        var q = request.Target.IndexOf('?', StringComparison.Ordinal);
        var path = (q < 0 ? request.Target : request.Target[..q]).TrimEnd('/');
        var query = q < 0 ? new System.Text.Json.Nodes.JsonObject() : VendorRequestValidator.Form(request.Target[(q + 1)..]);
        var body = request.Body is { } b ? Encoding.UTF8.GetString(b.Bytes) : string.Empty;
        if (path.EndsWith("/track", StringComparison.Ordinal) || path.EndsWith("/engage", StringComparison.Ordinal))
        {
            return ("Mixpanel track", Mixpanel(request, query, body));
        }

        if (path.EndsWith("/mp/collect", StringComparison.Ordinal))
        {
            return ("GA4 Measurement Protocol", Ga4(query, body));
        }

        return ("unknown", [$"{request.Method} {path} is neither Mixpanel's /track nor GA4's /mp/collect"]);
    }

    private static List<string> Mixpanel(ProxiedRequest request, System.Text.Json.Nodes.JsonObject query, string body)
    {
        var contentType = request.Header("Content-Type") ?? string.Empty;
        string? data = contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
            ? body
            : contentType.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) || contentType.StartsWith("text/plain", StringComparison.OrdinalIgnoreCase)
                ? VendorRequestValidator.Form(body)["data"]?.ToString()
                : null;
        data ??= query["data"]?.ToString();
        if (string.IsNullOrEmpty(data))
        {
            return ["no 'data' field (form or query) and no JSON body: Mixpanel takes nothing"];
        }

        JsonElement root;
        try
        {
            root = JsonDocument.Parse(Decode(data)).RootElement.Clone();
        }
        catch (JsonException ex)
        {
            return [$"'data' is neither JSON nor base64 JSON ({ex.Message})"];
        }

        var events = root.ValueKind == JsonValueKind.Array ? root.EnumerateArray().ToList() : [root];
        var problems = new List<string>();
        if (events.Count is 0 or > 2000)
        {
            problems.Add($"{events.Count} events in one call: Mixpanel takes 1 to 2000");
        }

        for (var i = 0; i < events.Count && problems.Count < 5; i++)
        {
            var e = events[i];
            if (!(e.ValueKind == JsonValueKind.Object && e.TryGetProperty("event", out var name) && name.ValueKind == JsonValueKind.String && name.GetString()!.Length > 0))
            {
                problems.Add($"event [{i}] has no 'event' name");
            }

            if (!(e.ValueKind == JsonValueKind.Object && e.TryGetProperty("properties", out var p) && p.ValueKind == JsonValueKind.Object))
            {
                problems.Add($"event [{i}] has no 'properties' object");
                continue;
            }

            if (!(p.TryGetProperty("token", out var token) && token.ValueKind == JsonValueKind.String && token.GetString()!.Length > 0))
            {
                problems.Add($"event [{i}] has no properties.token (the project token)");
            }

            if (p.TryGetProperty("time", out var time) && time.ValueKind != JsonValueKind.Number)
            {
                problems.Add($"event [{i}] properties.time is not a number");
            }
        }

        return problems;
    }

    private static List<string> Ga4(System.Text.Json.Nodes.JsonObject query, string body)
    {
        var problems = new List<string>();
        if (query["measurement_id"] is null && query["firebase_app_id"] is null)
        {
            problems.Add("no measurement_id in the query");
        }

        if (query["api_secret"] is null)
        {
            problems.Add("no api_secret in the query");
        }

        try
        {
            var root = JsonDocument.Parse(body).RootElement;
            if (!root.TryGetProperty("client_id", out var client) && !root.TryGetProperty("app_instance_id", out client))
            {
                problems.Add("no client_id in the body");
            }

            if (!root.TryGetProperty("events", out var events) || events.ValueKind != JsonValueKind.Array || events.GetArrayLength() is 0 or > 25)
            {
                problems.Add("'events' must be an array of 1 to 25 events");
            }
            else if (events.EnumerateArray().Any(e => !(e.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String && n.GetString()!.Length is > 0 and <= 40)))
            {
                problems.Add("an event has no 'name' of 1 to 40 characters");
            }
        }
        catch (JsonException ex)
        {
            problems.Add($"the body is not JSON ({ex.Message})");
        }

        return problems;
    }

    /// <summary>Mixpanel's data field may be base64 (as its own library sends it) or plain JSON.</summary>
    private static string Decode(string data)
    {
        var trimmed = data.Trim();
        if (trimmed.StartsWith('{') || trimmed.StartsWith('['))
        {
            return trimmed;
        }

        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(trimmed));
        }
        catch (FormatException)
        {
            return trimmed;
        }
    }
}

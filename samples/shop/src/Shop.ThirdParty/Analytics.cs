using System.Collections.Concurrent;
using System.Text.Json;

namespace Shop.ThirdParty;

/// <summary>An event the collector took.</summary>
internal sealed record AnalyticsEvent(string Event, string? DistinctId, JsonElement Properties, DateTimeOffset ReceivedAt);

/// <summary>
/// A test-mode analytics collector shaped like Mixpanel's ingestion <c>POST /track</c>: a form whose <c>data</c> field
/// is one event or an array of events (<c>{ event, properties: { token, distinct_id, time, $insert_id, ... } }</c>),
/// as a browser sends it with <c>navigator.sendBeacon</c>. Answers <c>1</c> when every event was taken, <c>0</c>
/// otherwise (Mixpanel's non-verbose answer), with CORS open to any page. Events are readable at <c>GET /track/events</c>.
/// </summary>
internal sealed class AnalyticsCollector(TimeProvider time)
{
    private const int Capacity = 1000;
    private readonly ConcurrentQueue<AnalyticsEvent> _events = new();

    public IReadOnlyList<AnalyticsEvent> All() => [.. _events];

    public bool Take(string data, string token)
    {
        JsonElement root;
        try
        {
            root = JsonDocument.Parse(data).RootElement.Clone();
        }
        catch (JsonException)
        {
            return false;
        }

        var events = root.ValueKind == JsonValueKind.Array ? root.EnumerateArray().ToList() : [root];
        var taken = events.Where(e => e.ValueKind == JsonValueKind.Object
                && e.TryGetProperty("event", out var name) && name.ValueKind == JsonValueKind.String
                && e.TryGetProperty("properties", out var p) && p.ValueKind == JsonValueKind.Object
                && p.TryGetProperty("token", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == token)
            .ToList();
        foreach (var e in taken)
        {
            var properties = e.GetProperty("properties");
            _events.Enqueue(new AnalyticsEvent(e.GetProperty("event").GetString()!,
                properties.TryGetProperty("distinct_id", out var id) ? id.ToString() : null, properties, time.GetUtcNow()));
        }

        while (_events.Count > Capacity && _events.TryDequeue(out _))
        {
        }

        return taken.Count == events.Count && events.Count > 0;
    }
}

internal static class AnalyticsEndpoints
{
    public static void MapAnalytics(this WebApplication app, string token)
    {
        app.MapPost("/track", async (HttpContext http, AnalyticsCollector collector) =>
        {
            http.Response.Headers.AccessControlAllowOrigin = "*";
            http.Response.Headers["Cross-Origin-Resource-Policy"] = "cross-origin"; // pages of any site send to it, as to Mixpanel
            var data = http.Request.HasFormContentType ? (await http.Request.ReadFormAsync(http.RequestAborted))["data"].ToString() : http.Request.Query["data"].ToString();
            return Results.Text(collector.Take(data, token) ? "1" : "0", "text/plain");
        });
        app.MapGet("/track/events", (AnalyticsCollector collector) => Results.Ok(collector.All()));
    }
}

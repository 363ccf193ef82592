using System.Text.Json;
using System.Text.Json.Nodes;

namespace Archgate.Checks.Frontend;

/// <summary>
/// What a real-time event is about: the object whose key its <c>id</c> or a <c>…Id</c> property holds, in its payload
/// or a WebSocket message's envelope. Step 5's isolation probe (<see cref="StreamIsolation"/>) and step 7's realtime
/// consistency check match events to objects by it.
/// </summary>
internal static class EventSubject
{
    /// <summary>
    /// The event's JSON object when it is about the resource <paramref name="key"/> (its <c>id</c> or a <c>…Id</c>
    /// property), else null; a WebSocket message's envelope (<c>{ type, id, data: { … } }</c>) is looked into.
    /// </summary>
    internal static JsonObject? About(ServerSentEvent e, string key)
    {
        var message = Parse(e.Data);
        foreach (var payload in new[] { message?["data"] as JsonObject, message?["payload"] as JsonObject, message })
        {
            if (payload is not null && payload.Any(p => IsKey(p.Key, p.Value, key)))
            {
                return payload;
            }
        }

        return null;
    }

    /// <summary>What an event is about: the first <c>id</c> or <c>…Id</c> value of its payload (or envelope), or null.</summary>
    internal static string? AboutId(ServerSentEvent e)
    {
        var message = Parse(e.Data);
        return new[] { message?["data"] as JsonObject, message?["payload"] as JsonObject, message }.OfType<JsonObject>()
            .SelectMany(o => o.Where(p => p.Value is JsonValue && IsKey(p.Key, p.Value, JsonSubset.Text(p.Value)!)))
            .Select(p => JsonSubset.Text(p.Value)).FirstOrDefault();
    }

    /// <summary>Whether the property <paramref name="name"/> (<c>id</c>, <c>…Id</c>, <c>…_id</c>) holds <paramref name="key"/>.</summary>
    internal static bool IsKey(string name, JsonNode? value, string key) =>
        (name.Equals("id", StringComparison.OrdinalIgnoreCase) || name.EndsWith("Id", StringComparison.Ordinal) || name.EndsWith("_id", StringComparison.Ordinal))
        && value is JsonValue && JsonSubset.Text(value) == key;

    /// <summary>The text as a JSON object, or null when it is none.</summary>
    internal static JsonObject? Parse(string text)
    {
        try
        {
            return JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

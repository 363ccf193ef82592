using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Archgate.Checks.Frontend;

/// <summary>
/// Whether a refusal's body can be shown to a person: JSON with a <c>title</c>, <c>detail</c>, <c>message</c> or
/// <c>errors</c> that is text or a list of texts (RFC 9457 problem+json, and the error styles of NestJS/class-validator,
/// Express, Spring: <c>{"message":["page must not be less than 1"]}</c>), and nothing of the server's inside. Step 5's
/// login and refresh refusals and step 7's invalid input are judged by this one rule.
/// </summary>
internal static partial class ErrorBody
{
    private static readonly string[] ReadableFields = ["title", "detail", "message", "errors"];

    /// <summary>Why <paramref name="answer"/>'s body cannot be shown to a person, or null when it can.</summary>
    public static string? Unreadable(ApiAnswer answer)
    {
        if (Leak(answer.Body) is { } leak)
        {
            return $"its body gives the server's inside away ({leak})";
        }

        var type = answer.Header("Content-Type") is { } header && MediaTypeHeaderValue.TryParse(header, out var media) ? media.MediaType : null;
        if (type is null || !type.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            return $"its body is {(type is null ? "without a content type" : type)}, not a problem+json";
        }

        try
        {
            return JsonNode.Parse(answer.Body) is JsonObject o && ReadableFields.Any(n => Readable(o[n]))
                ? null
                : "its JSON has no 'title', 'detail', 'message' or 'errors' a person can read";
        }
        catch (JsonException)
        {
            return "its body is not the JSON its content type says";
        }
    }

    /// <summary>What gives a server's inside away: a .NET or Java stack frame, an exception type name, a source path.</summary>
    public static string? Leak(string body)
    {
        var m = LeakPattern().Match(body);
        return m.Success ? m.Value.Trim() : null;
    }

    /// <summary>Text, or a list of texts (class-validator's one message per broken constraint), not blank.</summary>
    private static bool Readable(JsonNode? node) => node switch
    {
        JsonValue v => v.TryGetValue<string>(out var text) && text.Trim().Length > 0,
        JsonArray { Count: > 0 } list => list.All(i => i is JsonValue v && v.TryGetValue<string>(out _)) && list.Any(Readable),
        _ => false,
    };

    [GeneratedRegex(@"(\bat [\w.<>`]+\([^)]*\)|\b[A-Z]\w+(\.[A-Z]\w+)*Exception\b|[/\\][\w.-]+\.(cs|java|py|js|ts):line \d+|Traceback \(most recent call last\))")]
    private static partial Regex LeakPattern();
}

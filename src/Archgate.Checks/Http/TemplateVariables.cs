using System.Text.Json;
using System.Text.RegularExpressions;

namespace Archgate.Checks.Http;

/// <summary>
/// The variables of the manifest's requests (journeys, the load, realtime triggers, browser steps): <c>{name}</c> is
/// filled with the variable's value; inside a JSON body the value is JSON-escaped, and a string that is exactly one
/// variable captured from a JSON number or boolean (<c>"{order}"</c>, as YAML's <c>json: { orderId: "{order}" }</c>
/// must write it) is filled with that value as it was captured, so an API that checks types gets <c>1</c>, not
/// <c>"1"</c>. Such a capture keeps its JSON text beside its value under <see cref="Literal"/> and its name, a name no
/// manifest variable can have.
/// </summary>
internal static partial class TemplateVariables
{
    /// <summary>Escapes what JSON requires and no more (a quote is <c>\"</c>, not <c>\u0022</c>), as a person writes it.</summary>
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The prefix of the entry that holds a captured number's or boolean's JSON text (<c>literal:order</c>).</summary>
    public const string Literal = "literal:";

    /// <summary>
    /// The variables of one send of a realtime endpoint's <c>trigger</c>: <c>{token}</c>, the signed-in identity's token,
    /// and <c>{uuid}</c>, a new one each send, so a trigger that creates something unique (a booking's reference) can be
    /// sent again.
    /// </summary>
    public static Dictionary<string, string> ForTrigger(string? token) =>
        new(StringComparer.Ordinal) { ["token"] = token ?? string.Empty, ["uuid"] = Guid.NewGuid().ToString() };

    /// <summary>Whether a request with <paramref name="headers"/> sends a JSON body (its <c>Content-Type</c> names JSON), filled as JSON.</summary>
    public static bool IsJson(IEnumerable<KeyValuePair<string, string>> headers) =>
        headers.Any(h => h.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase) && h.Value.Contains("json", StringComparison.OrdinalIgnoreCase));

    /// <summary>Replaces <c>{name}</c> with the variable's value (as a JSON body needs it when <paramref name="json"/>); unknown names stay.</summary>
    public static string Fill(string text, IReadOnlyDictionary<string, string> variables, bool json)
    {
        if (json)
        {
            text = QuotedVariable().Replace(text, m => variables.TryGetValue(Literal + m.Groups[1].Value, out var literal) ? literal : m.Value);
        }

        return Variable().Replace(text, m => variables.TryGetValue(m.Groups[1].Value, out var value)
            ? json ? JsonSerializer.Serialize(value, Relaxed)[1..^1] : value
            : m.Value);
    }

    /// <summary>The JSON text of the captured number or boolean that <paramref name="text"/> is exactly (<c>{order}</c>), or null.</summary>
    public static string? LiteralOf(string text, IReadOnlyDictionary<string, string> variables) =>
        text.Length > 2 && text[0] == '{' && text[^1] == '}' && variables.TryGetValue(Literal + text[1..^1], out var literal) ? literal : null;

    /// <summary>Sets a captured variable: its text, and its JSON text when it was a JSON number or boolean (else null).</summary>
    public static void Capture(IDictionary<string, string> variables, string name, string value, string? literal)
    {
        variables[name] = value;
        if (literal is null)
        {
            variables.Remove(Literal + name);
        }
        else
        {
            variables[Literal + name] = literal;
        }
    }

    [GeneratedRegex(@"\{([A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex Variable();

    [GeneratedRegex(@"""\{([A-Za-z_][A-Za-z0-9_]*)\}""")]
    private static partial Regex QuotedVariable();
}

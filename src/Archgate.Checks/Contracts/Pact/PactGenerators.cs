using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Archgate.Checks.Contracts.Pact;

/// <summary>One generator of a pact (<c>{"type": "RandomInt", "min": 1, "max": 9}</c>).</summary>
/// <param name="Type">The generator's type as the pact names it.</param>
/// <param name="Definition">Its parameters.</param>
internal sealed record Generator(string Type, JsonObject Definition);

/// <summary>The generators of a request: its path, headers and query parameters by name, body values by path expression.</summary>
internal sealed record RequestGenerators(
    Generator? Path,
    IReadOnlyDictionary<string, Generator> Headers,
    IReadOnlyDictionary<string, Generator> Query,
    IReadOnlyList<KeyValuePair<IReadOnlyList<string>, Generator>> Body)
{
    /// <summary>Generators of a type this verifier does not know, with where they are: the example is sent instead (a warning).</summary>
    public IReadOnlyList<string> Unsupported { get; init; } = [];
}

/// <summary>
/// Pact generators (v3/v4): values the verifier generates into a request instead of the pact's example.
/// <c>ProviderState</c> fills <c>${name}</c> from the values the state-change calls returned (and the
/// states' params); <c>RandomInt</c>, <c>RandomDecimal</c>, <c>RandomHexadecimal</c>, <c>RandomString</c>,
/// <c>RandomBoolean</c>, <c>Regex</c>, <c>Uuid</c>, <c>Date</c>, <c>Time</c> and <c>DateTime</c> make a
/// fresh value; <c>MockServerURL</c> is for a consumer's mock server and leaves the value as written.
/// </summary>
internal static partial class PactGenerators
{
    /// <summary>The generator types applied to requests.</summary>
    public static readonly IReadOnlySet<string> Known = new HashSet<string>(StringComparer.Ordinal)
    {
        "ProviderState", "RandomInt", "RandomDecimal", "RandomHexadecimal", "RandomString", "RandomBoolean", "Regex",
        "Uuid", "Date", "Time", "DateTime", "MockServerURL",
    };

    /// <summary>Reads <c>request.generators</c>; null when there are none.</summary>
    public static RequestGenerators? Read(JsonNode? node, string where, List<string> errors)
    {
        if (node is null)
        {
            return null;
        }

        if (node is not JsonObject map)
        {
            errors.Add($"{where}: expected an object of categories (body, path, header, query)");
            return null;
        }

        Generator? path = null;
        var headers = new Dictionary<string, Generator>(StringComparer.OrdinalIgnoreCase);
        var query = new Dictionary<string, Generator>(StringComparer.Ordinal);
        var body = new List<KeyValuePair<IReadOnlyList<string>, Generator>>();
        var unsupported = new List<string>();
        foreach (var (category, value) in map)
        {
            if (value is not JsonObject entries)
            {
                continue;
            }

            if (category == "path")
            {
                // { "type": ... } directly, or keyed by an empty path.
                path = One(entries.ContainsKey("type") ? entries : entries.Select(e => e.Value).OfType<JsonObject>().FirstOrDefault(), $"{where}.path", errors, unsupported);
                continue;
            }

            foreach (var (key, definition) in entries)
            {
                if (One(definition as JsonObject, $"{where}.{category}['{key}']", errors, unsupported) is not { } generator)
                {
                    continue;
                }

                switch (category)
                {
                    case "header" or "headers":
                        headers[key] = generator;
                        break;
                    case "query":
                        query[key] = generator;
                        break;
                    case "body" or "content":
                        if (MatchingRules.Tokenize(key.StartsWith('$') ? key : $"$.{key}") is { } tokens)
                        {
                            body.Add(new(tokens, generator));
                        }
                        else
                        {
                            errors.Add($"{where}.{category}: '{key}' is not a path expression");
                        }

                        break;
                }
            }
        }

        return new RequestGenerators(path, headers, query, body) { Unsupported = unsupported };
    }

    private static Generator? One(JsonObject? definition, string where, List<string> errors, List<string> unsupported)
    {
        if (PactReader.Text(definition?["type"]) is not { } type)
        {
            errors.Add($"{where}: a generator needs a 'type'");
            return null;
        }

        if (!Known.Contains(type))
        {
            unsupported.Add($"{where}: '{type}'");
            return null;
        }

        return new Generator(type, definition!);
    }

    /// <summary>The request with every generator applied; <paramref name="state"/> holds the provider-state values.</summary>
    public static PactRequest Apply(PactRequest request, JsonObject state, TimeProvider time)
    {
        if (request.Generators is not { } generators)
        {
            return request;
        }

        string Text(Generator generator, string example) => Generate(generator, JsonValue.Create(example), state, time) is { } value
            ? PactReader.Text(value) ?? value.ToJsonString()
            : example;

        var path = generators.Path is { } p ? Text(p, request.Path) : request.Path;
        var headers = request.Headers.Select(h => generators.Headers.TryGetValue(h.Key, out var g) ? new KeyValuePair<string, string>(h.Key, Text(g, h.Value)) : h).ToList();
        var query = request.Query.Select(q => generators.Query.TryGetValue(q.Key, out var g) ? new KeyValuePair<string, string>(q.Key, Text(g, q.Value)) : q).ToList();
        var body = request.Body;
        if (body is { IsJson: true, Json: { } json } && generators.Body.Count > 0)
        {
            var copy = json.DeepClone();
            foreach (var (tokens, generator) in generators.Body)
            {
                copy = Replace(copy, tokens, 1, node => Generate(generator, node, state, time) ?? node?.DeepClone());
            }

            body = body with { Json = copy };
        }

        return request with { Path = path, Headers = headers, Query = query, Body = body };
    }

    /// <summary>Replaces the values at <paramref name="tokens"/> (wildcards reach every child) below <paramref name="node"/>.</summary>
    private static JsonNode? Replace(JsonNode? node, IReadOnlyList<string> tokens, int at, Func<JsonNode?, JsonNode?> make)
    {
        if (at == tokens.Count)
        {
            return make(node);
        }

        var last = at == tokens.Count - 1;
        var token = tokens[at];
        switch (node)
        {
            case JsonObject map:
                foreach (var key in map.Select(p => p.Key).ToList())
                {
                    if (token == "*" || token == key)
                    {
                        if (last)
                        {
                            map[key] = make(map[key]);
                        }
                        else
                        {
                            Replace(map[key], tokens, at + 1, make);
                        }
                    }
                }

                break;
            case JsonArray list:
                for (var i = 0; i < list.Count; i++)
                {
                    if (token is "[*]" or "*" || token == $"[{i}]")
                    {
                        if (last)
                        {
                            list[i] = make(list[i]);
                        }
                        else
                        {
                            Replace(list[i], tokens, at + 1, make);
                        }
                    }
                }

                break;
        }

        return node;
    }

    /// <summary>A fresh value for <paramref name="generator"/>; null when it leaves the example as written.</summary>
    public static JsonNode? Generate(Generator generator, JsonNode? example, JsonObject state, TimeProvider time)
    {
        var d = generator.Definition;
        int Int(string name, int fallback) => MatchingRules.Int(PactReader.Text(d[name])) ?? fallback;
        string? Text(string name) => PactReader.Text(d[name]);
        var random = Random.Shared;
        return generator.Type switch
        {
            "RandomInt" => JsonValue.Create(random.Next(Int("min", 0), Math.Max(Int("min", 0), Int("max", int.MaxValue - 1)) + 1)),
            "RandomDecimal" => JsonNode.Parse(RandomDecimal(Math.Max(Int("digits", 6), 2), random)),
            "RandomHexadecimal" => JsonValue.Create(string.Concat(Enumerable.Range(0, Int("digits", 8)).Select(_ => "0123456789abcdef"[random.Next(16)]))),
            "RandomString" => JsonValue.Create(string.Concat(Enumerable.Range(0, Int("size", 20)).Select(_ => "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"[random.Next(62)]))),
            "RandomBoolean" => JsonValue.Create(random.Next(2) == 1),
            "Regex" => Text("regex") is { } pattern && RegexGenerator.Generate(pattern, random) is { } made ? JsonValue.Create(made) : null,
            "Uuid" => JsonValue.Create(Uuid(Text("format"))),
            "Date" => JsonValue.Create(DateValue(Text("format") ?? "yyyy-MM-dd", Text("expression"), time)),
            "Time" => JsonValue.Create(DateValue(Text("format") ?? "HH:mm:ss", Text("expression"), time)),
            "DateTime" => JsonValue.Create(DateValue(Text("format") ?? "yyyy-MM-dd'T'HH:mm:ss.SSSXXX", Text("expression"), time)),
            "ProviderState" => FromState(Text("expression") ?? string.Empty, Text("dataType"), state),
            _ => null,
        };
    }

    private static string RandomDecimal(int digits, Random random)
    {
        var text = new StringBuilder();
        text.Append((char)('1' + random.Next(9)));
        for (var i = 1; i < digits; i++)
        {
            text.Append((char)('0' + random.Next(10)));
        }

        text.Insert(1 + random.Next(digits - 1), '.');
        return text.ToString();
    }

    private static string Uuid(string? format)
    {
        var id = Guid.NewGuid();
        return format switch
        {
            "simple" => id.ToString("N"),
            "upper-case-hyphenated" => id.ToString("D").ToUpperInvariant(),
            "URN" => $"urn:uuid:{id:D}",
            _ => id.ToString("D"),
        };
    }

    /// <summary>Now (or an expression such as <c>+1 day</c>, <c>tomorrow</c>, <c>-2 hours</c>) in a Java pattern.</summary>
    private static string? DateValue(string javaFormat, string? expression, TimeProvider time)
    {
        var when = time.GetUtcNow();
        foreach (Match part in OffsetPattern().Matches(expression ?? string.Empty))
        {
            var amount = int.Parse(part.Groups[2].Value, CultureInfo.InvariantCulture) * (part.Groups[1].Value == "-" ? -1 : 1);
            when = part.Groups[3].Value.ToLowerInvariant().TrimEnd('s') switch
            {
                "year" => when.AddYears(amount),
                "month" => when.AddMonths(amount),
                "week" => when.AddDays(7 * amount),
                "day" => when.AddDays(amount),
                "hour" => when.AddHours(amount),
                "minute" => when.AddMinutes(amount),
                "second" => when.AddSeconds(amount),
                _ => when.AddMilliseconds(amount),
            };
        }

        when = (expression ?? string.Empty).Trim().ToLowerInvariant() switch
        {
            "tomorrow" => when.AddDays(1),
            "yesterday" => when.AddDays(-1),
            _ => when,
        };
        return JavaDateFormat.ToDotNet(javaFormat) is { } format ? when.ToString(format, CultureInfo.InvariantCulture) : when.ToString("O", CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"([+-])\s*(\d+)\s*(years?|months?|weeks?|days?|hours?|minutes?|seconds?|millis(?:econds?)?)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex OffsetPattern();

    /// <summary>
    /// <c>${name}</c> filled from the provider-state values; a lone placeholder keeps the value's JSON type
    /// (or the <c>dataType</c> asked for). Null when a name has no value: the example stays.
    /// </summary>
    private static JsonNode? FromState(string expression, string? dataType, JsonObject state)
    {
        var missing = false;
        var lone = LonePlaceholder().Match(expression);
        JsonNode? value;
        if (lone.Success)
        {
            value = Lookup(state, lone.Groups[1].Value)?.DeepClone();
            missing = value is null;
        }
        else
        {
            value = JsonValue.Create(Placeholder().Replace(expression, m =>
            {
                if (Lookup(state, m.Groups[1].Value) is { } found)
                {
                    return PactReader.Text(found) ?? found.ToJsonString();
                }

                missing = true;
                return m.Value;
            }));
        }

        if (missing)
        {
            return null;
        }

        var text = PactReader.Text(value) ?? value?.ToJsonString() ?? string.Empty;
        return dataType?.ToUpperInvariant() switch
        {
            "INTEGER" when long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) => JsonValue.Create(n),
            "DECIMAL" or "FLOAT" or "NUMBER" when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) => JsonValue.Create(x),
            "BOOLEAN" when bool.TryParse(text, out var b) => JsonValue.Create(b),
            "STRING" => JsonValue.Create(text),
            _ => value,
        };
    }

    private static JsonNode? Lookup(JsonObject state, string name)
    {
        JsonNode? node = state;
        foreach (var part in name.Trim().Split('.'))
        {
            node = node is JsonObject map && map.TryGetPropertyValue(part, out var child) ? child : null;
        }

        return node;
    }

    [GeneratedRegex(@"^\$\{([^}]+)\}$")]
    private static partial Regex LonePlaceholder();

    [GeneratedRegex(@"\$\{([^}]+)\}")]
    private static partial Regex Placeholder();

    /// <summary>Merges the JSON object a state-change call answered into the provider-state values.</summary>
    public static void AddStateValues(JsonObject state, string body)
    {
        try
        {
            if (JsonNode.Parse(body) is JsonObject values)
            {
                foreach (var (key, value) in values)
                {
                    state[key] = value?.DeepClone();
                }
            }
        }
        catch (JsonException)
        {
            // A state endpoint may answer text or nothing: then it provides no values.
        }
    }
}

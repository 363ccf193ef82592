using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Shop.Tests.Infrastructure;

/// <summary>
/// A deliberately small OpenAPI response checker for the sample's own tests: the status must be documented
/// for the operation, the media type must match, and the body must have the schema's JSON types, required
/// properties, enums and consts (following $ref, allOf, items, properties, additionalProperties).
/// The full conformance engine belongs to Archgate.Checks.
/// </summary>
public sealed class ContractValidator
{
    private readonly JsonObject _doc;

    private ContractValidator(JsonObject doc) => _doc = doc;

    public static ContractValidator Load(string path)
    {
        var yaml = new YamlStream();
        using (var reader = File.OpenText(path))
        {
            yaml.Load(reader);
        }

        return new ContractValidator((JsonObject)ToJson(yaml.Documents[0].RootNode)!);
    }

    /// <summary>Everything wrong with one response of <paramref name="method"/> <paramref name="path"/> (a path template).</summary>
    public IReadOnlyList<string> Check(string method, string path, HttpResponseMessage response, JsonNode? body)
    {
        var errors = new List<string>();
        var at = $"{method.ToUpperInvariant()} {path} {(int)response.StatusCode}";
        if (_doc["paths"]?[path]?[method.ToLowerInvariant()] is not JsonObject operation)
        {
            return [$"{at}: operation not in the contract"];
        }

        if (operation["responses"]?[((int)response.StatusCode).ToString(CultureInfo.InvariantCulture)] is not JsonObject documented)
        {
            return [$"{at}: status not documented"];
        }

        documented = Resolve(documented);
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (documented["content"] is not JsonObject content)
        {
            if (body is not null)
            {
                errors.Add($"{at}: the contract documents no body");
            }

            return errors;
        }

        if (mediaType is null || content[mediaType] is not JsonObject media)
        {
            return [$"{at}: media type {mediaType ?? "(none)"} not among {string.Join(", ", content.Select(c => c.Key))}"];
        }

        if (media["schema"] is JsonObject schema)
        {
            Validate(body, schema, "$", errors);
        }

        return [.. errors.Select(e => $"{at}: {e}")];
    }

    private JsonObject Resolve(JsonObject node)
    {
        while (node["$ref"]?.GetValue<string>() is { } reference)
        {
            JsonNode? target = _doc;
            foreach (var part in reference.TrimStart('#', '/').Split('/'))
            {
                target = target?[part.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)];
            }

            node = target as JsonObject ?? throw new InvalidOperationException("Unresolved " + reference);
        }

        return node;
    }

    private void Validate(JsonNode? value, JsonObject schema, string at, List<string> errors)
    {
        schema = Resolve(schema);
        if (schema["allOf"] is JsonArray all)
        {
            foreach (var part in all.OfType<JsonObject>())
            {
                Validate(value, part, at, errors);
            }
        }

        var actual = TypeOf(value);
        if (schema["type"] is { } type)
        {
            var allowed = type is JsonArray list ? list.Select(t => t!.GetValue<string>()).ToList() : [type.GetValue<string>()];
            var ok = allowed.Contains(actual) || (actual == "integer" && allowed.Contains("number"));
            if (!ok)
            {
                errors.Add($"{at} is {actual}, expected {string.Join(" or ", allowed)}");
                return;
            }
        }

        if (schema["const"] is { } constant && !JsonNode.DeepEquals(constant, value))
        {
            errors.Add($"{at} is {value?.ToJsonString()}, expected {constant.ToJsonString()}");
        }

        if (schema["enum"] is JsonArray options && !options.Any(o => JsonNode.DeepEquals(o, value)))
        {
            errors.Add($"{at} is {value?.ToJsonString()}, not one of {options.ToJsonString()}");
        }

        if (value is JsonObject obj)
        {
            foreach (var name in (schema["required"] as JsonArray ?? []).Select(r => r!.GetValue<string>()))
            {
                if (!obj.ContainsKey(name))
                {
                    errors.Add($"{at}.{name} is required but missing");
                }
            }

            var properties = schema["properties"] as JsonObject;
            foreach (var (name, child) in obj)
            {
                if (properties?[name] is JsonObject propertySchema)
                {
                    Validate(child, propertySchema, $"{at}.{name}", errors);
                }
                else if (schema["additionalProperties"] is JsonObject extra)
                {
                    Validate(child, extra, $"{at}.{name}", errors);
                }
            }
        }

        if (value is JsonArray array && schema["items"] is JsonObject items)
        {
            for (var i = 0; i < array.Count; i++)
            {
                Validate(array[i], items, $"{at}[{i}]", errors);
            }
        }
    }

    private static string TypeOf(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "object",
        JsonArray => "array",
        _ => node.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            JsonValueKind.Number => node.ToJsonString().Contains('.', StringComparison.Ordinal)
                                    || node.ToJsonString().Contains('e', StringComparison.OrdinalIgnoreCase) ? "number" : "integer",
            _ => "null",
        },
    };

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(c =>
            KeyValuePair.Create(((YamlScalarNode)c.Key).Value!, ToJson(c.Value)))),
        YamlSequenceNode seq => new JsonArray([.. seq.Children.Select(ToJson)]),
        YamlScalarNode scalar => Scalar(scalar),
        _ => null,
    };

    private static JsonValue? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style is not ScalarStyle.Plain)
        {
            return JsonValue.Create(text);
        }

        return text switch
        {
            "null" or "~" or "" => null,
            "true" => JsonValue.Create(true),
            "false" => JsonValue.Create(false),
            _ when long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) => JsonValue.Create(l),
            _ when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => JsonValue.Create(d),
            _ => JsonValue.Create(text),
        };
    }
}

using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Archgate.Checks.Contracts;

/// <summary>
/// Turns a YAML document parsed by YamlDotNet (YAML 1.2, as the manifest loader reads YAML) into the JSON the OpenAPI
/// reader takes. Scalars are typed as the OpenAPI YAML reader types them: an unquoted number, boolean or null is one,
/// everything else (quoted text, block text, a date such as <c>2024-01-01</c>, a key such as <c>200</c>) is a string.
/// </summary>
internal static class YamlJson
{
    // The JSON reader's own depth limit; it also bounds the recursion here.
    private const int MaxDepth = 64;

    // Aliases share a node, JSON copies it: a few lines of anchors could otherwise expand to billions of nodes.
    private const int MaxNodes = 5_000_000;

    private const string StringTag = "tag:yaml.org,2002:str";

    private static readonly HashSet<string> Nulls = new(StringComparer.Ordinal) { "~", "null", "Null", "NULL" };

    /// <summary>The JSON form of <paramref name="root"/>; a document too deep or too large throws <see cref="YamlException"/>.</summary>
    public static JsonNode? Convert(YamlNode root)
    {
        var count = 0;
        return Convert(root, 0, ref count);
    }

    /// <summary>Parses YAML text into its first document's root, or null for an empty text.</summary>
    public static YamlNode? Parse(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents.Count > 0 ? stream.Documents[0].RootNode : null;
    }

    /// <summary>A YamlDotNet message without its "(Line: 2, Col: 1, Idx: 5) - (Line: ...): " prefix: the position is reported once, apart.</summary>
    public static string StripMark(string message)
    {
        var cut = message.LastIndexOf("): ", StringComparison.Ordinal);
        return cut >= 0 ? message[(cut + 3)..] : message;
    }

    private static JsonNode? Convert(YamlNode node, int depth, ref int count)
    {
        if (depth > MaxDepth)
        {
            throw new YamlException(node.Start, node.End, $"the document nests deeper than {MaxDepth} levels");
        }

        if (++count > MaxNodes)
        {
            throw new YamlException(node.Start, node.End, $"the document expands (through its aliases) to more than {MaxNodes:N0} nodes");
        }

        switch (node)
        {
            case YamlMappingNode mapping:
                var obj = new JsonObject();
                foreach (var (key, value) in mapping.Children)
                {
                    if (key is not YamlScalarNode { Value: { } name })
                    {
                        throw new YamlException(key.Start, key.End, "a mapping key is not a plain value; JSON keys are text");
                    }

                    obj[name] = Convert(value, depth + 1, ref count);
                }

                return obj;
            case YamlSequenceNode sequence:
                var array = new JsonArray();
                foreach (var item in sequence.Children)
                {
                    array.Add(Convert(item, depth + 1, ref count));
                }

                return array;
            case YamlScalarNode scalar:
                return Scalar(scalar);
            default:
                throw new YamlException(node.Start, node.End, "this YAML node has no JSON form");
        }
    }

    private static JsonValue? Scalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? "";

        // Quoted, block and !!str-tagged scalars are text.
        if (scalar.Style is not (ScalarStyle.Plain or ScalarStyle.Any) || (!scalar.Tag.IsEmpty && scalar.Tag.Value == StringTag))
        {
            return JsonValue.Create(value);
        }

        if (decimal.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return JsonValue.Create(number);
        }

        if (bool.TryParse(value, out var flag))
        {
            return JsonValue.Create(flag);
        }

        return Nulls.Contains(value) ? null : JsonValue.Create(value);
    }
}

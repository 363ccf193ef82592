using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Archgate.Checks.Contracts.Pact;

/// <summary>The JSON kinds Pact tells apart: integers and decimals are different values but the same type.</summary>
internal enum JsonShapeKind
{
    /// <summary>JSON null (or nothing).</summary>
    Null,

    /// <summary>true or false.</summary>
    Boolean,

    /// <summary>A number written without fraction or exponent.</summary>
    Integer,

    /// <summary>A number written with a fraction or exponent.</summary>
    Decimal,

    /// <summary>A string.</summary>
    String,

    /// <summary>A list.</summary>
    Array,

    /// <summary>An object.</summary>
    Object,
}

/// <summary>Kinds, equality and the Pact verifier's way of printing values (<c>'x' (String)</c>, <c>12.9 (Decimal)</c>).</summary>
internal static class JsonShape
{
    public static JsonShapeKind Kind(JsonNode? node) => node switch
    {
        null => JsonShapeKind.Null,
        JsonObject => JsonShapeKind.Object,
        JsonArray => JsonShapeKind.Array,
        _ => node.GetValueKind() switch
        {
            JsonValueKind.String => JsonShapeKind.String,
            JsonValueKind.True or JsonValueKind.False => JsonShapeKind.Boolean,
            JsonValueKind.Number => IsInteger(node.ToJsonString()) ? JsonShapeKind.Integer : JsonShapeKind.Decimal,
            _ => JsonShapeKind.Null,
        },
    };

    public static bool IsNumber(JsonShapeKind kind) => kind is JsonShapeKind.Integer or JsonShapeKind.Decimal;

    private static bool IsInteger(string raw) => raw.IndexOfAny(['.', 'e', 'E']) < 0;

    /// <summary>Same type in the sense of Pact's type matcher: integers and decimals are both numbers.</summary>
    public static bool SameType(JsonNode? expected, JsonNode? actual)
    {
        var e = Kind(expected);
        var a = Kind(actual);
        return e == a || (IsNumber(e) && IsNumber(a));
    }

    /// <summary>
    /// Value equality as the Pact verifier sees it: an integer never equals a decimal (<c>1</c> is not
    /// <c>1.0</c>), decimals compare as doubles (<c>12.90</c> is <c>12.9</c>).
    /// </summary>
    public static bool Equal(JsonNode? expected, JsonNode? actual)
    {
        var kind = Kind(expected);
        if (kind != Kind(actual))
        {
            return false;
        }

        return kind switch
        {
            JsonShapeKind.Null => true,
            JsonShapeKind.Boolean => expected!.GetValue<bool>() == actual!.GetValue<bool>(),
            JsonShapeKind.String => expected!.GetValue<string>() == actual!.GetValue<string>(),
            JsonShapeKind.Integer => BigInteger.Parse(expected!.ToJsonString(), CultureInfo.InvariantCulture)
                == BigInteger.Parse(actual!.ToJsonString(), CultureInfo.InvariantCulture),
            JsonShapeKind.Decimal => Double(expected!).Equals(Double(actual!)),
            _ => JsonNode.DeepEquals(expected, actual),
        };
    }

    private static double Double(JsonNode node) => double.Parse(node.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>The type name the verifier prints.</summary>
    public static string TypeName(JsonNode? node) => Kind(node) switch
    {
        JsonShapeKind.Null => "Null",
        JsonShapeKind.Boolean => "Boolean",
        JsonShapeKind.Integer => "Integer",
        JsonShapeKind.Decimal => "Decimal",
        JsonShapeKind.String => "String",
        JsonShapeKind.Array => "Array",
        _ => "Object",
    };

    /// <summary>A value as the verifier prints it: strings in single quotes, the rest as JSON.</summary>
    public static string Show(JsonNode? node) => Kind(node) switch
    {
        JsonShapeKind.Null => "null",
        JsonShapeKind.String => $"'{node!.GetValue<string>()}'",
        JsonShapeKind.Decimal => ShowDecimal(node!),
        _ => node!.ToJsonString(),
    };

    /// <summary><c>'x' (String)</c>.</summary>
    public static string Describe(JsonNode? node) => $"{Show(node)} ({TypeName(node)})";

    /// <summary>A list as the verifier prints it in size messages: <c>["a", "b"]</c>.</summary>
    public static string ShowList(JsonArray list) => $"[{string.Join(", ", list.Select(e => e?.ToJsonString() ?? "null"))}]";

    /// <summary>The text a regex or include matcher looks at: a string's value, a scalar's JSON.</summary>
    public static string? TextOf(JsonNode? node) => Kind(node) switch
    {
        JsonShapeKind.String => node!.GetValue<string>(),
        JsonShapeKind.Object or JsonShapeKind.Array => null,
        JsonShapeKind.Null => "null",
        JsonShapeKind.Decimal => ShowDecimal(node!),
        _ => node!.ToJsonString(),
    };

    private static string ShowDecimal(JsonNode node)
    {
        var text = Double(node).ToString("R", CultureInfo.InvariantCulture);
        return text.IndexOfAny(['.', 'E', 'e']) < 0 ? text + ".0" : text;
    }
}

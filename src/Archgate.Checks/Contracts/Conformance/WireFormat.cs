using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace Archgate.Checks.Contracts.Conformance;

/// <summary>
/// Values as they travel: parameters by their <c>style</c> and <c>explode</c> (OpenAPI defaults: query and
/// cookie <c>form</c> exploded, path and header <c>simple</c>), form bodies by their <c>encoding</c>
/// (<c>form</c> exploded by default). An exploded array is a repeated key (<c>tags=a&amp;tags=b</c>), never a
/// comma-joined value the server would read as one item.
/// </summary>
internal static class WireFormat
{
    /// <summary>The name-value pairs that carry <paramref name="value"/> for <paramref name="parameter"/> (several for an exploded query array or object).</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Pairs(IOpenApiParameter parameter, JsonNode value)
    {
        var style = parameter.Style ?? (parameter.In is ParameterLocation.Query or ParameterLocation.Cookie ? ParameterStyle.Form : ParameterStyle.Simple);
        var explode = (bool?)parameter.Explode ?? style == ParameterStyle.Form;
        return Pairs(parameter.Name!, value, style, explode);
    }

    /// <summary>An <c>application/x-www-form-urlencoded</c> body for <paramref name="body"/>, each field as its encoding says.</summary>
    public static string FormBody(JsonObject body, IOpenApiMediaType? media)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var (name, value) in body)
        {
            if (value is null)
            {
                pairs.Add(new(name, ""));
                continue;
            }

            var encoding = media?.Encoding is { } encodings && encodings.TryGetValue(name, out var e) ? e : null;
            var style = encoding?.Style ?? ParameterStyle.Form;
            var explode = encoding?.Explode ?? style == ParameterStyle.Form;
            pairs.AddRange(Pairs(name, value, style, explode));
        }

        return string.Join("&", pairs.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));
    }

    private static List<KeyValuePair<string, string>> Pairs(string name, JsonNode value, ParameterStyle style, bool explode)
    {
        switch (value)
        {
            case JsonArray array:
            {
                var items = array.Select(i => ValueGenerator.AsText(i) ?? i?.ToJsonString() ?? "").ToList();
                if (style == ParameterStyle.Form && explode)
                {
                    return items.Select(i => new KeyValuePair<string, string>(name, i)).ToList();
                }

                var separator = style switch
                {
                    ParameterStyle.SpaceDelimited => " ",
                    ParameterStyle.PipeDelimited => "|",
                    _ => ",",
                };
                return [new(name, string.Join(separator, items))];
            }

            case JsonObject obj:
            {
                var members = obj.Select(m => (m.Key, Value: ValueGenerator.AsText(m.Value) ?? m.Value?.ToJsonString() ?? "")).ToList();
                if (style == ParameterStyle.DeepObject)
                {
                    return members.Select(m => new KeyValuePair<string, string>($"{name}[{m.Key}]", m.Value)).ToList();
                }

                if (style == ParameterStyle.Form && explode)
                {
                    return members.Select(m => new KeyValuePair<string, string>(m.Key, m.Value)).ToList();
                }

                return [new(name, explode
                    ? string.Join(",", members.Select(m => $"{m.Key}={m.Value}"))
                    : string.Join(",", members.SelectMany(m => new[] { m.Key, m.Value })))];
            }

            default:
                return [new(name, ValueGenerator.AsText(value) ?? value.ToJsonString())];
        }
    }
}

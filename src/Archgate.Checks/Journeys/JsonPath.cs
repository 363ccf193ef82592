using System.Globalization;
using System.Text.Json.Nodes;

namespace Archgate.Checks.Journeys;

/// <summary>
/// The JSONPath subset journeys use (the manifest loader accepts nothing else): <c>$</c>, <c>.name</c>,
/// <c>[index]</c> and <c>[*]</c>.
/// </summary>
internal static class JsonPath
{
    /// <summary>Every value <paramref name="path"/> selects in <paramref name="root"/>, in document order.</summary>
    public static IReadOnlyList<JsonNode?> Select(JsonNode? root, string path)
    {
        List<JsonNode?> current = [root];
        var i = 1; // after '$'
        while (i < path.Length && current.Count > 0)
        {
            if (path[i] == '.')
            {
                var end = i + 1;
                while (end < path.Length && path[end] is not ('.' or '['))
                {
                    end++;
                }

                var name = path[(i + 1)..end];
                current = current.OfType<JsonObject>().Where(o => o.ContainsKey(name)).Select(o => o[name]).ToList();
                i = end;
            }
            else if (path[i] == '[')
            {
                var end = path.IndexOf(']', i);
                var index = path[(i + 1)..end];
                current = index == "*"
                    ? current.SelectMany(n => n switch { JsonArray a => a.ToList(), JsonObject o => o.Select(p => p.Value), _ => [] }).ToList()
                    : current.OfType<JsonArray>().Where(a => int.Parse(index, CultureInfo.InvariantCulture) < a.Count)
                        .Select(a => a[int.Parse(index, CultureInfo.InvariantCulture)]).ToList();
                i = end + 1;
            }
            else
            {
                return [];
            }
        }

        return current;
    }

    /// <summary>The first property named <paramref name="name"/> at any depth (the load scenario's capture).</summary>
    public static JsonNode? FindProperty(JsonNode? node, string name)
    {
        switch (node)
        {
            case JsonObject o:
                if (o.TryGetPropertyValue(name, out var value))
                {
                    return value;
                }

                foreach (var (_, child) in o)
                {
                    if (FindProperty(child, name) is { } found)
                    {
                        return found;
                    }
                }

                return null;
            case JsonArray a:
                return a.Select(child => FindProperty(child, name)).FirstOrDefault(f => f is not null);
            default:
                return null;
        }
    }
}

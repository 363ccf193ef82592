using System.Globalization;
using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Archgate.Checks.Contracts;

/// <summary>
/// Maps JSON pointers of an OpenAPI text back to line and column, so that load errors say where they are.
/// The OpenAPI reader reports pointers only; YAML (a superset of JSON) gives positions for both formats.
/// </summary>
internal sealed class SourceMap
{
    private static readonly SourceMap Empty = new(null);
    private readonly YamlNode? _root;

    private SourceMap(YamlNode? root) => _root = root;

    /// <summary>The parsed document, or null when it did not parse.</summary>
    public YamlNode? Root => _root;

    /// <summary>Parses <paramref name="text"/>; a syntax error comes back as <paramref name="syntaxError"/>.</summary>
    public static SourceMap Build(string text, bool isJson, out (int Line, int Column, string Message)? syntaxError)
    {
        syntaxError = null;
        if (isJson)
        {
            try
            {
                using var _ = JsonDocument.Parse(text, new JsonDocumentOptions { AllowTrailingCommas = false });
            }
            catch (JsonException ex)
            {
                syntaxError = ((int)(ex.LineNumber ?? 0) + 1, (int)(ex.BytePositionInLine ?? 0) + 1, ex.Message);
                return Empty;
            }
        }

        try
        {
            return new SourceMap(YamlJson.Parse(text));
        }
        catch (YamlException ex)
        {
            if (isJson)
            {
                // Valid JSON that YAML rejects (tabs in odd places): lose the positions, keep the document.
                return Empty;
            }

            syntaxError = ((int)ex.Start.Line, (int)ex.Start.Column, YamlJson.StripMark(ex.Message));
            return Empty;
        }
    }

    /// <summary>The position of the deepest node that <paramref name="pointer"/> reaches, or null.</summary>
    public (int Line, int Column)? Locate(string? pointer)
    {
        if (_root is null || pointer is null)
        {
            return null;
        }

        var node = _root;
        Mark mark = node.Start;
        foreach (var segment in Segments(pointer))
        {
            if (node is YamlMappingNode mapping)
            {
                var entry = mapping.Children.FirstOrDefault(kv => kv.Key is YamlScalarNode key && key.Value == segment);
                if (entry.Key is null)
                {
                    break;
                }

                mark = entry.Key.Start;
                node = entry.Value;
            }
            else if (node is YamlSequenceNode sequence
                && int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                && index < sequence.Children.Count)
            {
                node = sequence.Children[index];
                mark = node.Start;
            }
            else
            {
                break;
            }
        }

        return ((int)mark.Line, (int)mark.Column);
    }

    /// <summary>
    /// <paramref name="pointer"/> itself when it reaches a node of this document; else the shortest tail of it that
    /// starts at a top-level section (<c>components</c>, <c>paths</c>, <c>webhooks</c>) and does, as a pointer from
    /// the root. The reader's validator can join the path it walked to a referenced component's own pointer
    /// (<c>#/paths/components/schemas/Pet</c>); the tail is where the problem is.
    /// </summary>
    public string? Repair(string? pointer)
    {
        if (_root is null || pointer is null || Resolves(pointer))
        {
            return pointer;
        }

        var segments = (pointer.StartsWith('#') ? pointer[1..] : pointer).Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var i = segments.Length - 1; i > 0; i--)
        {
            if (segments[i] is "components" or "paths" or "webhooks")
            {
                var tail = "#/" + string.Join('/', segments[i..]);
                if (Resolves(tail))
                {
                    return tail;
                }
            }
        }

        return pointer;
    }

    /// <summary>One pointer segment as the key it names (<c>~1</c> is <c>/</c>, <c>~0</c> is <c>~</c>).</summary>
    public static string Unescape(string segment) =>
        Uri.UnescapeDataString(segment).Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);

    /// <summary>Local <c>$ref</c>s (<c>#/...</c>) that point at nothing in this document, with their positions.</summary>
    public IReadOnlyList<(string Reference, int Line, int Column)> UnresolvedLocalRefs()
    {
        if (_root is null)
        {
            return [];
        }

        var result = new List<(string, int, int)>();
        foreach (var mapping in _root.AllNodes.OfType<YamlMappingNode>())
        {
            foreach (var (key, value) in mapping.Children)
            {
                if (key is YamlScalarNode { Value: "$ref" } && value is YamlScalarNode { Value: { } target }
                    && target.StartsWith("#/", StringComparison.Ordinal) && !Resolves(target))
                {
                    result.Add((target, (int)value.Start.Line, (int)value.Start.Column));
                }
            }
        }

        return result;
    }

    private bool Resolves(string pointer)
    {
        var node = _root;
        foreach (var segment in Segments(pointer))
        {
            node = node switch
            {
                YamlMappingNode mapping => mapping.Children.FirstOrDefault(kv => kv.Key is YamlScalarNode key && key.Value == segment).Value,
                YamlSequenceNode sequence when int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < sequence.Children.Count => sequence.Children[index],
                _ => null,
            };
            if (node is null)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The position of the first <c>$ref</c> whose value satisfies <paramref name="match"/>.</summary>
    public (int Line, int Column)? FindRef(Func<string, bool> match)
    {
        if (_root is null)
        {
            return null;
        }

        foreach (var node in _root.AllNodes)
        {
            if (node is YamlMappingNode mapping)
            {
                foreach (var (key, value) in mapping.Children)
                {
                    if (key is YamlScalarNode { Value: "$ref" } && value is YamlScalarNode { Value: { } target } && match(target))
                    {
                        return ((int)key.Start.Line, (int)key.Start.Column);
                    }
                }
            }
        }

        return null;
    }

    private static IEnumerable<string> Segments(string pointer)
    {
        var path = pointer.StartsWith('#') ? pointer[1..] : pointer;
        foreach (var raw in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            yield return Unescape(raw);
        }
    }
}

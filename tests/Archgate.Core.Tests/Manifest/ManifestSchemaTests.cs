using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Archgate.Manifest;
using Archgate.Tests;
using Json.Schema;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Archgate.Core.Tests.Manifest;

/// <summary>'archgate schema': every documented key is in it, the samples validate against it, and it accepts exactly the keys the loader's readers accept.</summary>
public sealed partial class ManifestSchemaTests
{
    private static readonly string Root = Path.GetFullPath(Path.Combine(Golden.SourceDirectory(), "..", "..", ".."));

    private static JsonSchema Schema() => JsonSchema.FromText(ManifestLoader.JsonSchema(), new BuildOptions { SchemaRegistry = new SchemaRegistry() });

    [Fact]
    public void JsonSchema_IsDraft202012WithAnId()
    {
        var schema = JsonNode.Parse(ManifestLoader.JsonSchema())!;
        Assert.Equal("https://json-schema.org/draft/2020-12/schema", (string?)schema["$schema"]);
        Assert.Equal(ManifestLoader.SchemaId, (string?)schema["$id"]);
        Assert.Equal(["version", "system", "components"], schema["required"]!.AsArray().Select(n => (string?)n));
    }

    [Theory]
    [InlineData("samples/shop/archgate.yaml")]
    [InlineData("samples/minimal/archgate.yaml")]
    [InlineData("tests/Archgate.Core.Tests/Golden/Import/shop.compose.yml.archgate.yaml")]
    [InlineData("tests/Archgate.Core.Tests/Golden/Import/catalog.aspire-manifest.json.archgate.yaml")]
    [InlineData("tests/Archgate.Core.Tests/Golden/Import/orders.k8s.yaml.archgate.yaml")]
    public void Manifest_ValidatesAgainstTheSchema(string file)
    {
        var result = Schema().Evaluate(ToJson(File.ReadAllText(Path.Combine(Root, file))), new EvaluationOptions { OutputFormat = OutputFormat.List });

        Assert.True(result.IsValid, string.Join("\n", (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .Select(d => $"{d.InstanceLocation}: {string.Join("; ", d.Errors!.Values)}")));
    }

    [Theory]
    [InlineData("version: 1\nsystem: { name: x }\ncomponents: [ { name: a, kind: service, url: http://127.0.0.1:1, dependOn: [b] } ]\n")]
    [InlineData("version: 1\nsystem: { name: x }\ncomponents: [ { name: a, kind: servce, url: http://127.0.0.1:1 } ]\n")]
    [InlineData("version: 1\nsystem: { name: x }\ncomponents: []\nslo: { a: { p95: fast } }\n")]
    [InlineData("version: 1\nsystem: { name: x }\ncomponents: []\nrecovery: { retries: many }\n")]
    [InlineData("system: { name: x }\ncomponents: []\n")]
    [InlineData("version: 1\nsystem: { name: x }\ncomponents: []\nsecurity: { adminOnly: [\"FETCH /events\"] }\n")]
    [InlineData("version: 1\nsystem: { name: x }\ncomponents: []\nsecurity: { protected: [orders/**] }\n")]
    public void Manifest_WithAMistake_DoesNotValidate(string yaml) =>
        Assert.False(Schema().Evaluate(ToJson(yaml)).IsValid);

    [Fact]
    public void Route_patterns_with_a_method_in_any_case_validate() =>
        Assert.True(Schema().Evaluate(ToJson("version: 1\nsystem: { name: x }\ncomponents: []\nsecurity: { protected: [/me, \"${P}\"], adminOnly: [\"post /events\", \"DELETE /events/*\"] }\n")).IsValid);

    [Fact]
    public void EveryKeyDocumentedInManifestMd_IsInTheSchema()
    {
        var documented = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(Path.Combine(Root, "docs", "manifest.md")))
        {
            if (KeyRow().Match(line) is { Success: true } row)
            {
                foreach (Match key in Backticked().Matches(row.Groups[1].Value))
                {
                    documented.Add(key.Groups[1].Value.Split('.')[^1]);
                }
            }
        }

        var inSchema = new HashSet<string>(StringComparer.Ordinal);
        CollectProperties(JsonNode.Parse(ManifestLoader.JsonSchema())!, inSchema);
        Assert.True(documented.Count > 60, $"only {documented.Count} documented keys found: the docs' tables changed shape");
        Assert.Empty(documented.Where(k => !inSchema.Contains(k)).Order(StringComparer.Ordinal));
    }

    /// <summary>Every mapping the loader reads, it checks against a key list; the schema object at that place must have exactly those keys.</summary>
    [Fact]
    public void SchemaObjects_HaveExactlyTheKeysTheLoaderAccepts()
    {
        var observed = new List<(string Path, string[] Keys)>();
        YamlReader.KeysObserved.Value = (path, keys) => observed.Add((path, keys));
        try
        {
            foreach (var file in new[] { "samples/shop/archgate.yaml", "samples/minimal/archgate.yaml" })
            {
                ManifestLoader.Load(Path.Combine(Root, file), _ => null);
            }

            var complete = CompleteExample().Match(File.ReadAllText(Path.Combine(Root, "docs", "manifest.md"))).Groups[1].Value;
            ManifestLoader.Parse(complete, "example.yaml", Path.Combine(Root, "docs", "example.yaml"), "0", _ => null);
        }
        finally
        {
            YamlReader.KeysObserved.Value = null;
        }

        var schema = JsonNode.Parse(ManifestLoader.JsonSchema())!;
        Assert.True(observed.Count > 40, $"only {observed.Count} key lists seen");
        var problems = new List<string>();
        foreach (var (path, keys) in observed.DistinctBy(o => o.Path))
        {
            var candidates = Resolve(schema, path);
            if (candidates.Count == 0)
            {
                problems.Add($"{path}: no schema object (the loader accepts [{string.Join(", ", keys)}])");
                continue;
            }

            var expected = keys.Order(StringComparer.Ordinal).ToList();
            if (!candidates.Any(c => ((JsonObject)c["properties"]!).Select(p => p.Key).Order(StringComparer.Ordinal).SequenceEqual(expected)))
            {
                problems.Add($"{path}: the loader accepts [{string.Join(", ", expected)}], the schema [{string.Join("] or [", candidates.Select(c => string.Join(", ", ((JsonObject)c["properties"]!).Select(p => p.Key).Order(StringComparer.Ordinal))))}]");
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    /// <summary>The schema objects that may describe the mapping at a loader path ('components.api.run', 'load.stages[0]', 'slo.api'): one per anyOf option.</summary>
    private static List<JsonObject> Resolve(JsonNode schema, string path)
    {
        var nodes = new List<JsonNode> { schema };
        foreach (var raw in path.Length == 0 ? [] : path.Split('.'))
        {
            if (raw.StartsWith('$'))
            {
                // A JSON path key ('$.items[0].id'): its dots are not the loader's; patternProperties describe it.
                nodes = nodes.SelectMany(n => Options(schema, n)).Select(n => (n["patternProperties"] as JsonObject)?.FirstOrDefault().Value).OfType<JsonNode>().ToList();
                break;
            }

            var segment = raw;
            var indexes = 0;
            while (segment.EndsWith(']'))
            {
                segment = segment[..segment.LastIndexOf('[')];
                indexes++;
            }

            nodes = nodes.SelectMany(n => Options(schema, n)).SelectMany(n => Step(schema, n, segment)).ToList();
            for (var i = 0; i < indexes; i++)
            {
                nodes = nodes.SelectMany(n => Options(schema, n)).Select(n => n["items"]).OfType<JsonNode>().ToList();
            }
        }

        return nodes.SelectMany(n => Options(schema, n)).OfType<JsonObject>().Where(o => o["properties"] is JsonObject).ToList();
    }

    private static IEnumerable<JsonNode> Step(JsonNode schema, JsonNode node, string segment)
    {
        if (node["type"]?.ToString() == "array")
        {
            return node["items"] is { } items ? Options(schema, items) : []; // a list item named by its 'name' (components.api)
        }

        var next = node["properties"]?[segment] ?? (node["additionalProperties"] is JsonObject more ? more : null);
        return next is null ? [] : [next];
    }

    /// <summary>Follows $ref and spreads anyOf.</summary>
    private static IEnumerable<JsonNode> Options(JsonNode schema, JsonNode node)
    {
        var target = Deref(schema, node);
        if (target?["anyOf"] is JsonArray options)
        {
            return options.OfType<JsonNode>().SelectMany(o => Options(schema, o));
        }

        return target is null ? [] : [target];
    }

    private static JsonNode? Deref(JsonNode schema, JsonNode? node) =>
        node?["$ref"]?.GetValue<string>() is { } reference ? schema["$defs"]![reference.Split('/')[^1]] : node;

    private static void CollectProperties(JsonNode node, HashSet<string> into)
    {
        switch (node)
        {
            case JsonObject o:
                if (o["properties"] is JsonObject properties)
                {
                    foreach (var (key, _) in properties)
                    {
                        into.Add(key);
                    }
                }

                foreach (var (_, child) in o)
                {
                    if (child is not null)
                    {
                        CollectProperties(child, into);
                    }
                }

                break;
            case JsonArray a:
                foreach (var child in a)
                {
                    if (child is not null)
                    {
                        CollectProperties(child, into);
                    }
                }

                break;
        }
    }

    /// <summary>YAML as an editor's YAML language server sees it: plain scalars typed (1.2 core schema), quoted ones strings.</summary>
    private static JsonElement ToJson(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return JsonSerializer.SerializeToElement(Convert(stream.Documents[0].RootNode));
    }

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode m => new JsonObject(m.Children.Select(p => KeyValuePair.Create(((YamlScalarNode)p.Key).Value!, Convert(p.Value)))),
        YamlSequenceNode s => new JsonArray(s.Children.Select(Convert).ToArray()),
        YamlScalarNode { Style: ScalarStyle.Plain, Value: var v } when v is null or "" or "~" or "null" => null,
        YamlScalarNode { Style: ScalarStyle.Plain, Value: "true" or "false" } b => JsonValue.Create(b.Value == "true"),
        YamlScalarNode { Style: ScalarStyle.Plain } n when long.TryParse(n.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) => JsonValue.Create(l),
        YamlScalarNode { Style: ScalarStyle.Plain } d when double.TryParse(d.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) => JsonValue.Create(f),
        YamlScalarNode s => JsonValue.Create(s.Value),
        _ => null,
    };

    [GeneratedRegex(@"^\|\s*((?:`[^`]+`(?:,\s*)?)+)\s*\|")]
    private static partial Regex KeyRow();

    [GeneratedRegex(@"`([A-Za-z][A-Za-z0-9.]*)`")]
    private static partial Regex Backticked();

    [GeneratedRegex(@"## Complete example\s+```yaml\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CompleteExample();
}

using System.Runtime.CompilerServices;
using Microsoft.OpenApi;
using YamlDotNet.RepresentationModel;

namespace Archgate.Checks.Contracts.Conformance;

/// <summary>
/// Microsoft.OpenApi forgets an OpenAPI 3.0 <c>nullable: true</c> on a schema without a <c>type</c> (the usual
/// <c>allOf: [$ref], nullable: true</c>, or a bare <c>nullable: true</c>, which means "any value, or null").
/// The document is loaded once, as it is; this reads its text beside the loaded model and remembers, for the
/// model's schema objects, which ones said so. <see cref="SchemaTranslator"/> asks <see cref="IsMarked"/>.
/// </summary>
internal static class Nullable30
{
    private const int MaxDepth = 64;

    private static readonly ConditionalWeakTable<IOpenApiSchema, object> Marked = [];

    private static readonly object Mark = new();

    /// <summary>Whether <paramref name="schema"/> was written <c>nullable: true</c> without a type in a 3.0 document.</summary>
    public static bool IsMarked(IOpenApiSchema schema) => Marked.TryGetValue(schema, out _);

    /// <summary>
    /// Marks the schemas of <paramref name="document"/> whose text (<paramref name="text"/>, the document's own)
    /// says <c>nullable: true</c> without a type; returns how many. A 3.1 document or unreadable text marks none.
    /// </summary>
    public static int Apply(string text, OpenApiDocument document)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlDotNet.Core.YamlException)
        {
            return 0;
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root
            || !(Get(root, "openapi") is YamlScalarNode { Value: { } v } && v.StartsWith("3.0", StringComparison.Ordinal)))
        {
            return 0;
        }

        var walker = new Walker();
        var components = Get(root, "components");
        foreach (var (name, schema) in document.Components?.Schemas ?? new Dictionary<string, IOpenApiSchema>())
        {
            walker.Schema(schema, Get(Get(components, "schemas"), name), 0);
        }

        foreach (var (name, response) in document.Components?.Responses ?? new Dictionary<string, IOpenApiResponse>())
        {
            walker.Response(response, Get(Get(components, "responses"), name));
        }

        foreach (var (name, parameter) in document.Components?.Parameters ?? new Dictionary<string, IOpenApiParameter>())
        {
            walker.Parameter(parameter, Get(Get(components, "parameters"), name));
        }

        foreach (var (name, body) in document.Components?.RequestBodies ?? new Dictionary<string, IOpenApiRequestBody>())
        {
            walker.Content(body.Content, Get(Get(Get(components, "requestBodies"), name), "content"));
        }

        foreach (var (name, header) in document.Components?.Headers ?? new Dictionary<string, IOpenApiHeader>())
        {
            walker.Header(header, Get(Get(components, "headers"), name));
        }

        foreach (var (template, item) in document.Paths ?? [])
        {
            var itemNode = Get(Get(root, "paths"), template);
            walker.Parameters(item.Parameters, Get(itemNode, "parameters"));
            foreach (var (method, operation) in item.Operations ?? [])
            {
                var operationNode = Get(itemNode, method.Method.ToLowerInvariant());
                walker.Parameters(operation.Parameters, Get(operationNode, "parameters"));
                if (operation.RequestBody is { } body && !IsRef(Get(operationNode, "requestBody")))
                {
                    walker.Content(body.Content, Get(Get(operationNode, "requestBody"), "content"));
                }

                foreach (var (code, response) in operation.Responses ?? [])
                {
                    walker.Response(response, Get(Get(operationNode, "responses"), code));
                }
            }
        }

        return walker.Count;
    }

    private static YamlNode? Get(YamlNode? node, string key) =>
        node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static bool IsRef(YamlNode? node) => Get(node, "$ref") is not null;

    private sealed class Walker
    {
        public int Count { get; private set; }

        public void Response(IOpenApiResponse response, YamlNode? node)
        {
            if (node is null || IsRef(node))
            {
                return;
            }

            Content(response.Content, Get(node, "content"));
            foreach (var (name, header) in response.Headers ?? new Dictionary<string, IOpenApiHeader>())
            {
                Header(header, Get(Get(node, "headers"), name));
            }
        }

        public void Header(IOpenApiHeader header, YamlNode? node)
        {
            if (node is not null && !IsRef(node))
            {
                Schema(header.Schema, Get(node, "schema"), 0);
            }
        }

        public void Parameters(IList<IOpenApiParameter>? parameters, YamlNode? node)
        {
            if (parameters is null || node is not YamlSequenceNode list)
            {
                return;
            }

            // The model keeps the document's order; a reference in the list is left to the components.
            for (var i = 0; i < Math.Min(parameters.Count, list.Children.Count); i++)
            {
                Parameter(parameters[i], list.Children[i]);
            }
        }

        public void Parameter(IOpenApiParameter parameter, YamlNode? node)
        {
            if (node is null || IsRef(node))
            {
                return;
            }

            Schema(parameter.Schema, Get(node, "schema"), 0);
            Content(parameter.Content, Get(node, "content"));
        }

        public void Content(IDictionary<string, IOpenApiMediaType>? content, YamlNode? node)
        {
            foreach (var (type, media) in content ?? new Dictionary<string, IOpenApiMediaType>())
            {
                Schema(media.Schema, Get(Get(node, type), "schema"), 0);
            }
        }

        public void Schema(IOpenApiSchema? schema, YamlNode? node, int depth)
        {
            if (schema is null || node is not YamlMappingNode map || depth > MaxDepth || IsRef(map) || schema is OpenApiSchemaReference)
            {
                return;
            }

            if (Get(map, "nullable") is YamlScalarNode { Value: "true" } && Get(map, "type") is null)
            {
                Marked.AddOrUpdate(schema, Mark);
                Count++;
            }

            foreach (var (name, property) in schema.Properties ?? new Dictionary<string, IOpenApiSchema>())
            {
                Schema(property, Get(Get(map, "properties"), name), depth + 1);
            }

            Schema(schema.Items, Get(map, "items"), depth + 1);
            Schema(schema.AdditionalProperties, Get(map, "additionalProperties"), depth + 1);
            Schema(schema.Not, Get(map, "not"), depth + 1);
            List(schema.AllOf, Get(map, "allOf"), depth);
            List(schema.OneOf, Get(map, "oneOf"), depth);
            List(schema.AnyOf, Get(map, "anyOf"), depth);
        }

        private void List(IList<IOpenApiSchema>? schemas, YamlNode? node, int depth)
        {
            if (schemas is null || node is not YamlSequenceNode list)
            {
                return;
            }

            for (var i = 0; i < Math.Min(schemas.Count, list.Children.Count); i++)
            {
                Schema(schemas[i], list.Children[i], depth + 1);
            }
        }
    }
}

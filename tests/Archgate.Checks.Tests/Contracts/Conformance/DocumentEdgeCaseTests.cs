using System.Text.Json;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Protocol;
using static Archgate.Checks.Tests.Contracts.Conformance.ConformanceTestKit;

namespace Archgate.Checks.Tests.Contracts.Conformance;

/// <summary>
/// Documents that are valid by the specification but unusual: each must load, and conformance must run against a
/// server that answers what they allow, without a crash or a refusal the specification does not make.
/// </summary>
public sealed class DocumentEdgeCaseTests
{
    [Fact]
    public async Task Boolean_subschemas_an_operation_without_responses_and_a_property_named_additionalProperties_are_valid_31()
    {
        const string Document = """
            openapi: 3.1.0
            info: { title: edge, version: "1" }
            paths:
              /things:
                get:
                  responses:
                    '200':
                      description: ok
                      content:
                        application/json:
                          schema:
                            type: object
                            properties:
                              id: { type: integer }
                              secret: false
                              anything: true
                              additionalProperties: { type: string }
                            additionalProperties: false
              /events:
                post:
                  summary: fire and forget (responses are optional in 3.1)
            """;
        using var server = new ScriptedHttpServer(r => r.PathAndQuery.StartsWith("/things", StringComparison.Ordinal) && r.Method == "GET"
            ? new Reply(200, JsonSerializer.Serialize(new { id = 1, anything = new[] { 1 }, additionalProperties = "x" }))
            : r.PathAndQuery.StartsWith("/events", StringComparison.Ordinal) && r.Method == "POST" ? new Reply(202) : new Reply(405, null, Headers: new Dictionary<string, string> { ["Allow"] = "GET" }));

        var result = await RunCheckAsync(Document, server);

        Assert.True(result.Status is CheckStatus.Pass, $"{result.Status}: {result.Reason}\n" + Dump(result, server));
    }

    [Fact]
    public async Task A_false_subschema_still_forbids_its_property()
    {
        const string Document = """
            openapi: 3.1.0
            info: { title: edge, version: "1" }
            paths:
              /things:
                get:
                  responses:
                    '200':
                      description: ok
                      content:
                        application/json:
                          schema: { type: object, properties: { id: { type: integer }, secret: false } }
            """;
        using var server = new ScriptedHttpServer(r => r.Method == "GET"
            ? new Reply(200, JsonSerializer.Serialize(new { id = 1, secret = "s" }))
            : new Reply(405, null, Headers: new Dictionary<string, string> { ["Allow"] = "GET" }));

        var result = await RunCheckAsync(Document, server);

        Assert.Equal(CheckStatus.Fail, result.Status);
        Assert.Contains(result.Findings, f => f.Message == "GET /things answered 200: the body does not match its schema");
    }

    [Fact]
    public void Boolean_subschemas_are_rewritten_in_place_and_nothing_else_is()
    {
        const string Text = """
            openapi: 3.1.0
            components:
              schemas:
                Open: true
                Thing:
                  type: object
                  properties:
                    gone: false
                    flag: { type: boolean, default: false, example: true, enum: [true, false] }
                    quoted: { const: "false" }
                    list: { type: array, items: false, prefixItems: [true] }
                  additionalProperties: false
            """;
        var map = Archgate.Checks.Contracts.SourceMap.Build(Text, false, out _);

        var rewritten = Archgate.Checks.Contracts.BooleanSchemas.Rewrite(Text, map.Root);

        Assert.Equal(Text.Split('\n').Length, rewritten.Split('\n').Length);
        Assert.Contains("Open: {}", rewritten, StringComparison.Ordinal);
        Assert.Contains("gone: {\"not\": {}}", rewritten, StringComparison.Ordinal);
        Assert.Contains("items: {\"not\": {}}, prefixItems: [{}]", rewritten, StringComparison.Ordinal);
        Assert.Contains("default: false, example: true, enum: [true, false]", rewritten, StringComparison.Ordinal);
        Assert.Contains("const: \"false\"", rewritten, StringComparison.Ordinal);
        Assert.Contains("additionalProperties: false", rewritten, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_discriminator_error_names_its_schema_and_points_at_it()
    {
        const string Text = """
            openapi: 3.0.3
            info: { title: t, version: "1" }
            paths:
              /dogs:
                get:
                  responses:
                    '200':
                      description: ok
                      content:
                        application/json:
                          schema:
                            type: object
                            discriminator: { propertyName: kind }
                            properties: { x: { type: string } }
            components:
              schemas:
                Bad:
                  type: object
                  discriminator: { propertyName: kind }
                  properties: { x: { type: string } }
            """;

        var result = await Archgate.Checks.Contracts.ContractDocumentLoader.ParseAsync(Text, "t.yaml", CancellationToken.None);

        var named = Assert.Single(result.Errors, e => e.JsonPointer == "#/components/schemas/Bad/discriminator");
        Assert.StartsWith("Schema 'Bad' must contain property specified in the discriminator kind", named.Message, StringComparison.Ordinal);
        Assert.Equal(19, named.Line);
        var inline = Assert.Single(result.Errors, e => e.JsonPointer.StartsWith("#/paths/~1dogs/", StringComparison.Ordinal));
        Assert.StartsWith("The schema here must contain", inline.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(result.Errors, e => e.Message.Contains("Schema  ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("#/paths/components/schemas/Pet/properties/name", "#/components/schemas/Pet/properties/name")] // a walked path joined to a component's pointer
    [InlineData("#/paths/~1pets/get/components/schemas/Pet", "#/components/schemas/Pet")]
    [InlineData("#/paths/~1pets/get", "#/paths/~1pets/get")] // resolves: kept
    [InlineData("#/nowhere/at/all", "#/nowhere/at/all")] // no tail resolves: kept as given
    public void A_joined_pointer_is_repaired_to_the_tail_that_reaches_a_node(string given, string repaired)
    {
        const string Text = """
            openapi: 3.0.3
            info: { title: t, version: "1" }
            paths:
              /pets:
                get:
                  responses: { '200': { description: ok } }
            components:
              schemas:
                Pet:
                  type: object
                  properties: { name: { type: string } }
            """;
        var map = Archgate.Checks.Contracts.SourceMap.Build(Text, false, out _);

        Assert.Equal(repaired, map.Repair(given));
    }
}

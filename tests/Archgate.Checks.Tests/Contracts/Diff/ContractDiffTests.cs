using Archgate.Checks.Contracts.Diff;
using static Archgate.Checks.Tests.Contracts.Diff.DiffTestKit;

namespace Archgate.Checks.Tests.Contracts.Diff;

public class ContractDiffTests
{
    private const string Orders30 = """
        openapi: 3.0.3
        info: {title: shop, version: '1'}
        paths:
          /orders/{id}:
            get:
              operationId: getOrder
              parameters:
                - {name: id, in: path, required: true, schema: {type: string, format: uuid}}
                - {name: expand, in: query, schema: {type: string, nullable: true, enum: [lines, customer]}}
              responses:
                '200':
                  description: ok
                  content:
                    application/json:
                      schema: {$ref: '#/components/schemas/Order'}
        components:
          schemas:
            Order:
              type: object
              required: [id, total]
              properties:
                id: {type: string}
                total: {type: number, nullable: true, minimum: 0}
                note: {type: string, nullable: true, maxLength: 200}
                parent: {$ref: '#/components/schemas/Order'}
                lines:
                  type: array
                  items: {$ref: '#/components/schemas/Line'}
            Line:
              type: object
              properties:
                sku: {type: string}
                order: {$ref: '#/components/schemas/Order'}
        """;

    private const string Orders31 = """
        openapi: 3.1.0
        info: {title: shop, version: '1'}
        paths:
          /orders/{id}:
            get:
              operationId: getOrder
              parameters:
                - {name: id, in: path, required: true, schema: {type: string, format: uuid}}
                - {name: expand, in: query, schema: {type: [string, 'null'], enum: [lines, customer]}}
              responses:
                '200':
                  description: ok
                  content:
                    application/json:
                      schema: {$ref: '#/components/schemas/Order'}
        components:
          schemas:
            Order:
              type: object
              required: [id, total]
              properties:
                id: {type: string}
                total: {type: [number, 'null'], minimum: 0}
                note:
                  anyOf:
                    - {type: string, maxLength: 200}
                    - {type: 'null'}
                parent: {$ref: '#/components/schemas/Order'}
                lines:
                  type: array
                  items: {$ref: '#/components/schemas/Line'}
            Line:
              type: object
              properties:
                sku: {type: string}
                order: {$ref: '#/components/schemas/Order'}
        """;

    [Fact]
    public async Task Identical_documents_yield_no_change()
    {
        var report = await DiffAsync(Orders30, Orders30);

        Assert.Empty(report.Changes);
        Assert.False(report.HasAtOrAbove(ChangeLevel.Info));
    }

    [Fact]
    public async Task A_30_document_and_its_31_equivalent_yield_no_change()
    {
        Assert.Equal("(no change)", Show(await DiffAsync(Orders30, Orders31)));
        Assert.Equal("(no change)", Show(await DiffAsync(Orders31, Orders30)));
    }

    [Fact]
    public async Task Recursive_schemas_are_compared_once_per_place_and_terminate()
    {
        var changed = Orders30.Replace("sku: {type: string}", "sku: {type: integer}", StringComparison.Ordinal);

        var report = await DiffAsync(Orders30, changed);

        var change = Assert.Single(report.Changes);
        Assert.Equal("response-property-type-changed", change.RuleId);
        Assert.Equal("response 200 application/json $.lines[*].sku", change.Location);
        Assert.Equal(("string", "integer"), (change.OldValue, change.NewValue));
    }

    [Fact]
    public async Task A_response_property_that_became_nullable_in_31_spelling_is_breaking()
    {
        var nullable = Orders31.Replace("id: {type: string}\n", "id: {type: [string, 'null']}\n", StringComparison.Ordinal);

        var change = Assert.Single((await DiffAsync(Orders30, nullable)).Changes);

        Assert.Equal(("response-property-became-nullable", ChangeLevel.Err, "response 200 application/json $.id"), (change.RuleId, change.Level, change.Location));
    }

    [Fact]
    public async Task A_renamed_response_property_is_reported_as_removed_with_the_likely_new_name()
    {
        var renamed = Orders30.Replace("required: [id, total]", "required: [orderId, total]", StringComparison.Ordinal)
            .Replace("id: {type: string}\n", "orderId: {type: string}\n", StringComparison.Ordinal);

        var report = await DiffAsync(Orders30, renamed);

        var removed = Assert.Single(report.Changes, c => c.RuleId == "response-property-removed");
        Assert.Equal(ChangeLevel.Err, removed.Level);
        Assert.Equal("response 200 application/json $.id", removed.Location);
        Assert.Contains("renamed to orderId?", removed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_path_parameter_rename_is_not_a_removal()
    {
        var renamed = Orders30.Replace("/orders/{id}", "/orders/{orderId}", StringComparison.Ordinal)
            .Replace("{name: id, in: path", "{name: orderId, in: path", StringComparison.Ordinal);

        var report = await DiffAsync(Orders30, renamed);

        var change = Assert.Single(report.Changes);
        Assert.Equal(("api-path-parameter-renamed", "GET /orders/{orderId}"), (change.RuleId, change.Operation));
    }

    [Fact]
    public async Task Read_only_properties_are_ignored_in_requests_and_write_only_ones_in_responses()
    {
        const string Template = """
            /orders:
              post:
                requestBody:
                  content:
                    application/json:
                      schema: SCHEMA
                responses:
                  '200':
                    description: ok
                    content:
                      application/json:
                        schema: SCHEMA
            """;

        string Body(string property) => Doc(Template.Replace("SCHEMA", "{type: object, properties: {" + property + "}}", StringComparison.Ordinal));

        var readOnly = await DiffAsync(Body("id: {type: string, readOnly: true}"), Body("other: {type: string}"));
        var writeOnly = await DiffAsync(Body("pw: {type: string, writeOnly: true}"), Body("other: {type: string}"));

        Assert.DoesNotContain(readOnly.Changes, c => c.RuleId == "request-property-removed");
        Assert.Contains(readOnly.Changes, c => c.RuleId == "response-optional-property-removed");
        Assert.DoesNotContain(writeOnly.Changes, c => c.RuleId.StartsWith("response-", StringComparison.Ordinal) && c.Location.EndsWith("$.pw", StringComparison.Ordinal));
        Assert.Contains(writeOnly.Changes, c => c.RuleId == "request-property-removed");
    }

    [Fact]
    public async Task AllOf_parts_are_read_as_one_schema()
    {
        string Doc2(string schema) => Doc($$"""
            /orders:
              get:
                responses:
                  '200':
                    description: ok
                    content:
                      application/json:
                        schema: {{schema}}
            """, """
            schemas:
              Base: {type: object, required: [id], properties: {id: {type: string}}}
            """);

        var inline = Doc2("{type: object, required: [id, total], properties: {id: {type: string}, total: {type: number}}}");
        var composed = Doc2("{allOf: [{$ref: '#/components/schemas/Base'}, {type: object, required: [total], properties: {total: {type: number}}}]}");
        var lessComposed = Doc2("{allOf: [{$ref: '#/components/schemas/Base'}, {type: object, properties: {total: {type: number}}}]}");

        Assert.Equal("(no change)", Show(await DiffAsync(inline, composed)));
        var change = Assert.Single((await DiffAsync(composed, lessComposed)).Changes);
        Assert.Equal(("response-property-became-optional", "response 200 application/json $.total"), (change.RuleId, change.Location));
    }

    [Fact]
    public async Task The_report_gate_counts_changes_at_or_above_a_level()
    {
        var report = await DiffAsync(Orders30, Orders30.Replace("operationId: getOrder", "operationId: fetchOrder", StringComparison.Ordinal));

        Assert.True(report.HasAtOrAbove(ChangeLevel.Warn));
        Assert.False(report.HasAtOrAbove(ChangeLevel.Err));
        Assert.Equal(1, report.Count(ChangeLevel.Warn));
    }

    [Fact]
    public async Task A_schema_graph_shared_along_millions_of_routes_still_finishes_and_reports_the_change()
    {
        static string Levels(string leafType) => string.Concat(Enumerable.Range(0, 25).Select(i =>
            $"L{i}: {{type: object, properties: {{a: {{$ref: '#/components/schemas/L{i + 1}'}}, b: {{$ref: '#/components/schemas/L{i + 1}'}}}}}}\n"))
            + $"L25: {{type: object, properties: {{leaf: {{type: {leafType}}}}}}}\n";
        const string Paths = "/deep:\n  get:\n    responses:\n      '200':\n        description: ok\n        content:\n          application/json:\n            schema: {$ref: '#/components/schemas/L0'}";

        var report = await DiffAsync(Doc(Paths, "schemas:\n" + Indent(Levels("string"))), Doc(Paths, "schemas:\n" + Indent(Levels("integer"))));

        Assert.Contains(report.Changes, c => c.RuleId == "response-property-type-changed" && c.Location.EndsWith(".leaf", StringComparison.Ordinal));
    }

    private static string Indent(string text) => string.Concat(text.Split('\n').Where(l => l.Length > 0).Select(l => "  " + l + "\n"));
}

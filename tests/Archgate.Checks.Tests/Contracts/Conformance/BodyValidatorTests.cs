using Archgate.Checks.Contracts.Conformance;
using static Archgate.Checks.Tests.Contracts.Conformance.ConformanceTestKit;

namespace Archgate.Checks.Tests.Contracts.Conformance;

/// <summary>Mismatches name the JSON path, what the schema expects and what the body has.</summary>
public sealed class BodyValidatorTests
{
    private const string Orders = """
        openapi: 3.1.0
        info: { title: orders, version: "1" }
        paths: {}
        components:
          schemas:
            Order:
              type: object
              required: [id, total, items, createdAt]
              properties:
                id: { type: integer, format: int64 }
                total: { type: number, minimum: 0 }
                note: { type: [string, 'null'], maxLength: 5 }
                createdAt: { type: string, format: date-time }
                ref: { type: string, format: uuid }
                items: { type: array, items: { $ref: '#/components/schemas/Line' } }
            Line:
              type: object
              required: [price]
              properties: { price: { type: number, exclusiveMinimum: 0 } }
        """;

    private static IReadOnlyList<SchemaMismatch> Check(string json)
    {
        var document = LoadDocument(Orders);
        var order = Schema(document, "Order");
        return new BodyValidator([order], Direction.Response).Validate(order, Parse(json));
    }

    [Fact]
    public void A_valid_body_has_no_mismatch() =>
        Assert.Empty(Check("""{"id":7,"total":1.5,"note":null,"createdAt":"2026-01-05T10:00:00.1234567+00:00","ref":"3fa85f64-5717-4562-b3fc-2c963f66afa6","items":[{"price":1}]}"""));

    [Fact]
    public void A_changed_type_and_a_renamed_field_are_named_at_their_paths()
    {
        var mismatches = Check("""{"id":"7","totalAmount":1.5,"createdAt":"2026-01-05T10:00:00Z","items":[]}""");

        var id = Assert.Single(mismatches, m => m.Path == "$.id");
        Assert.Equal("integer", id.Expected);
        Assert.Equal("string \"7\"", id.Actual);
        var total = Assert.Single(mismatches, m => m.Path == "$.total");
        Assert.Equal("required property (number)", total.Expected);
        Assert.Equal("missing", total.Actual);
        Assert.Contains("'totalAmount'", total.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nested_values_formats_and_bounds_are_reported_with_array_indices()
    {
        var mismatches = Check("""{"id":1,"total":-1,"note":"too long","createdAt":"yesterday","ref":"x","items":[{"price":2},{"price":0}]}""");

        Assert.Contains(mismatches, m => m is { Path: "$.items[1].price", Expected: "exclusiveMinimum 0", Actual: "integer 0" });
        Assert.Contains(mismatches, m => m is { Path: "$.total", Expected: "minimum 0" });
        Assert.Contains(mismatches, m => m is { Path: "$.createdAt", Expected: "format date-time", Actual: "string \"yesterday\"" });
        Assert.Contains(mismatches, m => m is { Path: "$.ref", Expected: "format uuid" });
        Assert.Contains(mismatches, m => m is { Path: "$.note", Expected: "maxLength 5" });
        Assert.DoesNotContain(mismatches, m => m.Expected == "null");
    }

    [Fact]
    public void A_nullable_value_of_the_wrong_type_names_both_types()
    {
        var mismatch = Assert.Single(Check("""{"id":1,"total":1,"note":5,"createdAt":"2026-01-05T10:00:00Z","items":[]}"""));

        Assert.Equal("$.note", mismatch.Path);
        Assert.Equal("string or null", mismatch.Expected);
    }
}

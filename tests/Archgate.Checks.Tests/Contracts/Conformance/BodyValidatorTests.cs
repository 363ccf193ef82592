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

    private static IReadOnlyList<SchemaMismatch> Check(string json) => Validate(Orders, "Order", json);

    private static IReadOnlyList<SchemaMismatch> Validate(string yaml, string name, string json)
    {
        var schema = Schema(LoadDocument(yaml), name);
        return new BodyValidator([schema], Direction.Response).Validate(schema, Parse(json));
    }

    [Fact]
    public async Task A_validator_used_side_by_side_judges_every_valid_body_valid()
    {
        // The fault proxies validate the requests they carry in parallel, each validator's first use building its schemas.
        for (var round = 0; round < 20; round++)
        {
            var schema = Schema(LoadDocument(Orders), "Order");
            var validator = new BodyValidator([schema], Direction.Request);
            var body = Parse("""{"id":1,"total":12.5,"items":[{"price":2}],"createdAt":"2026-12-05T12:00:00Z","ref":"7f1c6a8e-2b1d-4c53-9b9a-1d2e3f4a5b6c"}""");
            var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => validator.Validate(schema, body))));
            Assert.All(results, Assert.Empty);
        }
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

    private const string Bookings = """
        openapi: 3.1.0
        info: { title: bookings, version: "1" }
        paths:
          /v1/me/bookings:
            get:
              responses:
                '200':
                  description: mine
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [items]
                        properties:
                          items:
                            type: array
                            items:
                              type: object
                              required: [id, checkIn]
                              properties:
                                id: { type: integer }
                                checkIn: { type: string, format: date }
        components:
          schemas:
            Stay:
              type: object
              required: [guest, rooms]
              properties:
                guest:
                  type: object
                  required: [name]
                  properties: { name: { type: string } }
                rooms: { type: array, items: { $ref: '#/components/schemas/Room' } }
            Room:
              allOf:
                - $ref: '#/components/schemas/Base'
                - type: object
                  required: [checkIn]
                  properties: { checkIn: { type: string } }
            Base:
              type: object
              required: [id]
              properties: { id: { type: integer } }
        """;

    [Fact]
    public void A_required_property_missing_inside_an_inline_array_item_is_named_with_the_rename_hint()
    {
        // ex13: "$.items[0]: expected Required properties ["checkIn"] are not present, found object", the validator's
        // own sentence, where one level up Archgate names the property and the undeclared one that replaced it.
        var document = LoadDocument(Bookings);
        var schema = document.Paths!["/v1/me/bookings"].Operations![System.Net.Http.HttpMethod.Get].Responses!["200"].Content!["application/json"].Schema!;

        var mismatches = new BodyValidator([schema], Direction.Response).Validate(schema, Parse("""{"items":[{"id":1,"check_in":"2026-12-06"}]}"""));

        var missing = Assert.Single(mismatches);
        Assert.Equal("$.items[0].checkIn", missing.Path);
        Assert.Equal("required property (string)", missing.Expected);
        Assert.Equal("$.items[0].checkIn: required property 'checkIn' is missing; the body has undeclared 'check_in' instead (renamed?)", missing.Message);
    }

    [Fact]
    public void A_required_property_missing_in_a_nested_object_or_an_allOf_item_is_named_and_declared_properties_are_no_rename()
    {
        var mismatches = Validate(Bookings, "Stay", """{"guest":{"fullName":"Ann"},"rooms":[{"id":1,"check_in":"2026-12-06"}]}""");

        var name = Assert.Single(mismatches, m => m.Path == "$.guest.name");
        Assert.Equal("$.guest.name: required property 'name' is missing; the body has undeclared 'fullName' instead (renamed?)", name.Message);
        var checkIn = Assert.Single(mismatches, m => m.Path == "$.rooms[0].checkIn");
        Assert.Equal("$.rooms[0].checkIn: required property 'checkIn' is missing; the body has undeclared 'check_in' instead (renamed?)", checkIn.Message);
        Assert.Equal(2, mismatches.Count);
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

    private const string Items = """
        openapi: 3.0.3
        info: { title: items, version: "1" }
        paths: {}
        components:
          schemas:
            Item:
              type: object
              additionalProperties: false
              required: [id]
              properties:
                id: { type: integer }
                kind: { oneOf: [ { type: string, enum: [a, b] }, { type: integer, minimum: 1 } ] }
                owner:
                  anyOf:
                    - { type: object, required: [user], properties: { user: { type: string } } }
                    - { type: object, required: [team], properties: { team: { type: string } } }
                tags: { type: array, items: { oneOf: [ { type: string }, { type: integer } ] } }
        """;

    private static IReadOnlyList<SchemaMismatch> CheckItem(string json) => Validate(Items, "Item", json);

    [Fact]
    public void A_property_that_additionalProperties_false_forbids_is_named_as_undeclared()
    {
        var mismatch = Assert.Single(CheckItem("""{"id":1,"extra":true}"""));

        Assert.Equal("$.extra", mismatch.Path);
        Assert.Equal("no such property", mismatch.Expected);
        Assert.Equal("$.extra: property 'extra' is not declared (additionalProperties: false)", mismatch.Message);
    }

    [Fact]
    public void A_value_that_matches_no_alternative_is_one_mismatch_naming_each()
    {
        var mismatches = CheckItem("""{"id":1,"kind":"c","owner":{"name":"x"},"tags":["ok",true,2,null]}""");

        var kind = Assert.Single(mismatches, m => m.Path == "$.kind");
        Assert.Equal("$.kind: matches none of the 2 oneOf alternatives (expected one of [\"a\",\"b\"] or integer), found string \"c\"", kind.Message);
        var owner = Assert.Single(mismatches, m => m.Path.StartsWith("$.owner", StringComparison.Ordinal));
        Assert.Equal("$.owner", owner.Path);
        Assert.Contains("'user' is missing", owner.Message, StringComparison.Ordinal);
        Assert.Contains("'team' is missing", owner.Message, StringComparison.Ordinal);
        // Items of one array: each element is its own value, judged on its own.
        Assert.Equal(["$.tags[1]", "$.tags[3]"], mismatches.Where(m => m.Path.StartsWith("$.tags", StringComparison.Ordinal)).Select(m => m.Path).Order());
        Assert.Equal(4, mismatches.Count);
    }

    [Fact]
    public void A_value_that_fails_inside_one_alternative_while_the_other_does_not_apply_is_still_one_mismatch()
    {
        var kind = Assert.Single(CheckItem("""{"id":1,"kind":0}"""));

        Assert.Equal("$.kind", kind.Path);
        Assert.StartsWith("$.kind: matches none of the 2 oneOf alternatives (expected string and one of", kind.Message, StringComparison.Ordinal);
        Assert.EndsWith("or minimum 1), found integer 0", kind.Message, StringComparison.Ordinal);
    }
}

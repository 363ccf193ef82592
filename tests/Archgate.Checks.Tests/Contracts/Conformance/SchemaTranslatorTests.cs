using System.Text.Json.Nodes;
using Archgate.Checks.Contracts.Conformance;
using static Archgate.Checks.Tests.Contracts.Conformance.ConformanceTestKit;

namespace Archgate.Checks.Tests.Contracts.Conformance;

/// <summary>OpenAPI 3.0 schemas become JSON Schema draft 2020-12 that a plain validator checks as OpenAPI means.</summary>
public sealed class SchemaTranslatorTests
{
    private const string Pets30 = """
        openapi: 3.0.3
        info: { title: pets, version: "1" }
        paths: {}
        components:
          schemas:
            Pet:
              type: object
              required: [id, name, password]
              properties:
                id: { type: integer, readOnly: true }
                name: { type: string, nullable: true }
                age: { type: number, minimum: 0, exclusiveMinimum: true }
                weight: { type: number, maximum: 100, exclusiveMaximum: true }
                password: { type: string, writeOnly: true }
                color: { type: string, enum: [red, blue], nullable: true }
                owner:
                  nullable: true
                  allOf: [ { $ref: '#/components/schemas/Owner' } ]
            Owner:
              type: object
              required: [nick]
              properties: { nick: { type: string } }
            Cat: { type: object, required: [petType, lives], properties: { petType: { type: string }, lives: { type: integer } } }
            Dog: { type: object, required: [petType, barks], properties: { petType: { type: string }, barks: { type: boolean } } }
            Animal:
              oneOf: [ { $ref: '#/components/schemas/Cat' }, { $ref: '#/components/schemas/Dog' } ]
              discriminator: { propertyName: petType, mapping: { kitty: '#/components/schemas/Cat' } }
        """;

    private static JsonObject Translate(string name, Direction direction)
    {
        var document = LoadDocument(Pets30);
        var translator = new SchemaTranslator(direction);
        var root = translator.Register(Schema(document, name));
        return (JsonObject)translator.Bundle(new Uri("https://archgate.invalid/t"))["$defs"]![root]!;
    }

    [Fact]
    public void Nullable_becomes_null_in_type_and_in_enum()
    {
        var pet = Translate("Pet", Direction.Response);

        Assert.Equal("""["string","null"]""", pet["properties"]!["name"]!["type"]!.ToJsonString());
        Assert.Equal("""["red","blue",null]""", pet["properties"]!["color"]!["enum"]!.ToJsonString());
    }

    [Fact]
    public void Nullable_without_a_type_of_its_own_becomes_anyOf_null()
    {
        var owner = Translate("Pet", Direction.Response)["properties"]!["owner"]!;

        Assert.Equal("""{"anyOf":[{"type":"null"},{"allOf":[{"$ref":"#/$defs/Owner"}]}]}""", owner.ToJsonString());
    }

    [Fact]
    public void Boolean_exclusive_bounds_become_numeric()
    {
        var pet = Translate("Pet", Direction.Response);

        Assert.Equal("""{"type":"number","exclusiveMinimum":0}""", pet["properties"]!["age"]!.ToJsonString());
        Assert.Equal("""{"type":"number","exclusiveMaximum":100}""", pet["properties"]!["weight"]!.ToJsonString());
    }

    [Fact]
    public void In_responses_writeOnly_properties_are_forbidden_and_not_required()
    {
        var pet = Translate("Pet", Direction.Response);

        Assert.Equal("false", pet["properties"]!["password"]!.ToJsonString());
        Assert.Equal("""["id","name"]""", pet["required"]!.ToJsonString());
    }

    [Fact]
    public void In_requests_readOnly_properties_are_forbidden_and_not_required()
    {
        var pet = Translate("Pet", Direction.Request);

        Assert.Equal("false", pet["properties"]!["id"]!.ToJsonString());
        Assert.Equal("""["name","password"]""", pet["required"]!.ToJsonString());
    }

    [Fact]
    public void A_discriminator_selects_the_branch_by_mapping_then_by_schema_name()
    {
        var animal = Translate("Animal", Direction.Response);

        Assert.Null(animal["oneOf"]);
        Assert.Equal("""["petType"]""", animal["required"]!.ToJsonString());
        var allOf = animal["allOf"]!.AsArray();
        Assert.Equal("""{"properties":{"petType":{"enum":["kitty","Dog"]}}}""", allOf[0]!.ToJsonString());
        Assert.Equal("""{"if":{"properties":{"petType":{"const":"kitty"}}},"then":{"$ref":"#/$defs/Cat"}}""", allOf[1]!.ToJsonString());
        Assert.Equal("""{"if":{"properties":{"petType":{"const":"Dog"}}},"then":{"$ref":"#/$defs/Dog"}}""", allOf[2]!.ToJsonString());
    }

    [Fact]
    public void The_translated_schemas_validate_as_the_30_document_means()
    {
        var document = LoadDocument(Pets30);
        var pet = Schema(document, "Pet");
        var animal = Schema(document, "Animal");
        var validator = new BodyValidator([pet, animal], Direction.Response);

        Assert.True(validator.IsValid(pet, Parse("""{"id":1,"name":null,"age":0.5,"color":null,"owner":null}""")));
        Assert.True(validator.IsValid(pet, Parse("""{"id":1,"name":"Rex","owner":{"nick":"ann"}}""")));
        Assert.False(validator.IsValid(pet, Parse("""{"id":1,"name":"Rex","age":0}""")));
        Assert.False(validator.IsValid(pet, Parse("""{"id":1,"name":"Rex","weight":100}""")));
        Assert.False(validator.IsValid(pet, Parse("""{"id":1,"name":"Rex","password":"hunter2"}""")));
        Assert.True(validator.IsValid(animal, Parse("""{"petType":"kitty","lives":9}""")));
        Assert.True(validator.IsValid(animal, Parse("""{"petType":"Dog","barks":true}""")));
        Assert.False(validator.IsValid(animal, Parse("""{"petType":"kitty","barks":true}""")));
        Assert.False(validator.IsValid(animal, Parse("""{"petType":"Cat","lives":9}""")));
    }

    [Fact]
    public void A_30_document_written_as_JSON_keeps_its_typeless_nullable()
    {
        const string Json30 = """
            {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {},
             "components": {"schemas": {
               "Owner": {"type": "object", "properties": {"nick": {"type": "string"}}},
               "Pet": {"type": "object", "properties": {"owner": {"nullable": true, "allOf": [{"$ref": "#/components/schemas/Owner"}]}}}}}}
            """;
        var document = LoadDocument(Json30);
        var pet = Schema(document, "Pet");

        var validator = new BodyValidator([pet], Direction.Response);

        Assert.True(validator.IsValid(pet, Parse("""{"owner":null}""")));
        Assert.False(validator.IsValid(pet, Parse("""{"owner":{"nick":5}}""")));
    }
}

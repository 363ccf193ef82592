using System.Text.Json.Nodes;
using Archgate.Checks.Contracts.Conformance;
using static Archgate.Checks.Tests.Contracts.Conformance.ConformanceTestKit;

namespace Archgate.Checks.Tests.Contracts.Conformance;

/// <summary>A body property that names another resource of the contract is found, wherever it is in the body.</summary>
public sealed class BodyReferencesTests
{
    private static readonly string[] Templates =
        ["/holds", "/holds/{id}", "/orders", "/orders/{orderId}", "/events", "/events/{eventId}", "/events/{eventId}/seats", "/events/{eventId}/seats/{seatId}", "/categories/{id}", "/order-items/{id}", "/boxes/{id}"];

    private const string Contract = """
        openapi: 3.1.0
        info: { title: t, version: "1" }
        paths: {}
        components:
          schemas:
            Order:
              type: object
              properties:
                holdId: { type: integer }
                orderNumber: { type: string }
                paidAt: { type: string, format: date-time }
                paid: { type: boolean }
                id: { type: integer, readOnly: true }
                buyer: { type: object, properties: { category_id: { type: string } } }
                lines: { type: array, items: { type: object, properties: { seatId: { type: string } } } }
            Payment:
              oneOf:
                - { type: object, properties: { kind: { const: card }, cardNumber: { type: string } } }
                - { type: object, properties: { kind: { const: voucher }, orderID: { type: integer } } }
            Flags:
              type: object
              properties: { holdId: { type: boolean } }
        """;

    [Theory]
    [InlineData("holdId", "/holds/{id}")]
    [InlineData("hold_id", "/holds/{id}")]
    [InlineData("holdID", "/holds/{id}")]
    [InlineData("HoldId", "/holds/{id}")]
    [InlineData("orderId", "/orders/{orderId}")]
    [InlineData("seat_id", "/events/{eventId}/seats/{seatId}")]
    [InlineData("seatId", "/events/{eventId}/seats/{seatId}")]
    [InlineData("categoryId", "/categories/{id}")]
    [InlineData("orderItemId", "/order-items/{id}")]
    [InlineData("boxId", "/boxes/{id}")]
    [InlineData("holdsId", "/holds/{id}")]
    public void A_name_of_a_collection_with_Id_names_its_item(string property, string item) =>
        Assert.Equal(item, BodyReferences.Target(property, Templates));

    [Theory]
    [InlineData("orderNumber")]
    [InlineData("paidAt")]
    [InlineData("paid")]
    [InlineData("id")]
    [InlineData("userId")] // no /users in the contract
    [InlineData("valid")]
    public void A_property_that_names_no_resource_of_the_contract_is_left_alone(string property) =>
        Assert.Null(BodyReferences.Target(property, Templates));

    [Fact]
    public void References_are_found_at_any_depth_and_non_references_and_read_only_ids_are_not()
    {
        var schema = Schema(LoadDocument(Contract), "Order");
        var body = JsonNode.Parse("""{"holdId":1,"orderNumber":"A-1","paidAt":"2026-01-01T00:00:00Z","paid":true,"id":3,"buyer":{"category_id":"7"},"lines":[{"seatId":"s1"},{"seatId":"s2"}]}""");

        var found = BodyReferences.Find(body, schema, Templates);

        Assert.Equal(["$.holdId", "$.buyer.category_id", "$.lines[0].seatId", "$.lines[1].seatId"], found.Select(r => r.Pointer));
        Assert.Equal(["hold", "category", "seat", "seat"], found.Select(r => r.Noun));
        Assert.Equal("seatId", found[2].Parameter);
    }

    [Fact]
    public void The_oneOf_branch_the_body_follows_is_searched()
    {
        var schema = Schema(LoadDocument(Contract), "Payment");

        var found = BodyReferences.Find(JsonNode.Parse("""{"kind":"voucher","orderID":5}"""), schema, Templates);

        var reference = Assert.Single(found);
        Assert.Equal(("/orders/{orderId}", true), (reference.Item, reference.Numeric));
    }

    [Fact]
    public void A_bare_resource_name_holding_an_integer_names_its_item_and_one_holding_a_string_does_not()
    {
        // ex16: Django REST framework writes a foreign key as "kit": 3; "category": "books" is a value.
        var found = BodyReferences.Find(JsonNode.Parse("""{"hold":3,"category":"books","box":"2","order":{"seat":5},"paid":1}"""), null, Templates);

        Assert.Equal(["$.hold", "$.order.seat"], found.Select(r => r.Pointer));
        Assert.Equal(["/holds/{id}", "/events/{eventId}/seats/{seatId}"], found.Select(r => r.Item));
        Assert.All(found, r => Assert.True(r.Numeric));
    }

    [Fact]
    public void A_property_whose_schema_takes_neither_an_integer_nor_a_string_is_no_reference() =>
        Assert.Empty(BodyReferences.Find(JsonNode.Parse("""{"holdId":1}"""), Schema(LoadDocument(Contract), "Flags"), Templates));

    [Fact]
    public void A_reference_to_the_resource_being_created_is_left_out() =>
        Assert.Empty(BodyReferences.Find(JsonNode.Parse("""{"holdId":1}"""), null, Templates, self: "/holds"));

    [Fact]
    public void Fill_keeps_a_number_a_number_and_a_string_a_string()
    {
        var body = JsonNode.Parse("""{"holdId":1,"lines":[{"seatId":"s1"}]}""");
        var found = BodyReferences.Find(body, null, Templates);

        var filled = BodyReferences.Fill(BodyReferences.Fill(body, found[0], "12"), found[1], "42");

        Assert.Equal("""{"holdId":12,"lines":[{"seatId":"42"}]}""", filled!.ToJsonString());
        Assert.Equal("""{"holdId":1,"lines":[{"seatId":"s1"}]}""", body!.ToJsonString()); // the example is not changed
    }

    [Fact]
    public void Creates_go_after_the_creates_they_name_and_deletes_before()
    {
        var document = LoadDocument("""
            openapi: 3.1.0
            info: { title: t, version: "1" }
            paths:
              /aorders:
                post:
                  requestBody: { content: { application/json: { schema: { type: object }, example: { holdId: 1 } } } }
                  responses: { '201': { description: ok } }
              /aorders/{id}:
                delete: { responses: { '204': { description: ok } } }
              /holds:
                post:
                  requestBody: { content: { application/json: { schema: { type: object }, example: { seatId: 5 } } } }
                  responses: { '201': { description: ok } }
              /holds/{id}:
                delete: { responses: { '204': { description: ok } } }
              /seats:
                post:
                  requestBody: { content: { application/json: { schema: { type: object }, example: { row: 1 } } } }
                  responses: { '201': { description: ok } }
              /seats/{id}:
                delete: { responses: { '204': { description: ok } } }
            """);
        var operations = OperationInfo.All(document);
        Assert.Equal("POST /aorders", operations.First(o => o.Method == "POST").Name); // by name alone, the order would go first

        var ordered = BodyReferences.InCreateOrder(operations, [.. document.Paths!.Keys], BodyReferences.Example);

        Assert.Equal(["POST /seats", "POST /holds", "POST /aorders"], ordered.Where(o => o.Method == "POST").Select(o => o.Name));
        Assert.Equal(["DELETE /aorders/{id}", "DELETE /holds/{id}", "DELETE /seats/{id}"], ordered.Where(o => o.Method == "DELETE").Select(o => o.Name));
    }
}

using Archgate.Checks.Contracts.Transitions;
using static Archgate.Checks.Tests.Contracts.Conformance.ConformanceTestKit;

namespace Archgate.Checks.Tests.Contracts.Transitions;

public sealed class ActionResourceTests
{
    [Fact]
    public void Verbs_and_status_values_are_actions_and_a_part_of_the_item_the_contract_reads_is_not()
    {
        var document = LoadDocument("""
            openapi: 3.1.0
            info: { title: orders, version: 1.0.0 }
            paths:
              /orders:
                post:
                  requestBody: { content: { application/json: { schema: { type: object }, example: { item: 1 } } } }
                  responses: { '201': { description: created } }
              /orders/{id}:
                parameters: [ { name: id, in: path, required: true, schema: { type: integer } } ]
                get: { responses: { '200': { description: the order } } }
              /orders/{id}/cancel:
                parameters: [ { name: id, in: path, required: true, schema: { type: integer } } ]
                put: { responses: { '200': { description: cancelled }, '409': { description: shipped } } }
              /orders/{id}/ship:
                parameters: [ { name: id, in: path, required: true, schema: { type: integer } } ]
                post: { responses: { '200': { description: shipped } } }
                put: { responses: { '200': { description: shipped too } } }
              /orders/{id}/address:
                parameters: [ { name: id, in: path, required: true, schema: { type: integer } } ]
                get: { responses: { '200': { description: the address } } }
                put:
                  requestBody: { content: { application/json: { schema: { type: object, required: [street], properties: { street: { type: string } } } } } }
                  responses: { '200': { description: changed } }
              /orders/{id}/status:
                parameters: [ { name: id, in: path, required: true, schema: { type: integer } } ]
                get: { responses: { '200': { description: the status } } }
                patch:
                  requestBody: { content: { application/json: { schema: { type: object, required: [status], properties: { status: { type: string, enum: [paid, refunded] } } } } } }
                  responses: { '200': { description: changed }, '409': { description: illegal } }
            """);

        var resource = Assert.Single(ActionResource.Find(document));

        // Two methods on one verb are two actions, each named with its method: neither hides the other.
        Assert.Equal(["POST ship", "PUT ship", "cancel", "status=paid", "status=refunded"], resource.Actions.Select(a => a.Name).Order(StringComparer.Ordinal));
        Assert.Equal(["/orders/7/ship", "/orders/7/ship"], resource.Actions.Where(a => a.Name.EndsWith("ship", StringComparison.Ordinal)).Select(a => a.PathFor("/orders/7")));
    }

    [Theory]
    [InlineData("", "PUT cancel")] // a verb before a status value
    [InlineData("delete", null)] // a DELETE undoes it: no release
    [InlineData("no-cancel", "PATCH status=voided")] // a status value that undoes it
    public void The_release_of_an_item_without_a_DELETE_is_its_cancel_else_a_status_that_undoes_it(string variant, string? release)
    {
        var document = LoadDocument($$"""
            openapi: 3.1.0
            info: { title: bookings, version: 1.0.0 }
            paths:
              /bookings:
                post:
                  requestBody: { content: { application/json: { schema: { type: object }, example: { room: 1 } } } }
                  responses: { '201': { description: created } }
              /bookings/{id}:
                parameters: [ { name: id, in: path, required: true, schema: { type: integer } } ]
                get: { responses: { '200': { description: the booking } } }
            {{(variant == "delete" ? "    delete: { responses: { '204': { description: gone } } }" : string.Empty)}}
              /bookings/{id}/confirm:
                parameters: [ { name: id, in: path, required: true, schema: { type: integer } } ]
                post: { responses: { '200': { description: confirmed } } }
            {{(variant == "no-cancel" ? string.Empty : """
              /bookings/{id}/cancel:
                parameters: [ { name: id, in: path, required: true, schema: { type: integer } } ]
                put: { responses: { '200': { description: cancelled } } }
            """)}}
              /bookings/{id}/status:
                parameters: [ { name: id, in: path, required: true, schema: { type: integer } } ]
                patch:
                  requestBody: { content: { application/json: { schema: { type: object, required: [status], properties: { status: { type: string, enum: [held, voided] } } } } } }
                  responses: { '200': { description: changed } }
            """);

        var resource = Assert.Single(Archgate.Checks.Frontend.ContractResource.Find(document));

        Assert.Equal(release, resource.Release is null ? null : resource.Undo);
        if (resource.Release is { Sets: { } sets })
        {
            Assert.Equal("""{"status":"voided"}""", resource.Release.Apply(resource.Release.FreshBody()?.ToJsonString()));
            Assert.Equal("status", sets.Property);
        }
    }
}

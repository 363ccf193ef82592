using System.Text.Json.Nodes;
using Archgate.Checks.Contracts.Conformance;
using static Archgate.Checks.Tests.Contracts.Conformance.ConformanceTestKit;

namespace Archgate.Checks.Tests.Contracts.Conformance;

/// <summary>Requests come from the document's examples first, then from the schema's boundaries, then invalid inputs.</summary>
public sealed class RequestPlannerTests
{
    private const string Search = """
        openapi: 3.0.3
        info: { title: search, version: "1" }
        paths:
          /search:
            get:
              parameters:
                - { name: q, in: query, required: true, schema: { type: string, minLength: 2, maxLength: 30 }, example: mug }
                - { name: limit, in: query, schema: { type: integer, minimum: 1, maximum: 100, default: 20 } }
                - { name: sort, in: query, schema: { type: string, enum: [name, price] } }
                - { name: X-Trace, in: header, schema: { type: string, format: uuid } }
              responses: { '200': { description: ok } }
          /users:
            post:
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      type: object
                      required: [email, born]
                      properties:
                        id: { type: string, format: uuid, readOnly: true }
                        email: { type: string, format: email }
                        born: { type: string, format: date-time }
                        tags: { type: array, items: { type: string }, maxItems: 3 }
                        age: { type: integer, minimum: 0, exclusiveMinimum: true, maximum: 150 }
              responses: { '201': { description: created } }
        """;

    private static IReadOnlyList<ProbeRequest> Plan(string template, string method = "GET", int max = 8)
    {
        var document = LoadDocument(Search);
        var operation = OperationInfo.All(document).Single(o => o.Template == template && o.Method == method);
        var plan = RequestPlanner.Plan(operation, new ResourceBook([], new Dictionary<string, IReadOnlyDictionary<string, string>>()), max);
        Assert.Null(plan.SkipReason);
        return plan.Requests;
    }

    private static string? Query(ProbeRequest request, string name) => request.Query.FirstOrDefault(q => q.Key == name).Value;

    [Fact]
    public void The_first_request_uses_the_examples_and_defaults_of_the_document()
    {
        var first = Plan("/search")[0];

        Assert.Equal("document examples", first.Purpose);
        Assert.Equal("mug", Query(first, "q"));
        Assert.Equal("20", Query(first, "limit"));
        Assert.Equal("name", Query(first, "sort")); // the first enum value counts as an example
        Assert.DoesNotContain(first.Headers, h => h.Key == "X-Trace"); // optional, no example: left out
    }

    [Fact]
    public void Boundary_requests_take_lengths_bounds_enums_and_formats_from_the_schema()
    {
        var requests = Plan("/search");
        var min = requests.Single(r => r.Purpose == "schema minimum values");
        var max = requests.Single(r => r.Purpose == "schema maximum values");

        Assert.Equal(2, Query(min, "q")!.Length);
        Assert.Null(Query(min, "limit"));
        Assert.Equal(30, Query(max, "q")!.Length);
        Assert.Equal("100", Query(max, "limit"));
        Assert.Equal("price", Query(max, "sort"));
        Assert.Equal("3fa85f64-5717-4562-b3fc-2c963f66afa6", max.Headers.Single(h => h.Key == "X-Trace").Value);
    }

    [Fact]
    public void Bodies_are_built_from_the_schema_with_formats_and_without_readOnly_properties()
    {
        var requests = Plan("/users", "POST");
        var example = JsonNode.Parse(requests[0].Body!)!.AsObject();
        var max = JsonNode.Parse(requests.Single(r => r.Purpose == "schema maximum values").Body!)!.AsObject();

        Assert.Equal("application/json", requests[0].ContentType);
        Assert.Equal("archgate@example.test", example["email"]!.GetValue<string>());
        Assert.Equal("2026-01-05T10:00:00Z", example["born"]!.GetValue<string>());
        Assert.False(example.ContainsKey("id"));
        Assert.False(max.ContainsKey("id"));
        Assert.Equal(3, max["tags"]!.AsArray().Count);
        Assert.Equal(150, max["age"]!.GetValue<long>());
        // The minimum body (required properties only) equals the example one here, so it is not sent twice.
        Assert.Equal(["email", "born"], example.Select(p => p.Key));
        Assert.DoesNotContain(requests, r => r.Purpose == "schema minimum values");
    }

    [Fact]
    public void Invalid_requests_break_every_input_once_missing_wrong_type_and_each_boundary()
    {
        var invalid = Plan("/users", "POST", 40).Where(r => r.Kind == ProbeKind.Invalid).ToList();

        Assert.Equal(
            [
                "invalid: required body property 'email' left out",
                "invalid: required body property 'born' left out",
                "invalid: body property 'email' is a number where a string is expected",
                "invalid: body property 'born' is a number where a string is expected",
                "invalid: body property 'tags' is a string where an array is expected",
                "invalid: body property 'age' is a string where a number is expected",
                "invalid: body property 'tags' is 4 items, more than maxItems 3",
                "invalid: body property 'age' is 151, above the maximum 150",
                "invalid: body property 'age' is 0, below the minimum 0 (exclusive)",
            ],
            invalid.Select(r => r.Purpose));
        Assert.False(JsonNode.Parse(invalid[0].Body!)!.AsObject().ContainsKey("email"));
        Assert.Equal(12345, JsonNode.Parse(invalid[2].Body!)!["email"]!.GetValue<int>());
        Assert.Equal(0, JsonNode.Parse(invalid[8].Body!)!["age"]!.GetValue<decimal>());
    }

    [Fact]
    public void Invalid_inputs_beyond_the_operations_budget_are_listed_as_not_probed()
    {
        var document = LoadDocument(Search);
        var operation = OperationInfo.All(document).Single(o => o.Template == "/users");

        var plan = RequestPlanner.Plan(operation, new ResourceBook([], new Dictionary<string, IReadOnlyDictionary<string, string>>()), 8);

        Assert.Equal(8, plan.Requests.Count);
        Assert.Equal(["body property 'tags' is 4 items, more than maxItems 3", "body property 'age' is 151, above the maximum 150", "body property 'age' is 0, below the minimum 0 (exclusive)"], plan.NotProbed);
    }

    [Fact]
    public void Invalid_query_parameters_are_out_of_range_or_of_the_wrong_type()
    {
        var invalid = Plan("/search").Where(r => r.Kind == ProbeKind.Invalid).ToList();

        Assert.Contains(invalid, r => Query(r, "q") is null && r.Purpose == "invalid: required query parameter 'q' left out");
        Assert.Contains(invalid, r => Query(r, "limit") == "not-a-number");
        Assert.Contains(invalid, r => Query(r, "q") == new string('a', 31));
    }

    [Fact]
    public void Requests_per_operation_are_capped()
    {
        var document = LoadDocument(Search);
        var operation = OperationInfo.All(document).Single(o => o.Template == "/users");

        var plan = RequestPlanner.Plan(operation, new ResourceBook([], new Dictionary<string, IReadOnlyDictionary<string, string>>()), 3);

        Assert.Equal(3, plan.Requests.Count);
    }

    [Fact]
    public void Creators_come_first_and_deletes_last_deepest_first()
    {
        var document = LoadDocument("""
            openapi: 3.1.0
            info: { title: t, version: "1" }
            paths:
              /a: { get: { responses: { '200': { description: ok } } }, delete: { responses: { '204': { description: ok } } } }
              /a/{id}: { get: { responses: { '200': { description: ok } } }, delete: { responses: { '204': { description: ok } } }, patch: { responses: { '200': { description: ok } } } }
              /b: { post: { responses: { '201': { description: ok } } } }
            """);

        Assert.Equal(["POST /b", "GET /a", "GET /a/{id}", "PATCH /a/{id}", "DELETE /a/{id}", "DELETE /a"], OperationInfo.All(document).Select(o => o.Name));
    }

    [Fact]
    public void Form_bodies_cookies_and_path_parameters_are_filled_from_the_document()
    {
        var document = LoadDocument("""
            openapi: 3.1.0
            info: { title: t, version: "1" }
            paths:
              /accounts/{account}/notes:
                post:
                  parameters:
                    - { name: account, in: path, required: true, schema: { type: string, format: uuid } }
                    - { name: session, in: cookie, required: true, schema: { type: string }, example: abc }
                  requestBody:
                    required: true
                    content:
                      application/x-www-form-urlencoded:
                        schema: { type: object, required: [text, pin], properties: { text: { type: string, example: hello world }, pin: { type: integer, minimum: 1000 } } }
                  responses: { '201': { description: created } }
            """);
        var operation = OperationInfo.All(document).Single();

        var first = RequestPlanner.Plan(operation, new ResourceBook([], new Dictionary<string, IReadOnlyDictionary<string, string>>()), 8).Requests[0];

        Assert.Equal("/accounts/3fa85f64-5717-4562-b3fc-2c963f66afa6/notes", first.Path);
        Assert.Equal("abc", first.Cookies.Single(c => c.Key == "session").Value);
        Assert.Equal("application/x-www-form-urlencoded", first.ContentType);
        Assert.Equal("text=hello%20world&pin=1000", first.Body);
    }
}

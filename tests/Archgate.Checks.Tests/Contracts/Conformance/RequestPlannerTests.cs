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

    private const string AspNetClaims = """
        openapi: 3.1.1
        info: { title: claims, version: "1" }
        paths:
          /claims:
            post:
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      type: object
                      required: [description, amountCents]
                      properties:
                        description: { type: string }
                        amountCents: { type: [integer, string], pattern: '^-?(?:0|[1-9]\d*)$', format: int64 }
                        note: { type: [string, 'null'] }
                        kind: { anyOf: [ { type: integer }, { type: boolean } ] }
                        extra: { description: any JSON value }
              responses: { '201': { description: created } }
          /claims/{id}:
            put:
              parameters: [ { name: id, in: path, required: true, schema: { type: integer }, example: 1 } ]
              requestBody: { content: { application/json: { schema: { type: object, properties: { description: { type: string } } } } } }
              responses: { '200': { description: ok } }
          /claims/{id}/submit:
            post:
              parameters: [ { name: id, in: path, required: true, schema: { type: integer }, example: 1 } ]
              responses: { '200': { description: submitted } }
          /claims/{id}/items:
            post:
              parameters: [ { name: id, in: path, required: true, schema: { type: integer }, example: 1 } ]
              requestBody: { required: true, content: { application/json: { schema: { type: object, properties: { amountCents: { type: integer } } } } } }
              responses: { '201': { description: created } }
          /claims/{id}/items/{itemId}:
            delete:
              parameters: [ { name: id, in: path, required: true, schema: { type: integer } }, { name: itemId, in: path, required: true, schema: { type: integer } } ]
              responses: { '204': { description: deleted } }
        """;

    [Fact]
    public void A_wrong_type_is_one_no_listed_type_allows_and_the_schema_rejects()
    {
        // ASP.NET Core 10 writes every int as type [integer, string] with a numeric pattern: 12345 is a valid amount there (ex12).
        var document = LoadDocument(AspNetClaims);
        var operation = OperationInfo.All(document).Single(o => o.Name == "POST /claims");
        var schema = operation.Operation.RequestBody!.Content!["application/json"].Schema!;
        var validator = new BodyValidator([schema], Direction.Request);

        var plan = RequestPlanner.Plan(operation, new ResourceBook([], new Dictionary<string, IReadOnlyDictionary<string, string>>()), 40);

        var wrong = plan.Requests.Where(r => r.Purpose.Contains(" is expected", StringComparison.Ordinal)).ToDictionary(r => r.Purpose, r => JsonNode.Parse(r.Body!)!);
        Assert.Equal(
            [
                "invalid: body property 'description' is a number where a string is expected",
                "invalid: body property 'amountCents' is a boolean where a number or a string is expected",
                "invalid: body property 'note' is a number where a string is expected",
                "invalid: body property 'kind' is a string where a number or a boolean is expected",
            ],
            wrong.Keys);
        Assert.True(wrong["invalid: body property 'amountCents' is a boolean where a number or a string is expected"]["amountCents"]!.GetValue<bool>());
        Assert.Equal(["body property 'extra'"], plan.NoWrongType); // no type is left out: nothing of a wrong type exists, and coverage says so
        Assert.All(plan.Requests.Where(r => r.Kind == ProbeKind.Invalid), r => Assert.False(validator.IsValid(schema, System.Text.Json.JsonSerializer.SerializeToElement(JsonNode.Parse(r.Body!))), r.Purpose));
    }

    [Fact]
    public void Writes_on_an_existing_object_go_only_to_objects_the_run_created_or_a_fixture_names()
    {
        var document = LoadDocument(AspNetClaims);
        var operations = OperationInfo.All(document);
        var templates = document.Paths!.Keys.ToList();
        var none = new Dictionary<string, IReadOnlyDictionary<string, string>>();

        // An action (POST /claims/{id}/submit) and a PUT never go to the example's claim 1 (ex12: step 2 submitted the seed's claim).
        var submit = RequestPlanner.Plan(operations.Single(o => o.Name == "POST /claims/{id}/submit"), new ResourceBook(templates, none), 8);
        Assert.Empty(submit.Requests);
        Assert.Equal("POST /claims/{id}/submit acts on an existing object ({id}), and the run changes no data it did not make: it needs one created earlier in the run (by a POST) or a fixture id in the manifest (openapi.fixtures)", submit.SkipReason);
        Assert.Empty(RequestPlanner.Plan(operations.Single(o => o.Name == "PUT /claims/{id}"), new ResourceBook(templates, none), 8).Requests);

        // The claim the run created is the one its actions and children go to.
        var book = new ResourceBook(templates, none);
        book.Record(new ProbeRequest { Method = "POST", Template = "/claims", Path = "/claims", Purpose = "document examples" }, 201,
            new Dictionary<string, string> { ["Location"] = "/claims/42" }, "{\"id\":42}");
        Assert.All(RequestPlanner.Plan(operations.Single(o => o.Name == "POST /claims/{id}/submit"), book, 8).Requests.Where(r => r.Kind == ProbeKind.Valid), r => Assert.Equal("/claims/42/submit", r.Path));
        Assert.All(RequestPlanner.Plan(operations.Single(o => o.Name == "POST /claims/{id}/items"), book, 8).Requests.Where(r => r.Kind == ProbeKind.Valid), r => Assert.Equal("/claims/42/items", r.Path));
        Assert.Equal("/claims/42", RequestPlanner.Plan(operations.Single(o => o.Name == "PUT /claims/{id}"), book, 8).Requests[0].Path);

        // A fixture the manifest names for that purpose is used as well.
        var fixtures = new Dictionary<string, IReadOnlyDictionary<string, string>> { ["/claims/{id}/submit"] = new Dictionary<string, string> { ["id"] = "7" } };
        var named = RequestPlanner.Plan(operations.Single(o => o.Name == "POST /claims/{id}/submit"), new ResourceBook(templates, fixtures), 8);
        Assert.Null(named.SkipReason);
        Assert.Equal("/claims/7/submit", named.Requests[0].Path);
    }
}


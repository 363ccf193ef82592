using Archgate.Checks.Contracts.Conformance;
using Archgate.Checks.Contracts.Transitions;
using Archgate.Checks.Frontend;
using Archgate.Checks.Tests.Contracts.Conformance;

namespace Archgate.Checks.Tests.Frontend;

/// <summary>
/// A contract in Django REST framework's shape (<c>DefaultRouter</c> ends every path with a slash): its collection, item
/// and actions are one resource, and the paths built for it keep the slash (ex16, whose checks all skipped or missed BOLA).
/// </summary>
public sealed class ContractResourceSlashTests
{
    private const string Drf = """
        openapi: 3.0.3
        info: { title: pantry, version: 1.0.0 }
        paths:
          /api/orders/:
            get:
              responses: { '200': { description: the orders } }
            post:
              parameters:
                - { name: Idempotency-Key, in: header, schema: { type: string } }
              requestBody: { required: true, content: { application/json: { schema: { type: object, properties: { kit: { type: integer } } }, example: { kit: 3 } } } }
              responses: { '201': { description: created }, '409': { description: sold out } }
          /api/orders/{id}/:
            parameters: [ { name: id, in: path, required: true, schema: { type: integer } } ]
            get:
              responses: { '200': { description: the order } }
          /api/orders/{id}/cancel/:
            parameters: [ { name: id, in: path, required: true, schema: { type: integer } } ]
            post:
              responses: { '200': { description: cancelled }, '409': { description: not now } }
          /api/orders/{id}/pack/:
            parameters: [ { name: id, in: path, required: true, schema: { type: integer } } ]
            post:
              responses: { '200': { description: packed }, '409': { description: not now } }
          /api/kits/:
            post:
              requestBody: { required: true, content: { application/json: { schema: { type: object } } } }
              responses: { '201': { description: created } }
        """;

    /// <summary><see cref="Drf"/>'s orders, whose create names a kit (<c>kitId</c>), and the kits, a resource of their own.</summary>
    private const string DrfKits = """
        openapi: 3.0.3
        info: { title: pantry, version: 1.0.0 }
        paths:
          /api/orders/:
            post:
              requestBody: { required: true, content: { application/json: { schema: { type: object, properties: { kitId: { type: integer } } }, example: { kitId: 1 } } } }
              responses: { '201': { description: created } }
          /api/orders/{id}/:
            parameters: [ { name: id, in: path, required: true, schema: { type: integer } } ]
            get:
              responses: { '200': { description: the order } }
          /api/kits/:
            post:
              requestBody: { required: true, content: { application/json: { schema: { type: object, properties: { name: { type: string } } }, example: { name: box } } } }
              responses: { '201': { description: created } }
          /api/kits/{id}/:
            parameters: [ { name: id, in: path, required: true, schema: { type: integer } } ]
            get:
              responses: { '200': { description: the kit } }
        """;

    [Fact]
    public async Task A_referenced_object_made_first_fills_the_create_with_its_id_not_the_empty_text_after_its_slash()
    {
        var document = ConformanceTestKit.LoadDocument(DrfKits);
        var resources = ContractResource.Find(document);
        var sent = new List<(string Method, string Path)>();
        Task<ApiAnswer> Send(string method, string path, System.Text.Json.Nodes.JsonNode? body, IReadOnlyList<KeyValuePair<string, string>> headers, OperationInfo? operation)
        {
            sent.Add((method, path));
            return Task.FromResult(new ApiAnswer(method, new Uri("http://127.0.0.1:1" + path), 201,
                new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["Location"] = "/api/kits/7/" }, """{"id":7}""", TimeSpan.Zero, null));
        }

        var references = new ReferencedObjects(resources, [.. document.Paths.Keys], new Dictionary<string, IReadOnlyDictionary<string, string>>(), Send);
        var orders = resources.Single(r => r.Collection == "/api/orders/");
        var body = await references.FillAsync(ContractResource.ExampleBody(orders.Create), orders);

        Assert.Equal("""{"kitId":7}""", body!.ToJsonString());
        Assert.Equal([("POST", "/api/kits/")], sent);
    }

    [Fact]
    public void A_creates_own_collection_with_a_slash_is_no_reference_of_its_body()
    {
        string[] templates = ["/api/orders/", "/api/orders/{id}/"];
        var body = System.Text.Json.Nodes.JsonNode.Parse("""{"orderId":1}""");

        Assert.Equal("/api/orders", Assert.Single(BodyReferences.Find(body, null, templates)).Collection);
        Assert.Empty(BodyReferences.Find(body, null, templates, "/api/orders/"));
    }

    private static ApiAnswer Created(string body, string? location = null) =>
        new("POST", new Uri("http://127.0.0.1:1/api/orders/"), 201,
            location is null ? new Dictionary<string, string>() : new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["Location"] = location },
            body, TimeSpan.Zero, null);

    [Fact]
    public void The_collection_and_item_with_trailing_slashes_are_one_resource_with_its_create_headers_and_actions()
    {
        var document = ConformanceTestKit.LoadDocument(Drf);

        var resource = Assert.Single(ContractResource.Find(document));
        Assert.Equal(("/api/orders/", "/api/orders/{id}/"), (resource.Collection, resource.Item));
        Assert.True(resource.CreateTakesIdempotencyKey);
        Assert.True(resource.CreateRefusesDuplicates);
        Assert.Equal("POST cancel", resource.Undo);
        var actions = Assert.Single(ActionResource.Find(document)).Actions;
        Assert.Equal(["cancel", "pack"], actions.Select(a => a.Name));
        Assert.Equal("/api/orders/62/cancel/", actions[0].PathFor("/api/orders/62/"));
    }

    [Fact]
    public void The_item_path_of_a_create_keeps_the_trailing_slash_from_the_location_or_from_the_id()
    {
        var resource = ContractResource.Find(ConformanceTestKit.LoadDocument(Drf))[0];

        Assert.Equal("/api/orders/62/", resource.ItemPath(Created("{}", "http://127.0.0.1:1/api/orders/62/")));
        Assert.Equal("/api/orders/62/", resource.ItemPath(Created("""{"id":62}""")));
    }

    [Fact]
    public void A_create_set_aside_is_named_with_why_rather_than_the_contract_said_to_have_none()
    {
        var aside = ContractResource.SetAside(ConformanceTestKit.LoadDocument(Drf));

        Assert.Equal("POST /api/kits/ (no GET on an item path /api/kits/{…}/)", aside);
    }

    [Fact]
    public void The_book_learns_the_created_id_from_a_location_with_a_slash_and_fills_the_items_actions_with_it()
    {
        string[] templates = ["/api/orders/", "/api/orders/{id}/", "/api/orders/{id}/cancel/"];
        var book = new ResourceBook(templates, new Dictionary<string, IReadOnlyDictionary<string, string>>());

        book.Record(new ProbeRequest { Method = "POST", Template = "/api/orders/", Path = "/api/orders/", Purpose = "a create" }, 201,
            new Dictionary<string, string> { ["Location"] = "/api/orders/62/" }, "{}");

        Assert.Equal("62", book.Created("/api/orders/{id}/", "id"));
        Assert.Equal("62", book.Created("/api/orders/{id}/cancel/", "id"));
        Assert.Equal("62", book.Created("/api/orders/{id}", "id")); // a body reference names the item without its slash
        Assert.True(book.ActsOnObject("/api/orders/{id}/cancel/", "id"));
        Assert.Equal([("/api/orders/{id}/", "/api/orders/62/")], book.Leftovers);
        Assert.True(book.IsCreated("/api/orders/62/"));
    }
}

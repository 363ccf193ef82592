using Archgate.Checks.Contracts;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Contracts;

public sealed class BreakingChangesCheckTests
{
    private const string Old = """
        openapi: 3.0.3
        info: { title: orders, version: "1" }
        paths:
          /orders/{id}:
            get:
              parameters: [ { name: id, in: path, required: true, schema: { type: integer } } ]
              responses:
                "200":
                  description: ok
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [id, total]
                        properties: { id: { type: integer }, total: { type: number }, status: { type: string } }
        """;

    private static string Pact(string body) => $$"""
        { "consumer": { "name": "web" }, "provider": { "name": "api" },
          "interactions": [
            { "description": "reads an order", "request": { "method": "GET", "path": "/orders/42" },
              "response": { "status": 200, "body": {{body}} } } ],
          "metadata": { "pactSpecification": { "version": "2.0.0" } } }
        """;

    private static async Task<CheckResult> RunAsync(string newDocument, string pactBody)
    {
        var dir = Directory.CreateTempSubdirectory("archgate-breaking-").FullName;
        await File.WriteAllTextAsync(Path.Combine(dir, "old.yaml"), Old);
        await File.WriteAllTextAsync(Path.Combine(dir, "new.yaml"), newDocument);
        await File.WriteAllTextAsync(Path.Combine(dir, "web-api.json"), Pact(pactBody));
        var system = TestSystems.Load("""
            version: 1
            system: { name: s }
            components:
              - { name: api, kind: service, url: "http://127.0.0.1:1", openapi: { path: new.yaml, baseline: old.yaml } }
            contracts: { pacts: [web-api.json] }
            """, dir);
        using var http = new HttpClient();
        return await new BreakingChangesCheck((Archgate.Model.HttpComponent)system.Components[0]).RunAsync(TestSystems.Context(system, http), CancellationToken.None);
    }

    [Fact]
    public async Task A_removed_response_property_fails_and_names_the_consumer_that_uses_it()
    {
        var removed = Old.Replace("required: [id, total]", "required: [id]", StringComparison.Ordinal)
            .Replace("total: { type: number }, ", string.Empty, StringComparison.Ordinal);

        var result = await RunAsync(removed, """{ "id": 42, "total": 9.5 }""");

        Assert.Equal(CheckStatus.Fail, result.Status);
        Assert.Contains(result.Findings, f => f.Severity == Severity.High && f.Location == "GET /orders/{id} response 200 application/json $.total");
        var impact = Assert.Single(result.Findings, f => f.Rule == "AG2090");
        Assert.StartsWith("web uses GET /orders/{id} $.total, broken in the new version", impact.Message, StringComparison.Ordinal);
        Assert.Equal("web: \"reads an order\"", impact.Location);
        Assert.Equal(1, result.Metrics.Single(m => m.Name == "contract_breaking_changes").Value);
    }

    [Fact]
    public async Task A_consumer_that_does_not_read_the_broken_property_is_not_named()
    {
        var retyped = Old.Replace("status: { type: string }", "status: { type: integer }", StringComparison.Ordinal);

        var result = await RunAsync(retyped, """{ "id": 42, "total": 9.5 }""");

        Assert.Equal(CheckStatus.Fail, result.Status);
        Assert.DoesNotContain(result.Findings, f => f.Rule == "AG2090");
    }

    [Fact]
    public async Task An_added_optional_property_is_information_and_passes()
    {
        var added = Old.Replace("status: { type: string }", "status: { type: string }, note: { type: string }", StringComparison.Ordinal);

        var result = await RunAsync(added, """{ "id": 42 }""");

        Assert.Equal(CheckStatus.Pass, result.Status);
        Assert.All(result.Findings, f => Assert.Equal(Severity.Info, f.Severity));
    }

    [Theory]
    [InlineData("$.total", true)]
    [InlineData("$.items[*].price", true)]
    [InlineData("$.items[0].price", true)]
    [InlineData("$.missing", false)]
    [InlineData("$.items[*].sku", false)]
    public void Json_paths_are_looked_up_in_pact_examples(string path, bool expected)
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse("""{ "total": 1, "items": [ { "price": 2 } ] }""");

        Assert.Equal(expected, BreakingChangesCheck.Touches(json, path));
    }
    [Fact]
    public void A_message_interaction_is_never_named_for_an_http_change()
    {
        var dir = Directory.CreateTempSubdirectory("archgate-breaking-").FullName;
        var system = TestSystems.Load("""
            version: 1
            system: { name: s }
            components:
              - { name: api, kind: service, url: "http://127.0.0.1:1" }
            """, dir);
        var pact = Archgate.Checks.Contracts.Pact.PactReader.Read("""
            { "consumer": { "name": "web" }, "provider": { "name": "api" },
              "messages": [ { "description": "order placed", "contents": { "total": 1 } } ],
              "interactions": [ { "description": "posts", "request": { "method": "POST", "path": "/" }, "response": { "status": 200, "body": { "total": 1 } } } ],
              "metadata": { "pactSpecification": { "version": "3.0.0" } } }
            """).Document!;
        var change = new Archgate.Checks.Contracts.Diff.ApiChange("response-property-removed", "AG2851", Archgate.Checks.Contracts.Diff.ChangeLevel.Err,
            "POST /", "response 200 application/json $.total", "removed", null, null);

        var impact = new BreakingChangesCheck((Archgate.Model.HttpComponent)system.Components[0]).ConsumerImpact(change, [pact]).ToList();

        Assert.Equal("web: \"posts\"", Assert.Single(impact).Location);
        Directory.Delete(dir, recursive: true);
    }
}

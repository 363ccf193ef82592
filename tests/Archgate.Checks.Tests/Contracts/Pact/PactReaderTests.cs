using Archgate.Checks.Contracts.Pact;

namespace Archgate.Checks.Tests.Contracts.Pact;

public sealed class PactReaderTests
{
    [Fact]
    public void V2_reads_the_state_string_the_query_string_and_flat_body_and_header_rules()
    {
        var pact = PactTestKit.Parse("""
            {
              "consumer": { "name": "web" }, "provider": { "name": "api" },
              "interactions": [ {
                "description": "list", "providerState": "there are products",
                "request": { "method": "get", "path": "/products", "query": "limit=5&q=a%20b" },
                "response": { "status": 200, "headers": { "Content-Type": "application/json" },
                  "body": { "items": [ { "id": 1 } ] },
                  "matchingRules": { "$.body.items": { "min": 1, "match": "type" }, "$.body.items[*].id": { "match": "integer" },
                                     "$.headers.Content-Type": { "regex": "application/json.*" } } }
              } ],
              "metadata": { "pactSpecification": { "version": "2.0.0" } }
            }
            """);

        Assert.Equal(2, pact.SpecificationVersion);
        var interaction = Assert.Single(pact.Interactions);
        Assert.Equal("there are products", Assert.Single(interaction.States).Name);
        Assert.Equal("GET", interaction.Request.Method);
        Assert.Equal([new("limit", "5"), new("q", "a b")], interaction.Request.Query);
        var items = interaction.Response.Rules.BodyRulesFor(["$", "items"], out var exact);
        Assert.True(exact);
        Assert.Equal(1, Assert.Single(items!.Matchers).Min);
        Assert.Equal(MatcherKind.Integer, interaction.Response.Rules.BodyRulesFor(["$", "items", "0", "id"], out _)!.Matchers[0].Kind);
        Assert.Equal(MatcherKind.Regex, interaction.Response.Rules.Headers["content-type"].Matchers[0].Kind);
    }

    [Fact]
    public void V3_reads_states_with_params_query_maps_and_categories_with_combine()
    {
        var pact = PactTestKit.Parse("""
            {
              "consumer": { "name": "web" }, "provider": { "name": "api" },
              "interactions": [ {
                "description": "one order",
                "providerStates": [ { "name": "an order exists", "params": { "id": 42 } }, { "name": "ann is signed in" } ],
                "request": { "method": "GET", "path": "/orders/42", "query": { "expand": [ "items", "payment" ] } },
                "response": { "status": 200, "body": { "id": 42 },
                  "matchingRules": { "body": { "$.id": { "combine": "OR", "matchers": [ { "match": "integer" }, { "match": "type" } ] } },
                                     "header": { "ETag": { "matchers": [ { "match": "regex", "regex": "\".+\"" } ] } } } }
              } ],
              "metadata": { "pactSpecification": { "version": "3.0.0" } }
            }
            """);

        var interaction = Assert.Single(pact.Interactions);
        Assert.Equal(["an order exists", "ann is signed in"], interaction.States.Select(s => s.Name));
        Assert.Equal(42, interaction.States[0].Params["id"]!.GetValue<int>());
        Assert.Equal([new("expand", "items"), new("expand", "payment")], interaction.Request.Query);
        var id = interaction.Response.Rules.BodyRulesFor(["$", "id"], out _)!;
        Assert.True(id.Or);
        Assert.Equal([MatcherKind.Integer, MatcherKind.Type], id.Matchers.Select(m => m.Kind));
        Assert.True(interaction.Response.Rules.Headers.ContainsKey("etag"));
    }

    [Fact]
    public void V4_reads_http_interactions_with_wrapped_bodies_and_header_lists_and_message_interactions()
    {
        var pact = PactTestKit.Parse("""
            {
              "consumer": { "name": "web" }, "provider": { "name": "api" },
              "interactions": [
                { "type": "Synchronous/HTTP", "description": "create",
                  "request": { "method": "POST", "path": "/things", "headers": { "Accept": [ "application/json", "text/plain" ] },
                    "body": { "content": { "name": "mug" }, "contentType": "application/json", "encoded": false } },
                  "response": { "status": 201, "body": { "content": "eyJpZCI6MX0=", "contentType": "application/json", "encoded": "base64" },
                    "matchingRules": { "body": { "$.id": { "matchers": [ { "match": "integer" } ] } },
                                       "status": { "matchers": [ { "match": "statusCode", "status": "success" } ] } } } },
                { "type": "Asynchronous/Messages", "description": "thing created", "contents": { "content": { "id": 1 } } }
              ],
              "metadata": { "pactSpecification": { "version": "4.0" } }
            }
            """);

        Assert.Equal(4, pact.SpecificationVersion);
        Assert.Equal(2, pact.Interactions.Count);
        var interaction = pact.Interactions[0];
        Assert.Equal("application/json, text/plain", Assert.Single(interaction.Request.Headers).Value);
        Assert.Equal("""{"name":"mug"}""", interaction.Request.Body!.Json!.ToJsonString());
        Assert.Equal("""{"id":1}""", interaction.Response.Body!.Json!.ToJsonString());
        Assert.Equal("success", interaction.Response.Rules.Status!.Matchers[0].Status);
        var message = pact.Interactions[1];
        Assert.Equal(("thing created", "Asynchronous/Messages"), (message.Description, message.Message!.Kind));
        Assert.Equal("""{"id":1}""", message.Response.Body!.Json!.ToJsonString());
        Assert.Empty(pact.Skipped);
    }

    [Fact]
    public void V3_messages_and_v4_synchronous_messages_are_read_with_metadata_rules_and_the_request()
    {
        var v3 = PactTestKit.Parse("""
            { "consumer": { "name": "web" }, "provider": { "name": "api" },
              "messages": [ { "description": "order placed", "providerStates": [ { "name": "an order", "params": { "id": 5 } } ],
                "contents": { "id": 5 }, "metaData": { "contentType": "application/json", "topic": "orders" },
                "matchingRules": { "body": { "$.id": { "matchers": [ { "match": "integer" } ] } } } } ],
              "metadata": { "pactSpecification": { "version": "3.0.0" } } }
            """);
        var v4 = PactTestKit.Parse("""
            { "consumer": { "name": "web" }, "provider": { "name": "api" },
              "interactions": [ { "type": "Synchronous/Messages", "description": "price asked",
                "request": { "contents": { "content": { "sku": "MUG" }, "contentType": "application/json", "encoded": false } },
                "response": [ { "contents": { "content": "12.5", "contentType": "text/plain", "encoded": false }, "metadata": { "unit": "EUR" } } ] } ],
              "metadata": { "pactSpecification": { "version": "4.0" } } }
            """);

        var order = Assert.Single(v3.Interactions);
        Assert.Equal(("message", "an order"), (order.Message!.Kind, Assert.Single(order.States).Name));
        Assert.Equal(["contentType", "topic"], order.Message.Metadata.Select(m => m.Key));
        Assert.Equal(MatcherKind.Integer, order.Response.Rules.BodyRulesFor(["$", "id"], out _)!.Matchers[0].Kind);
        var price = Assert.Single(v4.Interactions);
        Assert.Equal("12.5", price.Response.Body!.Text);
        Assert.Equal("MUG", price.Message!.Request!["contents"]!["content"]!["sku"]!.GetValue<string>());
    }

    [Fact]
    public void A_malformed_pact_reports_every_problem()
    {
        var read = PactReader.Read("""
            { "provider": { "name": "api" },
              "interactions": [ { "request": { "method": "GET", "path": "/" } },
                                { "description": "x", "request": {}, "response": { "status": "ok" } },
                                { "description": "y", "request": {}, "response": { "matchingRules": { "body": { "$.a": { "matchers": [ { "match": "regex" } ] } } } } } ] }
            """);

        Assert.Null(read.Document);
        Assert.Equal(
        [
            "consumer.name: missing; a pact names its consumer",
            "interactions[0].description: missing; every interaction has a description",
            "interactions[0].response: missing",
            "interactions[1].response.status: expected an HTTP status code, found \"ok\"",
            "interactions[2].response.matchingRules.body['$.a'].matchers[0]: a regex matcher needs 'regex'",
        ], read.Errors);
    }

    [Fact]
    public void Not_json_is_one_error() =>
        Assert.StartsWith("not valid JSON", Assert.Single(PactReader.Read("{ nope").Errors), StringComparison.Ordinal);

    [Theory]
    [InlineData("$.items[*].id", new[] { "$", "items", "0", "id" }, true)]
    [InlineData("$.items[*].id", new[] { "$", "items", "0" }, false)]
    [InlineData("$['odd key'].x", new[] { "$", "odd key", "x" }, true)]
    [InlineData("$.a.*", new[] { "$", "a", "b" }, true)]
    [InlineData("$.items[1]", new[] { "$", "items", "0" }, false)]
    public void Path_expressions_match_paths_and_their_descendants(string expression, string[] path, bool matches)
    {
        var rules = new MatchingRules(
            [new PathRule(expression, MatchingRules.Tokenize(expression)!, new RuleList([new Matcher(MatcherKind.Type, "type")], false))],
            new Dictionary<string, RuleList>(),
            null);

        Assert.Equal(matches, rules.BodyRulesFor(path, out _) is not null);
    }

    [Fact]
    public void The_most_specific_rule_wins()
    {
        var pact = PactTestKit.Parse(PactTestKit.V3("""{ "items": [ { "id": 1 } ] }""",
            """{ "$.items": { "matchers": [ { "match": "type" } ] }, "$.items[*].id": { "matchers": [ { "match": "integer" } ] } }"""));
        var rules = pact.Interactions[0].Response.Rules;

        Assert.Equal(MatcherKind.Integer, rules.BodyRulesFor(["$", "items", "3", "id"], out var exact)!.Matchers[0].Kind);
        Assert.True(exact);
        Assert.Equal(MatcherKind.Type, rules.BodyRulesFor(["$", "items", "3", "name"], out exact)!.Matchers[0].Kind);
        Assert.False(exact);
    }
}

using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Archgate.Checks.Contracts.Pact;
using Archgate.Model;
using Microsoft.Extensions.Time.Testing;
using static Archgate.Checks.Tests.Contracts.Pact.PactTestKit;

namespace Archgate.Checks.Tests.Contracts.Pact;

/// <summary>Generators applied to the request the verifier sends, each generator type once.</summary>
public sealed class PactGeneratorsTests
{
    private static readonly FakeTimeProvider Time = new(new DateTimeOffset(2026, 3, 14, 9, 26, 53, TimeSpan.Zero));

    private static JsonNode? Generate(string definition, JsonObject? state = null)
    {
        var node = JsonNode.Parse(definition)!.AsObject();
        return PactGenerators.Generate(new Generator(node["type"]!.GetValue<string>(), node), JsonValue.Create("example"), state ?? [], Time);
    }

    [Theory]
    [InlineData("""{ "type": "RandomInt", "min": 3, "max": 5 }""", "^[345]$")]
    [InlineData("""{ "type": "RandomDecimal", "digits": 6 }""", @"^[1-9]\d*\.\d+$")]
    [InlineData("""{ "type": "RandomHexadecimal", "digits": 12 }""", "^[0-9a-f]{12}$")]
    [InlineData("""{ "type": "RandomString", "size": 7 }""", "^[A-Za-z0-9]{7}$")]
    [InlineData("""{ "type": "RandomBoolean" }""", "^(true|false)$")]
    [InlineData("""{ "type": "Uuid" }""", "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
    [InlineData("""{ "type": "Uuid", "format": "simple" }""", "^[0-9a-f]{32}$")]
    [InlineData("""{ "type": "Uuid", "format": "URN" }""", "^urn:uuid:[0-9a-f-]{36}$")]
    [InlineData("""{ "type": "Date" }""", "^2026-03-14$")]
    [InlineData("""{ "type": "Date", "format": "dd/MM/yyyy", "expression": "+1 day" }""", "^15/03/2026$")]
    [InlineData("""{ "type": "Time", "format": "HH:mm" }""", "^09:26$")]
    [InlineData("""{ "type": "DateTime", "format": "yyyy-MM-dd'T'HH:mm:ss", "expression": "-2 hours" }""", "^2026-03-14T07:26:53$")]
    [InlineData("""{ "type": "Regex", "regex": "CR[0-9a-fA-F]{32}" }""", "^CR[0-9a-fA-F]{32}$")]
    [InlineData("""{ "type": "Regex", "regex": "(ab|cd)+-\\d{2,3}(?:x|y)?" }""", @"^(ab|cd)+-\d{2,3}(x|y)?$")]
    public void Each_generator_makes_a_value_of_its_kind(string definition, string shape)
    {
        for (var i = 0; i < 20; i++)
        {
            var value = Generate(definition);
            var text = PactReader.Text(value);
            Assert.NotNull(text);
            Assert.Matches(new Regex(shape), text);
        }
    }

    [Fact]
    public void A_regex_the_generator_cannot_read_leaves_the_example()
    {
        Assert.Null(Generate("""{ "type": "Regex", "regex": "(?<=a)b" }"""));
    }

    [Fact]
    public void ProviderState_fills_placeholders_and_a_lone_one_keeps_its_type()
    {
        var state = new JsonObject { ["id"] = 42, ["user"] = new JsonObject { ["name"] = "ann" } };

        Assert.Equal("/orders/42/by/ann", PactReader.Text(Generate("""{ "type": "ProviderState", "expression": "/orders/${id}/by/${user.name}" }""", state)));
        Assert.Equal(42, Generate("""{ "type": "ProviderState", "expression": "${id}" }""", state)!.GetValue<int>());
        Assert.Equal("42", Generate("""{ "type": "ProviderState", "expression": "${id}", "dataType": "STRING" }""", state)!.GetValue<string>());
        Assert.Null(Generate("""{ "type": "ProviderState", "expression": "${missing}" }""", state));
    }

    [Fact]
    public async Task The_verifier_sends_generated_values_with_the_values_the_state_change_returned()
    {
        const string Pact = """
            { "consumer": { "name": "web" }, "provider": { "name": "api" },
              "interactions": [ { "description": "an order",
                "providerStates": [ { "name": "an order exists", "params": { "tenant": "t1" } } ],
                "request": { "method": "POST", "path": "/orders/1", "query": { "at": [ "x" ] },
                  "headers": { "Content-Type": "application/json", "X-Tenant": "t0", "X-Request-Id": "r" },
                  "body": { "orderId": 1, "lines": [ { "qty": 1 }, { "qty": 1 } ] },
                  "generators": {
                    "path": { "type": "ProviderState", "expression": "/orders/${id}", "dataType": "STRING" },
                    "query": { "at": { "type": "Date", "format": "yyyy-MM-dd" } },
                    "header": { "X-Tenant": { "type": "ProviderState", "expression": "${tenant}" }, "X-Request-Id": { "type": "Uuid" } },
                    "body": { "$.orderId": { "type": "ProviderState", "expression": "${id}" }, "$.lines[*].qty": { "type": "RandomInt", "min": 5, "max": 5 } } } },
                "response": { "status": 200 } } ],
              "metadata": { "pactSpecification": { "version": "3.0.0" } } }
            """;
        using var server = new PactProviderServer(r => r.PathAndQuery.StartsWith("/_pact/state", StringComparison.Ordinal)
            ? new ProviderAnswer(200, """{ "id": 977 }""")
            : new ProviderAnswer(200, "{}"));

        var result = Assert.Single(await VerifyAsync(Pact, server.Url, new PactSettings { StateChange = new PactStateChange("/_pact/state", Teardown: false) }));

        Assert.True(result.Passed, string.Join("; ", result.Mismatches));
        var sent = Assert.Single(server.Requests, r => r.Method == "POST" && !r.PathAndQuery.StartsWith("/_pact", StringComparison.Ordinal));
        Assert.Matches(@"^/orders/977\?at=\d{4}-\d{2}-\d{2}$", sent.PathAndQuery);
        Assert.Equal("t1", sent.Headers["X-Tenant"]);
        Assert.Matches("^[0-9a-f-]{36}$", sent.Headers["X-Request-Id"]);
        Assert.Equal("""{"orderId":977,"lines":[{"qty":5},{"qty":5}]}""", sent.Body);
    }

    [Fact]
    public void An_unknown_generator_is_read_as_unsupported_not_as_an_invalid_pact()
    {
        var pact = Parse("""
            { "consumer": { "name": "web" }, "provider": { "name": "api" },
              "interactions": [ { "description": "d", "request": { "method": "GET", "path": "/",
                "generators": { "header": { "X": { "type": "Teleport" } } } }, "response": { "status": 200 } } ],
              "metadata": { "pactSpecification": { "version": "3.0.0" } } }
            """);

        Assert.Equal(["interactions[0].request.generators.header['X']: 'Teleport'"], pact.Interactions[0].Request.Generators!.Unsupported);
    }
}

using Archgate.Checks.Contracts.Pact;
using Archgate.Checks.Http;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Contracts.Pact;

public sealed class PactCheckTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("archgate-pact-check-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private async Task<(PactCheck Check, CheckResult Result)> RunAsync(string pactJson, int port, string contractsExtra = "")
    {
        File.WriteAllText(Path.Combine(_directory, "web-api.json"), pactJson);
        var system = TestSystems.Load($$"""
            version: 1
            system: { name: s }
            components:
              - { name: backend, kind: service, url: "http://127.0.0.1:{{port}}" }
            contracts:
              pacts: [web-api.json]
              providers: { api: backend }
            {{contractsExtra}}
            """, _directory);
        var check = PactCheck.For(system.PactFiles[0]);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        return (check, await check.RunAsync(TestSystems.Context(system, http), CancellationToken.None));
    }

    [Fact]
    public void The_catalog_lists_one_check_per_pact_named_consumer_provider()
    {
        File.WriteAllText(Path.Combine(_directory, "web-api.json"), PactTestKit.V3("{}"));
        var system = TestSystems.Load("""
            version: 1
            system: { name: s }
            components:
              - { name: api, kind: service, url: "http://127.0.0.1:1" }
            contracts: { pacts: [web-api.json] }
            """, _directory);

        var check = Assert.Single(ArchgateProtocol.ChecksFor(system), c => c.Id.StartsWith("contracts.pact", StringComparison.Ordinal));

        Assert.Equal("contracts.pact:web-api", check.Id);
        Assert.Equal(2, check.Step);
    }

    [Fact]
    public void Two_pacts_of_one_consumer_and_provider_have_ids_that_name_their_files()
    {
        // ex13: web-bookings-api.json and web-bookings-api-write.json were both contracts.pact:web-bookings-api.
        File.WriteAllText(Path.Combine(_directory, "web-api.json"), PactTestKit.V3("{}"));
        File.WriteAllText(Path.Combine(_directory, "web-api-write.json"), PactTestKit.V3("{}"));
        File.WriteAllText(Path.Combine(_directory, "mobile.json"), PactTestKit.V3("{}").Replace("\"web\"", "\"mobile\"", StringComparison.Ordinal));
        var system = TestSystems.Load("""
            version: 1
            system: { name: s }
            components:
              - { name: api, kind: service, url: "http://127.0.0.1:1" }
            contracts: { pacts: [web-api.json, web-api-write.json, mobile.json] }
            """, _directory);

        var checks = ArchgateProtocol.ChecksFor(system).Where(c => c.Id.StartsWith("contracts.pact", StringComparison.Ordinal)).ToList();

        Assert.Equal(["contracts.pact:web-api@web-api", "contracts.pact:web-api@web-api-write", "contracts.pact:mobile-api"], checks.Select(c => c.Id));
        Assert.Equal("api honours the pact of web in web-api-write.json", checks[1].Title);
        Assert.Equal("api honours the pact of mobile", checks[2].Title);
    }

    [Fact]
    public async Task A_kept_pact_passes_with_one_note_per_interaction_and_its_metrics()
    {
        using var server = PactProviderServer.Answering("""{ "id": 7 }""");

        var (_, result) = await RunAsync(PactTestKit.V3("""{ "id": 1 }""", """{ "$.id": { "matchers": [ { "match": "integer" } ] } }"""), server.Port);

        Assert.Equal(CheckStatus.Pass, result.Status);
        var note = Assert.Single(result.Findings);
        Assert.Equal(("AG2057", Severity.Info), (note.Rule, note.Severity));
        Assert.Equal("web: \"get the thing\"", note.Location);
        Assert.Equal(1, result.Metrics.Single(m => m.Name == "pact_interactions_verified").Value);
        Assert.Equal(0, result.Metrics.Single(m => m.Name == "pact_interactions_failed").Value);
    }

    [Fact]
    public async Task A_broken_pact_fails_with_a_high_finding_per_mismatch_located_by_consumer_interaction_and_path()
    {
        using var server = PactProviderServer.Answering("""{ "id": "42", "totalAmount": 25.8 }""");

        var (_, result) = await RunAsync(PactTestKit.V3("""{ "id": 1, "total": 25.8 }""", """{ "$.id": { "matchers": [ { "match": "integer" } ] } }"""), server.Port);

        Assert.Equal(CheckStatus.Fail, result.Status);
        Assert.All(result.Findings, f => Assert.Equal(("AG2050", Severity.High, "backend"), (f.Rule, f.Severity, f.Component)));
        Assert.Equal(
            ["web: \"get the thing\" $.id", "web: \"get the thing\" $.total"],
            result.Findings.Select(f => f.Location));
        Assert.Equal(
            ["$.id -> Expected '42' (String) to be an integer", "$ -> Actual map is missing the following keys: total"],
            result.Findings.Select(f => f.Message));
        Assert.NotNull(result.Findings[0].Hint);
        Assert.StartsWith($"GET http://127.0.0.1:{server.Port}/thing -> 200:", result.Findings[0].Evidence, StringComparison.Ordinal);
        Assert.Equal(1, result.Metrics.Single(m => m.Name == "contract_mismatch_rate").Value);
        Assert.Null(result.TransientCause);
    }

    [Fact]
    public async Task A_provider_that_is_not_a_component_is_reported_before_anything_is_sent()
    {
        using var server = PactProviderServer.Answering("{}");

        var (_, result) = await RunAsync(PactTestKit.V3("{}").Replace("\"api\"", "\"billing\"", StringComparison.Ordinal), server.Port);

        var finding = Assert.Single(result.Findings);
        Assert.Equal("AG2052", finding.Rule);
        Assert.Equal("the pact's provider 'billing' is not a component of the system", finding.Message);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task An_invalid_pact_file_fails_with_its_problems()
    {
        var (check, result) = await RunAsync("""{ "consumer": { "name": "web" } }""", 1);

        Assert.Equal("contracts.pact:web-api", check.Id);
        Assert.Equal(CheckStatus.Fail, result.Status);
        Assert.Equal(["AG2051", "AG2051"], result.Findings.Select(f => f.Rule));
        Assert.Equal("web-api.json", result.Findings[0].Location);
    }

    [Fact]
    public async Task An_unreachable_provider_is_a_transient_failure_the_runner_retries()
    {
        var (_, result) = await RunAsync(PactTestKit.V3("{}"), FreePort.Next());

        Assert.Equal("AG2054", Assert.Single(result.Findings).Rule);
        Assert.Equal("connection refused", result.TransientCause);
    }

    [Fact]
    public async Task Message_interactions_without_a_message_provider_are_skipped_with_an_info_note()
    {
        using var server = PactProviderServer.Answering("{}");
        var pact = """
            { "consumer": { "name": "web" }, "provider": { "name": "api" },
              "interactions": [ { "type": "Asynchronous/Messages", "description": "order placed", "contents": { "content": {} } } ],
              "metadata": { "pactSpecification": { "version": "4.0" } } }
            """;

        var (_, result) = await RunAsync(pact, server.Port);

        Assert.Equal(CheckStatus.Pass, result.Status);
        var note = Assert.Single(result.Findings);
        Assert.Equal(("AG2056", Severity.Info), (note.Rule, note.Severity));
        Assert.Equal("skipped Asynchronous/Messages interaction 'order placed': no message provider to ask for it", note.Message);
        Assert.Contains("contracts: { messages: { url: /_pact/messages } }", note.Hint, StringComparison.Ordinal);
    }
    [Fact]
    public async Task A_failing_pending_interaction_is_reported_as_a_warning_and_does_not_fail_the_check()
    {
        using var server = PactProviderServer.Answering("""{ "id": "x" }""");
        var pact = """
            { "consumer": { "name": "web" }, "provider": { "name": "api" },
              "interactions": [
                { "type": "Synchronous/HTTP", "description": "kept", "request": { "method": "GET", "path": "/a" }, "response": { "status": 200 } },
                { "type": "Synchronous/HTTP", "description": "new", "pending": true, "request": { "method": "GET", "path": "/b" },
                  "response": { "status": 200, "body": { "content": { "id": 1 }, "contentType": "application/json", "encoded": false } } } ],
              "metadata": { "pactSpecification": { "version": "4.0" } } }
            """;

        var (_, result) = await RunAsync(pact, server.Port);

        Assert.Equal(CheckStatus.Warn, result.Status);
        var pending = Assert.Single(result.Findings, f => f.Rule == "AG2050");
        Assert.Equal(Severity.Medium, pending.Severity);
        Assert.Equal("pending interaction: $.id -> Expected 'x' (String) to be equal to 1 (Integer)", pending.Message);
        Assert.Equal(0, result.Metrics.Single(m => m.Name == "pact_interactions_failed").Value);
        Assert.Equal(1, result.Metrics.Single(m => m.Name == "pact_interactions_pending_failed").Value);
        Assert.Equal(0, result.Metrics.Single(m => m.Name == "contract_mismatch_rate").Value);
    }

    [Fact]
    public async Task An_unsupported_matcher_is_a_warning_finding_and_the_interaction_still_passes()
    {
        using var server = PactProviderServer.Answering("""{ "v": 42 }""");

        var (_, result) = await RunAsync(PactTestKit.OneMatcher("\"x\"", """{ "match": "teleport" }"""), server.Port);

        Assert.Equal(CheckStatus.Warn, result.Status);
        Assert.Equal(["AG2058", "AG2057"], result.Findings.Select(f => f.Rule));
        Assert.Equal(Severity.Medium, result.Findings[0].Severity);
        Assert.Equal("Matcher not supported, so not applied: body $.v: 'teleport'", result.Findings[0].Message);
    }
    [Fact]
    public async Task Messages_are_asked_of_the_message_provider_and_matched_by_contents_and_metadata()
    {
        var metadata = Convert.ToBase64String("""{ "topic": "orders", "version": 2 }"""u8.ToArray());
        using var server = new PactProviderServer(r => System.Text.Json.Nodes.JsonNode.Parse(r.Body)!["description"]!.GetValue<string>() switch
        {
            "order placed" => new ProviderAnswer(200, """{ "id": 77, "total": 9.5 }""", Headers: new Dictionary<string, string> { ["Pact-Message-Metadata"] = metadata }),
            _ => new ProviderAnswer(200, """{ "id": "x" }""", Headers: new Dictionary<string, string> { ["Pact-Message-Metadata"] = metadata }),
        });
        var pact = """
            { "consumer": { "name": "web" }, "provider": { "name": "api" },
              "messages": [
                { "description": "order placed", "providerStates": [ { "name": "an order", "params": { "id": 77 } } ],
                  "contents": { "id": 1 }, "metaData": { "contentType": "application/json", "topic": "orders" },
                  "matchingRules": { "body": { "$.id": { "matchers": [ { "match": "integer" } ] } } } },
                { "description": "order cancelled", "contents": { "id": 1 }, "metaData": { "topic": "cancellations" },
                  "matchingRules": { "body": { "$.id": { "matchers": [ { "match": "integer" } ] } } } } ],
              "metadata": { "pactSpecification": { "version": "3.0.0" } } }
            """;

        var (_, result) = await RunAsync(pact, server.Port, "  messages: { url: /_pact/messages }");

        Assert.Equal(CheckStatus.Fail, result.Status);
        Assert.Equal(
            [("AG2057", "web: \"order placed\""), ("AG2050", "web: \"order cancelled\" $.id"), ("AG2050", "web: \"order cancelled\" metadata topic")],
            result.Findings.Select(f => (f.Rule, f.Location!)));
        Assert.Equal("$.id -> Expected 'x' (String) to be an integer", result.Findings[1].Message);
        Assert.Equal("Expected metadata key 'topic' to have value 'cancellations' but was 'orders'", result.Findings[2].Message);
        var asked = System.Text.Json.Nodes.JsonNode.Parse(server.Requests[0].Body)!;
        Assert.Equal("/_pact/messages", server.Requests[0].PathAndQuery);
        Assert.Equal("""{"description":"order placed","providerStates":[{"name":"an order","params":{"id":77}}]}""", asked.ToJsonString());
    }
}

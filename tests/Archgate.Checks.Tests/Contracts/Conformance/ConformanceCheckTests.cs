using System.Text.Json;
using System.Text.RegularExpressions;
using Archgate.Checks.Contracts.Conformance;
using Archgate.Checks.Http;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Judging;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Contracts.Conformance;

/// <summary>Each conformance rule, against a real HTTP server on 127.0.0.1 scripted to break it (or not).</summary>
public sealed partial class ConformanceCheckTests
{
    private const string Items = """
        openapi: 3.0.3
        info: { title: items, version: "1" }
        paths:
          /items:
            post:
              requestBody:
                required: true
                content:
                  application/json:
                    schema: { $ref: '#/components/schemas/NewItem' }
                    example: { name: mug, quantity: 2 }
              responses:
                '201':
                  description: created
                  headers:
                    Location: { required: true, schema: { type: string } }
                  content:
                    application/json: { schema: { $ref: '#/components/schemas/Item' } }
                '400': { $ref: '#/components/responses/Problem' }
          /items/{id}:
            parameters: [ { name: id, in: path, required: true, schema: { type: integer, minimum: 1 } } ]
            get:
              responses:
                '200': { description: ok, content: { application/json: { schema: { $ref: '#/components/schemas/Item' } } } }
                '404': { $ref: '#/components/responses/Problem' }
        components:
          responses:
            Problem:
              description: a problem
              content:
                application/problem+json:
                  schema: { type: object, required: [title, status], properties: { title: { type: string }, status: { type: integer } } }
          schemas:
            NewItem:
              type: object
              required: [name, quantity]
              properties:
                name: { type: string, maxLength: 20 }
                quantity: { type: integer, minimum: 1, maximum: 10 }
            Item:
              type: object
              required: [id, name, quantity]
              properties:
                id: { type: integer }
                name: { type: string }
                quantity: { type: integer }
        """;

    /// <summary>A service that keeps the Items contract: validates input, answers problems, 405 for other methods.</summary>
    private sealed class ItemsService
    {
        private readonly Dictionary<int, string> _items = [];

        public Func<string, int, string>? Render { get; init; }

        public Reply Answer(Received request)
        {
            var path = request.PathAndQuery.Split('?')[0];
            if (path == "/items" && request.Method == "POST")
            {
                var (name, quantity, error) = Parse(request.Body);
                if (error is not null)
                {
                    return Problem(400, error);
                }

                var id = _items.Count + 1;
                _items[id] = Item(id, name!, quantity);
                return new Reply(201, _items[id], Headers: new Dictionary<string, string> { ["Location"] = $"/items/{id}" });
            }

            if (ItemPath().Match(path) is { Success: true } m)
            {
                if (request.Method != "GET")
                {
                    return new Reply(405, null, Headers: new Dictionary<string, string> { ["Allow"] = "GET" });
                }

                return int.TryParse(m.Groups[1].Value, out var id) && _items.TryGetValue(id, out var item)
                    ? new Reply(200, item)
                    : Problem(404, "no such item");
            }

            return path == "/items" ? new Reply(405, null, Headers: new Dictionary<string, string> { ["Allow"] = "POST" }) : Problem(404, "no route");
        }

        private string Item(int id, string name, int quantity) =>
            Render?.Invoke(name, quantity).Replace("{id}", id.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            ?? JsonSerializer.Serialize(new { id, name, quantity });

        private static (string? Name, int Quantity, string? Error) Parse(string body)
        {
            try
            {
                using var json = JsonDocument.Parse(body);
                var root = json.RootElement;
                if (!root.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String || name.GetString()!.Length > 20)
                {
                    return (null, 0, "name is required, at most 20 characters");
                }

                if (!root.TryGetProperty("quantity", out var quantity) || quantity.ValueKind != JsonValueKind.Number || quantity.GetInt32() is < 1 or > 10)
                {
                    return (null, 0, "quantity is 1..10");
                }

                return (name.GetString(), quantity.GetInt32(), null);
            }
            catch (JsonException)
            {
                return (null, 0, "not JSON");
            }
        }
    }

    private static Reply Problem(int status, string title) =>
        new(status, JsonSerializer.Serialize(new { type = "about:blank", title, status }), "application/problem+json");

    [GeneratedRegex(@"^/items/([^/]+)$")]
    private static partial Regex ItemPath();

    private static async Task<CheckResult> RunAsync(string openApi, ScriptedHttpServer server, string extra = "")
    {
        var folder = Directory.CreateTempSubdirectory("archgate-conformance-").FullName;
        var contract = Path.Combine(folder, "api.yaml");
        await File.WriteAllTextAsync(contract, openApi);
        var system = TestSystems.Load($$"""
            version: 1
            system: { name: t }
            components:
              - name: api
                kind: service
                url: http://127.0.0.1:{{server.Port}}
                openapi: { path: {{contract}} }
            {{extra}}
            """, folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        var check = new ConformanceCheck((Archgate.Model.HttpComponent)system.Components[0]);
        return await check.RunAsync(TestSystems.Context(system, http), CancellationToken.None);
    }

    private static string Dump(CheckResult result, ScriptedHttpServer server) =>
        string.Join("\n", result.Findings.Select(f => $"{f.Rule} {f.Location} | {f.Message}"))
        + "\n--\n" + string.Join("\n", server.Requests.Select(r => $"{r.Method} {r.PathAndQuery} {r.Body}"));

    private static double Metric(CheckResult result, string name) => result.Metrics.Single(m => m.Name == name).Value;

    [Fact]
    public async Task A_service_that_keeps_its_contract_passes_with_no_finding_and_chains_created_ids()
    {
        var service = new ItemsService();
        using var server = new ScriptedHttpServer(service.Answer);

        var result = await RunAsync(Items, server);

        Assert.True(result.Status == CheckStatus.Pass, string.Join("\n", result.Findings.Select(f => $"{f.Rule} {f.Message}")));
        Assert.Empty(result.Findings);
        Assert.Equal(2, Metric(result, "contract_operations_tested"));
        Assert.Equal(0, Metric(result, Archgate.Checks.Contracts.ContractRules.MismatchRateMetric));
        Assert.Equal(server.Requests.Count, Metric(result, "contract_requests_sent"));
        var requests = server.Requests.ToList();
        Assert.Equal("""{"name":"mug","quantity":2}""", requests[0].Body);
        Assert.Contains(requests, r => r is { Method: "GET", PathAndQuery: "/items/3" }); // the last item the run created
        Assert.True(requests.Any(r => r.Method == "POST" && r.Body.Contains("\"quantity\":10", StringComparison.Ordinal)), Dump(result, server));
        Assert.Contains(requests, r => r.Method is "PATCH" or "PUT" or "DELETE");
    }

    [Fact]
    public async Task A_drifted_body_is_a_mismatch_at_its_JSON_path_with_the_request_as_curl()
    {
        var service = new ItemsService { Render = (name, quantity) => $$"""{"id":"{id}","name":"{{name}}","count":{{quantity}}}""" };
        using var server = new ScriptedHttpServer(service.Answer);

        var result = await RunAsync(Items, server);

        Assert.Equal(CheckStatus.Fail, result.Status);
        var id = Assert.Single(result.Findings, f => f is { Rule: "AG2013", Location: "POST /items 201 $.id" });
        Assert.Equal("POST /items answered 201: $.id: expected integer, found string \"1\"", id.Message);
        Assert.StartsWith("expected: integer; actual: string \"1\"; request (document example): curl -X POST 'http://127.0.0.1:", id.Evidence, StringComparison.Ordinal);
        Assert.Contains("--data-raw '{\"name\":\"mug\",\"quantity\":2}'", id.Evidence, StringComparison.Ordinal);
        var quantity = Assert.Single(result.Findings, f => f is { Rule: "AG2013", Location: "GET /items/{id} 200 $.quantity" });
        Assert.Contains("'count'", quantity.Message, StringComparison.Ordinal);
        Assert.Equal(1.0, Metric(result, Archgate.Checks.Contracts.ContractRules.MismatchRateMetric));
        var step = new StepResult { Number = 2, Name = "API contract validation", Status = result.Status, Checks = [result] };
        Assert.Contains(EscalationRules.Evaluate(ArchgateProtocol.Default, TestSystems.Load("version: 1\nsystem: { name: t }\ncomponents: []"), [step]), e => e.Trigger == "contract-mismatch-rate");
    }

    [Fact]
    public async Task A_server_error_is_AG2010()
    {
        using var server = new ScriptedHttpServer(r => r.Method == "POST" ? new Reply(500, "boom", "text/plain") : new ItemsService().Answer(r));

        var result = await RunAsync(Items, server);

        Assert.Contains(result.Findings, f => f.Rule == "AG2010" && f.Location == "POST /items 500");
    }

    [Fact]
    public async Task An_undocumented_status_is_AG2011_but_a_documented_404_is_conformance()
    {
        using var server = new ScriptedHttpServer(r => r.Method == "POST" ? new Reply(418, null) : Problem(404, "none here"));

        var result = await RunAsync(Items, server);

        Assert.Contains(result.Findings, f => f.Rule == "AG2011" && f.Message.Contains("status 418 is not documented (documented: 201, 400)", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Findings, f => f.Location!.StartsWith("GET /items/{id} 404", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_undocumented_content_type_is_AG2012()
    {
        using var server = new ScriptedHttpServer(r => r.Method == "GET" ? new Reply(200, "hello", "text/plain") : new ItemsService().Answer(r));

        var result = await RunAsync(Items, server);

        Assert.Contains(result.Findings, f => f.Rule == "AG2012" && f.Message.Contains("content type text/plain is not documented for 200", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_missing_required_header_is_AG2014()
    {
        var service = new ItemsService();
        using var server = new ScriptedHttpServer(r =>
        {
            var reply = service.Answer(r);
            return reply.Status == 201 ? reply with { Headers = null } : reply;
        });

        var result = await RunAsync(Items, server);

        Assert.Contains(result.Findings, f => f.Rule == "AG2014" && f.Location == "POST /items 201 Location");
    }

    [Fact]
    public async Task Invalid_input_that_is_accepted_is_AG2015_for_each_kind_of_invalid()
    {
        using var server = new ScriptedHttpServer(r => r.Method == "POST"
            ? new Reply(201, """{"id":1,"name":"x","quantity":1}""", Headers: new Dictionary<string, string> { ["Location"] = "/items/1" })
            : new ItemsService().Answer(r));

        var result = await RunAsync(Items, server);

        var accepted = result.Findings.Where(f => f.Rule == "AG2015").Select(f => f.Message).ToList();
        Assert.Contains(accepted, m => m.Contains("required body property 'name' left out", StringComparison.Ordinal));
        Assert.Contains(accepted, m => m.Contains("body property 'name' is a number where a string is expected", StringComparison.Ordinal));
        Assert.Contains(accepted, m => m.Contains("body property 'name' is 21 characters, longer than maxLength 20", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_undeclared_method_that_is_not_405_is_AG2016()
    {
        using var server = new ScriptedHttpServer(r => r.Method == "PATCH" ? new Reply(200, "{}") : new ItemsService().Answer(r));

        var result = await RunAsync(Items, server);

        Assert.Contains(result.Findings, f => f.Rule == "AG2016" && f.Message.Contains("PATCH is not declared for /items, but the answer was 200, not 405", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_501_for_a_method_no_path_declares_is_a_right_rejection_and_for_one_other_paths_declare_is_AG2016_low()
    {
        // Python's http.server and others answer 501 to a method they implement for no resource (RFC 9110 §15.6.2).
        using var server = new ScriptedHttpServer(r => r.Method == "PATCH" ? Problem(501, "unsupported method") : new ItemsService().Answer(r));

        var result = await RunAsync(Items, server);

        Assert.DoesNotContain(result.Findings, f => f.Rule is "AG2016" or "AG2010");

        // Once /items/{id} declares PATCH, the server does implement it: /items must say 405, not 501.
        var patchable = Items.Replace("""
                  '404': { $ref: '#/components/responses/Problem' }
            components:
            """, """
                  '404': { $ref: '#/components/responses/Problem' }
                patch:
                  responses:
                    '200': { description: ok, content: { application/json: { schema: { $ref: '#/components/schemas/Item' } } } }
            components:
            """, StringComparison.Ordinal);
        Assert.NotEqual(Items, patchable);
        using var partial = new ScriptedHttpServer(r => r.Method == "PATCH" && r.PathAndQuery.StartsWith("/items?", StringComparison.Ordinal) || r is { Method: "PATCH", PathAndQuery: "/items" }
            ? Problem(501, "unsupported method") : new ItemsService().Answer(r));

        var declared = await RunAsync(patchable, partial);

        var finding = Assert.Single(declared.Findings, f => f.Rule == "AG2016");
        Assert.Equal(Severity.Low, finding.Severity);
        Assert.Contains("PATCH is not declared for /items and was answered 501 Not Implemented, but other paths declare PATCH", finding.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(declared.Findings, f => f.Rule == "AG2010" && f.Message.Contains("501", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_problem_whose_status_member_differs_from_the_HTTP_status_is_AG2017()
    {
        var service = new ItemsService();
        using var server = new ScriptedHttpServer(r =>
        {
            var reply = service.Answer(r);
            return reply.Status == 400 ? reply with { Body = """{"title":"bad","status":500}""" } : reply;
        });

        var result = await RunAsync(Items, server);

        Assert.Contains(result.Findings, f => f.Rule == "AG2017" && f.Location == "POST /items 400 $.status");
    }

    [Fact]
    public async Task Login_auth_sends_the_token_and_no_finding_ever_shows_the_password_or_the_token()
    {
        const string Token = "tok3n-abcdef-123456";
        var service = new ItemsService();
        using var server = new ScriptedHttpServer(r =>
        {
            if (r.PathAndQuery == "/auth/login")
            {
                return r.Body.Contains("s3cret-pw", StringComparison.Ordinal) ? new Reply(200, "{\"data\":{\"token\":\"" + Token + "\"}}") : Problem(401, "no");
            }

            return r.Headers.GetValueOrDefault("Authorization") == $"Bearer {Token}" ? service.Answer(r) : Problem(401, "who are you");
        });
        var secured = Items.Replace("paths:", "security: [ { bearer: [] } ]\npaths:", StringComparison.Ordinal)
            .Replace("  responses:\n    Problem:", "  securitySchemes:\n    bearer: { type: http, scheme: bearer }\n  responses:\n    Problem:", StringComparison.Ordinal);

        var ok = await RunAsync(secured, server, """
                auth: { login: POST /auth/login, user: ann, password: s3cret-pw, token: $.data.token }
            """);
        var refused = await RunAsync(secured, server, """
                auth: { login: POST /auth/login, user: ann, password: wr0ng-pw }
            """);

        Assert.True(ok.Status == CheckStatus.Pass, string.Join("\n", ok.Findings.Select(f => $"{f.Rule} {f.Message} {f.Evidence}")));
        Assert.True(refused.Findings.Count == 1, Dump(refused, server));
        var finding = Assert.Single(refused.Findings);
        Assert.Equal("AG2020", finding.Rule);
        Assert.Contains("answered 401", finding.Message, StringComparison.Ordinal);
        Assert.Contains("\"password\":\"***\"", finding.Evidence, StringComparison.Ordinal);
        var everything = JsonSerializer.Serialize(new[] { ok, refused }, ArchgateJson.Options);
        Assert.DoesNotContain("s3cret-pw", everything, StringComparison.Ordinal);
        Assert.DoesNotContain("wr0ng-pw", everything, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, everything, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_WebSocket_operation_101_Switching_Protocols_is_not_tested_with_plain_requests_and_says_why()
    {
        const string Socket = """
            openapi: 3.1.0
            info: { title: events, version: "1" }
            paths:
              /events:
                get: { responses: { '200': { description: ok, content: { application/json: { schema: { type: object } } } } } }
              /events/ws:
                get:
                  responses:
                    '101': { description: Switching Protocols, headers: { Upgrade: { required: true, schema: { type: string, const: websocket } } } }
            """;
        var notAllowed = Problem(405, "Method not allowed.") with { Headers = new Dictionary<string, string> { ["Allow"] = "GET" } };
        using var server = new ScriptedHttpServer(r => r.Method != "GET" ? notAllowed
            : r.PathAndQuery.StartsWith("/events/ws", StringComparison.Ordinal) ? Problem(400, "Connect with a WebSocket upgrade.") : new Reply(200, "{}"));

        var result = await RunAsync(Socket, server);

        Assert.True(result.Status == CheckStatus.Pass, Dump(result, server));
        Assert.DoesNotContain(server.Requests, r => r is { Method: "GET", PathAndQuery: "/events/ws" }); // its 400 would be undocumented
        Assert.Contains(result.Findings, f => f.Rule == "AG2018" && f.Location == "GET /events/ws" && f.Message.Contains("switches protocols (101, a WebSocket)", StringComparison.Ordinal));
        Assert.Equal(1, Metric(result, "contract_operations_tested"));
        Assert.Equal(1, Metric(result, "contract_operations_skipped"));
    }

    [Fact]
    public async Task DELETE_and_PUT_are_never_sent_to_resources_the_run_did_not_create()
    {
        const string Things = """
            openapi: 3.1.0
            info: { title: things, version: "1" }
            paths:
              /things/{id}:
                parameters: [ { name: id, in: path, required: true, schema: { type: integer }, example: 1 } ]
                get: { responses: { '200': { description: ok } } }
                put: { responses: { '204': { description: replaced } } }
                delete: { responses: { '204': { description: gone } } }
            """;
        using var server = new ScriptedHttpServer(r => r.Method == "GET" ? new Reply(200, null) : new Reply(204, null));

        var result = await RunAsync(Things, server);

        Assert.DoesNotContain(server.Requests, r => r.Method is "DELETE" or "PUT");
        Assert.Contains(result.Findings, f => f.Rule == "AG2018" && f.Message.StartsWith("DELETE /things/{id} was not tested: DELETE is only sent to resources this run created", StringComparison.Ordinal));
        Assert.Contains(result.Findings, f => f.Rule == "AG2018" && f.Message.Contains("fixture", StringComparison.Ordinal) && f.Location == "PUT /things/{id}");
        Assert.Equal(1, Metric(result, "contract_operations_tested"));
    }

    [Fact]
    public async Task A_fixture_lets_PUT_change_an_existing_resource()
    {
        const string Things = """
            openapi: 3.1.0
            info: { title: things, version: "1" }
            paths:
              /things/{id}:
                parameters: [ { name: id, in: path, required: true, schema: { type: integer } } ]
                put: { responses: { '204': { description: replaced } } }
            """;
        using var server = new ScriptedHttpServer(r => new Reply(r.Method == "PUT" ? 204 : 405, null));

        var result = await RunAsync(Things, server);
        var folderFixture = await RunWithFixtureAsync(Things, server);

        Assert.Contains(result.Findings, f => f.Rule == "AG2018");
        Assert.DoesNotContain(folderFixture.Findings, f => f.Rule == "AG2018");
        Assert.Contains(server.Requests, r => r is { Method: "PUT", PathAndQuery: "/things/42" });
    }

    private static async Task<CheckResult> RunWithFixtureAsync(string openApi, ScriptedHttpServer server)
    {
        var folder = Directory.CreateTempSubdirectory("archgate-conformance-").FullName;
        var contract = Path.Combine(folder, "api.yaml");
        await File.WriteAllTextAsync(contract, openApi);
        var system = TestSystems.Load($$$"""
            version: 1
            system: { name: t }
            components:
              - name: api
                kind: service
                url: http://127.0.0.1:{{{server.Port}}}
                openapi: { path: {{{contract}}}, fixtures: { "/things/{id}": { id: 42 } } }
            """, folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        return await new ConformanceCheck((Archgate.Model.HttpComponent)system.Components[0]).RunAsync(TestSystems.Context(system, http), CancellationToken.None);
    }

    [Fact]
    public async Task An_unreachable_service_is_a_transient_failure_so_the_runner_retries()
    {
        var port = FreePort.Next();
        using var server = new ScriptedHttpServer(_ => new Reply(200, null));
        var folder = Directory.CreateTempSubdirectory("archgate-conformance-").FullName;
        var contract = Path.Combine(folder, "api.yaml");
        await File.WriteAllTextAsync(contract, Items);
        var system = TestSystems.Load($$"""
            version: 1
            system: { name: t }
            components:
              - { name: api, kind: service, url: "http://127.0.0.1:{{port}}", openapi: { path: {{contract}} } }
            """, folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);

        var result = await new ConformanceCheck((Archgate.Model.HttpComponent)system.Components[0]).RunAsync(TestSystems.Context(system, http), CancellationToken.None);

        Assert.Equal(CheckStatus.Fail, result.Status);
        Assert.Equal("connection refused", result.TransientCause);
        Assert.Contains(result.Findings, f => f.Rule == "AG2019");
    }

    [Fact]
    public async Task An_api_key_from_the_manifest_is_sent_to_secured_operations_and_masked_in_findings()
    {
        var service = new ItemsService { Render = (name, quantity) => $$"""{"id":"{id}","name":"{{name}}","quantity":{{quantity}}}""" };
        using var server = new ScriptedHttpServer(r => r.Headers.GetValueOrDefault("X-Items-Key") == "k3y-value-42" ? service.Answer(r) : Problem(401, "key?"));
        var secured = Items.Replace("paths:", "security: [ { key: [] } ]\npaths:", StringComparison.Ordinal)
            .Replace("  responses:\n    Problem:", "  securitySchemes:\n    key: { type: apiKey, in: header, name: X-Items-Key }\n  responses:\n    Problem:", StringComparison.Ordinal);

        var result = await RunAsync(secured, server, """
                auth: { apiKey: { header: X-Items-Key, value: k3y-value-42 } }
            """);

        var drift = Assert.Single(result.Findings, f => f.Location == "POST /items 201 $.id");
        Assert.Contains("-H 'X-Items-Key: ***'", drift.Evidence, StringComparison.Ordinal);
        Assert.DoesNotContain("k3y-value-42", System.Text.Json.JsonSerializer.Serialize(result, ArchgateJson.Options), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Operations_live_under_the_path_of_the_documents_server()
    {
        var service = new ItemsService();
        using var server = new ScriptedHttpServer(r => r.PathAndQuery.StartsWith("/api/v2/", StringComparison.Ordinal)
            ? service.Answer(r with { PathAndQuery = r.PathAndQuery["/api/v2".Length..] })
            : Problem(404, "not under /api/v2"));

        var result = await RunAsync(Items.Replace("paths:", "servers: [ { url: 'https://shop.example.test/api/v2' } ]\npaths:", StringComparison.Ordinal), server);

        Assert.True(result.Status == CheckStatus.Pass, Dump(result, server));
        Assert.All(server.Requests, r => Assert.StartsWith("/api/v2/items", r.PathAndQuery, StringComparison.Ordinal));
    }
}

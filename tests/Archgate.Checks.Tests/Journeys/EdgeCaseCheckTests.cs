using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Archgate.Checks.Contracts;
using Archgate.Checks.Contracts.Conformance;
using Archgate.Checks.Frontend;
using Archgate.Checks.Http;
using Archgate.Checks.Journeys;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Checks.Tests.Frontend;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Journeys;

/// <summary>Defects of <see cref="FakeOrdersApi"/>, each one a real API has had.</summary>
public sealed record FakeOrdersFaults
{
    /// <summary>Stores whatever it is sent, and a wrong type in a line becomes a 500 (an unchecked cast).</summary>
    public bool NoValidation { get; init; }

    /// <summary>A search that matches nothing answers 404.</summary>
    public bool EmptyIsNotFound { get; init; }

    /// <summary>Refusals are plain text.</summary>
    public bool PlainTextErrors { get; init; }

    /// <summary>A new order is refused (409) until the last one was read: a journey cut before its read blocks its retry.</summary>
    public bool OneOpenOrder { get; init; }
}

/// <summary>A small orders API on a loopback port: <c>POST /orders</c> (validated), <c>GET /orders/{id}</c>, <c>GET /orders?search=&amp;offset=</c>.</summary>
public sealed class FakeOrdersApi : IDisposable
{
    public const string Contract = """
        openapi: 3.1.0
        info: { title: orders, version: 1.0.0 }
        paths:
          /orders:
            get:
              parameters:
                - { name: search, in: query, schema: { type: string, maxLength: 50 } }
                - { name: offset, in: query, schema: { type: integer, minimum: 0 } }
              responses:
                '200':
                  description: a page
                  content: { application/json: { schema: { type: object, properties: { items: { type: array, items: { type: object } }, count: { type: integer } } } } }
            post:
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      type: object
                      required: [items]
                      properties:
                        items:
                          type: array
                          maxItems: 3
                          items:
                            type: object
                            required: [productId, quantity]
                            properties:
                              productId: { type: integer, minimum: 1 }
                              quantity: { type: integer, minimum: 1, maximum: 100 }
                        note: { type: [string, 'null'], maxLength: 20 }
              responses: { '201': { description: created }, '400': { description: invalid } }
          /orders/{id}:
            get:
              parameters: [ { name: id, in: path, required: true, schema: { type: integer } } ]
              responses: { '200': { description: the order } }
        """;

    public const string Journeys = """
        journeys:
          - name: order and find it
            steps:
              - request: POST /orders
                json: { items: [ { productId: 1, quantity: 2 } ] }
                expect: { status: 201 }
                capture: { order: $.id }
              - request: GET /orders/{order}
              - request: GET /orders?search=mug
        """;

    private readonly ScriptedHttpServer _server;
    private readonly FakeOrdersFaults _faults;
    private readonly ConcurrentDictionary<int, JsonObject> _orders = new();
    private int _next;
    private volatile bool _open;

    public FakeOrdersApi(FakeOrdersFaults? faults = null)
    {
        _faults = faults ?? new FakeOrdersFaults();
        _server = new ScriptedHttpServer(Answer);
    }

    public ConcurrentQueue<Received> Requests => _server.Requests;

    public IReadOnlyCollection<JsonObject> Stored => [.. _orders.Values];

    public string Manifest(string directory)
    {
        File.WriteAllText(Path.Combine(directory, "orders.yaml"), Contract);
        return $$"""
            version: 1
            system: { name: fake }
            components:
              - { name: api, kind: service, url: "{{_server.Url.ToString().TrimEnd('/')}}", openapi: orders.yaml }
            {{Journeys}}
            """;
    }

    private Reply Answer(Received r)
    {
        var path = r.PathAndQuery.Split('?')[0];
        var query = r.PathAndQuery.Contains('?', StringComparison.Ordinal)
            ? r.PathAndQuery[(r.PathAndQuery.IndexOf('?', StringComparison.Ordinal) + 1)..].Split('&').Select(p => p.Split('=')).ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1]))
            : [];
        switch (r.Method, path)
        {
            case ("GET", "/orders"):
                var offset = 0;
                if (query.TryGetValue("offset", out var offsetText) && (!int.TryParse(offsetText, out offset) || offset < 0))
                {
                    return Problem("offset is a number >= 0");
                }

                if (query.TryGetValue("search", out var search) && search.Length > 50)
                {
                    return Problem("search is at most 50 characters");
                }

                var matching = _orders.Values.Where(o => search is null || search == "mug").Skip(offset).ToList();
                return matching.Count == 0 && _faults.EmptyIsNotFound
                    ? new Reply(404, """{"title":"No orders found."}""", "application/problem+json")
                    : new Reply(200, new JsonObject { ["items"] = new JsonArray([.. matching.Select(o => o.DeepClone())]), ["count"] = matching.Count }.ToJsonString());
            case ("POST", "/orders"):
                var body = JsonNode.Parse(r.Body) as JsonObject;
                if (!_faults.NoValidation && Invalid(body) is { } why)
                {
                    return Problem(why);
                }

                if (body?["items"] is JsonArray lines && lines.Any(l => l?["quantity"] is JsonValue q && q.TryGetValue<string>(out _)))
                {
                    return new Reply(500, "System.InvalidCastException: Unable to cast\n   at Orders.Place(Order o)", "text/plain");
                }

                if (_faults.OneOpenOrder && _open)
                {
                    return new Reply(409, """{"title":"Your last order is still open."}""", "application/problem+json");
                }

                _open = true;
                var id = Interlocked.Increment(ref _next);
                body!["id"] = id;
                _orders[id] = body;
                return new Reply(201, body.ToJsonString(), Headers: new Dictionary<string, string> { ["Location"] = $"/orders/{id}" });
            case ("GET", _) when path.StartsWith("/orders/", StringComparison.Ordinal) && int.TryParse(path["/orders/".Length..], out var orderId) && _orders.TryGetValue(orderId, out var order):
                _open = false;
                return new Reply(200, order.ToJsonString());
            default:
                return new Reply(404, """{"title":"Not found."}""", "application/problem+json");
        }
    }

    private static string? Invalid(JsonObject? body)
    {
        if (body?["items"] is not JsonArray { Count: > 0 and <= 3 } items)
        {
            return "items: 1 to 3 lines";
        }

        foreach (var line in items)
        {
            if (line?["productId"] is not JsonValue p || !p.TryGetValue<int>(out var product) || product < 1
                || line["quantity"] is not JsonValue q || !q.TryGetValue<int>(out var quantity) || quantity is < 1 or > 100)
            {
                return "each line has a productId >= 1 and a quantity 1..100";
            }
        }

        return body["note"] is JsonValue note && (!note.TryGetValue<string>(out var text) || text.Length > 20) ? "note: text of at most 20 characters" : null;
    }

    private Reply Problem(string detail) => _faults.PlainTextErrors
        ? new Reply(400, detail, "text/plain")
        : new Reply(400, new JsonObject { ["title"] = "The request is invalid.", ["detail"] = detail, ["status"] = 400 }.ToJsonString(), "application/problem+json");

    public void Dispose() => _server.Dispose();
}

public sealed class EdgeCaseCheckTests
{
    private static async Task<CheckResult> RunAsync(FakeOrdersApi api)
    {
        var folder = AuthFlowCheckTests.Folder();
        var system = TestSystems.Load(api.Manifest(folder), folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        var check = new EdgeCaseCheck(system.Find("api")!, new ContractDocuments(), new JourneyOptions());
        Assert.True(check.AppliesTo(system).Applies);
        return await check.RunAsync(TestSystems.Context(system, http), CancellationToken.None);
    }

    private static async Task<OperationInfo> OperationAsync(string name)
    {
        var folder = AuthFlowCheckTests.Folder();
        var path = Path.Combine(folder, "orders.yaml");
        await File.WriteAllTextAsync(path, FakeOrdersApi.Contract);
        var loaded = await new ContractDocuments().LoadAsync(path, CancellationToken.None);
        return OperationInfo.All(loaded.Document!).Single(o => o.Name == name);
    }

    [Fact]
    public async Task The_cases_of_a_create_break_one_nested_input_each_and_stretch_each_bounded_string_and_array()
    {
        var operation = await OperationAsync("POST /orders");

        var cases = EdgeCases.For(operation, "/orders", """{"items":[{"productId":1,"quantity":2}]}""", 30);

        var purposes = cases.Select(c => $"{c.Kind}: {c.Purpose}").ToList();
        Assert.Contains("Invalid: required body property 'items[0].quantity' left out", purposes);
        Assert.Contains("Invalid: body property 'items[0].quantity' is 0, below the minimum 1", purposes);
        Assert.Contains("Invalid: body property 'items[0].quantity' is a string where a number is expected", purposes);
        Assert.Contains("Largest: body property 'note' is 20 characters, the maxLength", purposes);
        Assert.Contains("BeyondLargest: body property 'items' has 4 items, more than maxItems 3", purposes);
        var below = cases.Single(c => c.Purpose == "body property 'items[0].quantity' is 0, below the minimum 1");
        Assert.Equal("""{"items":[{"productId":1,"quantity":0}]}""", below.Body);
        var largest = cases.Single(c => c.Purpose == "body property 'items' has 3 items, the maxItems");
        Assert.Equal(3, (JsonNode.Parse(largest.Body!)!["items"] as JsonArray)!.Count);
        Assert.Equal(5, EdgeCases.For(operation, "/orders", """{"items":[{"productId":1,"quantity":2}]}""", 5).Count); // bounded
    }

    [Fact]
    public async Task The_cases_of_a_list_filter_it_to_nothing_and_break_its_query_in_the_journeys_query()
    {
        var operation = await OperationAsync("GET /orders");

        var cases = EdgeCases.For(operation, "/orders?search=mug", null, 30);

        Assert.Equal(new EdgeCase(EdgeCaseKind.Empty, "query parameter 'search' is 'archgate-matches-nothing', which matches nothing", "/orders?search=archgate-matches-nothing", null), cases[0]);
        Assert.Contains(cases, c => c is { Kind: EdgeCaseKind.Invalid, PathAndQuery: "/orders?search=mug&offset=-1" });
        Assert.Contains(cases, c => c is { Kind: EdgeCaseKind.Invalid, PathAndQuery: "/orders?search=mug&offset=not-a-number" });
        Assert.Equal("items", EdgeCases.ListProperty(operation));
    }

    [Fact]
    public async Task An_api_that_validates_refuses_every_invalid_input_readably_and_answers_an_empty_list()
    {
        using var api = new FakeOrdersApi();

        var result = await RunAsync(api);

        Assert.True(result.Status == CheckStatus.Pass, string.Join("\n", result.Findings.Select(f => $"{f.Rule} {f.Message}")));
        var summary = Assert.Single(result.Findings, f => f.Rule == JourneyRules.EdgeCaseSummary && f.Location == "POST /orders");
        Assert.Contains("answered as they must, 0 not", summary.Message, StringComparison.Ordinal);
        Assert.Contains("""{"items":[{"productId":1,"quantity":0}]} -> 400""", summary.Evidence, StringComparison.Ordinal);
        Assert.Contains(result.Findings, f => f.Rule == JourneyRules.EdgeCaseSummary && f.Location == "GET /orders" && f.Evidence!.Contains("search=archgate-matches-nothing -> 200", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Findings, f => f.Location == "GET /orders/{id}"); // no query, no body: nothing to vary
        Assert.Single(api.Stored, o => o["items"] is JsonArray { Count: 3 }); // the largest order was taken, the journey's one too
    }

    [Fact]
    public async Task An_api_that_stores_invalid_lines_and_fails_on_a_wrong_type_is_caught_AG7031_AG7030()
    {
        using var api = new FakeOrdersApi(new FakeOrdersFaults { NoValidation = true });

        var result = await RunAsync(api);

        Assert.Equal(CheckStatus.Fail, result.Status);
        var accepted = Assert.Single(result.Findings, f => f.Rule == JourneyRules.InvalidInputAccepted && f.Message.Contains("'items[0].quantity' is 0", StringComparison.Ordinal));
        Assert.Contains("was accepted (201) and stored at /orders/", accepted.Message, StringComparison.Ordinal);
        Assert.Contains("read back: GET", accepted.Evidence, StringComparison.Ordinal);
        Assert.Contains("\"quantity\":0", accepted.Evidence, StringComparison.Ordinal);
        var crash = Assert.Single(result.Findings, f => f.Rule == JourneyRules.EdgeCaseServerError && f.Message.Contains("'items[0].quantity' is a string", StringComparison.Ordinal));
        Assert.Contains("-> 500", crash.Evidence, StringComparison.Ordinal);
        Assert.Contains(api.Stored, o => o["items"] is JsonArray { Count: > 0 } lines && lines[0]?["quantity"] is JsonValue q && q.TryGetValue<int>(out var n) && n == 0);
    }

    [Fact]
    public async Task A_list_that_answers_404_for_nothing_found_and_plain_text_refusals_are_findings_AG7034_AG7032()
    {
        using var api = new FakeOrdersApi(new FakeOrdersFaults { EmptyIsNotFound = true, PlainTextErrors = true });

        var result = await RunAsync(api);

        var empty = Assert.Single(result.Findings, f => f.Rule == JourneyRules.EmptyListNotOk);
        Assert.Contains("was answered 404, not 200 with an empty list", empty.Message, StringComparison.Ordinal);
        Assert.Contains(result.Findings, f => f.Rule == JourneyRules.UnreadableProblem && f.Message.Contains("text/plain, not a problem+json", StringComparison.Ordinal));
        Assert.Equal(CheckStatus.Warn, result.Status); // medium findings: worth a look, not a failed gate
    }

    [Fact]
    public void The_judge_lets_the_largest_payload_through_only_when_it_is_not_refused_as_invalid()
    {
        var largest = new EdgeCase(EdgeCaseKind.Largest, "note is 20 characters", "/orders", "{}");
        static ApiAnswer Answer(int status, string body = "{\"title\":\"no\"}") =>
            new("POST", new Uri("http://127.0.0.1:1/orders"), status, new Dictionary<string, string> { ["Content-Type"] = "application/problem+json" }, body, TimeSpan.Zero, null);

        Assert.Null(EdgeCaseJudge.Judge(largest, Answer(201), null));
        Assert.Null(EdgeCaseJudge.Judge(largest, Answer(409), null)); // refused for a business reason, not as invalid
        Assert.Equal(JourneyRules.LargestRefused, EdgeCaseJudge.Judge(largest, Answer(400), null)!.Rule);
        Assert.Equal(JourneyRules.EdgeCaseServerError, EdgeCaseJudge.Judge(largest, Answer(500), null)!.Rule);
        var invalid = largest with { Kind = EdgeCaseKind.Invalid };
        Assert.Null(EdgeCaseJudge.Judge(invalid, Answer(422), null));
        Assert.Equal(Severity.High, EdgeCaseJudge.Judge(invalid, Answer(400, "{\"title\":\"System.NullReferenceException\"}"), null)!.Severity);
    }
}

public sealed class NetworkFailureCheckTests
{
    private static async Task<CheckResult> RunAsync(FakeOrdersApi api)
    {
        var folder = AuthFlowCheckTests.Folder();
        var system = TestSystems.Load(api.Manifest(folder), folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        var check = new NetworkFailureCheck(system.Find("api")!);
        Assert.True(check.AppliesTo(system).Applies);
        return await check.RunAsync(TestSystems.Context(system, http), CancellationToken.None);
    }

    [Fact]
    public async Task A_journey_cut_halfway_by_the_network_runs_again_from_its_start()
    {
        using var api = new FakeOrdersApi();

        var result = await RunAsync(api);

        Assert.Equal(CheckStatus.Pass, result.Status);
        var summary = Assert.Single(result.Findings);
        Assert.Equal(JourneyRules.NetworkFailureSummary, summary.Rule);
        Assert.Contains("the network went down at step 2 (GET /orders/{order}) (it got no answer: no answer: ", summary.Message, StringComparison.Ordinal);
        Assert.Contains("run again from its start succeeded", summary.Message, StringComparison.Ordinal);
        Assert.Equal(2, api.Requests.Count(r => r.Method == "POST")); // the cut run's and the retry's; the cut read never arrived
        Assert.Equal(1, api.Requests.Count(r => r.Method == "GET" && r.PathAndQuery.StartsWith("/orders/", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task State_the_cut_run_left_behind_that_blocks_the_retry_is_AG7037()
    {
        using var api = new FakeOrdersApi(new FakeOrdersFaults { OneOpenOrder = true });

        var result = await RunAsync(api);

        Assert.Equal(CheckStatus.Fail, result.Status);
        var finding = Assert.Single(result.Findings);
        Assert.Equal((JourneyRules.NotRecovered, Severity.High), (finding.Rule, finding.Severity));
        Assert.Contains("run again from its start failed at step 1 (POST /orders): status 409, expected 201", finding.Message, StringComparison.Ordinal);
        Assert.Contains("Your last order is still open.", finding.Evidence, StringComparison.Ordinal);
    }
}

using System.Text.Json.Nodes;
using Archgate.Checks.Contracts;
using Archgate.Checks.Contracts.Conformance;
using Archgate.Checks.Frontend;
using Archgate.Checks.Http;
using Archgate.Checks.Journeys;
using Archgate.Checks.Tests.Frontend;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Journeys;

public sealed class EdgeCaseCheckTests
{
    private static async Task<CheckResult> RunAsync(FakeOrdersApi api)
    {
        var folder = AuthFlowCheckTests.Folder();
        var system = TestSystems.Load(api.Manifest(folder), folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        var check = new EdgeCaseCheck(system.Find<Archgate.Model.ServiceComponent>("api")!, new ContractDocuments(), new Archgate.Model.JourneyCheckOptions());
        Assert.True(check.AppliesTo(system).Applies);
        return await check.RunAsync(TestSystems.Context(system, http), CancellationToken.None);
    }

    private static async Task<OperationInfo> OperationAsync(string name, string contract = FakeOrdersApi.Contract)
    {
        var folder = AuthFlowCheckTests.Folder();
        var path = Path.Combine(folder, "orders.yaml");
        await File.WriteAllTextAsync(path, contract);
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
        Assert.DoesNotContain(cases, c => c.Kind == EdgeCaseKind.Largest && c.Purpose.Contains("'deliverAt'", StringComparison.Ordinal)); // a date-time cannot grow: no 40 letters
        Assert.Contains("BeyondLargest: body property 'deliverAt' is 41 characters, longer than maxLength 40", purposes);
        var contact = cases.Single(c => c.Purpose == "body property 'contact' is 40 characters, the maxLength");
        var address = JsonNode.Parse(contact.Body!)!["contact"]!.GetValue<string>();
        Assert.Equal(40, address.Length);
        Assert.True(System.Net.Mail.MailAddress.TryCreate(address, out _), address); // padded where an address allows it
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
    public async Task An_opaque_cursor_is_not_taken_for_a_filter_that_matches_nothing()
    {
        // ex10: 'cursor' (the next value of the previous page) was set to 'archgate-matches-nothing', and its readable 400 was AG7034.
        var operation = await OperationAsync("GET /orders", FakeOrdersApi.Contract.Replace(
            "        - { name: search, in: query",
            "        - { name: cursor, in: query, description: the next value of the previous page, schema: { type: string } }\n        - { name: page_token, in: query, schema: { type: string } }\n        - { name: search, in: query",
            StringComparison.Ordinal));

        var cases = EdgeCases.For(operation, "/orders?search=mug", null, 30);

        Assert.Equal("query parameter 'search' is 'archgate-matches-nothing', which matches nothing", cases[0].Purpose);
        Assert.DoesNotContain(cases, c => c.Kind == EdgeCaseKind.Empty && (c.PathAndQuery.Contains("cursor=", StringComparison.Ordinal) || c.PathAndQuery.Contains("page_token=", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_case_refused_412_for_the_journeys_stale_ETag_goes_again_with_the_current_one_and_is_judged_on_its_body()
    {
        // ex10: the journey's PATCH made its captured ETag stale, and the largest payload met 412 before its body was
        // looked at; the 412 counted as "answered as it must".
        using var api = new FakeShopApi(new FakeApiFaults { Lengths = new Dictionary<string, (int, int)> { ["title"] = (1, 20) } });
        var contract = FakeShopApi.BookContract("{ isbn: 978-0-00-000002-2, title: first }", "{ title: second }", titleMax: 30);
        const string Journey = """
            journeys:
              - name: note and rename it
                steps:
                  - request: POST /auth/login
                    json: { username: ann, password: demo }
                    capture: { token: $.accessToken }
                  - request: POST /notes
                    headers: { Authorization: "Bearer {token}" }
                    json: { isbn: 978-0-00-000002-2, title: first }
                    expect: { status: 201 }
                    capture: { note: $.id, etag: "header: ETag" }
                  - request: PUT /notes/{note}
                    headers: { Authorization: "Bearer {token}", If-Match: "{etag}" }
                    json: { title: second }
                    expect: { status: 200 }
            """;
        var folder = AuthFlowCheckTests.Folder();
        var system = TestSystems.Load(api.Manifest(folder, Journey, contract: contract), folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        var result = await new EdgeCaseCheck(system.Find<Archgate.Model.ServiceComponent>("api")!, new ContractDocuments(), new Archgate.Model.JourneyCheckOptions())
            .RunAsync(TestSystems.Context(system, http), CancellationToken.None);

        // The title's 30 characters go over the API's own 20: with a current ETag the body is looked at and refused 400.
        var refused = Assert.Single(result.Findings, f => f.Rule == JourneyRules.LargestRefused && f.Location == "PUT /notes/{id}");
        Assert.Contains("body property 'title' is 30 characters, the maxLength", refused.Message, StringComparison.Ordinal);
        Assert.Contains("-> 400", refused.Evidence, StringComparison.Ordinal);
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
        Assert.DoesNotContain(result.Findings, f => f.Rule == JourneyRules.LargestRefused); // the format-checked date-time and e-mail were sent valid
        Assert.Contains(api.Stored, o => o["contact"] is JsonValue c && c.GetValue<string>().Length == 40);
    }

    [Fact]
    public async Task What_the_edge_cases_created_without_a_DELETE_in_the_contract_is_named_as_left_behind()
    {
        // ex13: a booking (cancelled by an action, no DELETE) re-sent by the edge cases held the room, and nothing said so.
        using var api = new FakeOrdersApi();

        var result = await RunAsync(api);

        var summary = Assert.Single(result.Findings, f => f.Rule == JourneyRules.EdgeCaseSummary && f.Location == "POST /orders");
        Assert.Contains("; left behind, as the contract has no DELETE on the item and no action that cancels it: /orders/2", summary.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(api.Requests, r => r.Method == "DELETE");
    }

    [Fact]
    public async Task What_the_edge_cases_created_is_cancelled_where_the_contract_cancels_and_has_no_DELETE()
    {
        // A booking the edge cases left holds its room from the checks after them: the contract's cancel gives it back.
        using var api = new FakeOrdersApi(new FakeOrdersFaults { Cancels = true });

        var result = await RunAsync(api);

        var summary = Assert.Single(result.Findings, f => f.Rule == JourneyRules.EdgeCaseSummary && f.Location == "POST /orders");
        Assert.DoesNotContain("left behind", summary.Message, StringComparison.Ordinal);
        Assert.Contains("cleaned up (POST cancel): /orders/2", summary.Evidence, StringComparison.Ordinal);
        Assert.Contains(api.Requests, r => r is { Method: "POST", PathAndQuery: "/orders/2/cancel" });
        Assert.DoesNotContain(api.Requests, r => r is { Method: "POST", PathAndQuery: "/orders/1/cancel" }); // the journey's own order stays
        Assert.Equal("cancelled", api.Stored.Single(o => (int)o["id"]! == 2)["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_largest_order_the_edge_cases_created_is_deleted_and_the_journeys_own_order_is_left()
    {
        // Left behind, the largest payload's order kept a unique slot: the network-failure check's journey then met 409.
        using var api = new FakeOrdersApi(new FakeOrdersFaults { Deletes = true });

        var result = await RunAsync(api);

        Assert.True(result.Status == CheckStatus.Pass, string.Join("\n", result.Findings.Select(f => $"{f.Rule} {f.Message} {f.Evidence}")));
        var order = Assert.Single(api.Stored); // the journey's
        Assert.Equal(1, (int)order["id"]!);
        Assert.Contains(api.Requests, r => r.Method == "DELETE");
        Assert.DoesNotContain(api.Requests, r => r is { Method: "DELETE", PathAndQuery: "/orders/1" });
        Assert.Contains("cleaned up (deleted): /orders/", Assert.Single(result.Findings, f => f.Rule == JourneyRules.EdgeCaseSummary && f.Location == "POST /orders").Evidence, StringComparison.Ordinal);
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
    public async Task An_edge_case_refused_only_because_the_journeys_note_is_taken_goes_again_with_unique_text()
    {
        // Notes are unique: every case built from the journey's order (note 'gift') is 409 before any validation, and the
        // stored invalid lines went unseen. Sent again with a unique note, the missing validation shows.
        using var api = new FakeOrdersApi(new FakeOrdersFaults { NoValidation = true, UniqueNotes = true });

        var result = await RunAsync(api);

        Assert.Contains(result.Findings, f => f.Rule == JourneyRules.InvalidInputAccepted && f.Message.Contains("'items[0].quantity' is 0", StringComparison.Ordinal));
        Assert.Contains(api.Requests, r => r.Body.Contains("\"note\":\"gift-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cases_refused_for_the_state_the_journey_left_are_not_determined_and_never_count_as_validation()
    {
        // The journey orders and never reads: the service now refuses every order (409) before it looks at the body, and
        // it validates nothing. The journey's own request is refused too, so the 409s say nothing of the input.
        using var api = new FakeOrdersApi(new FakeOrdersFaults { OneOpenOrderCheckedFirst = true });
        var folder = AuthFlowCheckTests.Folder();
        var system = TestSystems.Load(api.Manifest(folder, """
            journeys:
              - name: order
                steps:
                  - request: POST /orders
                    json: { items: [ { productId: 1, quantity: 2 } ] }
                    expect: { status: 201 }
            """), folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);

        var result = await new EdgeCaseCheck(system.Find<Archgate.Model.ServiceComponent>("api")!, new ContractDocuments(), new Archgate.Model.JourneyCheckOptions())
            .RunAsync(TestSystems.Context(system, http), CancellationToken.None);

        var summary = Assert.Single(result.Findings, f => f.Rule == JourneyRules.EdgeCaseSummary);
        Assert.Matches(@"; 0 answered as they must, 0 not, (\d+) not determined \(the journey's own request is refused now too \(409\)", summary.Message);
        Assert.StartsWith("the journey's request again: POST /orders -> 409", summary.Evidence, StringComparison.Ordinal);
        Assert.Contains("-> 409 {\"title\":\"Your last order is still open.\"} (not determined: the journey's own request is refused now too (409)", summary.Evidence, StringComparison.Ordinal);
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
    [Fact]
    public void A_refusal_whose_message_is_a_list_of_texts_is_readable_and_one_of_numbers_or_blanks_is_not_AG7032()
    {
        // NestJS/class-validator: one message per broken constraint, in a list (ex11: 16 false AG7032).
        var invalid = new EdgeCase(EdgeCaseKind.Invalid, "query parameter 'page' is 0, below the minimum 1", "/events?page=0", null);
        static ApiAnswer Answer(string body) =>
            new("GET", new Uri("http://127.0.0.1:1/events?page=0"), 400, new Dictionary<string, string> { ["Content-Type"] = "application/json; charset=utf-8" }, body, TimeSpan.Zero, null);

        Assert.Null(EdgeCaseJudge.Judge(invalid, Answer("""{"message":["page must not be less than 1"],"error":"Bad Request","statusCode":400}"""), null));
        Assert.Null(EdgeCaseJudge.Judge(invalid, Answer("""{"errors":["page must be a whole number"]}"""), null));
        var numbers = EdgeCaseJudge.Judge(invalid, Answer("""{"message":[1001, 1002],"statusCode":400}"""), null);
        Assert.Equal(JourneyRules.UnreadableProblem, numbers?.Rule);
        Assert.Contains("no 'title', 'detail', 'message' or 'errors' a person can read", numbers!.Message, StringComparison.Ordinal);
        Assert.Equal(JourneyRules.UnreadableProblem, EdgeCaseJudge.Judge(invalid, Answer("""{"message":[" "],"statusCode":400}"""), null)?.Rule);
    }
}

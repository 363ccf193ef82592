using System.Text.Json.Nodes;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Model;
using static Archgate.Checks.Tests.Contracts.Pact.PactTestKit;

namespace Archgate.Checks.Tests.Contracts.Pact;

public sealed class PactVerifierTests
{
    private const string StatefulPact = """
        {
          "consumer": { "name": "web" }, "provider": { "name": "api" },
          "interactions": [ {
            "description": "an order",
            "providerStates": [ { "name": "an order exists", "params": { "id": 42 } }, { "name": "ann is signed in" } ],
            "request": { "method": "GET", "path": "/orders/42", "headers": { "Authorization": "Bearer example-token" } },
            "response": { "status": 200, "body": { "id": 42 } }
          }, {
            "description": "no state",
            "request": { "method": "GET", "path": "/orders/42" },
            "response": { "status": 200 }
          } ],
          "metadata": { "pactSpecification": { "version": "3.0.0" } }
        }
        """;

    [Fact]
    public async Task A_cookie_session_consumers_example_cookie_and_csrf_header_are_replaced_by_the_identitys_live_session()
    {
        // A page signed in with a session cookie: its pact holds the example sid, its echoed anti-CSRF header and a
        // cookie of its own; the provider takes only a live session, and writes only with the session's token echoed.
        const string pact = """
            {
              "consumer": { "name": "web" }, "provider": { "name": "api" },
              "interactions": [ {
                "description": "who am I",
                "request": { "method": "GET", "path": "/me", "headers": { "Cookie": "sid=example-session; theme=dark" } },
                "response": { "status": 200, "body": { "name": "Ann" } }
              }, {
                "description": "a new task",
                "request": { "method": "POST", "path": "/tasks", "headers": { "Cookie": "sid=example-session", "X-XSRF-TOKEN": "example-csrf", "Content-Type": "application/json" }, "body": { "title": "first" } },
                "response": { "status": 201, "body": { "title": "first" } }
              } ],
              "metadata": { "pactSpecification": { "version": "3.0.0" } }
            }
            """;
        using var api = new CookieSessionApi();
        var ann = new LoginAuth("POST", "/auth/login", "ann@example.test", "demo", null) { Name = "ann", UserField = "email" };

        var results = await VerifyAsync(pact, api.Url, new PactSettings { Auth = ann });

        Assert.All(results, r => Assert.True(r.Passed, string.Join("; ", r.Mismatches)));
        var me = api.Requests.Single(r => r.PathAndQuery == "/me");
        Assert.Contains("theme=dark", me.Headers["Cookie"], StringComparison.Ordinal);
        Assert.DoesNotContain("example-session", me.Headers["Cookie"], StringComparison.Ordinal);
        Assert.NotEqual("example-csrf", api.Requests.Single(r => r.PathAndQuery == "/tasks").Headers["X-XSRF-TOKEN"]);
    }

    [Fact]
    public async Task Provider_states_are_set_up_before_and_torn_down_after_each_interaction_with_their_params()
    {
        using var server = PactProviderServer.Answering("""{ "id": 42 }""");

        var results = await VerifyAsync(StatefulPact, server.Url, new PactSettings { StateChange = new PactStateChange("/_pact/state") });

        Assert.All(results, r => Assert.True(r.Passed, string.Join("; ", r.Mismatches)));
        var calls = server.Requests.Select(r => $"{r.Method} {r.PathAndQuery} {r.Body}").ToList();
        Assert.Equal(
        [
            """POST /_pact/state {"action":"setup","params":{"id":42},"state":"an order exists"}""",
            """POST /_pact/state {"action":"setup","params":{},"state":"ann is signed in"}""",
            "GET /orders/42 ",
            """POST /_pact/state {"action":"teardown","params":{"id":42},"state":"an order exists"}""",
            """POST /_pact/state {"action":"teardown","params":{},"state":"ann is signed in"}""",
            "GET /orders/42 ",
        ], calls);
    }

    [Fact]
    public async Task States_go_as_query_parameters_and_teardown_can_be_switched_off()
    {
        using var server = PactProviderServer.Answering("""{ "id": 42 }""");

        await VerifyAsync(StatefulPact, server.Url, new PactSettings { StateChange = new PactStateChange($"{server.Url}_pact/state", AsBody: false, Teardown: false) });

        Assert.Equal(
            ["/_pact/state?state=an%20order%20exists&action=setup&id=42", "/_pact/state?state=ann%20is%20signed%20in&action=setup", "/orders/42", "/orders/42"],
            server.Requests.Select(r => r.PathAndQuery));
    }

    [Fact]
    public async Task A_failing_state_change_fails_the_interaction_without_sending_its_request()
    {
        using var server = new PactProviderServer(r => r.PathAndQuery.StartsWith("/_pact/state", StringComparison.Ordinal)
            ? new ProviderAnswer(500, "{}")
            : new ProviderAnswer(200, """{ "id": 42 }"""));

        var results = await VerifyAsync(StatefulPact, server.Url, new PactSettings { StateChange = new PactStateChange("/_pact/state", Teardown: false) });

        var mismatch = Assert.Single(results[0].Mismatches);
        Assert.Equal(Archgate.Checks.Contracts.Pact.MismatchKind.State, mismatch.Kind);
        Assert.StartsWith("Provider state change 'an order exists' (setup) failed: POST http://127.0.0.1:", mismatch.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Requests, r => r.Method == "GET" && r.Headers.ContainsKey("Authorization"));
        Assert.True(results[1].Passed);
    }

    [Fact]
    public async Task The_pacts_example_token_is_replaced_by_a_live_one_from_the_login_and_only_where_the_pact_sends_one()
    {
        using var server = new PactProviderServer(r => r.PathAndQuery switch
        {
            "/auth/login" => new ProviderAnswer(200, """{ "session": { "accessToken": "live-token-1" } }"""),
            _ => new ProviderAnswer(200, """{ "id": 42 }"""),
        });

        var results = await VerifyAsync(StatefulPact, server.Url, new PactSettings { Auth = new LoginAuth("POST", "/auth/login", "ann", "demo", "$.session.accessToken") });

        Assert.All(results, r => Assert.True(r.Passed));
        var login = Assert.Single(server.Requests, r => r.PathAndQuery == "/auth/login");
        Assert.Equal("ann", JsonNode.Parse(login.Body)!["username"]!.GetValue<string>());
        var gets = server.Requests.Where(r => r.Method == "GET").ToList();
        Assert.Equal("Bearer live-token-1", gets[0].Headers["Authorization"]);
        Assert.False(gets[1].Headers.ContainsKey("Authorization"));
    }

    [Fact]
    public async Task A_failed_login_fails_the_interactions_that_need_a_token_and_never_shows_the_password()
    {
        using var server = new PactProviderServer(r => r.PathAndQuery == "/auth/login"
            ? new ProviderAnswer(401, """{ "title": "no" }""")
            : new ProviderAnswer(200, """{ "id": 42 }"""));

        var results = await VerifyAsync(StatefulPact, server.Url, new PactSettings { Auth = new LoginAuth("POST", "/auth/login", "ann", "hunter2", null) { Name = "ann" } });

        var mismatch = Assert.Single(results[0].Mismatches);
        Assert.Equal("Sign-in as ann failed: the login POST /auth/login as 'ann' answered 401", mismatch.Message);
        Assert.True(results[1].Passed);
        Assert.DoesNotContain("hunter2", mismatch.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_headers_and_body_mismatches_are_worded_like_the_pact_verifier()
    {
        var pact = V3("""{ "id": 1, "total": 2.5, "items": [ "a", "b" ] }""", "{}",
            """, "headers": { "X-Thing": "abc", "Content-Type": "application/json", "X-Gone": "1" }""").Replace("\"status\": 200", "\"status\": 201", StringComparison.Ordinal);
        using var server = new PactProviderServer(_ => new ProviderAnswer(200, """{ "id": "1", "totalAmount": 2.5, "items": [ "a", "b", "c" ] }""",
            "application/json; charset=utf-8", new Dictionary<string, string> { ["x-thing"] = "Abc" }));

        var result = Assert.Single(await VerifyAsync(pact, server.Url));

        Assert.Equal(
        [
            "expected 201 but was 200",
            "Mismatch with header 'X-Thing': Expected 'Abc' to be equal to 'abc'",
            "Expected a header 'X-Gone' but was missing",
            "$.id -> Expected '1' (String) to be equal to 1 (Integer)",
            "$ -> Actual map is missing the following keys: total",
            "$.items -> Expected a List with 2 elements but received 3 elements",
        ], result.Mismatches.Select(m => m.ToString()));
        Assert.Equal("$.total", result.Mismatches[4].Where);
        Assert.Contains("-> 200:", result.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Header_names_are_case_insensitive_and_a_header_rule_applies_to_the_value()
    {
        var pact = V3("{}", "{}", """, "headers": { "location": "/orders/42" }, "matchingRules": { "header": { "Location": { "matchers": [ { "match": "regex", "regex": "/orders/\\d+" } ] } } }""")
            .Replace("\"matchingRules\": { \"body\": {} } ,", string.Empty, StringComparison.Ordinal);
        using var good = new PactProviderServer(_ => new ProviderAnswer(200, "{}", Headers: new Dictionary<string, string> { ["Location"] = "/orders/7" }));
        using var bad = new PactProviderServer(_ => new ProviderAnswer(200, "{}", Headers: new Dictionary<string, string> { ["Location"] = "/orders/x" }));

        Assert.True(Assert.Single(await VerifyAsync(pact, good.Url)).Passed);
        Assert.Equal("Mismatch with header 'location': Expected '/orders/x' to match '/orders/\\d+'",
            Assert.Single(Assert.Single(await VerifyAsync(pact, bad.Url)).Mismatches).Message);
    }

    [Fact]
    public async Task Extra_keys_pass_and_numbers_compare_as_the_verifier_does()
    {
        var pact = V3("""{ "price": 12.9, "count": 1 }""");

        Assert.Empty(await MismatchesAsync(pact, """{ "price": 12.90, "count": 1, "more": { "x": 1 } }"""));
        Assert.Equal(["$.count -> Expected 1.0 (Decimal) to be equal to 1 (Integer)"], await MismatchesAsync(pact, """{ "price": 12.9, "count": 1.0 }"""));
    }

    [Fact]
    public async Task Arrays_without_a_rule_keep_their_order()
    {
        var pact = V3("""{ "tags": [ "b", "a" ] }""");

        Assert.Equal(
            ["$.tags[0] -> Expected 'a' (String) to be equal to 'b' (String)", "$.tags[1] -> Expected 'b' (String) to be equal to 'a' (String)"],
            await MismatchesAsync(pact, """{ "tags": [ "a", "b" ] }"""));
    }

    [Fact]
    public async Task A_type_rule_cascades_to_everything_below_it()
    {
        var pact = V3("""{ "order": { "id": 1, "lines": [ { "sku": "a" } ] } }""", """{ "$.order": { "matchers": [ { "match": "type" } ] } }""");

        Assert.Empty(await MismatchesAsync(pact, """{ "order": { "id": 9, "lines": [ { "sku": "z" }, { "sku": "y" } ] } }"""));
        Assert.Equal(["$.order.lines[1].sku -> Expected 3 (Integer) to be the same type as 'a' (String)"],
            await MismatchesAsync(pact, """{ "order": { "id": 9, "lines": [ { "sku": "z" }, { "sku": 3 } ] } }"""));
    }

    [Fact]
    public async Task A_refused_connection_is_a_transient_request_failure()
    {
        var results = await VerifyAsync(V3("{}"), new Uri($"http://127.0.0.1:{FreePort.Next()}"));

        Assert.Equal("connection refused", Assert.Single(results).TransientCause);
        Assert.Equal("Request failed: connection refused", Assert.Single(results[0].Mismatches).Message);
    }

    [Fact]
    public async Task The_request_is_sent_as_the_pact_wrote_it()
    {
        var pact = """
            { "consumer": { "name": "web" }, "provider": { "name": "api" },
              "interactions": [ { "description": "post",
                "request": { "method": "POST", "path": "/orders", "query": { "dry run": [ "yes & no" ] },
                  "headers": { "Content-Type": "application/json", "X-Trace": "t1" }, "body": { "items": [ 1 ] } },
                "response": { "status": 200 } } ],
              "metadata": { "pactSpecification": { "version": "3.0.0" } } }
            """;
        using var server = PactProviderServer.Answering("{}");

        await VerifyAsync(pact, server.Url);

        var request = Assert.Single(server.Requests);
        Assert.Equal("POST /orders?dry%20run=yes%20%26%20no", $"{request.Method} {request.PathAndQuery}");
        Assert.Equal("t1", request.Headers["X-Trace"]);
        Assert.Equal("application/json", request.Headers["Content-Type"]);
        Assert.Equal("""{"items":[1]}""", request.Body);
    }

    [Fact]
    public async Task A_v4_status_code_rule_accepts_a_status_class()
    {
        static string Pact(string status) => $$"""
            { "consumer": { "name": "web" }, "provider": { "name": "api" },
              "interactions": [ { "type": "Synchronous/HTTP", "description": "status",
                "request": { "method": "GET", "path": "/x" },
                "response": { "status": 200, "matchingRules": { "status": { "combine": "AND", "matchers": [ { "match": "statusCode", "status": "{{status}}" } ] } } } } ],
              "metadata": { "pactSpecification": { "version": "4.0" } } }
            """;
        using var server = PactProviderServer.Answering("{}", status: 204);

        Assert.True(Assert.Single(await VerifyAsync(Pact("success"), server.Url)).Passed);
        Assert.Equal("Expected status code 204 to be a Client error (400–499)",
            Assert.Single(Assert.Single(await VerifyAsync(Pact("clientError"), server.Url)).Mismatches).Message);
    }
    [Fact]
    public async Task A_binary_body_is_verified_by_its_bytes_and_the_evidence_never_quotes_them()
    {
        byte[] image = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00, 0x01, 0x02];
        var pact = V3("\"" + Convert.ToBase64String(image) + "\"", "{}", """, "headers": { "Content-Type": "image/jpeg" }""");
        using var same = new PactProviderServer(_ => new ProviderAnswer(200, string.Empty, "image/jpeg", Bytes: image));
        using var other = new PactProviderServer(_ => new ProviderAnswer(200, string.Empty, "image/jpeg", Bytes: [.. image, 0x00, 0x00]));

        var passed = Assert.Single(await VerifyAsync(pact, same.Url));
        var failed = Assert.Single(await VerifyAsync(pact, other.Url));

        Assert.True(passed.Passed, string.Join("; ", passed.Mismatches));
        Assert.StartsWith("$ -> Actual body [image/jpeg, 15 bytes, SHA-256 ", Assert.Single(failed.Mismatches).ToString(), StringComparison.Ordinal);
        Assert.Contains("-> 200: [image/jpeg, 15 bytes, SHA-256 ", failed.Evidence, StringComparison.Ordinal);
        Assert.DoesNotContain('\0', failed.Evidence!);
    }

    [Fact]
    public async Task Header_lines_of_one_name_stay_separate_values()
    {
        var pact = V3("{}", "{}", """, "headers": { "X-Rate": "1" }, "matchingRules": { "header": { "X-Rate": { "matchers": [ { "match": "regex", "regex": "\\d{1,4}" } ] } } }""")
            .Replace("\"matchingRules\": { \"body\": {} } ,", string.Empty, StringComparison.Ordinal);
        using var good = new RawHttpServer("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Rate: 1\r\nX-Rate: 1000", "{}"u8.ToArray());
        using var bad = new RawHttpServer("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Rate: 1\r\nX-Rate: 99999", "{}"u8.ToArray());

        var passed = Assert.Single(await VerifyAsync(pact, good.Url));
        var failed = Assert.Single(await VerifyAsync(pact, bad.Url));

        Assert.True(passed.Passed, string.Join("; ", passed.Mismatches));
        Assert.Equal("Mismatch with header 'X-Rate': Expected '99999' to match '\\d{1,4}' for value at index 1", Assert.Single(failed.Mismatches).Message);
    }
    [Fact]
    public async Task A_synchronous_message_sends_its_request_to_the_message_provider_and_matches_the_first_response()
    {
        const string Pact = """
            { "consumer": { "name": "web" }, "provider": { "name": "api" },
              "interactions": [ { "type": "Synchronous/Messages", "description": "price asked",
                "request": { "contents": { "content": { "sku": "MUG" }, "contentType": "application/json", "encoded": false } },
                "response": [ { "contents": { "content": "12.50", "contentType": "text/plain", "encoded": false },
                  "matchingRules": { "content": { "$": { "matchers": [ { "match": "regex", "regex": "\\d+\\.\\d{2}" } ] } } } } ] } ],
              "metadata": { "pactSpecification": { "version": "4.0" } } }
            """;
        using var good = new PactProviderServer(_ => new ProviderAnswer(200, "9.99", "text/plain"));
        using var bad = new PactProviderServer(_ => new ProviderAnswer(200, "cheap", "text/plain"));
        var settings = new PactSettings { Messages = new PactMessageProvider("/_pact/messages") };

        var passed = Assert.Single(await VerifyAsync(Pact, good.Url, settings));
        var failed = Assert.Single(await VerifyAsync(Pact, bad.Url, settings));

        Assert.True(passed.Passed, string.Join("; ", passed.Mismatches));
        Assert.Equal($"message 'price asked': POST {good.Url}_pact/messages", passed.Request);
        Assert.Equal("""{"sku":"MUG"}""", JsonNode.Parse(Assert.Single(good.Requests).Body)!["request"]!["contents"]!["content"]!.ToJsonString());
        Assert.Equal("$ -> Expected 'cheap' to match '\\d+\\.\\d{2}'", Assert.Single(failed.Mismatches).ToString());
    }
}

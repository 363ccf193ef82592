using Archgate.Manifest;
using Archgate.Model;
using Archgate.Tests;

namespace Archgate.Core.Tests.Manifest;

/// <summary>Step 7's journeys, a service's resources and realtime endpoints, and the auth flow's refresh and logout.</summary>
public sealed class JourneysSectionTests
{
    private const string Components = """
        version: 1
        system: { name: shop }
        components:
          - { name: db, kind: database, connection: "Data Source=shop.db" }
          - name: api
            kind: service
            url: "http://127.0.0.1:7101"
            dependsOn: [db]
            critical: true
            auth: { login: POST /auth/login, user: ann, password: demo, refresh: POST /auth/refresh, logout: POST /auth/logout }
            resources: { "/orders/{id}": { database: db, table: orders, columns: { total: total_cents } } }
            realtime:
              - { sse: /orders/events, tokenQuery: access_token, event: order-status, within: 3s, trigger: { request: POST /orders, json: { items: [] } } }

        """;

    [Fact]
    public void An_unquoted_number_or_boolean_expected_is_a_json_literal_and_a_quoted_one_text()
    {
        var model = TestSystems.Load(Components + """
            journeys:
              - name: book
                steps:
                  - request: GET /orders/1
                    expect: { $.seats: 2, $.code: "2", $.paid: { equals: true }, $.total: 12.50, $.status: paid, $.note: { exists: false } }
            """);

        Assert.Equal(
            [("$.seats", true), ("$.code", false), ("$.paid", true), ("$.total", true), ("$.status", false), ("$.note", false)],
            model.Journeys[0].Steps[0].Expect.Json.Select(j => (j.Path, j.Literal)));
    }

    [Fact]
    public void Journeys_map_steps_expectations_captures_vars_and_runs()
    {
        var model = TestSystems.Load(Components + """
            journeys:
              - name: order
                critical: true
                vars: { product: "1" }
                setup:
                  - request: POST /auth/login
                    json: { username: ann, password: demo }
                    capture: { token: $.accessToken }
                steps:
                  - GET /products/{product}
                  - request: POST /orders
                    headers: { Authorization: "Bearer {token}" }
                    json: { items: [ { productId: 1, quantity: 1 } ] }
                    expect: { status: [201, 202], duration: 2s, headers: { Location: "/orders/{run}" }, $.status: payment_pending, "$.items[*].productId": { contains: "{product}" }, $.note: { exists: false } }
                    capture: { order: $.id, etag: "header: ETag" }
              - { name: browse, runs: 3, steps: [GET /products] }
            """);

        var order = model.Journeys[0];
        Assert.Equal(("order", "api", true, 20), (order.Name, order.Service, order.Critical, order.Runs));
        Assert.Equal("1", order.Variables["product"]);
        Assert.Equal("$.accessToken", Assert.Single(order.Setup).Request!.Captures[0].Name);
        var post = order.Steps[1];
        Assert.Equal([201, 202], post.Expect.Status);
        Assert.Equal(TimeSpan.FromSeconds(2), post.Expect.Duration);
        Assert.Equal(
            [new JsonAssertion("$.status", JsonAssertionKind.Equals, "payment_pending"), new JsonAssertion("$.items[*].productId", JsonAssertionKind.Contains, "{product}"),
             new JsonAssertion("$.note", JsonAssertionKind.Exists, "false")],
            post.Expect.Json);
        Assert.Equal(CaptureSource.Header, post.Request!.Captures[1].Source);
        Assert.Equal(JourneyExpectations.Default, order.Steps[0].Expect);
        Assert.Equal((false, 3), (model.Journeys[1].Critical, model.Journeys[1].Runs));

        var api = model.Find("api")!;
        var login = Assert.IsType<LoginAuth>(((Archgate.Model.HttpComponent)api).Auth);
        Assert.Equal((new AuthCall("POST", "/auth/refresh"), new AuthCall("POST", "/auth/logout")), (login.Refresh, login.Logout));
        var resource = Assert.Single(((Archgate.Model.ServiceComponent)api).Resources);
        Assert.Equal(("/orders/{id}", "db", "orders", "id", "total_cents"), (resource.Path, resource.Database, resource.Table, resource.Key, resource.Columns["total"]));
        var stream = Assert.Single(((Archgate.Model.ServiceComponent)api).Realtime);
        Assert.Equal(("/orders/events", "access_token", "order-status", TimeSpan.FromSeconds(3), "POST"), (stream.Path, stream.TokenQuery, stream.Event, stream.Within, stream.Trigger.Method));
    }

    [Fact]
    public void A_websocket_endpoint_and_a_frontends_states_are_read_with_their_defaults()
    {
        var model = TestSystems.Load(Components + """
              - { websocket: /orders/ws, tokenQuery: access_token, event: order-status, trigger: { request: POST /orders, json: { items: [] } } }
          - { name: web, kind: frontend, url: "http://127.0.0.1:7001", dependsOn: [api], states: { loading: "text=Loading", delay: 1s } }
          - { name: admin, kind: frontend, url: "http://127.0.0.1:7002", dependsOn: [api], states: off }
          - { name: plain, kind: frontend, url: "http://127.0.0.1:7003", dependsOn: [api] }
        """);

        var api = model.Find("api")!;
        Assert.Equal([RealtimeKind.Sse, RealtimeKind.WebSocket], ((Archgate.Model.ServiceComponent)api).Realtime.Select(r => r.Kind));
        Assert.Equal(("/orders/ws", TimeSpan.FromSeconds(2)), (((Archgate.Model.ServiceComponent)api).Realtime[1].Path, ((Archgate.Model.ServiceComponent)api).Realtime[1].Within));
        var web = model.Find<Archgate.Model.FrontendComponent>("web")!.States;
        Assert.Equal((true, "text=Loading", "[role=alert]", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10)), (web.Enabled, web.Loading, web.Error, web.Delay, web.Within));
        Assert.False(model.Find<Archgate.Model.FrontendComponent>("admin")!.States.Enabled);
        Assert.Equal(PageStates.Default, model.Find<Archgate.Model.FrontendComponent>("plain")!.States);
    }

    [Fact]
    public void A_realtime_entry_with_both_sse_and_websocket_and_empty_states_selectors_are_errors()
    {
        var errors = ManifestLoader.Parse(Components + """
              - { sse: /a, websocket: /b, trigger: { request: POST /orders } }
          - { name: web, kind: frontend, url: "http://127.0.0.1:7001", states: { error: " ", delay: 0s, colour: red } }
          - { name: db2, kind: database, connection: "Data Source=x.db", states: off }
        """, "archgate.yaml", "/tmp/archgate.yaml", "sha", _ => null).Errors;

        Assert.Contains(errors, e => e.Path == "components.api.realtime[1].sse" && e.Message.Contains("not both", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Path == "components.web.states.error" && e.Message == "the selector is empty");
        Assert.Contains(errors, e => e.Path == "components.web.states.delay");
        Assert.Contains(errors, e => e.Path.StartsWith("components.web.states", StringComparison.Ordinal) && e.Message.Contains("colour", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Path.StartsWith("components.db2", StringComparison.Ordinal) && e.Message.Contains("states", StringComparison.Ordinal));
    }

    [Fact]
    public void A_resource_names_the_page_that_lists_it_and_a_page_path_without_a_slash_is_an_error()
    {
        var model = TestSystems.Load(Components.Replace("columns: { total: total_cents } }", "page: { path: /orders, item: \"tr[data-id='{id}']\", show: [status, total] } }", StringComparison.Ordinal));

        var page = model.Find<ServiceComponent>("api")!.Resources[0].Page!;
        Assert.Equal(("/orders", "tr[data-id='{id}']"), (page.Path, page.Item));
        Assert.Equal(["status", "total"], page.Show);

        var errors = ManifestLoader.Parse(Components.Replace("columns: { total: total_cents } }", "page: { path: orders, show: [status] } }", StringComparison.Ordinal),
            "archgate.yaml", "/tmp/archgate.yaml", "sha", _ => null).Errors;
        Assert.Contains(errors, e => e.Path == "components.api.resources./orders/{id}.page.path" && e.Message.Contains("'orders' is not a path", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Path.StartsWith("components.api.resources./orders/{id}.page", StringComparison.Ordinal) && e.Message.Contains("item", StringComparison.Ordinal));
    }

    [Fact]
    public void A_nested_resource_path_is_taken_and_one_not_ending_in_a_parameter_is_an_error()
    {
        var nested = """ "/orders/{id}": { database: db, table: orders }, "/orders/{id}/lines/{lineId}": { database: db, table: order_lines }, "/orders/{id}/summary": { database: db, table: summaries } }""";
        var result = ManifestLoader.Parse(Components.Replace(""" "/orders/{id}": { database: db, table: orders, columns: { total: total_cents } } }""", nested, StringComparison.Ordinal),
            "archgate.yaml", "/tmp/archgate.yaml", "sha", _ => null);

        var error = Assert.Single(result.Errors);
        Assert.Equal("components.api.resources./orders/{id}/summary", error.Path);
        Assert.Contains("not an item path ending in a parameter", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Expect_within_polls_a_read_and_is_an_error_on_a_write()
    {
        var model = TestSystems.Load(Components + """
            journeys:
              - name: a hold expires
                steps:
                  - request: GET /orders/1
                    expect: { $.status: expired, within: 90s }
            """);
        Assert.Equal(TimeSpan.FromSeconds(90), model.Journeys[0].Steps[0].Expect.Within);

        var errors = ManifestLoader.Parse(Components + """
            journeys:
              - name: order
                steps:
                  - request: POST /orders
                    json: { items: [] }
                    expect: { status: 201, within: 30s }
            """, "archgate.yaml", "/tmp/archgate.yaml", "sha", _ => null).Errors;
        var error = Assert.Single(errors, e => e.Path == "journeys[0].steps[0].expect.within");
        Assert.Contains("POST is no read to send again", error.Message, StringComparison.Ordinal);
        Assert.Contains("GET /orders/{order}", error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_mistake_is_reported_at_its_place_with_a_hint()
    {
        var errors = ManifestLoader.Parse(Components.Replace("database: db, table", "database: dbx, table", StringComparison.Ordinal) + """
            journeys:
              - name: order
                service: apx
                steps:
                  - request: GET /orders/{order}
                    expect: { status: 999, $..bad: x, "$.a": { like: y }, colour: red, $.b: { matches: "(" } }
              - { name: order, steps: [] }
            """, "archgate.yaml", "/tmp/archgate.yaml", "sha", _ => null).Errors;

        Assert.Contains(errors, e => e.Path == "components.api.resources./orders/{id}.database" && e.Message.Contains("'dbx' is not a database component", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Path == "journeys[0].service" && e.Hint!.Contains("api", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Message.Contains("variable '{order}' is never captured", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Path == "journeys[0].steps[0].expect.status" && e.Message.Contains("999", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Message.Contains("invalid JSON path '$..bad'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Path.StartsWith("journeys[0].steps[0].expect.$.a", StringComparison.Ordinal) && e.Message.Contains("like", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Message.Contains("unknown expectation 'colour'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Message.Contains("invalid regular expression", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Message.Contains("duplicate journey 'order'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Message.Contains("at least one step", StringComparison.Ordinal));
    }

    [Fact]
    public void Browser_steps_read_as_actions_on_the_first_frontend_in_all_three_engines_unless_the_journey_names_them()
    {
        var model = TestSystems.Load(Components + """
              - { name: web, kind: frontend, url: "http://127.0.0.1:7001", dependsOn: [api] }
            journeys:
              - name: sign in and see orders
                vars: { password: demo }
                steps:
                  - goto: /
                  - fill: { "#username": ann, "#password": "{password}" }
                  - click: "#login"
                  - wait for response: { request: POST /auth/login, status: [200] }
                  - expect text: Products
                  - expect text: { "#orders": paid }
                  - expect visible: "#orders tr"
                  - wait for response: GET /orders
                  - GET /products
              - name: firefox only
                browsers: [firefox, firefox]
                steps: [ { goto: /orders } ]
            """);

        var journey = model.Journeys[0];
        Assert.True(journey.HasBrowserSteps);
        Assert.Equal(("web", Journey.AllBrowsers), (journey.Frontend, journey.Browsers));
        Assert.Equal(
            [
                new BrowserAction(BrowserActionKind.Goto, "/"),
                new BrowserAction(BrowserActionKind.Fill, "#username") { Value = "ann" },
                new BrowserAction(BrowserActionKind.Fill, "#password") { Value = "{password}" },
                new BrowserAction(BrowserActionKind.Click, "#login"),
            ],
            journey.Steps.Take(4).Select(s => s.Browser));
        var login = journey.Steps[4].Browser!;
        Assert.Equal(("POST", "/auth/login", 200, "wait for response POST /auth/login (200)"), (login.Method, login.Target, Assert.Single(login.Status), login.Describe()));
        Assert.Equal(["expect text 'Products'", "expect text 'paid' in #orders", "expect visible #orders tr", "wait for response GET /orders"], journey.Steps.Skip(5).Take(4).Select(s => s.Browser!.Describe()));
        Assert.Equal("GET", journey.Steps[9].Request!.Method); // HTTP and browser steps mix
        Assert.Equal([BrowserEngine.Firefox], model.Journeys[1].Browsers);
        Assert.False(TestSystems.Load(Components + "journeys: [ { name: api only, steps: [GET /products] } ]\n").Journeys[0].HasBrowserSteps);
    }

    [Fact]
    public void Browser_step_mistakes_are_reported_at_their_place_with_a_hint()
    {
        var errors = ManifestLoader.Parse(Components + """
            journeys:
              - name: no frontend
                browsers: [safari]
                steps:
                  - goto: orders
                  - { click: "#a", fill: { "#b": c } }
                  - wait for response: FETCH /orders
                  - wait for response: { request: POST /orders, status: 99 }
            """, "archgate.yaml", "/tmp/archgate.yaml", "sha", _ => null).Errors;

        Assert.Contains(errors, e => e.Path == "journeys[0].browsers" && e.Message == "unknown browser 'safari'");
        Assert.Contains(errors, e => e.Path == "journeys[0]" && e.Message == "browser steps need a frontend to open");
        Assert.Contains(errors, e => e.Path == "journeys[0].steps[0].goto" && e.Hint!.Contains("goto: /orders", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Path == "journeys[0].steps[1]" && e.Message == "a browser step does one thing");
        Assert.Contains(errors, e => e.Path == "journeys[0].steps[2].wait for response" && e.Message == "invalid request 'FETCH /orders'");
        Assert.Contains(errors, e => e.Path == "journeys[0].steps[3].wait for response.status" && e.Message == "invalid status '99'");
    }
}

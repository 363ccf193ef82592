using Archgate.Checks.Contracts;
using Archgate.Checks.Frontend;
using Archgate.Checks.Http;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Frontend;

public sealed class CorsCheckTests
{
    /// <summary>The page's origin in the tests whose API is a scripted server.</summary>
    private const string Web = "http://127.0.0.1:7";

    /// <summary>A collection (GET, POST) and its items (GET, PUT, DELETE), behind a bearer token, with JSON bodies.</summary>
    private const string ItemsContract = """
        openapi: 3.0.3
        info: { title: items, version: '1' }
        security: [ { bearer: [] } ]
        components:
          securitySchemes: { bearer: { type: http, scheme: bearer } }
          schemas: { item: { type: object, properties: { name: { type: string } } } }
        paths:
          /items:
            get: { responses: { '200': { description: ok } } }
            post:
              requestBody: { content: { application/json: { schema: { $ref: '#/components/schemas/item' } } } }
              responses: { '201': { description: made } }
          /items/{id}:
            parameters: [ { name: id, in: path, required: true, schema: { type: integer } } ]
            get: { responses: { '200': { description: ok } } }
            put:
              requestBody: { content: { application/json: { schema: { $ref: '#/components/schemas/item' } } } }
              responses: { '200': { description: ok } }
            delete: { responses: { '204': { description: gone } } }
        """;

    private static async Task<CheckResult> RunAsync(FakeShopApi api)
    {
        var folder = AuthFlowCheckTests.Folder();
        var system = TestSystems.Load(api.Manifest(folder), folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        return await new CorsCheck(system.Find<Archgate.Model.FrontendComponent>("web")!, system.Find<Archgate.Model.ServiceComponent>("api")!, new ContractDocuments()).RunAsync(TestSystems.Context(system, http), CancellationToken.None);
    }

    [Fact]
    public async Task The_frontends_origin_is_allowed_every_contract_method_with_the_pages_headers_and_a_foreign_origin_is_not()
    {
        using var api = new FakeShopApi();

        var result = await RunAsync(api);

        Assert.Equal(CheckStatus.Pass, result.Status);
        Assert.Equal(4, Assert.Single(result.Metrics).Value); // DELETE, GET, POST, PUT
        var preflights = api.Requests.Where(r => r.Method == "OPTIONS").ToList();
        Assert.Contains(preflights, r => r.Headers["Origin"] == CorsCheck.ForeignOrigin);
        var sent = preflights.Where(r => r.Headers["Origin"] != CorsCheck.ForeignOrigin).Select(r => $"{r.Headers["Access-Control-Request-Method"]} {r.PathAndQuery}: {r.Headers.GetValueOrDefault("Access-Control-Request-Headers")}");
        // Each route with the headers a page sends there: no Authorization to the public login, no Content-Type without a body.
        Assert.Equal(["DELETE /notes/1: authorization", "GET /me: authorization", "POST /auth/login: content-type", "POST /notes: authorization,content-type", "PUT /notes/1: authorization,content-type,if-match"],
            sent.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task An_api_that_reflects_any_origin_with_credentials_fails_AG5021()
    {
        using var api = new FakeShopApi(new FakeApiFaults { ReflectsAnyOrigin = true });

        var result = await RunAsync(api);

        Assert.Equal(CheckStatus.Fail, result.Status);
        var finding = Assert.Single(result.Findings);
        Assert.Equal(FrontendRules.CorsForeignAllowed, finding.Rule);
        // The manifest's refresh (POST /auth/refresh) is in no contract: its refresh token may be a cookie a foreign page sends.
        Assert.Equal(Severity.High, finding.Severity);
        Assert.EndsWith("with credentials: any site may call api from its users' browsers", finding.Message, StringComparison.Ordinal);
        Assert.Contains($"Access-Control-Allow-Origin: {CorsCheck.ForeignOrigin}", finding.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_api_that_reflects_any_origin_with_credentials_but_takes_only_bearer_tokens_is_medium_AG5021_and_says_why()
    {
        using var api = new FakeShopApi(new FakeApiFaults { ReflectsAnyOrigin = true });
        var folder = AuthFlowCheckTests.Folder();
        var system = TestSystems.Load(api.Manifest(folder, auth: "token: $.accessToken"), folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);

        var result = await new CorsCheck(system.Find<Archgate.Model.FrontendComponent>("web")!, system.Find<Archgate.Model.ServiceComponent>("api")!, new ContractDocuments())
            .RunAsync(TestSystems.Context(system, http), CancellationToken.None);

        Assert.Equal(CheckStatus.Warn, result.Status);
        var finding = Assert.Single(result.Findings);
        Assert.Equal((FrontendRules.CorsForeignAllowed, Severity.Medium), (finding.Rule, finding.Severity));
        Assert.Equal($"a foreign origin ({CorsCheck.ForeignOrigin}) is allowed, with credentials: any site could read the caller's data with credentials; " +
            "api takes only bearer tokens, which a foreign page cannot send, so nothing is exposed today; it would be as soon as a cookie or HTTP auth is accepted", finding.Message);
    }

    [Fact]
    public async Task An_api_without_cors_refuses_the_frontends_origin_AG5020_for_each_method()
    {
        using var server = new Fixtures.ScriptedHttpServer(_ => new Fixtures.Reply(204));

        var result = await RunWithoutContractAsync(server.Url.ToString().TrimEnd('/'), "http://127.0.0.1:9");

        Assert.Equal(CheckStatus.Fail, result.Status);
        Assert.Equal(2, result.Findings.Count(f => f.Rule == FrontendRules.CorsRefused)); // GET and POST without a contract
        Assert.All(result.Findings, f => Assert.Contains("no Access-Control-Allow-Origin", f.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_frontend_on_the_apis_origin_sends_no_preflight_of_its_own_and_passes_with_AG5023()
    {
        // A reverse proxy serves the page and the API from one origin, as the API answers no CORS at all.
        using var server = new Fixtures.ScriptedHttpServer(_ => new Fixtures.Reply(204));
        var origin = server.Url.ToString().TrimEnd('/');

        var result = await RunWithoutContractAsync($"{origin}/api", $"{origin}/");

        Assert.Equal(CheckStatus.Pass, result.Status);
        var note = Assert.Single(result.Findings);
        Assert.Equal((FrontendRules.CorsSameOrigin, Severity.Info), (note.Rule, note.Severity));
        var preflight = Assert.Single(server.Requests, r => r.Method == "OPTIONS");
        Assert.Equal(CorsCheck.ForeignOrigin, preflight.Headers["Origin"]);
    }

    [Fact]
    public async Task An_api_of_bodiless_reads_that_allows_authorization_alone_passes_its_page_sends_no_content_type()
    {
        // Recommendations: GETs only, a bearer token. The page sends no Content-Type, so the policy needs to allow none.
        const string Contract = """
            openapi: 3.0.3
            info: { title: reco, version: '1' }
            security: [ { bearer: [] } ]
            components: { securitySchemes: { bearer: { type: http, scheme: bearer } } }
            paths:
              /recommendations:
                get: { responses: { '200': { description: ok } } }
              /recommendations/{member}:
                get:
                  parameters: [ { name: member, in: path, required: true, schema: { type: integer } } ]
                  responses: { '200': { description: ok } }
              /feedback:
                post:
                  requestBody: { content: { application/x-www-form-urlencoded: { schema: { type: object } } } }
                  responses: { '204': { description: noted } }
            """;
        using var server = new Fixtures.ScriptedHttpServer(r => r.Method == "OPTIONS" && r.Headers.GetValueOrDefault("Origin") == Web
            ? new Fixtures.Reply(204, null, Headers: new Dictionary<string, string>
            {
                ["Access-Control-Allow-Origin"] = Web,
                ["Access-Control-Allow-Methods"] = "GET, POST",
                ["Access-Control-Allow-Headers"] = "Authorization",
            })
            : new Fixtures.Reply(204));

        var result = await RunWithContractAsync(Contract, server, Web);

        Assert.True(result.Status == CheckStatus.Pass, string.Join("\n", result.Findings.Select(f => $"{f.Rule} {f.Message}")));
        Assert.All(server.Requests.Where(r => r.Method == "OPTIONS"), r => Assert.Equal("authorization", r.Headers["Access-Control-Request-Headers"]));
    }

    [Fact]
    public async Task An_api_that_answers_cors_per_route_passes_each_method_preflighted_on_a_path_that_has_it()
    {
        // Flask-CORS with per-route methods, ASP.NET endpoint policies: OPTIONS /items allows GET and POST, OPTIONS /items/1
        // allows GET, PUT and DELETE, as a browser asks each URL for the method it is about to send there.
        using var server = PerRouteServer(itemMethods: "GET, PUT, DELETE");

        var result = await RunWithContractAsync(ItemsContract, server, Web);

        Assert.True(result.Status == CheckStatus.Pass, string.Join("\n", result.Findings.Select(f => $"{f.Rule} {f.Message}")));
        Assert.Equal(4, Assert.Single(result.Metrics).Value); // DELETE, GET, POST, PUT
        var preflights = server.Requests.Where(r => r.Method == "OPTIONS" && r.Headers["Origin"] == Web)
            .Select(r => $"{r.Headers["Access-Control-Request-Method"]} {r.PathAndQuery}").Order(StringComparer.Ordinal);
        Assert.Equal(["DELETE /items/1", "GET /items", "POST /items", "PUT /items/1"], preflights);
    }

    [Fact]
    public async Task An_api_whose_item_route_lacks_DELETE_fails_one_AG5020_naming_that_route()
    {
        using var server = PerRouteServer(itemMethods: "GET, PUT");

        var result = await RunWithContractAsync(ItemsContract, server, Web);

        Assert.Equal(CheckStatus.Fail, result.Status);
        var finding = Assert.Single(result.Findings);
        Assert.Equal(FrontendRules.CorsRefused, finding.Rule);
        Assert.Equal("OPTIONS /items/{id}", finding.Location);
        Assert.Equal($"DELETE /items/{{id}} from {Web} with authorization is not allowed: Access-Control-Allow-Methods lacks DELETE", finding.Message);
        Assert.Contains("/items/1 -> 204", finding.Evidence, StringComparison.Ordinal);
        Assert.Contains("Access-Control-Allow-Methods: GET, PUT", finding.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_api_that_allows_each_route_the_headers_its_calls_carry_passes_a_public_login_without_authorization()
    {
        // Express routers, Flask-CORS resources: the public sign-in allows Content-Type, the secured routes Authorization too.
        const string Contract = """
            openapi: 3.0.3
            info: { title: items, version: '1' }
            security: [ { bearer: [] } ]
            components: { securitySchemes: { bearer: { type: http, scheme: bearer } } }
            paths:
              /auth/login:
                post:
                  security: []
                  requestBody: { content: { application/json: { schema: { type: object } } } }
                  responses: { '200': { description: signed in } }
              /items:
                get: { responses: { '200': { description: ok } } }
                post:
                  requestBody: { content: { application/json: { schema: { type: object } } } }
                  responses: { '201': { description: made } }
            """;
        using var server = new Fixtures.ScriptedHttpServer(r => r.Method == "OPTIONS" && r.Headers.GetValueOrDefault("Origin") == Web
            ? new Fixtures.Reply(204, null, Headers: new Dictionary<string, string>
            {
                ["Access-Control-Allow-Origin"] = Web,
                ["Access-Control-Allow-Methods"] = r.PathAndQuery == "/auth/login" ? "POST" : "GET, POST",
                ["Access-Control-Allow-Headers"] = r.PathAndQuery == "/auth/login" ? "Content-Type" : "Authorization, Content-Type",
            })
            : new Fixtures.Reply(204));

        var result = await RunWithContractAsync(Contract, server, Web);

        Assert.True(result.Status == CheckStatus.Pass, string.Join("\n", result.Findings.Select(f => $"{f.Rule} {f.Message}")));
        Assert.Equal(2, Assert.Single(result.Metrics).Value); // GET, POST
        var sent = server.Requests.Where(r => r.Method == "OPTIONS" && r.Headers["Origin"] == Web)
            .Select(r => $"{r.Headers["Access-Control-Request-Method"]} {r.PathAndQuery}: {r.Headers.GetValueOrDefault("Access-Control-Request-Headers")}");
        Assert.Equal(["GET /items: authorization", "POST /auth/login: content-type", "POST /items: authorization,content-type"], sent.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_secured_create_whose_route_does_not_allow_authorization_fails_AG5020_on_that_route_alone()
    {
        const string Contract = """
            openapi: 3.0.3
            info: { title: items, version: '1' }
            security: [ { bearer: [] } ]
            components: { securitySchemes: { bearer: { type: http, scheme: bearer } } }
            paths:
              /auth/login:
                post:
                  security: []
                  requestBody: { content: { application/json: { schema: { type: object } } } }
                  responses: { '200': { description: signed in } }
              /items:
                post:
                  requestBody: { content: { application/json: { schema: { type: object } } } }
                  responses: { '201': { description: made } }
            """;
        using var server = new Fixtures.ScriptedHttpServer(r => r.Method == "OPTIONS" && r.Headers.GetValueOrDefault("Origin") == Web
            ? new Fixtures.Reply(204, null, Headers: new Dictionary<string, string>
            {
                ["Access-Control-Allow-Origin"] = Web,
                ["Access-Control-Allow-Methods"] = "POST",
                ["Access-Control-Allow-Headers"] = "Content-Type",
            })
            : new Fixtures.Reply(204));

        var result = await RunWithContractAsync(Contract, server, Web);

        Assert.Equal(CheckStatus.Fail, result.Status);
        var finding = Assert.Single(result.Findings);
        Assert.Equal(("OPTIONS /items", $"POST /items from {Web} with authorization, content-type is not allowed: Access-Control-Allow-Headers lacks authorization"), (finding.Location, finding.Message));
        Assert.Equal(0, Assert.Single(result.Metrics).Value);
    }

    /// <summary>An API whose CORS answer depends on the route: GET and POST on the collection, <paramref name="itemMethods"/> on an item.</summary>
    private static Fixtures.ScriptedHttpServer PerRouteServer(string itemMethods) =>
        new(r => r.Method == "OPTIONS" && r.Headers.GetValueOrDefault("Origin") == Web
            ? new Fixtures.Reply(204, null, Headers: new Dictionary<string, string>
            {
                ["Access-Control-Allow-Origin"] = Web,
                ["Access-Control-Allow-Methods"] = r.PathAndQuery.StartsWith("/items/", StringComparison.Ordinal) ? itemMethods : "GET, POST",
                ["Access-Control-Allow-Headers"] = "Authorization, Content-Type",
            })
            : new Fixtures.Reply(204));

    private static async Task<CheckResult> RunWithContractAsync(string contract, Fixtures.ScriptedHttpServer server, string web)
    {
        var folder = AuthFlowCheckTests.Folder();
        File.WriteAllText(Path.Combine(folder, "api.yaml"), contract);
        var system = TestSystems.Load($$"""
            version: 1
            system: { name: s }
            components:
              - { name: api, kind: service, url: "{{server.Url.ToString().TrimEnd('/')}}", openapi: api.yaml, auth: { bearer: t0k } }
              - { name: web, kind: frontend, url: "{{web}}", dependsOn: [api] }
            """, folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        return await new CorsCheck(system.Find<Archgate.Model.FrontendComponent>("web")!, system.Find<Archgate.Model.ServiceComponent>("api")!, new ContractDocuments()).RunAsync(TestSystems.Context(system, http), CancellationToken.None);
    }

    private static async Task<CheckResult> RunWithoutContractAsync(string api, string web)
    {
        var folder = AuthFlowCheckTests.Folder();
        var system = TestSystems.Load($$"""
            version: 1
            system: { name: s }
            components:
              - { name: api, kind: service, url: "{{api}}", health: /health }
              - { name: web, kind: frontend, url: "{{web}}", dependsOn: [api] }
            """, folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        return await new CorsCheck(system.Find<Archgate.Model.FrontendComponent>("web")!, system.Find<Archgate.Model.ServiceComponent>("api")!, new ContractDocuments()).RunAsync(TestSystems.Context(system, http), CancellationToken.None);
    }
}

using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using Archgate.Checks.Contracts;
using Archgate.Checks.Http;
using Archgate.Checks.Security;
using Archgate.Checks.Security.Probes;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Security.Probes;

/// <summary>
/// Step 9's function-level authorization on an action legal only in some states: approve, for managers only
/// (<c>x-roles</c>), needs a submitted claim; the probe submits one first, then approves it as a member.
/// </summary>
public sealed class AuthorizationTransitionTests
{
    private const string Password = "s3cret-pw";

    private const string Contract = """
        openapi: 3.0.3
        info: { title: claims, version: 1.0.0 }
        security: [ { bearer: [] } ]
        paths:
          /auth/login:
            post:
              security: []
              requestBody: { required: true, content: { application/json: { schema: { type: object, properties: { username: { type: string }, password: { type: string } } } } } }
              responses: { '200': { description: ok }, '401': { description: no } }
          /claims:
            post:
              requestBody: { required: true, content: { application/json: { schema: { type: object, required: [title], properties: { title: { type: string } } }, example: { title: trip } } } }
              responses: { '201': { description: created } }
          /claims/{id}:
            parameters: [ { name: id, in: path, required: true, schema: { type: integer } } ]
            get: { responses: { '200': { description: the claim }, '404': { description: none } } }
            delete: { responses: { '204': { description: deleted } } }
          /claims/{id}/submit:
            parameters: [ { name: id, in: path, required: true, schema: { type: integer } } ]
            post: { responses: { '200': { description: submitted }, '409': { description: not a draft } } }
          /claims/{id}/approve:
            parameters: [ { name: id, in: path, required: true, schema: { type: integer } } ]
            post:
              x-roles: [manager]
              responses: { '200': { description: approved }, '403': { description: not a manager }, '409': { description: not submitted } }
        components:
          securitySchemes:
            bearer: { type: http, scheme: bearer }
        """;

    /// <summary>Claims whose approve checks the claim's state first, then (unless <c>roleChecked</c> is false) the manager role.</summary>
    private sealed class ClaimsApi : IDisposable
    {
        private readonly ConcurrentDictionary<int, string> _claims = new();
        private readonly ConcurrentDictionary<int, string> _owners = new();
        private readonly bool _roleChecked;
        private int _next;

        public ClaimsApi(bool roleChecked)
        {
            _roleChecked = roleChecked;
            Server = new ScriptedHttpServer(Answer);
        }

        public ScriptedHttpServer Server { get; }

        public int Live => _claims.Count;

        public void Dispose() => Server.Dispose();

        private Reply Answer(Received r)
        {
            var path = r.PathAndQuery.Split('?')[0].Trim('/').Split('/');
            if (r.Method == "POST" && path is ["auth", "login"])
            {
                var user = (string?)JsonNode.Parse(r.Body)?["username"];
                return user is "ann" or "mia" && (string?)JsonNode.Parse(r.Body)?["password"] == Password
                    ? new Reply(200, new JsonObject { ["accessToken"] = $"token-{user}" }.ToJsonString())
                    : new Reply(401, """{"title":"no"}""", "application/problem+json");
            }

            var caller = r.Headers.TryGetValue("Authorization", out var auth) && auth.StartsWith("Bearer token-", StringComparison.Ordinal) ? auth["Bearer token-".Length..] : null;
            if (caller is null)
            {
                return new Reply(401, """{"title":"sign in"}""", "application/problem+json");
            }

            if (r.Method == "POST" && path is ["claims"])
            {
                var id = Interlocked.Increment(ref _next);
                _claims[id] = "draft";
                _owners[id] = caller;
                return new Reply(201, new JsonObject { ["id"] = id, ["status"] = "draft" }.ToJsonString(), Headers: new Dictionary<string, string> { ["Location"] = $"/claims/{id}" });
            }

            if (path.Length < 2 || path[0] != "claims" || !int.TryParse(path[1], CultureInfo.InvariantCulture, out var claim) || !_claims.TryGetValue(claim, out var state)
                || (_owners[claim] != caller && !(caller == "mia" && path is [_, _, "approve"])))
            {
                return new Reply(404, """{"title":"no such claim"}""", "application/problem+json");
            }

            switch (r.Method, path.Length > 2 ? path[2] : null)
            {
                case ("GET", null):
                    return new Reply(200, new JsonObject { ["id"] = claim, ["status"] = state }.ToJsonString());
                case ("DELETE", null):
                    _claims.TryRemove(claim, out _);
                    _owners.TryRemove(claim, out _);
                    return new Reply(204);
                case ("POST", "submit") when state == "draft":
                case ("POST", "approve") when state == "submitted" && (!_roleChecked || caller == "mia"):
                    _claims[claim] = path[2] == "submit" ? "submitted" : "approved";
                    return new Reply(200, new JsonObject { ["id"] = claim, ["status"] = _claims[claim] }.ToJsonString());
                case ("POST", "approve") when state == "submitted":
                    return new Reply(403, """{"title":"managers approve claims"}""", "application/problem+json");
                case ("POST", "submit" or "approve"):
                    return new Reply(409, $$"""{"title":"the claim is {{state}}"}""", "application/problem+json");
                default:
                    return new Reply(405);
            }
        }
    }

    private static async Task<CheckResult> RunAsync(ClaimsApi api)
    {
        var folder = Directory.CreateTempSubdirectory("archgate-security-").FullName;
        var path = Path.Combine(folder, "claims.yaml");
        await File.WriteAllTextAsync(path, Contract);
        var system = TestSystems.Load($$"""
            version: 1
            system: { name: t }
            auth:
              ann: { login: POST /auth/login, user: ann, password: {{Password}}, token: $.accessToken, roles: [member] }
              mia: { login: POST /auth/login, user: mia, password: {{Password}}, token: $.accessToken, roles: [manager] }
            components:
              - { name: api, kind: service, url: "http://127.0.0.1:{{api.Server.Url.Port}}", openapi: { path: {{path}} }, auth: ann }
            security:
              protected: ["/claims/**"]
              identities: [ann, mia]
            """, folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        var check = new AuthorizationCheck(system.Find<HttpComponent>("api")!, new ContractDocuments(), new SecurityProbeOptions());
        Assert.True(check.AppliesTo(system).Applies);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        return await check.RunAsync(TestSystems.Context(system, http), timeout.Token);
    }

    private static string Dump(CheckResult result, ClaimsApi api) =>
        $"{result.Status} {result.Reason}\n" + string.Join("\n", result.Findings.Select(f => $"{f.Rule} {f.Severity} {f.Location} | {f.Message}"))
        + "\n--\n" + string.Join("\n", api.Server.Requests.Take(200).Select(r => $"{r.Method} {r.PathAndQuery} {r.Headers.GetValueOrDefault("Authorization")}"));

    [Fact]
    public async Task A_member_approving_a_claim_submitted_first_is_BFLA()
    {
        using var api = new ClaimsApi(roleChecked: false);

        var result = await RunAsync(api);

        var bfla = Assert.Single(result.Findings, f => f.Rule == SecurityRules.FunctionLevelAuthorization);
        Assert.Equal(("POST /claims/{id}/approve", Severity.Critical), (bfla.Location, bfla.Severity));
        Assert.Contains("POST /claims/{id}/approve is restricted to [manager], and 'ann' (roles: member) got 200 on /claims/", bfla.Message, StringComparison.Ordinal);
        Assert.Contains("after [submit as ann: 200]", bfla.Message, StringComparison.Ordinal);
        Assert.Contains(api.Server.Requests, r => r.PathAndQuery.EndsWith("/approve", StringComparison.Ordinal) && r.Headers.GetValueOrDefault("Authorization") == "Bearer token-ann");
        Assert.Equal(0, api.Live); // the claims the probe made are deleted
    }

    [Fact]
    public async Task A_manager_role_enforced_on_a_submitted_claim_is_refused_not_undetermined()
    {
        using var api = new ClaimsApi(roleChecked: true);

        var result = await RunAsync(api);

        Assert.DoesNotContain(result.Findings, f => f.Rule == SecurityRules.FunctionLevelAuthorization);
        var coverage = Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthorizationCoverage).Message;
        Assert.True(coverage.Contains("function level: 1 role-restricted (to manager) operations called as ann, 1 refused", StringComparison.Ordinal), Dump(result, api));
        Assert.Contains("actions brought to their state first: POST /claims/{id}/approve after [submit]", coverage, StringComparison.Ordinal);
        Assert.DoesNotContain("POST /claims/{id}/approve (answered", coverage, StringComparison.Ordinal);
        Assert.Equal(0, api.Live);
    }
}

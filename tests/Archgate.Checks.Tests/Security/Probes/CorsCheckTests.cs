using Archgate.Checks.Contracts;
using Archgate.Checks.Http;
using Archgate.Checks.Security;
using Archgate.Checks.Security.Probes;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Security.Probes;

public sealed class CorsCheckTests
{
    private static Task<CheckResult> RunAsync(ProbeTestApi api) =>
        ProbeKit.RunAsync(api, (c, d, o) => new CorsCheck((Archgate.Model.HttpComponent)c, d, o));

    [Fact]
    public async Task A_service_that_allows_only_its_frontend_has_no_finding()
    {
        using var api = new ProbeTestApi(Flaws.None);
        var result = await RunAsync(api);

        Assert.True(result.Status == CheckStatus.Pass, ProbeKit.Dump(result, api));
        Assert.DoesNotContain(result.Findings, f => f.Severity > Severity.Info);
        Assert.Contains(api.Server.Requests, r => r.Method == "OPTIONS" && r.Headers.GetValueOrDefault("Origin") == ProbeTestApi.WebOrigin);
        Assert.Contains("CSRF: no cookie-authenticated state-changing operation", Assert.Single(result.Findings).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_write_that_takes_a_refresh_cookie_as_a_parameter_is_named_not_said_to_be_absent()
    {
        // ex17: POST /auth/refresh took the refresh_token cookie (a required cookie parameter of a bearer login), and the
        // coverage said "no cookie-authenticated state-changing operation".
        using var api = new ProbeTestApi(Flaws.None);
        var result = await ProbeKit.RunAsync(api, (c, d, o) => new CorsCheck((Archgate.Model.HttpComponent)c, d, o), contract: ProbeTestApi.Contract.Replace("  /me:\n", """
              /auth/refresh:
                post:
                  security: []
                  parameters: [ { name: refresh_token, in: cookie, required: true, schema: { type: string } } ]
                  responses: { '200': { description: a new access token }, '401': { description: no } }
              /me:

            """, StringComparison.Ordinal));

        var coverage = Assert.Single(result.Findings);
        Assert.Contains("CSRF: no operation secured by a cookie scheme; 1 state-changing operation(s) take a cookie and were not probed " +
            "(a refresh or logout would rotate or end the run's session): POST /auth/refresh (refresh_token)", coverage.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(api.Server.Requests, r => r.PathAndQuery == "/auth/refresh");
    }

    [Fact]
    public async Task A_reflected_origin_with_credentials_is_high_when_the_service_takes_a_cookie()
    {
        // The same service, whose contract also takes a session cookie: a foreign page's request carries it.
        using var api = new ProbeTestApi(Flaws.CorsReflect);
        var result = await ProbeKit.RunAsync(api, (c, d, o) => new CorsCheck((Archgate.Model.HttpComponent)c, d, o), contract: ProbeTestApi.Contract.Replace(
            "    bearer: { type: http, scheme: bearer }", "    bearer: { type: http, scheme: bearer }\n    session: { type: apiKey, in: cookie, name: sid }", StringComparison.Ordinal));

        Assert.Equal(CheckStatus.Fail, result.Status);
        var reflected = Assert.Single(result.Findings, f => f.Rule == SecurityRules.CorsArbitraryOrigin);
        Assert.Equal(Severity.High, reflected.Severity);
        Assert.EndsWith("(reflected, with credentials): any site can read the caller's data with their cookies or credentials", reflected.Message, StringComparison.Ordinal);
        Assert.Equal(Severity.High, Assert.Single(result.Findings, f => f.Rule == SecurityRules.CorsNullOrigin).Severity);
    }

    [Fact]
    public async Task A_reflected_origin_with_credentials_is_medium_for_a_bearer_only_service_and_says_why_and_the_null_origin_is_named()
    {
        using var api = new ProbeTestApi(Flaws.CorsReflect);
        var result = await RunAsync(api);

        Assert.Equal(CheckStatus.Warn, result.Status);
        var reflected = Assert.Single(result.Findings, f => f.Rule == SecurityRules.CorsArbitraryOrigin);
        Assert.Equal(Severity.Medium, reflected.Severity);
        Assert.Contains("reflected, with credentials", reflected.Message, StringComparison.Ordinal);
        Assert.EndsWith("any site could read the caller's data with credentials; api takes only bearer tokens, which a foreign page cannot send, " +
            "so nothing is exposed today; it would be as soon as a cookie or HTTP auth is accepted", reflected.Message, StringComparison.Ordinal);
        Assert.Equal(Severity.Medium, Assert.Single(result.Findings, f => f.Rule == SecurityRules.CorsNullOrigin).Severity);
        Assert.Contains("Access-Control-Allow-Origin: https://evil.archgate.example", reflected.Evidence, StringComparison.Ordinal);
        Assert.Contains("-H 'Origin: https://evil.archgate.example'", reflected.Evidence, StringComparison.Ordinal);
        Assert.Single(result.Findings, f => f.Rule == SecurityRules.CorsNullOrigin);
    }

    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 0)]
    public async Task A_cookie_authenticated_write_accepted_cross_site_without_a_token_is_CSRF(bool requiresToken, int expected)
    {
        using var server = new ScriptedHttpServer(r =>
            r.Method == "POST" && r.PathAndQuery == "/notes" && r.Headers.GetValueOrDefault("Cookie") == "sid=c00kie-secret"
                ? requiresToken && !r.Headers.ContainsKey("X-CSRF-Token") ? new Reply(403, "{}") : new Reply(201, "{\"id\":1}")
                : new Reply(401, "{}"));
        var folder = Directory.CreateTempSubdirectory("archgate-csrf-").FullName;
        var contract = Path.Combine(folder, "api.yaml");
        await File.WriteAllTextAsync(contract, """
            openapi: 3.0.3
            info: { title: notes, version: 1.0.0 }
            security: [ { session: [] } ]
            paths:
              /notes:
                post:
                  requestBody:
                    required: true
                    content: { application/json: { schema: { type: object, properties: { text: { type: string } } }, example: { text: hi } } }
                  responses: { '201': { description: created }, '401': { description: no }, '403': { description: no } }
            components:
              securitySchemes:
                session: { type: apiKey, in: cookie, name: sid }
            """);
        var system = TestSystems.Load($$"""
            version: 1
            system: { name: t }
            components:
              - name: api
                kind: service
                url: {{server.Url}}
                openapi: { path: {{contract}} }
                auth: { apiKey: { name: sid, in: cookie, value: c00kie-secret } }
            """, folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        var result = await new CorsCheck((Archgate.Model.HttpComponent)system.Components[0], new ContractDocuments(), new Archgate.Model.SecurityProbeOptions())
            .RunAsync(TestSystems.Context(system, http), CancellationToken.None);

        var csrf = result.Findings.Where(f => f.Rule == SecurityRules.Csrf).ToList();
        Assert.Equal(expected, csrf.Count);
        Assert.All(csrf, f => Assert.Contains("-b 'sid=***'", f.Evidence, StringComparison.Ordinal));
        Assert.All(csrf, f => Assert.DoesNotContain("c00kie-secret", f.Evidence, StringComparison.Ordinal));
        Assert.Contains("CSRF: 1 cookie-authenticated operations sent cross-site", result.Findings.Single(f => f.Rule == SecurityRules.CorsCoverage).Message, StringComparison.Ordinal);
    }
}

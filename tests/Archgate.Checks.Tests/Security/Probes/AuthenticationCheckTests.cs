using System.Text.Json;
using Archgate.Checks.Security;
using Archgate.Checks.Security.Probes;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Security.Probes;

public sealed class AuthenticationCheckTests
{
    private static Task<CheckResult> RunAsync(ProbeTestApi api, string security = "", SecurityProbeOptions? options = null) =>
        ProbeKit.RunAsync(api, (c, d, o) => new AuthenticationCheck((Archgate.Model.HttpComponent)c, d, o), security, options);

    private static readonly SecurityProbeOptions ShortWait = new() { ExpirySkew = TimeSpan.FromSeconds(1), MaxExpiryWait = TimeSpan.FromSeconds(30) };

    /// <summary>The Authorization headers whose JWT expired half an hour or more ago: the minted expired tokens.</summary>
    private static List<string> ExpiredTokensSent(ProbeTestApi api) => api.Server.Requests
        .Select(r => r.Headers.GetValueOrDefault("Authorization"))
        .OfType<string>()
        .Where(h => h.StartsWith("Bearer ", StringComparison.Ordinal)
            && Archgate.Checks.Http.TokenSource.ExpiryOf(h["Bearer ".Length..]) is { } exp && exp < DateTimeOffset.UtcNow.AddMinutes(-30))
        .ToList();

    [Fact]
    public async Task A_service_that_verifies_its_tokens_passes_and_every_forged_token_was_sent()
    {
        using var api = new ProbeTestApi(Flaws.None);
        var result = await RunAsync(api);

        Assert.True(result.Status == CheckStatus.Pass, ProbeKit.Dump(result, api));
        Assert.Empty(ProbeKit.Serious(result));
        var coverage = Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthenticationCoverage);
        Assert.Contains("none, garbage token, tampered payload, other key's signature, alg none", coverage.Message, StringComparison.Ordinal);
        var tokens = api.Server.Requests.Where(r => r.PathAndQuery == "/me").Select(r => r.Headers.GetValueOrDefault("Authorization")).ToList();
        Assert.Contains(null, tokens);
        Assert.Contains(tokens, t => t is not null && t.Split('.').Length == 3 && t.EndsWith('.')); // alg none: no signature
        Assert.True(tokens.Count >= 5, ProbeKit.Dump(result, api));
        Assert.Contains("expired token not evaluated: the login's tokens live", coverage.Message, StringComparison.Ordinal);
        Assert.Contains("give security.signingKey", coverage.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_operation_whose_sign_in_is_optional_is_not_required_to_refuse_an_anonymous_caller()
    {
        // security: [{}, {bearer: []}]: anyone may read an item, signed in or not (a catalogue that shows more to members).
        using var api = new ProbeTestApi(Flaws.None);
        var contract = ProbeTestApi.CatalogueContract.Replace("get:\n      security: []", "get:\n      security: [ {}, { bearer: [] } ]", StringComparison.Ordinal);
        Assert.Contains("security: [ {}, { bearer: [] } ]", contract, StringComparison.Ordinal);

        var result = await ProbeKit.RunAsync(api, (c, d, o) => new AuthenticationCheck((Archgate.Model.HttpComponent)c, d, o), "", contract: contract);

        Assert.DoesNotContain(result.Findings, f => f.Location?.Contains("/items/{id}", StringComparison.Ordinal) == true && f.Severity >= Severity.Medium);
        Assert.DoesNotContain(api.Server.Requests, r => r.Method == "GET" && r.PathAndQuery.StartsWith("/items/", StringComparison.Ordinal) && !r.Headers.ContainsKey("Authorization"));
    }

    [Fact]
    public async Task A_delete_that_takes_anonymous_callers_is_caught_on_an_object_the_check_created_for_it()
    {
        // ex10: DELETE /reservations/{id} took requests with no credentials, and step 9 never sent a delete.
        using var api = new ProbeTestApi(Flaws.AnonymousDelete);
        var result = await ProbeKit.RunAsync(api, (c, d, o) => new AuthenticationCheck((Archgate.Model.HttpComponent)c, d, o), "", contract: ProbeTestApi.CatalogueContract);

        var open = Assert.Single(result.Findings, f => f.Rule == SecurityRules.NoCredentialsAccepted);
        Assert.Equal("DELETE /items/{id}", open.Location);
        Assert.Equal(CheckStatus.Fail, result.Status);
        var deleted = Assert.Single(api.Server.Requests, r => r.Method == "DELETE" && !r.Headers.ContainsKey("Authorization"));
        var created = api.Server.Requests.Where(r => r.Method == "POST" && r.PathAndQuery == "/items" && r.Headers.ContainsKey("Authorization")).ToList();
        Assert.NotEmpty(created); // the object it deleted was made for the probe, as the service's identity
    }

    [Fact]
    public async Task A_delete_that_refuses_anonymous_callers_passes_and_its_object_is_deleted_afterwards()
    {
        using var api = new ProbeTestApi(Flaws.None);
        var before = api.Server.Requests.Count;
        var result = await ProbeKit.RunAsync(api, (c, d, o) => new AuthenticationCheck((Archgate.Model.HttpComponent)c, d, o), "", contract: ProbeTestApi.CatalogueContract);

        Assert.True(result.Status == CheckStatus.Pass, ProbeKit.Dump(result, api));
        var deletes = api.Server.Requests.Where(r => r.Method == "DELETE").ToList();
        Assert.Contains(deletes, r => !r.Headers.ContainsKey("Authorization")); // probed
        var cleanup = deletes.Last();
        Assert.StartsWith("Bearer ", cleanup.Headers["Authorization"], StringComparison.Ordinal);
        Assert.DoesNotContain("not probed: DELETE", Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthenticationCoverage).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_object_of_an_admin_only_create_is_made_as_the_admin_and_its_anonymous_delete_is_probed()
    {
        // ex11: POST /events is admin-only; made as the service's customer it answered 403, and DELETE /events/{id} was never sent.
        using var api = new ProbeTestApi(Flaws.AdminCreates | Flaws.AnonymousDelete);
        var result = await ProbeKit.RunAsync(api, (c, d, o) => new AuthenticationCheck((Archgate.Model.HttpComponent)c, d, o), "  adminOnly: [\"POST /items\"]",
            contract: ProbeTestApi.CatalogueContract);

        var open = Assert.Single(result.Findings, f => f.Rule == SecurityRules.NoCredentialsAccepted);
        Assert.Equal("DELETE /items/{id}", open.Location);
        Assert.DoesNotContain("not probed: DELETE", Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthenticationCoverage).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_token_minted_with_the_issuers_key_is_refused_by_a_service_that_checks_exp()
    {
        using var api = new ProbeTestApi(Flaws.None);
        var result = await RunAsync(api, $"  signingKey: {{ secret: '{api.SigningSecret}' }}");

        Assert.True(result.Status == CheckStatus.Pass, ProbeKit.Dump(result, api));
        var coverage = Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthenticationCoverage);
        Assert.Contains("an expired token (minted with security.signingKey, exp 60 min past) was refused by GET /me with 401", coverage.Message, StringComparison.Ordinal);
        Assert.Single(ExpiredTokensSent(api));
        Assert.DoesNotContain(api.SigningSecret, JsonSerializer.Serialize(result, ArchgateJson.Options), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_token_minted_with_the_issuers_key_and_accepted_is_critical()
    {
        using var api = new ProbeTestApi(Flaws.IgnoresExpiry);
        var result = await RunAsync(api, $"  signingKey: {{ secret: '{api.SigningSecret}' }}");

        Assert.Equal(CheckStatus.Fail, result.Status);
        var finding = Assert.Single(result.Findings, f => f.Rule == SecurityRules.ExpiredTokenAccepted);
        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.Equal("GET /me", finding.Location);
        Assert.Contains("answered 200 to an expired token (minted with security.signingKey", finding.Message, StringComparison.Ordinal);
        Assert.Contains("-H 'Authorization: Bearer ***'", finding.Evidence, StringComparison.Ordinal);
        Assert.Contains("CWE-613", finding.Hint, StringComparison.Ordinal);
        Assert.DoesNotContain(api.SigningSecret, JsonSerializer.Serialize(result, ArchgateJson.Options), StringComparison.Ordinal);
        Assert.DoesNotContain(result.Findings, f => f.Rule == SecurityRules.InvalidTokenAccepted); // the signature is still checked
    }

    [Fact]
    public async Task A_signing_key_that_is_not_the_issuers_leaves_the_expired_token_probe_not_evaluated()
    {
        using var api = new ProbeTestApi(Flaws.IgnoresExpiry);
        var result = await RunAsync(api, "  signingKey: { secret: not-the-key-the-service-signs-with }");

        Assert.DoesNotContain(result.Findings, f => f.Rule == SecurityRules.ExpiredTokenAccepted);
        var coverage = Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthenticationCoverage);
        Assert.Contains("expired token not evaluated: GET /me refused (401) an unexpired token minted with security.signingKey: it is not the key the issuer signs with", coverage.Message, StringComparison.Ordinal);
        Assert.Empty(ExpiredTokensSent(api));
    }

    [Theory]
    [InlineData(Flaws.IgnoresExpiry, true)]
    [InlineData(Flaws.None, false)]
    public async Task A_short_lived_login_token_is_waited_out_and_must_then_be_refused(Flaws flaws, bool accepted)
    {
        using var api = new ProbeTestApi(flaws, TimeSpan.FromSeconds(5));
        var result = await RunAsync(api, options: ShortWait);

        var coverage = Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthenticationCoverage);
        Assert.Contains("the login's own token, 1 s after its exp", coverage.Message, StringComparison.Ordinal);
        Assert.Equal(accepted, result.Findings.Any(f => f.Rule == SecurityRules.ExpiredTokenAccepted && f.Severity == Severity.Critical));
        Assert.Equal(accepted ? CheckStatus.Fail : CheckStatus.Pass, result.Status);
        Assert.Contains(accepted ? "was accepted by GET /me" : "was refused by GET /me with 401", coverage.Message, StringComparison.Ordinal);
    }

    /// <summary>A contract whose only secured operation is <c>GET /me</c>: a service that accepts alg none leaves none refusing it.</summary>
    private const string MeOnlyContract = """
        openapi: 3.0.3
        info: { title: me only, version: 1.0.0 }
        security: [ { bearer: [] } ]
        paths:
          /auth/login:
            post:
              security: []
              requestBody:
                required: true
                content:
                  application/json:
                    schema: { type: object, required: [username, password], properties: { username: { type: string }, password: { type: string } } }
              responses: { '200': { description: ok }, '401': { description: no } }
          /me:
            get:
              responses: { '200': { description: the user }, '401': { description: no } }
        components:
          securitySchemes:
            bearer: { type: http, scheme: bearer }
        """;

    private static Task<CheckResult> RunMeOnlyAsync(ProbeTestApi api, string security, SecurityProbeOptions? options = null) =>
        ProbeKit.RunAsync(api, (c, d, o) => new AuthenticationCheck((Archgate.Model.HttpComponent)c, d, o), security, options, MeOnlyContract, "\"/me\"");

    [Theory]
    [InlineData(Flaws.AcceptsAlgNone | Flaws.NoExpiry, false, null)]
    [InlineData(Flaws.AcceptsAlgNone | Flaws.NoExpiry, true, null)]
    [InlineData(Flaws.AcceptsAlgNone, false, 5)]
    public async Task When_every_operation_takes_an_alg_none_token_the_expired_token_probe_says_so_and_asks_for_no_key(Flaws flaws, bool key, int? lifetimeSeconds)
    {
        using var api = new ProbeTestApi(flaws, lifetimeSeconds is { } s ? TimeSpan.FromSeconds(s) : null);
        var result = await RunMeOnlyAsync(api, key ? $"  signingKey: {{ secret: '{api.SigningSecret}' }}" : "", ShortWait);

        var algNone = Assert.Single(result.Findings, f => f.Rule == SecurityRules.InvalidTokenAccepted);
        Assert.Equal("GET /me", algNone.Location);
        var coverage = Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthenticationCoverage);
        Assert.Contains("expired token not evaluated: every probed operation already accepted a request without credentials or with a forged token (GET /me: alg none)", coverage.Message, StringComparison.Ordinal);
        Assert.Equal((flaws & Flaws.NoExpiry) != 0, coverage.Message.EndsWith("; the login's token has no exp", StringComparison.Ordinal));
        Assert.DoesNotContain("give security.signingKey", coverage.Message, StringComparison.Ordinal); // a key would not let the probe run
        Assert.DoesNotContain("login's own token", coverage.Message, StringComparison.Ordinal); // no control was tried
        Assert.Empty(ExpiredTokensSent(api));
    }

    [Fact]
    public async Task With_alg_none_taken_and_no_exp_the_operations_left_are_named_not_the_missing_key()
    {
        // GET /admin/orders refuses ann even with her alg none token (403): it is left, and her own token opens it neither.
        using var api = new ProbeTestApi(Flaws.AcceptsAlgNone | Flaws.NoExpiry);
        var result = await RunAsync(api);

        var coverage = Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthenticationCoverage);
        Assert.Matches("expired token not evaluated: [^;]*GET /admin/orders[^;]* did not answer 2xx to the login's own token, and the operations left out already accepted a forged token or none \\([^)]*GET /me: alg none", coverage.Message);
        Assert.Contains("so a refusal of an expired one would prove nothing; the login's token has no exp; ", coverage.Message, StringComparison.Ordinal);
        // The orders its forged tokens placed are named, as nothing can delete them.
        Assert.Matches("; cleanup: 0 of [1-9][0-9]* objects the probes created deleted; left behind: /orders/[0-9]+ \\(the contract has no DELETE /orders/\\{id\\} and no action that cancels it\\)", coverage.Message);
        Assert.DoesNotContain("give security.signingKey", coverage.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, "expired token not evaluated: the login's token has no exp, so there is no expiry to wait out; give security.signingKey")]
    [InlineData(true, "an expired token (minted with security.signingKey, exp 60 min past) was refused by GET /me with 401; the login's token has no exp")]
    public async Task A_login_token_without_exp_is_said_to_have_none_and_a_key_still_mints_an_expired_one(bool key, string expected)
    {
        using var api = new ProbeTestApi(Flaws.NoExpiry);
        var result = await RunMeOnlyAsync(api, key ? $"  signingKey: {{ secret: '{api.SigningSecret}' }}" : "");

        Assert.True(result.Status == CheckStatus.Pass, ProbeKit.Dump(result, api));
        var coverage = Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthenticationCoverage);
        Assert.Contains(expected, coverage.Message, StringComparison.Ordinal);
        Assert.Equal(key ? 1 : 0, ExpiredTokensSent(api).Count);
    }

    [Fact]
    public async Task An_admin_route_open_to_anyone_is_critical_with_the_request_as_curl()
    {
        using var api = new ProbeTestApi(Flaws.UnauthenticatedAdmin);
        var result = await RunAsync(api);

        Assert.Equal(CheckStatus.Fail, result.Status);
        var finding = Assert.Single(result.Findings, f => f.Rule == SecurityRules.NoCredentialsAccepted);
        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.Equal("GET /admin/orders", finding.Location);
        Assert.StartsWith("request: curl 'http://127.0.0.1:", finding.Evidence, StringComparison.Ordinal);
        Assert.Contains("/admin/orders'; answered 200", finding.Evidence, StringComparison.Ordinal);
        Assert.Equal($"{SecurityRules.Hint(SecurityRules.NoCredentialsAccepted)} (OWASP API2:2023 Broken Authentication, CWE-306)", finding.Hint);
        Assert.DoesNotContain(ProbeTestApi.Password, JsonSerializer.Serialize(result, ArchgateJson.Options), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_service_that_does_not_verify_signatures_is_critical_for_each_forged_token()
    {
        using var api = new ProbeTestApi(Flaws.UnverifiedTokens);
        var result = await RunAsync(api);

        var findings = result.Findings.Where(f => f.Rule == SecurityRules.InvalidTokenAccepted).ToList();
        Assert.True(findings.Count >= 3, ProbeKit.Dump(result, api));
        var me = Assert.Single(findings, f => f.Location == "GET /me");
        Assert.Equal(Severity.Critical, me.Severity);
        Assert.Contains("tampered payload, other key's signature, alg none", me.Message, StringComparison.Ordinal);
        Assert.Contains("-H 'Authorization: Bearer ***'", me.Evidence, StringComparison.Ordinal);
        Assert.DoesNotContain("garbage", me.Message, StringComparison.Ordinal); // a garbage token is still refused
    }

    [Fact]
    public async Task Safe_mode_sends_no_state_changing_request_and_says_so()
    {
        using var api = new ProbeTestApi(Flaws.None);
        var result = await RunAsync(api, "  safe: true");

        Assert.DoesNotContain(api.Server.Requests, r => r.Method is "POST" or "PATCH" && r.PathAndQuery != "/auth/login");
        var coverage = Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthenticationCoverage);
        Assert.Contains("POST /orders (security.safe)", coverage.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rule_set_to_ignore_is_listed_with_where_and_does_not_fail()
    {
        using var api = new ProbeTestApi(Flaws.UnauthenticatedAdmin);
        var result = await RunAsync(api, "  rules: { AG9001: ignore }");

        Assert.True(result.Status == CheckStatus.Pass, ProbeKit.Dump(result, api));
        var ignored = Assert.Single(result.Findings, f => f.Rule == SecurityRules.Ignored);
        Assert.Equal(Severity.Info, ignored.Severity);
        Assert.Matches(@"^AG9001 \(critical\) ignored by security.rules at archgate.yaml:\d+:\d+: GET /admin/orders answered 200", ignored.Message);
    }

    [Fact]
    public async Task A_protected_pattern_of_another_services_contract_is_not_probed_here_and_a_404_is_not_found_not_refused()
    {
        // An auth service with a login and /me, next to the orders api: /orders/** is the api's, /nowhere/** nobody's.
        using var auth = new ProbeTestApi(Flaws.None);
        using var api = new ProbeTestApi(Flaws.None);
        var folder = Directory.CreateTempSubdirectory("archgate-security-").FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "api.yaml"), ProbeTestApi.Contract);
        await File.WriteAllTextAsync(Path.Combine(folder, "auth.yaml"), """
            openapi: 3.0.3
            info: { title: auth, version: 1.0.0 }
            security: [ { bearer: [] } ]
            paths:
              /auth/login:
                post: { security: [], responses: { '200': { description: ok } } }
              /me:
                get: { responses: { '200': { description: the user }, '401': { description: no } } }
            components:
              securitySchemes:
                bearer: { type: http, scheme: bearer }
            """);
        var system = Archgate.Checks.Tests.TestSystems.Load($$"""
            version: 1
            system: { name: t }
            auth:
              ann: { login: POST /auth/login, at: auth, user: ann, password: {{ProbeTestApi.Password}}, token: $.accessToken, roles: [customer] }
            components:
              - { name: auth, kind: service, url: "http://127.0.0.1:{{auth.Port}}", openapi: auth.yaml, auth: ann }
              - { name: api, kind: service, url: "http://127.0.0.1:{{api.Port}}", openapi: api.yaml, auth: ann, dependsOn: [auth] }
            security:
              protected: ["/orders/**", "/me", "/nowhere/**"]
            """, folder);
        using var http = Archgate.Checks.Http.ProbeHttp.CreateClient(system.AllowedHosts);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        var result = await new AuthenticationCheck(system.Find<HttpComponent>("auth")!, new Archgate.Checks.Contracts.ContractDocuments(), new SecurityProbeOptions())
            .RunAsync(Archgate.Checks.Tests.TestSystems.Context(system, http), timeout.Token);

        Assert.True(result.Status == CheckStatus.Pass, ProbeKit.Dump(result, auth));
        Assert.DoesNotContain(auth.Server.Requests, r => r.PathAndQuery.StartsWith("/orders", StringComparison.Ordinal));
        Assert.Contains(auth.Server.Requests, r => r.Method == "GET" && r.PathAndQuery == "/nowhere");
        var coverage = Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthenticationCoverage).Message;
        Assert.StartsWith("1 operations probed with credentials: ", coverage, StringComparison.Ordinal);
        Assert.Contains("; 1 refused every one; not found (answered 404: the path does not exist here, not counted): GET /nowhere; ", coverage, StringComparison.Ordinal);
        Assert.Contains("not probed: security.protected '/orders/**' (api's contract has it, auth's has not)", coverage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET /admin/orders", true)]
    [InlineData("POST /admin/**", false)]
    public async Task A_method_pattern_in_protected_makes_only_that_method_need_credentials(string pattern, bool getProbed)
    {
        // The contract lets anyone list the admin orders, and the service does: only the manifest says otherwise.
        using var api = new ProbeTestApi(Flaws.UnauthenticatedAdmin);
        var contract = ProbeTestApi.Contract.Replace("  /admin/orders:\n    get:\n", "  /admin/orders:\n    get:\n      security: []\n", StringComparison.Ordinal);
        Assert.NotEqual(ProbeTestApi.Contract, contract);

        var result = await ProbeKit.RunAsync(api, (c, d, o) => new AuthenticationCheck((Archgate.Model.HttpComponent)c, d, o), "", contract: contract, protectedPaths: $"\"{pattern}\"");

        var open = result.Findings.Where(f => f.Rule == SecurityRules.NoCredentialsAccepted).Select(f => f.Location).ToList();
        Assert.Equal(getProbed ? ["GET /admin/orders"] : [], open);
        Assert.Equal(getProbed, api.Server.Requests.Any(r => r.Method == "GET" && r.PathAndQuery == "/admin/orders" && !r.Headers.ContainsKey("Authorization")));
        if (!getProbed)
        {
            // no operation of the contract is POST /admin/**: its literal part is probed with its method and an empty body
            Assert.Contains(api.Server.Requests, r => r.Method == "POST" && r.PathAndQuery == "/admin" && r.Body == "{}" && !r.Headers.ContainsKey("Authorization"));
        }
    }

    [Theory]
    [InlineData("/orders/**", "GET", "/orders", true)]
    [InlineData("/orders/**", "DELETE", "/orders/{id}", true)]
    [InlineData("/orders/**", "GET", "/ordersx", false)]
    [InlineData("/orders/*", "GET", "/orders/{id}/items", false)]
    [InlineData("/me", "GET", "/me", true)]
    [InlineData("/me", "GET", "/men", false)]
    [InlineData("POST /events", "POST", "/events", true)]
    [InlineData("POST /events", "GET", "/events", false)]
    [InlineData("PUT /events/*", "put", "/events/{eventId}", true)]
    [InlineData("PUT /events/*", "PUT", "/events", false)]
    public void Path_patterns_match_method_and_path_as_documented(string pattern, string method, string path, bool matches) =>
        Assert.Equal(matches, PathPatterns.Matches(pattern, method, path));

    /// <summary>The contract with an API key in a header as the alternative to a bearer token on every secured operation.</summary>
    private static readonly string ApiKeyContract = ProbeTestApi.Contract
        .Replace("security: [ { bearer: [] } ]\npaths:", "security: [ { bearer: [] }, { apiKey: [] } ]\npaths:", StringComparison.Ordinal)
        .Replace("    bearer: { type: http, scheme: bearer }\n", "    bearer: { type: http, scheme: bearer }\n    apiKey: { type: apiKey, in: header, name: X-Api-Key }\n", StringComparison.Ordinal);

    [Fact]
    public async Task A_service_that_takes_any_API_key_the_contract_offers_is_critical()
    {
        // ex15: an unknown X-Api-Key fell back to tenant 1 instead of 401, and only bearer tokens were forged.
        using var api = new ProbeTestApi(Flaws.AnyApiKey);
        Assert.Contains("apiKey: { type: apiKey", ApiKeyContract, StringComparison.Ordinal);

        var result = await ProbeKit.RunAsync(api, (c, d, o) => new AuthenticationCheck((Archgate.Model.HttpComponent)c, d, o), contract: ApiKeyContract);

        var me = Assert.Single(result.Findings, f => f.Rule == SecurityRules.InvalidTokenAccepted && f.Location == "GET /me");
        Assert.Equal(Severity.Critical, me.Severity);
        Assert.Equal("GET /me answered 200 to an unknown API key (wrong API key (header X-Api-Key)): the key is not checked against the issued ones", me.Message);
        Assert.Contains("-H 'X-Api-Key: ", me.Evidence, StringComparison.Ordinal);
        Assert.DoesNotContain("Authorization", me.Evidence, StringComparison.Ordinal);
        // The key alone, never with a token.
        Assert.DoesNotContain(api.Server.Requests, r => r.Headers.ContainsKey("X-Api-Key") && r.Headers.ContainsKey("Authorization"));
        Assert.Equal(CheckStatus.Fail, result.Status);
    }

    [Fact]
    public async Task A_service_that_refuses_unknown_API_keys_passes_and_the_coverage_names_the_variant()
    {
        using var api = new ProbeTestApi(Flaws.None);

        var result = await ProbeKit.RunAsync(api, (c, d, o) => new AuthenticationCheck((Archgate.Model.HttpComponent)c, d, o), contract: ApiKeyContract);

        Assert.Empty(ProbeKit.Serious(result));
        var coverage = Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthenticationCoverage);
        Assert.Contains("alg none, wrong API key (header X-Api-Key) (where the contract allows apiKey)", coverage.Message, StringComparison.Ordinal);
        Assert.Contains(api.Server.Requests, r => r.PathAndQuery == "/me" && r.Headers.ContainsKey("X-Api-Key"));
    }

    [Theory]
    [InlineData("lk_live_9f2cA7", "^[a-z]{2}_[a-z]{4}_[0-9][a-z][0-9][a-z][A-Z][0-9]$")]
    [InlineData(null, "^archgate[0-9a-f]{32}$")]
    public void A_wrong_key_has_the_shape_of_the_manifests_key_and_is_never_it(string? key, string shape)
    {
        var wrong = AuthenticationCheck.Reshaped(key);

        Assert.Matches(shape, wrong);
        Assert.NotEqual(key, wrong);
    }

    /// <summary>A token of <paramref name="api"/>'s login for ann, signed with its secret: a JWT used as an API key.</summary>
    private static string JwtKey(ProbeTestApi api)
    {
        static string B64(byte[] b) => Convert.ToBase64String(b).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var head = B64(System.Text.Encoding.UTF8.GetBytes("""{"alg":"HS256","typ":"JWT"}"""));
        var body = B64(System.Text.Encoding.UTF8.GetBytes($$"""{"sub":"1","role":"customer","exp":{{DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds()}}}"""));
        var signature = B64(System.Security.Cryptography.HMACSHA256.HashData(System.Text.Encoding.UTF8.GetBytes(api.SigningSecret), System.Text.Encoding.ASCII.GetBytes($"{head}.{body}")));
        return $"{head}.{body}.{signature}";
    }

    [Fact]
    public async Task An_API_key_that_is_a_JWT_is_sent_forged_as_a_bearer_token_is_and_an_unsigned_one_taken_is_critical()
    {
        using var api = new ProbeTestApi(Flaws.JwtApiKey | Flaws.AcceptsAlgNone);
        var auth = $"  kay: {{ apiKey: {{ header: X-Api-Key, value: \"{JwtKey(api)}\" }} }}";

        var result = await ProbeKit.RunAsync(api, (c, d, o) => new AuthenticationCheck((Archgate.Model.HttpComponent)c, d, o), contract: ApiKeyContract, auth: auth);

        var me = Assert.Single(result.Findings, f => f.Rule == SecurityRules.InvalidTokenAccepted && f.Location == "GET /me");
        Assert.Equal(Severity.Critical, me.Severity);
        Assert.Contains("to an invalid token (", me.Message, StringComparison.Ordinal);
        Assert.Contains("alg none as API key (header X-Api-Key)", me.Message, StringComparison.Ordinal);
        Assert.EndsWith("the token is not verified", me.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("tampered payload as API key", me.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_service_that_verifies_its_JWT_API_keys_passes_and_the_coverage_names_the_forged_keys()
    {
        using var api = new ProbeTestApi(Flaws.JwtApiKey);
        var auth = $"  kay: {{ apiKey: {{ header: X-Api-Key, value: \"{JwtKey(api)}\" }} }}";

        var result = await ProbeKit.RunAsync(api, (c, d, o) => new AuthenticationCheck((Archgate.Model.HttpComponent)c, d, o), contract: ApiKeyContract, auth: auth);

        Assert.Empty(ProbeKit.Serious(result));
        var coverage = Assert.Single(result.Findings, f => f.Rule == SecurityRules.AuthenticationCoverage);
        foreach (var variant in new[] { "wrong API key (header X-Api-Key)", "tampered payload as API key (header X-Api-Key)", "other key's signature as API key (header X-Api-Key)", "alg none as API key (header X-Api-Key)" })
        {
            Assert.Contains(variant + " (where the contract allows apiKey)", coverage.Message, StringComparison.Ordinal);
        }

        Assert.Contains(api.Server.Requests, r => r.PathAndQuery == "/me" && r.Headers.TryGetValue("X-Api-Key", out var v) && v.EndsWith('.') && v.Split('.').Length == 3);
    }

    [Fact]
    public async Task An_expired_JWT_API_key_taken_when_its_other_forgeries_are_refused_is_an_expired_token_not_an_invalid_one()
    {
        // The key's signature is verified (tampered, other-key and alg-none keys refused) but not its exp: AG9003, as for bearer.
        using var api = new ProbeTestApi(Flaws.JwtApiKey | Flaws.IgnoresExpiry);
        var auth = $"  kay: {{ apiKey: {{ header: X-Api-Key, value: \"{JwtKey(api)}\" }} }}";

        var result = await ProbeKit.RunAsync(api, (c, d, o) => new AuthenticationCheck((Archgate.Model.HttpComponent)c, d, o),
            $"  signingKey: {{ secret: '{api.SigningSecret}' }}", contract: ApiKeyContract, auth: auth);

        Assert.DoesNotContain(result.Findings, f => f.Rule == SecurityRules.InvalidTokenAccepted);
        var expired = Assert.Single(result.Findings, f => f.Rule == SecurityRules.ExpiredTokenAccepted && f.Location == "GET /me" && f.Message.Contains("as API key", StringComparison.Ordinal));
        Assert.Equal(Severity.Critical, expired.Severity);
        Assert.Equal("GET /me answered 200 to an expired token (expired token as API key (header X-Api-Key), minted with security.signingKey, exp 60 min past) " +
            "while it refused the key's other forgeries: exp is not checked", expired.Message);
        Assert.Contains("-H 'X-Api-Key: ", expired.Evidence, StringComparison.Ordinal);
        Assert.Equal(CheckStatus.Fail, result.Status);
    }
}

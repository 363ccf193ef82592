using Archgate.Checks.Contracts;
using Archgate.Checks.Frontend;
using Archgate.Checks.Http;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Frontend;

public sealed class AuthFlowCheckTests
{
    internal static string Folder()
    {
        var directory = Path.Combine(Path.GetTempPath(), "archgate-frontend-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        return directory;
    }

    private static async Task<CheckResult> RunAsync(FakeShopApi api, string? auth = null, string? contract = null)
    {
        var folder = Folder();
        var system = TestSystems.Load(auth is null ? api.Manifest(folder, contract: contract) : api.Manifest(folder, auth: auth, contract: contract), folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        return await new AuthFlowCheck(system.Find<Archgate.Model.ServiceComponent>("api")!, new ContractDocuments()).RunAsync(TestSystems.Context(system, http), CancellationToken.None);
    }

    [Fact]
    public async Task A_sound_flow_passes_after_login_protected_call_refresh_reuse_logout_and_a_wrong_password()
    {
        using var api = new FakeShopApi();

        var result = await RunAsync(api);

        Assert.Equal(CheckStatus.Pass, result.Status);
        Assert.Empty(result.Findings);
        var calls = api.Requests.Select(r => $"{r.Method} {r.PathAndQuery}").ToList();
        Assert.Contains("GET /me", calls);
        Assert.Equal(4, calls.Count(c => c == "POST /auth/refresh")); // rotate, reuse, the rotated-to token after the reuse, after logout
        Assert.Contains("POST /auth/logout", calls);
        Assert.Equal(3, calls.Count(c => c == "POST /auth/login")); // first session, logout session, wrong password
    }

    [Fact]
    public async Task A_login_at_another_component_is_sent_there_with_its_refresh_and_logout_and_the_token_opens_the_service()
    {
        using var auth = new FakeShopApi();
        using var api = new FakeShopApi(issuer: auth);
        var folder = Folder();
        var system = TestSystems.Load(api.ManifestSigningInAt(auth, folder, identity: "refresh: POST /auth/refresh, logout: POST /auth/logout", api: "auth: ann"), folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);

        var result = await new AuthFlowCheck(system.Find<Archgate.Model.ServiceComponent>("api")!, new ContractDocuments()).RunAsync(TestSystems.Context(system, http), CancellationToken.None);

        Assert.True(result.Status == CheckStatus.Pass, string.Join("\n", result.Findings.Select(f => $"{f.Rule} {f.Message}")));
        Assert.Equal(["GET /me", "GET /me"], api.Requests.Select(r => $"{r.Method} {r.PathAndQuery}")); // with the token, then without
        var calls = auth.Requests.Select(r => $"{r.Method} {r.PathAndQuery}").ToList();
        Assert.Equal(3, calls.Count(c => c == "POST /auth/login"));
        Assert.Equal(4, calls.Count(c => c == "POST /auth/refresh"));
        Assert.Contains("POST /auth/logout", calls);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_refresh_token_kept_in_an_http_only_cookie_is_refreshed_reused_and_logged_out_with_that_cookie(bool noRotation)
    {
        using var api = new FakeShopApi(new FakeApiFaults { RefreshInCookie = true, NoRotation = noRotation });

        var result = await RunAsync(api);

        var refreshes = api.Requests.Where(r => r.PathAndQuery == "/auth/refresh").ToList();
        Assert.Equal(noRotation ? 3 : 4, refreshes.Count); // rotate, reuse, (with rotation: the rotated-to cookie after the reuse,) after logout
        Assert.All(refreshes, r => Assert.StartsWith("rt=refresh-", r.Headers.GetValueOrDefault("Cookie"), StringComparison.Ordinal));
        Assert.Contains(api.Requests, r => r.PathAndQuery == "/auth/logout" && r.Headers.GetValueOrDefault("Cookie")?.StartsWith("rt=refresh-", StringComparison.Ordinal) == true);
        if (noRotation)
        {
            var finding = Assert.Single(result.Findings, f => f.Rule == FrontendRules.NoRotation);
            Assert.Equal("the rotated refresh cookie rt still works: a stolen refresh token stays usable", finding.Message);
            Assert.DoesNotContain("refresh-", finding.Evidence, StringComparison.Ordinal); // the cookie's value masked
        }
        else
        {
            Assert.True(result.Status == CheckStatus.Pass, string.Join("\n", result.Findings.Select(f => $"{f.Rule} {f.Message}")));
            Assert.Empty(result.Findings);
        }
    }

    [Fact]
    public async Task A_refresh_token_that_still_works_after_rotation_fails_AG5004()
    {
        using var api = new FakeShopApi(new FakeApiFaults { NoRotation = true });

        var result = await RunAsync(api);

        Assert.Equal(CheckStatus.Fail, result.Status);
        var finding = Assert.Single(result.Findings, f => f.Rule == FrontendRules.NoRotation);
        Assert.Contains("still works", finding.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("refresh-", finding.Evidence, StringComparison.Ordinal); // tokens masked
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_reuse_that_leaves_the_rotated_to_refresh_token_working_fails_AG5009_medium(bool inCookie)
    {
        // ex12's no-family-revoke: R1 reused was refused 401, and R2, which R1's rotation gave, still refreshed 200.
        using var api = new FakeShopApi(new FakeApiFaults { NoFamilyRevoke = true, RefreshInCookie = inCookie });

        var result = await RunAsync(api);

        Assert.Equal(CheckStatus.Warn, result.Status);
        var finding = Assert.Single(result.Findings);
        Assert.Equal(FrontendRules.FamilyNotRevoked, finding.Rule);
        Assert.Equal(Severity.Medium, finding.Severity);
        var what = inCookie ? "refresh cookie rt" : "refresh token";
        Assert.StartsWith($"after the rotated {what} was refused on reuse (401), the {what} the rotation gave still refreshes (200)", finding.Message, StringComparison.Ordinal);
        Assert.Contains("3. POST /auth/refresh with the " + what + " from step 1: answered 200", finding.Evidence, StringComparison.Ordinal);
        Assert.DoesNotContain("refresh-", finding.Evidence, StringComparison.Ordinal); // tokens masked
        Assert.Contains("revoke every refresh token of its grant", finding.Hint, StringComparison.Ordinal);
        Assert.Contains(api.Requests, r => r.PathAndQuery == "/auth/logout"); // the logout still runs, on a session of its own
    }

    [Fact]
    public async Task A_refresh_token_that_still_works_after_rotation_is_AG5004_alone_and_not_also_AG5009()
    {
        using var api = new FakeShopApi(new FakeApiFaults { NoRotation = true, NoFamilyRevoke = true });

        var result = await RunAsync(api);

        Assert.DoesNotContain(result.Findings, f => f.Rule == FrontendRules.FamilyNotRevoked);
        Assert.Single(result.Findings, f => f.Rule == FrontendRules.NoRotation);
    }

    [Fact]
    public async Task A_logout_that_leaves_the_refresh_token_working_fails_AG5005()
    {
        using var api = new FakeShopApi(new FakeApiFaults { LogoutKeepsTokens = true });

        var result = await RunAsync(api);

        Assert.Equal(CheckStatus.Fail, result.Status);
        Assert.Equal(FrontendRules.LogoutIneffective, Assert.Single(result.Findings).Rule);
    }

    [Fact]
    public async Task A_stack_trace_for_a_wrong_password_fails_AG5006_naming_what_leaked()
    {
        using var api = new FakeShopApi(new FakeApiFaults { LeakyErrors = true });

        var result = await RunAsync(api);

        var finding = Assert.Single(result.Findings, f => f.Rule == FrontendRules.UnreadableAuthError && f.Location == "POST /auth/login");
        Assert.Equal(Severity.High, finding.Severity);
        Assert.Contains("InvalidOperationException", finding.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("demo-not-the-password", finding.Evidence ?? string.Empty, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_password_answered_with_a_frameworks_json_message_is_readable_no_AG5006()
    {
        // ex11 (NestJS): {"message":"wrong e-mail or password","error":"Unauthorized","statusCode":401} was AG5006 medium
        // for not being problem+json, while step 7's AG7032 took the same kind of body as readable.
        using var api = new FakeShopApi(new FakeApiFaults { NestErrors = true });

        var result = await RunAsync(api);

        Assert.True(result.Status == CheckStatus.Pass, string.Join("\n", result.Findings.Select(f => $"{f.Rule} {f.Message}")));
        Assert.DoesNotContain(result.Findings, f => f.Rule == FrontendRules.UnreadableAuthError);
    }

    [Fact]
    public async Task A_wrong_password_answered_with_json_that_says_nothing_is_AG5006_medium_naming_what_is_missing()
    {
        using var api = new FakeShopApi(new FakeApiFaults { BareErrors = true });

        var result = await RunAsync(api);

        var finding = Assert.Single(result.Findings, f => f.Rule == FrontendRules.UnreadableAuthError && f.Location == "POST /auth/login");
        Assert.Equal(Severity.Medium, finding.Severity);
        Assert.Equal("a wrong password was answered 401, but its JSON has no 'title', 'detail', 'message' or 'errors' a person can read", finding.Message);
    }

    [Fact]
    public async Task A_plain_token_login_whose_contract_has_no_refresh_or_logout_gives_no_AG5007()
    {
        using var api = new FakeShopApi();

        var result = await RunAsync(api, auth: "token: $.accessToken");

        Assert.True(result.Status == CheckStatus.Pass, string.Join("\n", result.Findings.Select(f => $"{f.Rule} {f.Message}")));
        Assert.DoesNotContain(result.Findings, f => f.Rule == FrontendRules.AuthFlowPartial);
        Assert.DoesNotContain(api.Requests, r => r.PathAndQuery == "/auth/refresh");
    }

    [Fact]
    public async Task A_refresh_and_a_logout_in_the_contract_that_the_auth_does_not_declare_are_named_in_AG5007()
    {
        using var api = new FakeShopApi();
        var contract = FakeShopApi.Contract.Replace("""
              /me:
            """, """
              /auth/refresh:
                post: { security: [], responses: { '200': { description: new tokens } } }
              /auth/sign-out:
                post: { responses: { '204': { description: signed out } } }
              /me:
            """, StringComparison.Ordinal);
        Assert.Contains("/auth/sign-out:", contract, StringComparison.Ordinal);

        var result = await RunAsync(api, auth: "token: $.accessToken", contract: contract);

        Assert.Equal(CheckStatus.Warn, result.Status);
        var refresh = Assert.Single(result.Findings, f => f.Rule == FrontendRules.AuthFlowPartial && f.Location == "auth.refresh");
        Assert.Equal(Severity.Low, refresh.Severity);
        Assert.Equal("the contract has POST /auth/refresh, which the auth does not declare: refresh and rotation were not checked", refresh.Message);
        Assert.Equal("declare refresh: POST /auth/refresh in the service's auth", refresh.Hint);
        var logout = Assert.Single(result.Findings, f => f.Rule == FrontendRules.AuthFlowPartial && f.Location == "auth.logout");
        Assert.Equal("declare logout: POST /auth/sign-out in the service's auth", logout.Hint);
        Assert.DoesNotContain(api.Requests, r => r.PathAndQuery == "/auth/refresh");
    }

    [Fact]
    public async Task Without_a_contract_one_AG5007_says_the_token_was_not_tried_and_undeclared_refresh_and_logout_could_not_be_seen()
    {
        using var api = new FakeShopApi();
        var folder = Folder();
        var manifest = api.Manifest(folder, auth: "token: $.accessToken").Replace("openapi: fake.yaml", "health: /health", StringComparison.Ordinal);
        var system = TestSystems.Load(manifest, folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);

        var result = await new AuthFlowCheck(system.Find<Archgate.Model.ServiceComponent>("api")!, new ContractDocuments()).RunAsync(TestSystems.Context(system, http), CancellationToken.None);

        var partial = Assert.Single(result.Findings, f => f.Rule == FrontendRules.AuthFlowPartial);
        Assert.Equal("openapi", partial.Location);
        Assert.Equal("no readable contract: the access token was not tried on a protected operation, and whether the service has a refresh or logout operation its auth does not declare could not be seen: refresh and logout not checked", partial.Message);
    }

    [Fact]
    public async Task A_wrong_password_in_the_manifest_fails_AG5001_and_stops()
    {
        using var api = new FakeShopApi();
        var folder = Folder();
        var system = TestSystems.Load(api.Manifest(folder).Replace("password: demo", "password: wrong", StringComparison.Ordinal), folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);

        var result = await new AuthFlowCheck(system.Find<Archgate.Model.ServiceComponent>("api")!, new ContractDocuments()).RunAsync(TestSystems.Context(system, http), CancellationToken.None);

        Assert.Equal(CheckStatus.Fail, result.Status);
        Assert.Equal(FrontendRules.LoginFailed, Assert.Single(result.Findings).Rule);
        Assert.Single(api.Requests);
    }
}

using Archgate.Checks.Contracts;
using Archgate.Checks.Contracts.Conformance;
using Archgate.Checks.Frontend;
using Archgate.Checks.Http;
using Archgate.Checks.Security;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Checks.Tests.Frontend;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Identity;

/// <summary>
/// A login that answers no token but sets a session cookie (Express, Django, Rails, Laravel), against
/// <see cref="CookieSessionApi"/>: the run's token source keeps the cookies and echoes the anti-CSRF cookie in its
/// header, as a page does, and the checks that sign in work with that session and judge it as one.
/// </summary>
public sealed class CookieSessionTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("sid=abc; Path=/; HttpOnly; SameSite=Lax; Max-Age=3600", "sid", "abc", "Lax", 3600)]
    [InlineData("XSRF-TOKEN=\"t1\"; Path=/", "XSRF-TOKEN", "t1", null, null)]
    [InlineData("connect.sid=s%3Aabc.def; Expires=Sat, 05 Dec 2026 13:00:00 GMT; secure", "connect.sid", "s%3Aabc.def", null, 3600)]
    [InlineData("sessionid=x; max-age=60; expires=Sat, 05 Dec 2026 13:00:00 GMT; samesite=strict", "sessionid", "x", "strict", 60)] // Max-Age first
    public void A_set_cookie_header_gives_the_cookie_its_samesite_and_expiry(string header, string name, string value, string? sameSite, int? seconds)
    {
        var cookie = SessionCookie.Parse(header, Now);

        Assert.NotNull(cookie);
        Assert.Equal((name, value, sameSite), (cookie.Name, cookie.Value, cookie.SameSite));
        Assert.Equal(seconds is null ? null : Now.AddSeconds(seconds.Value), cookie.Expires);
    }

    [Theory]
    [InlineData("sid=; Path=/; Max-Age=0")]
    [InlineData("sid=abc; Max-Age=0")]
    [InlineData("sid=abc; Expires=Thu, 01 Jan 1970 00:00:00 GMT")]
    [InlineData("no equals sign")]
    public void A_deletion_or_an_unreadable_header_sets_no_cookie(string header) => Assert.Null(SessionCookie.Parse(header, Now));

    [Theory]
    [InlineData("XSRF-TOKEN", true, "X-XSRF-TOKEN")]
    [InlineData("csrftoken", true, "X-CSRFToken")]
    [InlineData("_csrf", true, "X-CSRF-Token")]
    [InlineData("sessionid", false, "X-CSRF-Token")]
    public void An_anti_CSRF_cookie_is_known_by_its_name_and_echoed_in_its_frameworks_header(string name, bool csrf, string header)
    {
        var cookie = new SessionCookie(name, "v", "Lax", null);

        Assert.Equal((csrf, header), (cookie.IsCsrfToken, cookie.CsrfHeader));
    }

    [Fact]
    public async Task The_token_source_signs_in_with_the_contracts_field_names_and_keeps_the_session_cookies()
    {
        using var api = new CookieSessionApi();
        var (system, http) = Load(api);
        using var _ = http;

        var credentials = await ApiSession.SignInAsync(system.Find<ServiceComponent>("api")!, TestSystems.Context(system, http), CancellationToken.None);

        Assert.True(credentials.Ok, credentials.Problem);
        Assert.Equal(["sid", "XSRF-TOKEN"], credentials.Cookies.Select(c => c.Key));
        var csrf = Assert.Single(credentials.Headers);
        Assert.Equal(("X-XSRF-TOKEN", credentials.Cookies[1].Value), (csrf.Key, csrf.Value));
        Assert.Contains(credentials.Cookies[0].Value, credentials.Secrets);
        Assert.Contains("\"email\":\"ann@example.test\"", api.Requests.Single().Body, StringComparison.Ordinal);
        var me = await ApiCall.SendAsync(http, "GET", new Uri(api.Url, "/me"), credentials.RequestHeaders, null, ApiCall.DefaultTimeout, CancellationToken.None);
        Assert.Equal(200, me.Status);
    }

    [Fact]
    public async Task A_declared_token_path_that_the_answer_lacks_is_still_a_failed_login_though_a_cookie_was_set()
    {
        using var api = new CookieSessionApi();
        var (system, http) = Load(api, auth: "token: $.accessToken");
        using var _ = http;

        var credentials = await ApiSession.SignInAsync(system.Find<ServiceComponent>("api")!, TestSystems.Context(system, http), CancellationToken.None);

        Assert.False(credentials.Ok);
        Assert.Contains("no token was found at $.accessToken", credentials.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_auth_flow_of_a_sound_cookie_session_passes_and_its_logout_ends_the_session()
    {
        using var api = new CookieSessionApi();

        var result = await AuthFlowAsync(api);

        Assert.Equal(CheckStatus.Pass, result.Status);
        Assert.Empty(result.Findings);
        Assert.Contains(api.Requests, r => r.Method == "POST" && r.PathAndQuery == "/auth/logout");
    }

    [Fact]
    public async Task With_an_unreadable_contract_the_logout_check_says_the_contract_could_not_be_read()
    {
        using var api = new CookieSessionApi();
        var folder = AuthFlowCheckTests.Folder();
        // Without a contract to read the login's field names from, the manifest names them.
        var manifest = api.Manifest(folder).Replace("logout: POST /auth/logout }", "logout: POST /auth/logout, fields: { user: email, password: password } }", StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(folder, "tasks.yaml"), "openapi: 3.0.3\ninfo: [ unclosed\n");
        var system = TestSystems.Load(manifest, folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);

        var result = await new AuthFlowCheck(system.Find<ServiceComponent>("api")!, new ContractDocuments()).RunAsync(TestSystems.Context(system, http), CancellationToken.None);

        var logout = Assert.Single(result.Findings, f => f.Rule == FrontendRules.AuthFlowPartial && f.Location == "POST /auth/logout");
        Assert.Equal("no readable contract: whether the logout ended the session was not checked", logout.Message);
    }

    [Fact]
    public async Task A_logout_that_leaves_the_session_cookie_working_fails_AG5005()
    {
        using var api = new CookieSessionApi(new CookieSessionFaults { LogoutKeepsSession = true });

        var result = await AuthFlowAsync(api);

        var finding = Assert.Single(result.Findings);
        Assert.Equal((FrontendRules.LogoutIneffective, "GET /me"), (finding.Rule, finding.Location));
        Assert.StartsWith("the session cookie still works after logout", finding.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_staff_only_GET_first_in_the_contract_is_not_read_as_a_refused_session_and_the_next_one_is_used(bool declared)
    {
        // ex13: GET /v1/bookings (security.adminOnly) answered 403 "staff only" to the guest's fresh cookie: AG5002 "refused".
        using var api = new CookieSessionApi(new CookieSessionFaults { StaffOnlyAudit = true });

        var result = await AuthFlowAsync(api, declared ? "security: { adminOnly: [ 'GET /audit' ] }" : "");

        Assert.True(result.Status == CheckStatus.Pass, string.Join("\n", result.Findings.Select(f => $"{f.Rule} {f.Message}")));
        Assert.Empty(result.Findings);
        var audits = api.Requests.Count(r => r.PathAndQuery == "/audit");
        Assert.Equal(declared ? 0 : 1, audits); // declared: left out; undeclared: its 403 means "not for ann", /me is next
        Assert.True(api.Requests.Count(r => r.PathAndQuery == "/me") >= 3); // the protected call, without a cookie, after logout
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_secured_GET_that_answers_anyone_is_AG5002_and_the_sessions_logout_and_fixation_are_judged_on_the_next(bool logoutKeepsSession)
    {
        // ex16: drf-spectacular marked a public catalogue secured; logout and fixation judged on it were false highs.
        using var api = new CookieSessionApi(new CookieSessionFaults { PublicKits = true, LogoutKeepsSession = logoutKeepsSession });

        var result = await AuthFlowAsync(api);

        var details = string.Join("\n", result.Findings.Select(f => $"{f.Rule} {f.Location} {f.Message}"));
        var anyone = Assert.Single(result.Findings, f => f.Rule == FrontendRules.ProtectedCall);
        Assert.Equal("GET /kits", anyone.Location);
        Assert.StartsWith("without a session cookie GET /kits answered 200, not 401", anyone.Message, StringComparison.Ordinal);
        Assert.Contains("mark the operation public in the contract (security: [])", anyone.Hint, StringComparison.Ordinal);
        Assert.DoesNotContain(result.Findings, f => f.Rule == FrontendRules.SessionFixation);
        var logouts = result.Findings.Where(f => f.Rule == FrontendRules.LogoutIneffective).ToList();
        Assert.True(logouts.Count == (logoutKeepsSession ? 1 : 0), details);
        Assert.All(logouts, f => Assert.Equal("GET /me", f.Location)); // judged on an operation that refuses a caller without the session
    }

    [Fact]
    public async Task When_every_protected_GET_answers_403_the_session_was_accepted_and_AG5007_says_nothing_was_opened()
    {
        using var api = new CookieSessionApi(new CookieSessionFaults { StaffOnlyAudit = true, StaffOnlyMe = true });

        var result = await AuthFlowAsync(api);

        Assert.DoesNotContain(result.Findings, f => f.Rule == FrontendRules.ProtectedCall);
        var partial = result.Findings.Where(f => f.Rule == FrontendRules.AuthFlowPartial).ToList();
        Assert.Equal(2, partial.Count);
        Assert.Equal(Severity.Low, partial[0].Severity);
        Assert.StartsWith("the fresh session cookie was accepted but every protected GET tried answered 403 to 'ann' (GET /audit answered 403; GET /me answered 403)", partial[0].Message, StringComparison.Ordinal);
        Assert.Equal("every protected GET tried answered 403: whether the logout ended the session was not checked", partial[1].Message);
    }

    [Fact]
    public async Task A_session_cookie_answered_401_is_still_a_refused_session_AG5002()
    {
        using var api = new CookieSessionApi(new CookieSessionFaults { StaffOnlyAudit = true, ForgetsSessions = true });

        var result = await AuthFlowAsync(api);

        var refused = Assert.Single(result.Findings, f => f.Rule == FrontendRules.ProtectedCall);
        Assert.Equal(("GET /audit", Severity.High), (refused.Location, refused.Severity));
        Assert.Equal("the fresh session cookie was refused: GET /audit answered 401", refused.Message);
    }

    [Theory]
    [InlineData(false, "issued by the server before the login (to a failed login)")]
    [InlineData(true, "chosen by the client")]
    public async Task A_login_that_keeps_or_adopts_the_session_id_held_before_it_fails_AG5008(bool adopts, string source)
    {
        using var api = new CookieSessionApi(adopts ? new CookieSessionFaults { AdoptsSessionId = true } : new CookieSessionFaults { KeepsSessionId = true });

        var result = await AuthFlowAsync(api);

        var finding = Assert.Single(result.Findings);
        Assert.Equal((FrontendRules.SessionFixation, Severity.High, "POST /auth/login"), (finding.Rule, finding.Severity, finding.Location));
        Assert.Contains($"(sid, {source}", finding.Message, StringComparison.Ordinal);
        Assert.Contains("still opens GET /me after it (200)", finding.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(api.Requests.Where(r => r.Headers.ContainsKey("Cookie")).Select(r => r.Headers["Cookie"].Split("sid=")[^1].Split(';')[0]), v => finding.Evidence!.Contains(v, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_frontends_preflight_of_a_write_in_a_cookie_session_asks_for_the_anti_CSRF_header_and_credentials()
    {
        using var api = new CookieSessionApi();

        var result = await FrontendCorsAsync(api);

        Assert.Equal(CheckStatus.Pass, result.Status);
        // The anti-CSRF header goes with a state-changing call; a read carries the cookie alone.
        var preflights = api.Requests.Where(r => r.Method == "OPTIONS").ToList();
        var writes = preflights.Where(r => r.Headers["Access-Control-Request-Method"] is "POST" or "PUT" or "PATCH" or "DELETE")
            .Select(r => r.Headers.GetValueOrDefault("Access-Control-Request-Headers") ?? string.Empty).ToList();
        Assert.Contains(writes, h => h.Contains("x-xsrf-token", StringComparison.Ordinal));
        Assert.All(writes, h => Assert.DoesNotContain("authorization", h, StringComparison.Ordinal));
        Assert.All(preflights.Where(r => r.Headers["Access-Control-Request-Method"] == "GET"),
            r => Assert.DoesNotContain("x-xsrf-token", r.Headers.GetValueOrDefault("Access-Control-Request-Headers") ?? string.Empty, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_preflight_without_allowed_credentials_keeps_the_session_cookie_off_and_fails_AG5020()
    {
        using var api = new CookieSessionApi(new CookieSessionFaults { NoCredentialsCors = true });

        var result = await FrontendCorsAsync(api);

        Assert.Equal(CheckStatus.Fail, result.Status);
        Assert.All(result.Findings.Where(f => f.Rule == FrontendRules.CorsRefused), f => Assert.Contains("no Access-Control-Allow-Credentials: true", f.Message, StringComparison.Ordinal));
        Assert.Contains(result.Findings, f => f.Rule == FrontendRules.CorsRefused);
    }

    [Fact]
    public async Task A_samesite_lax_session_is_not_probed_for_CSRF_and_says_why()
    {
        using var api = new CookieSessionApi(new CookieSessionFaults { NoCsrfCheck = true });

        var result = await SecurityCorsAsync(api);

        Assert.DoesNotContain(result.Findings, f => f.Rule == SecurityRules.Csrf);
        Assert.Contains("the session cookie (sid, SameSite=Lax) is one a browser keeps off cross-site writes",
            result.Findings.Single(f => f.Rule == SecurityRules.CorsCoverage).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, 0)] // the forged request has the cookie but not the X-XSRF-TOKEN header a page adds: refused
    [InlineData(true, 1)]
    public async Task A_samesite_none_session_is_sent_cross_site_without_the_anti_CSRF_header(bool noCsrfCheck, int expected)
    {
        using var api = new CookieSessionApi(new CookieSessionFaults { SameSiteNone = true, NoCsrfCheck = noCsrfCheck });

        var result = await SecurityCorsAsync(api);

        var csrf = result.Findings.Where(f => f.Rule == SecurityRules.Csrf).ToList();
        Assert.Equal(expected, csrf.Count);
        Assert.All(csrf, f => Assert.Equal("POST /tasks", f.Location));
        Assert.Contains("CSRF: 1 cookie-authenticated operations sent cross-site", result.Findings.Single(f => f.Rule == SecurityRules.CorsCoverage).Message, StringComparison.Ordinal);
        var probe = api.Requests.Last(r => r.Method == "POST" && r.PathAndQuery == "/tasks" && r.Headers.GetValueOrDefault("Sec-Fetch-Site") == "cross-site");
        Assert.False(probe.Headers.ContainsKey("X-XSRF-TOKEN"));
        Assert.Contains("sid=", probe.Headers["Cookie"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_CSRF_probe_signs_in_afresh_when_an_earlier_probe_ended_the_session_and_a_dead_sessions_401_is_no_refusal()
    {
        // ex11 without logout: declared: the injection probes had logged the shared session out, and 5 cross-site writes
        // answered 401 were counted as refused.
        using var api = new CookieSessionApi(new CookieSessionFaults { SameSiteNone = true, NoCsrfCheck = true });
        var (system, http) = Load(api);
        using var _ = http;
        var context = TestSystems.Context(system, http);
        var service = system.Find<ServiceComponent>("api")!;
        var shared = await ApiSession.SignInAsync(service, context, CancellationToken.None);
        var logout = await ApiCall.SendAsync(http, "POST", new Uri(api.Url, "/auth/logout"), shared.RequestHeaders, null, ApiCall.DefaultTimeout, CancellationToken.None);
        Assert.Equal(204, logout.Status);

        var result = await new Archgate.Checks.Security.Probes.CorsCheck(service, new ContractDocuments(), new SecurityProbeOptions()).RunAsync(context, CancellationToken.None);

        var csrf = Assert.Single(result.Findings, f => f.Rule == SecurityRules.Csrf);
        Assert.Equal("POST /tasks", csrf.Location);
        Assert.Contains("1 cookie-authenticated operations sent cross-site, 1 taken, 0 refused", result.Findings.Single(f => f.Rule == SecurityRules.CorsCoverage).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_admin_only_write_is_forged_with_the_admins_session_not_left_undetermined(bool declared)
    {
        // ex11: POST /events (admin-only) forged as ann was refused 403 both ways, "not determined"; as ada it is a CSRF.
        using var api = new CookieSessionApi(new CookieSessionFaults { SameSiteNone = true, NoCsrfCheck = true, AdminOnlyTasks = true });
        var folder = AuthFlowCheckTests.Folder();
        var manifest = api.Manifest(folder, declared ? "security: { adminOnly: [ 'POST /tasks' ] }" : "")
            .Replace("auth:\n", "auth:\n  ada: { login: POST /auth/login, user: ada@example.test, password: demo, roles: [admin] }\n", StringComparison.Ordinal);
        var system = TestSystems.Load(manifest, folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);

        var result = await new Archgate.Checks.Security.Probes.CorsCheck(system.Find<ServiceComponent>("api")!, new ContractDocuments(), new SecurityProbeOptions())
            .RunAsync(TestSystems.Context(system, http), CancellationToken.None);

        var csrf = Assert.Single(result.Findings, f => f.Rule == SecurityRules.Csrf);
        Assert.Contains("as ada, the admin", csrf.Message, StringComparison.Ordinal);
        Assert.Contains("1 taken, 0 refused", result.Findings.Single(f => f.Rule == SecurityRules.CorsCoverage).Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not determined", result.Findings.Single(f => f.Rule == SecurityRules.CorsCoverage).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_admin_only_write_without_an_admin_is_not_determined_and_says_why()
    {
        using var api = new CookieSessionApi(new CookieSessionFaults { SameSiteNone = true, NoCsrfCheck = true, AdminOnlyTasks = true });
        var folder = AuthFlowCheckTests.Folder();
        var system = TestSystems.Load(api.Manifest(folder), folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);

        var result = await new Archgate.Checks.Security.Probes.CorsCheck(system.Find<ServiceComponent>("api")!, new ContractDocuments(), new SecurityProbeOptions())
            .RunAsync(TestSystems.Context(system, http), CancellationToken.None);

        Assert.DoesNotContain(result.Findings, f => f.Rule == SecurityRules.Csrf);
        Assert.Contains("0 taken, 0 refused; not determined, as the page's own request was refused too: POST /tasks (cross-site answered 403, and the same request same-site with the anti-CSRF header answered 403)",
            result.Findings.Single(f => f.Rule == SecurityRules.CorsCoverage).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_CSRF_probe_whose_sign_in_fails_says_so_not_that_the_auth_gives_no_cookie()
    {
        // ex11 with logout: declared: the sign-in after the injection probes was refused (429), and AG9039 said the auth gave no cookie.
        using var api = new CookieSessionApi(new CookieSessionFaults { SameSiteNone = true, NoCsrfCheck = true });
        var folder = AuthFlowCheckTests.Folder();
        var system = TestSystems.Load(api.Manifest(folder).Replace("password: demo", "password: wrong", StringComparison.Ordinal), folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);

        var result = await new Archgate.Checks.Security.Probes.CorsCheck(system.Find<ServiceComponent>("api")!, new ContractDocuments(), new SecurityProbeOptions())
            .RunAsync(TestSystems.Context(system, http), CancellationToken.None);

        var coverage = result.Findings.Single(f => f.Rule == SecurityRules.CorsCoverage).Message;
        Assert.Contains("CSRF: 1 cookie-authenticated operations not probed ('ann' could not sign in: the login POST /auth/login as 'ann@example.test' answered 401)", coverage, StringComparison.Ordinal);
        Assert.DoesNotContain("gives no cookie", coverage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, CheckStatus.Pass)]
    [InlineData(true, CheckStatus.Fail)]
    public async Task A_forged_session_cookie_must_be_refused(bool anySession, CheckStatus status)
    {
        using var api = new CookieSessionApi(new CookieSessionFaults { AnySession = anySession });
        var (system, http) = Load(api);
        using var _ = http;

        var result = await new Archgate.Checks.Security.Probes.AuthenticationCheck(system.Find<ServiceComponent>("api")!, new ContractDocuments(), new SecurityProbeOptions())
            .RunAsync(TestSystems.Context(system, http), CancellationToken.None);

        Assert.Equal(status, result.Status);
        Assert.Contains("forged session cookie", result.Findings.Single(f => f.Rule == SecurityRules.AuthenticationCoverage).Message, StringComparison.Ordinal);
        if (anySession)
        {
            var finding = Assert.Single(result.Findings, f => f.Rule == SecurityRules.InvalidTokenAccepted);
            Assert.True(finding.Message.Contains("(forged session cookie)", StringComparison.Ordinal), finding.Message);
        }
    }

    [Fact]
    public async Task Conformance_signs_in_again_after_the_identitys_own_logout_so_later_requests_are_not_refused()
    {
        using var api = new CookieSessionApi();
        var (system, http) = Load(api);
        using var _ = http;
        var context = TestSystems.Context(system, http);

        var result = await new ConformanceCheck(system.Find<ServiceComponent>("api")!).RunAsync(context, CancellationToken.None);

        Assert.DoesNotContain(result.Findings, f => f.Rule == ConformanceRules.AuthenticationFailed);
        // Each path's undeclared method is probed after every operation, the logout included: signed in, each is a 405.
        var undeclared = result.Findings.Where(f => f.Rule == ConformanceRules.MethodNotRejected).ToList();
        Assert.Contains(undeclared, f => f.Location == "PATCH /me 405");
        Assert.DoesNotContain(undeclared, f => f.Message.Contains("answered 401", StringComparison.Ordinal) && f.Location?.StartsWith("PATCH /auth/login", StringComparison.Ordinal) != true);
        Assert.Contains(api.Requests, r => r.Method == "POST" && r.PathAndQuery == "/auth/logout");
        var credentials = await ApiSession.SignInAsync(system.Find<ServiceComponent>("api")!, context, CancellationToken.None);
        var me = await ApiCall.SendAsync(http, "GET", new Uri(api.Url, "/me"), credentials.RequestHeaders, null, ApiCall.DefaultTimeout, CancellationToken.None);
        Assert.Equal(200, me.Status); // the session the next check gets is alive
    }

    [Fact]
    public async Task A_contract_that_declares_the_anti_CSRF_header_gets_the_sessions_value_and_its_left_out_probe_really_lacks_it()
    {
        using var api = new CookieSessionApi(new CookieSessionFaults { DeclaresCsrfHeader = true });
        var (system, http) = Load(api);
        using var _ = http;

        var result = await new ConformanceCheck(system.Find<ServiceComponent>("api")!).RunAsync(TestSystems.Context(system, http), CancellationToken.None);

        // The probe built to lack the header lacks it (refused 403: the right answer), and no request carried a made-up
        // value the session refuses: the contract's header parameter gets the session's echo.
        Assert.DoesNotContain(result.Findings, f => f.Rule == ConformanceRules.InvalidInputAccepted && f.Message.Contains("X-XSRF-TOKEN", StringComparison.Ordinal));
        Assert.Contains(api.Requests, r => r.Method == "POST" && r.PathAndQuery == "/tasks" && !r.Headers.ContainsKey("X-XSRF-TOKEN"));
        Assert.Contains(api.Requests, r => r.Method == "POST" && r.PathAndQuery == "/tasks" && r.Headers.ContainsKey("X-XSRF-TOKEN"));
        Assert.Equal(0, api.WrongCsrfTokens);
    }

    [Fact]
    public async Task A_journey_keeps_the_cookies_its_login_set_and_echoes_the_anti_CSRF_cookie_on_writes()
    {
        using var api = new CookieSessionApi();
        var folder = AuthFlowCheckTests.Folder();
        var system = TestSystems.Load(api.Manifest(folder, """
            journeys:
              - name: sign in and add a task
                runs: 2
                steps:
                  - request: POST /auth/login
                    json: { email: ann@example.test, password: demo }
                  - request: POST /tasks
                    json: { title: "task {run}" }
                    expect: { status: 201 }
                  - request: POST /auth/logout
                  - request: GET /me
                    expect: { status: 401 }
            """), folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);

        var result = await new Archgate.Checks.Journeys.JourneyCheck(system.Journeys[0], new Archgate.Checks.Journeys.JourneyOptions(), system.Checks.Journeys)
            .RunAsync(TestSystems.Context(system, http), CancellationToken.None);

        Assert.Equal(CheckStatus.Pass, result.Status);
        var writes = api.Requests.Where(r => r.Method == "POST" && r.PathAndQuery == "/tasks").ToList();
        Assert.Equal(2, writes.Count);
        Assert.All(writes, w => Assert.True(w.Headers.ContainsKey("X-XSRF-TOKEN")));
        Assert.Equal(0, api.Sessions); // each run's logout ended its own session
    }

    [Fact]
    public async Task Injection_probes_the_identitys_own_logout_last_and_the_next_check_signs_in_again()
    {
        using var api = new CookieSessionApi();
        var (system, http) = Load(api);
        using var _ = http;
        var context = TestSystems.Context(system, http);

        var result = await new Archgate.Checks.Security.Probes.InjectionCheck(system.Find<ServiceComponent>("api")!, new ContractDocuments(), new SecurityProbeOptions())
            .RunAsync(context, CancellationToken.None);

        // The contract lists the logout before /me and /tasks: probed in that order, it ended the session and every later
        // probe was sent with a dead one. No request carries a session after that session's logout.
        var requests = api.Requests.ToList();
        string? Sid(Received r) => r.Headers.GetValueOrDefault("Cookie")?.Split(';', StringSplitOptions.TrimEntries).FirstOrDefault(c => c.StartsWith("sid=", StringComparison.Ordinal));
        var logouts = requests.Select((r, i) => (r, i)).Where(x => x.r.PathAndQuery == "/auth/logout" && Sid(x.r) is not null).ToList();
        Assert.NotEmpty(logouts);
        foreach (var (logout, at) in logouts)
        {
            Assert.DoesNotContain(requests.Skip(at + 1), r => r.PathAndQuery != "/auth/logout" && Sid(r) == Sid(logout));
        }

        Assert.Contains(requests, r => r.Method == "POST" && r.PathAndQuery == "/tasks" && Sid(r) is not null);
        Assert.Contains("4 operations", result.Findings.Single(f => f.Rule == SecurityRules.InjectionCoverage).Message, StringComparison.Ordinal);
        var credentials = await ApiSession.SignInAsync(system.Find<ServiceComponent>("api")!, context, CancellationToken.None);
        var me = await ApiCall.SendAsync(http, "GET", new Uri(api.Url, "/me"), credentials.RequestHeaders, null, ApiCall.DefaultTimeout, CancellationToken.None);
        Assert.Equal(200, me.Status); // the session the next check gets is alive
    }

    [Fact]
    public async Task Injection_probes_of_the_identitys_login_send_no_wrong_password_for_the_identity()
    {
        // The contract's login example is the identity itself: every probe of the password was a wrong password for ann,
        // which a login limiter counts (ex11 answered ann 429 after step 9) and a lockout would keep locked past the run.
        using var api = new CookieSessionApi();
        var folder = AuthFlowCheckTests.Folder();
        var manifest = api.Manifest(folder);
        var contract = Path.Combine(folder, "tasks.yaml");
        File.WriteAllText(contract, File.ReadAllText(contract).Replace(
            "password: { type: string } } } } }", "password: { type: string } } }, example: { email: ann@example.test, password: demo } } }", StringComparison.Ordinal));
        var system = TestSystems.Load(manifest, folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);

        var result = await new Archgate.Checks.Security.Probes.InjectionCheck(system.Find<ServiceComponent>("api")!, new ContractDocuments(), new SecurityProbeOptions())
            .RunAsync(TestSystems.Context(system, http), CancellationToken.None);

        static System.Text.Json.Nodes.JsonObject? Body(string text)
        {
            try
            {
                return System.Text.Json.Nodes.JsonNode.Parse(text) as System.Text.Json.Nodes.JsonObject;
            }
            catch (System.Text.Json.JsonException)
            {
                return null; // a malformed-body probe
            }
        }

        var logins = api.Requests.Where(r => r.PathAndQuery == "/auth/login").Select(r => Body(r.Body)).OfType<System.Text.Json.Nodes.JsonObject>().ToList();
        Assert.Contains(logins, l => l["email"]?.ToString() == "ann@example.test" && l["password"]?.ToString() == "demo"); // the baseline signs in
        Assert.DoesNotContain(logins, l => l["email"]?.ToString() == "ann@example.test" && l["password"]?.ToString() != "demo");
        Assert.Contains(logins, l => l["email"]?.ToString() is { } e && e.StartsWith("archgate-guess-", StringComparison.Ordinal) && e.EndsWith("@example.invalid", StringComparison.Ordinal)
            && l["password"]?.ToString()?.Contains('\'', StringComparison.Ordinal) == true); // the password is still probed
        Assert.Contains(logins, l => l["email"]?.ToString()?.Contains('\'', StringComparison.Ordinal) == true); // and the user field, with the real password
        Assert.Contains("the password and other inputs of POST /auth/login probed for a made-up account", result.Findings.Single(f => f.Rule == SecurityRules.InjectionCoverage).Message, StringComparison.Ordinal);
    }

    private static (SystemModel System, HttpClient Http) Load(CookieSessionApi api, string? auth = null, string extra = "")
    {
        var folder = AuthFlowCheckTests.Folder();
        var manifest = api.Manifest(folder, extra);
        if (auth is not null)
        {
            manifest = manifest.Replace("logout: POST /auth/logout }", $"logout: POST /auth/logout, {auth} }}", StringComparison.Ordinal);
        }

        var system = TestSystems.Load(manifest, folder);
        return (system, ProbeHttp.CreateClient(system.AllowedHosts));
    }

    private static async Task<CheckResult> AuthFlowAsync(CookieSessionApi api, string extra = "")
    {
        var (system, http) = Load(api, extra: extra);
        using var _ = http;
        return await new AuthFlowCheck(system.Find<ServiceComponent>("api")!, new ContractDocuments()).RunAsync(TestSystems.Context(system, http), CancellationToken.None);
    }

    private static async Task<CheckResult> FrontendCorsAsync(CookieSessionApi api)
    {
        var (system, http) = Load(api);
        using var _ = http;
        return await new CorsCheck(system.Find<FrontendComponent>("web")!, system.Find<ServiceComponent>("api")!, new ContractDocuments())
            .RunAsync(TestSystems.Context(system, http), CancellationToken.None);
    }

    private static async Task<CheckResult> SecurityCorsAsync(CookieSessionApi api)
    {
        var (system, http) = Load(api);
        using var _ = http;
        return await new Archgate.Checks.Security.Probes.CorsCheck(system.Find<ServiceComponent>("api")!, new ContractDocuments(), new SecurityProbeOptions())
            .RunAsync(TestSystems.Context(system, http), CancellationToken.None);
    }
}

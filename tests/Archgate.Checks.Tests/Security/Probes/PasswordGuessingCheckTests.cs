using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Archgate.Checks.Contracts;
using Archgate.Checks.Http;
using Archgate.Checks.Security;
using Archgate.Checks.Security.Probes;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Model;
using Archgate.Planning;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Security.Probes;

public sealed class PasswordGuessingCheckTests
{
    private const string RealUser = "ann@shop.example.com";
    private const string RealPassword = "real-s3cret-pass";

    /// <summary>Progress reports as they are made (no synchronization context in between).</summary>
    private sealed class Reports : IProgress<string>
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public void Report(string value) => Lines.Enqueue(value);
    }

    private static SystemModel System(ScriptedHttpServer server, string identity = $"{{ login: POST /auth/login, user: {RealUser}, password: {RealPassword} }}", string security = "") =>
        TestSystems.Load($$"""
            version: 1
            system: { name: t }
            auth:
              ann: {{identity}}
            components:
              - name: api
                kind: service
                url: {{server.Url}}
                auth: ann
            {{security}}
            """);

    private static async Task<CheckResult> RunAsync(SystemModel system, Reports? reports = null)
    {
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        var check = Assert.Single(PasswordGuessingCheck.For(system, system.OfKind<ServiceComponent>().ToList(), new ContractDocuments(), system.Checks.Security));
        Assert.Equal("security.guessing:api", check.Id);
        Assert.True(check.AppliesTo(system).Applies);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        return await check.RunAsync(TestSystems.Context(system, http) with { Activity = reports }, timeout.Token);
    }

    private static string Dump(CheckResult result, ScriptedHttpServer server) =>
        $"{result.Status}\n" + string.Join("\n", result.Findings.Select(f => $"{f.Rule} {f.Severity} | {f.Message} | {f.Evidence}"))
        + "\n--\n" + string.Join("\n", server.Requests.Select(r => $"{r.Method} {r.PathAndQuery} {r.Body}"));

    [Fact]
    public async Task A_login_that_answers_every_wrong_password_401_has_no_limit()
    {
        using var server = new ScriptedHttpServer(_ => new Reply(401, """{"title":"Invalid username or password."}"""));

        var result = await RunAsync(System(server));

        var finding = Assert.Single(result.Findings);
        Assert.True(finding.Rule == SecurityRules.PasswordGuessing && finding.Severity == Severity.Medium, Dump(result, server));
        Assert.Matches(@"^30 wrong sign-ins for one account from one address in \d+\.\d s were all answered 401: nothing limits password guessing$", finding.Message);
        Assert.Equal("POST /auth/login", finding.Location);
        Assert.Equal(30, server.Requests.Count);
        Assert.Contains("curl", finding.Evidence, StringComparison.Ordinal);
        Assert.Contains("/auth/login", finding.Evidence, StringComparison.Ordinal);
        Assert.Contains("attempts (status, ms): 401 ", finding.Evidence, StringComparison.Ordinal);
        Assert.DoesNotContain("archgate-wrong-", finding.Evidence, StringComparison.Ordinal); // the password is masked
        Assert.Contains("limit failed sign-ins per account and per client address", finding.Hint, StringComparison.Ordinal);
        Assert.Equal(CheckStatus.Warn, result.Status);
    }

    [Fact]
    public async Task A_429_with_Retry_After_after_five_failures_is_a_limit_and_the_probe_waits_it_out()
    {
        var failures = 0;
        using var server = new ScriptedHttpServer(_ => Interlocked.Increment(ref failures) > 5
            ? new Reply(429, """{"title":"Too many failed sign-ins."}""", Headers: new Dictionary<string, string> { ["Retry-After"] = "1" })
            : new Reply(401, """{"title":"Invalid username or password."}"""));
        var reports = new Reports();

        var result = await RunAsync(System(server), reports);

        Assert.True(result.Status == CheckStatus.Pass, Dump(result, server));
        var finding = Assert.Single(result.Findings);
        Assert.Equal(SecurityRules.PasswordGuessing, finding.Rule);
        Assert.Equal(Severity.Info, finding.Severity);
        Assert.Equal("password guessing is limited: attempt 6 of 30 was answered 429, Retry-After: 1", finding.Message);
        Assert.Contains("a sign-in as 'ann' right after it was answered 429; waited 1 s for the Retry-After to pass", finding.Evidence, StringComparison.Ordinal);
        Assert.Contains(reports.Lines, l => l.StartsWith("waiting out the sign-in limit's Retry-After: 1 s left", StringComparison.Ordinal));
        Assert.Equal(7, server.Requests.Count); // it stopped at the first sign of a limit, then signed in once as the identity
        Assert.Contains(RealPassword, server.Requests.Last().Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_limit_on_the_guessed_account_that_still_lets_the_identity_in_is_not_waited_out()
    {
        // The shop limits 5 failures per account: the identity is not held back, and waiting a minute cost every run that minute.
        var failures = 0;
        using var server = new ScriptedHttpServer(r => r.Body.Contains(RealPassword, StringComparison.Ordinal)
            ? new Reply(200, """{"accessToken":"t0k3n"}""")
            : Interlocked.Increment(ref failures) > 5
                ? new Reply(429, "{}", Headers: new Dictionary<string, string> { ["Retry-After"] = "60" })
                : new Reply(401, "{}"));
        var reports = new Reports();

        var result = await RunAsync(System(server), reports);

        Assert.True(result.Status == CheckStatus.Pass, Dump(result, server));
        var finding = Assert.Single(result.Findings);
        Assert.Equal("password guessing is limited: attempt 6 of 30 was answered 429, Retry-After: 60", finding.Message);
        Assert.Contains("a sign-in as 'ann' from this address right after it was answered 200: the limit holds back the guessed account, not this address, so nothing was waited for", finding.Evidence, StringComparison.Ordinal);
        Assert.DoesNotContain(reports.Lines, l => l.StartsWith("waiting", StringComparison.Ordinal));
        Assert.DoesNotContain(RealPassword, finding.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_Retry_After_longer_than_a_minute_is_not_waited_out_and_the_evidence_says_how_long_sign_ins_may_be_refused()
    {
        using var server = new ScriptedHttpServer(_ => new Reply(423, "{}", Headers: new Dictionary<string, string> { ["Retry-After"] = "900" }));
        var reports = new Reports();

        var result = await RunAsync(System(server), reports);

        Assert.Equal(CheckStatus.Pass, result.Status);
        var finding = Assert.Single(result.Findings);
        Assert.Equal("password guessing is limited: attempt 1 of 30 was answered 423, Retry-After: 900", finding.Message);
        Assert.Contains("sign-ins from this address may be refused for 900 s", finding.Evidence, StringComparison.Ordinal);
        Assert.DoesNotContain(reports.Lines, l => l.StartsWith("waiting", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_login_that_slows_down_with_each_failure_is_a_tarpit()
    {
        var failures = 0;
        using var server = new ScriptedHttpServer(_ =>
        {
            // 1.2 s, far above what a busy machine adds: with 400 ms, first answers slowed by a neighbour (a median over
            // 100 ms) put the 4x mark above the tarpit's answers, and the slowdown was seen attempts later (ci98).
            if (Interlocked.Increment(ref failures) > 5)
            {
                Thread.Sleep(1200);
            }

            return new Reply(401, "{}");
        });

        var result = await RunAsync(System(server));

        Assert.True(result.Status == CheckStatus.Pass, Dump(result, server));
        var finding = Assert.Single(result.Findings);
        Assert.Equal(Severity.Info, finding.Severity);
        Assert.StartsWith("password guessing is limited: the sign-ins slowed down by attempt 10 of 30 (the last 5 answers took ", finding.Message, StringComparison.Ordinal);
        Assert.Equal(10, server.Requests.Count);
    }

    [Fact]
    public async Task A_login_that_answers_failures_200_is_judged_on_the_limit_and_the_200_is_named()
    {
        using var server = new ScriptedHttpServer(_ => new Reply(200, """{"success":false}"""));

        var result = await RunAsync(System(server, security: "checks: { security: { guesses: 12 } }"));

        var finding = Assert.Single(result.Findings);
        Assert.Equal(Severity.Medium, finding.Severity);
        Assert.Matches(@"^12 wrong sign-ins for one account from one address in \d+\.\d s were all answered 200: nothing limits password guessing \(attempt 1, a made-up account with a wrong password, was answered 200: see its answer\)$", finding.Message);
        Assert.Contains("answered 200: {\"success\":false}", finding.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_endpoint_that_refuses_the_body_itself_and_the_identitys_own_sign_in_too_is_not_determined()
    {
        // ex13: an OAuth token endpoint as a login; every sign-in lacked grant_type and got 400, read as "nothing limits guessing".
        using var server = new ScriptedHttpServer(_ => new Reply(400, """{"statusCode":400,"error":"Bad Request","message":"body must have required property 'grant_type'"}"""));

        var result = await RunAsync(System(server, $"{{ login: POST /oauth/token, user: ops-bot, password: {RealPassword}, fields: {{ user: client_id, password: client_secret }} }}"));

        var finding = Assert.Single(result.Findings);
        Assert.True(finding.Rule == SecurityRules.PasswordGuessing && finding.Severity == Severity.Info, Dump(result, server));
        Assert.StartsWith("not determined: attempt 1 of 30 was answered 400, and the identity's own sign-in with the same body was refused too (400)", finding.Message, StringComparison.Ordinal);
        Assert.Contains("say nothing about guessing", finding.Message, StringComparison.Ordinal);
        Assert.Equal(2, server.Requests.Count); // one wrong sign-in, then the identity's own
        Assert.Contains(RealPassword, server.Requests.Last().Body, StringComparison.Ordinal);
        Assert.Equal(CheckStatus.Pass, result.Status);
    }

    [Theory]
    [InlineData(400, """{"error":"invalid_grant","error_description":"Bad credentials"}""")]
    [InlineData(400, """{"title":"Invalid username or password.","status":400}""")]
    [InlineData(400, """{"message":"Sign-in refused."}""")]
    public async Task A_login_that_answers_wrong_passwords_400_while_taking_the_identitys_own_is_judged_on_the_limit(int status, string body)
    {
        // Decided: the same body with the identity's own values was taken, and the 400 names no invalid field, so it refuses the credentials.
        using var server = new ScriptedHttpServer(r => r.Body.Contains(RealPassword, StringComparison.Ordinal) ? new Reply(200, """{"accessToken":"t0k3n"}""") : new Reply(status, body));

        var result = await RunAsync(System(server));

        var finding = Assert.Single(result.Findings);
        Assert.True(finding.Rule == SecurityRules.PasswordGuessing && finding.Severity == Severity.Medium, Dump(result, server));
        Assert.Matches(@"^30 wrong sign-ins for one account from one address in \d+\.\d s were all answered 400: nothing limits password guessing$", finding.Message);
        Assert.Contains("400 taken as the refusal of wrong credentials: the identity's own sign-in with the same body was answered 200", finding.Evidence, StringComparison.Ordinal);
        Assert.Equal(31, server.Requests.Count);
    }

    [Theory]
    [InlineData(422, """{"detail":[{"loc":["body","username"],"msg":"string does not match regex","type":"value_error.str.regex"}]}""", "a validation error that lists refused fields ('detail')")]
    [InlineData(400, """{"type":"about:blank","title":"One or more validation errors occurred.","status":400,"errors":{"Username":["The field Username must be a valid e-mail address."]}}""", "a validation error that lists refused fields ('errors')")]
    [InlineData(400, """{"error":"invalid_request","error_description":"username malformed"}""", "an OAuth error about the request itself (error: invalid_request)")]
    [InlineData(400, """{"message":"username is required"}""", "a message about the request's shape ('required')")]
    public async Task A_wrong_sign_in_refused_as_a_malformed_request_while_the_identitys_own_is_taken_is_not_determined(int status, string body, string why)
    {
        using var server = new ScriptedHttpServer(r => r.Body.Contains(RealPassword, StringComparison.Ordinal) ? new Reply(200, """{"accessToken":"t0k3n"}""") : new Reply(status, body));

        var result = await RunAsync(System(server));

        var finding = Assert.Single(result.Findings);
        Assert.True(finding.Rule == SecurityRules.PasswordGuessing && finding.Severity == Severity.Info, Dump(result, server));
        Assert.StartsWith($"not determined: attempt 1 of 30 was answered {status}, {why}, while the identity's own sign-in was answered 200", finding.Message, StringComparison.Ordinal);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task A_5xx_without_Retry_After_is_a_failure_of_its_own()
    {
        var failures = 0;
        using var server = new ScriptedHttpServer(_ => Interlocked.Increment(ref failures) > 3 ? new Reply(500, "{}") : new Reply(401, "{}"));

        var result = await RunAsync(System(server));

        var finding = Assert.Single(result.Findings);
        Assert.Equal(SecurityRules.PasswordGuessingServerError, finding.Rule);
        Assert.Equal(Severity.Medium, finding.Severity);
        Assert.StartsWith("attempt 4 of 30 was answered 500 without Retry-After", finding.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData($"{{ login: POST /auth/login, user: {RealUser}, password: {RealPassword}, fields: {{ user: email, password: pass }} }}", "email", "pass", @"^archgate-guess-[0-9a-f]{10}@example\.invalid$")]
    [InlineData($"{{ login: POST /auth/login, user: ann, password: {RealPassword} }}", "username", "password", @"^archgate-guess-[0-9a-f]{10}$")]
    public async Task It_signs_in_as_a_made_up_account_of_the_identitys_shape_never_as_the_identity(string identity, string userField, string passwordField, string shape)
    {
        using var server = new ScriptedHttpServer(_ => new Reply(401, "{}"));

        await RunAsync(System(server, identity, "checks: { security: { guesses: 7 } }"));

        Assert.Equal(7, server.Requests.Count);
        var bodies = server.Requests.Select(r => JsonNode.Parse(r.Body)!.AsObject()).ToList();
        var users = bodies.Select(b => (string)b[userField]!).Distinct().ToList();
        Assert.Matches(shape, Assert.Single(users)); // one account, the same for every attempt
        Assert.Equal(7, bodies.Select(b => (string)b[passwordField]!).Distinct().Count()); // a new wrong password each time
        Assert.All(server.Requests, r =>
        {
            Assert.Equal("POST /auth/login", $"{r.Method} {r.PathAndQuery}");
            Assert.DoesNotContain("ann", r.Body, StringComparison.Ordinal);
            Assert.DoesNotContain(RealPassword, r.Body, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void Step_9_guesses_once_per_login_operation_after_every_other_probe()
    {
        var system = TestSystems.Load("""
            version: 1
            system: { name: t }
            auth:
              ann: { login: POST /auth/login, user: ann, password: a-pass }
              ben: { login: POST /auth/login, user: ben, password: b-pass }
              sso: { login: POST /token, at: idp, user: carl, password: c-pass }
            components:
              - { name: idp, kind: service, url: "http://127.0.0.1:1" }
              - { name: api, kind: service, url: "http://127.0.0.1:2", auth: ann }
            security: { identities: [ann, ben] }
            """);

        var probes = SecurityProbes.For(new StepChecksContext(system, Planner.Plan(system))).Select(c => c.Id).ToList();

        Assert.Equal(
            ["security.authn:api", "security.authz:api", "security.cors:api", "security.injection:api",
             "security.authn:idp", "security.authz:idp", "security.cors:idp", "security.injection:idp",
             "security.guessing:api", "security.guessing:idp"],
            probes);
    }

    [Fact]
    public void Under_security_safe_it_does_not_apply()
    {
        using var server = new ScriptedHttpServer(_ => new Reply(401, "{}"));
        var system = System(server, security: "security: { safe: true }");

        var check = Assert.Single(PasswordGuessingCheck.For(system, system.OfKind<ServiceComponent>().ToList(), new ContractDocuments(), system.Checks.Security));

        Assert.False(check.AppliesTo(system).Applies);
    }

    [Theory]
    [InlineData("120", 120)]
    [InlineData("Sun, 06 Dec 2026 12:01:30 GMT", 90)]
    [InlineData("Sun, 06 Dec 2026 11:00:00 GMT", 0)]
    public void Retry_After_is_read_as_seconds_or_a_date(string header, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), PasswordGuessingCheck.RetryAfter(header, new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero)));
}

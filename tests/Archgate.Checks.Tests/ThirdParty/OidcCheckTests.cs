using Archgate.Checks.Http;
using Archgate.Checks.ThirdParty;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.ThirdParty;

public sealed class OidcCheckTests
{
    /// <summary>Options that skip the wait for expiry (the expired case is tried only by the tests that need it).</summary>
    private static readonly OidcCheckOptions NoExpiryWait = new() { MaxExpiryWait = TimeSpan.Zero };

    private static async Task<(CheckResult Result, FakeOidcSystem System)> RunAsync(FakeOidcBehaviour behaviour, OidcCheckOptions? options = null)
    {
        // The fake provider answering within the check's 10 s is each test's premise: on a starved machine (ci20) its
        // JWKS once took longer, and the check rightly reported a provider that does not answer (AG6061). Such a run is
        // taken again, at most twice; a JWKS that answered and still failed fails the test.
        for (var attempt = 0; ; attempt++)
        {
            var fake = new FakeOidcSystem(behaviour);
            var system = TestSystems.Load(fake.Manifest);
            using var http = ProbeHttp.CreateClient(system.AllowedHosts);
            var result = await new OidcCheck(system.Find<Archgate.Model.ThirdPartyComponent>("signin")!, options ?? NoExpiryWait).RunAsync(TestSystems.Context(system, http), CancellationToken.None);
            if (attempt < 2 && result.Findings.Any(f => f.Rule == "AG6061" && f.Message.Contains("answered no answer", StringComparison.Ordinal)))
            {
                fake.Dispose();
                continue;
            }

            return (result, fake);
        }
    }

    [Fact]
    public async Task A_provider_and_caller_that_follow_the_rules_pass_with_every_case_in_the_evidence()
    {
        var (result, fake) = await RunAsync(new FakeOidcBehaviour(), new OidcCheckOptions());
        using var _ = fake;

        Assert.True(result.Status == CheckStatus.Pass, string.Join("\n", result.Findings.Select(f => $"{f.Rule} {f.Message}\n{f.Evidence}")));
        var finding = Assert.Single(result.Findings);
        Assert.Equal("AG6069", finding.Rule);
        Assert.Contains("refused 5 forged one(s)", finding.Message, StringComparison.Ordinal);
        Assert.Contains("the genuine id token once expired", finding.Message, StringComparison.Ordinal);
        var evidence = finding.Evidence!;
        Assert.Contains("GET /oidc/.well-known/openid-configuration → 200", evidence, StringComparison.Ordinal);
        Assert.Contains("JWKS: 1 RSA signing key(s) (k1)", evidence, StringComparison.Ordinal);
        Assert.Contains("302 to the redirect_uri with a code and the same state", evidence, StringComparison.Ordinal);
        Assert.Contains("token (the code with another code_verifier) → 400 invalid_grant", evidence, StringComparison.Ordinal);
        Assert.Contains("POST /auth/oidc at api (genuine id token and its nonce) → 200", evidence, StringComparison.Ordinal);
        Assert.Contains("(an id token signed with another key (same kid)) → 401 signature", evidence, StringComparison.Ordinal);
        Assert.Contains("(a genuine id token issued to another client (shop-web.archgate-other)) → 401 audience", evidence, StringComparison.Ordinal);
        Assert.Contains("(the genuine id token once expired) → 401 expired", evidence, StringComparison.Ordinal);
        Assert.DoesNotContain("eyJ", evidence, StringComparison.Ordinal); // no token is ever shown
        Assert.Contains(fake.Requests, r => r.PathAndQuery.StartsWith("/oidc/authorize?", StringComparison.Ordinal) && r.PathAndQuery.Contains("code_challenge_method=S256", StringComparison.Ordinal) && r.PathAndQuery.Contains("login_hint=ann", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_provider_that_ignores_PKCE_fails_for_the_wrong_and_the_missing_code_verifier()
    {
        var (result, fake) = await RunAsync(new FakeOidcBehaviour { ChecksPkce = false });
        using var _ = fake;

        Assert.Equal(CheckStatus.Fail, result.Status);
        var finding = Assert.Single(result.Findings);
        Assert.Equal("AG6063", finding.Rule);
        Assert.Equal(Severity.High, finding.Severity);
        Assert.Equal("signin", finding.Component);
        Assert.Contains("a code_verifier that is not the one of the code's challenge, for no code_verifier at all", finding.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("already exchanged", finding.Message, StringComparison.Ordinal);
        Assert.Contains("token (the code without code_verifier) → 200", finding.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_provider_whose_codes_work_twice_fails()
    {
        var (result, fake) = await RunAsync(new FakeOidcBehaviour { CodesWorkOnce = false });
        using var _ = fake;

        var finding = Assert.Single(result.Findings);
        Assert.Equal("AG6063", finding.Rule);
        Assert.Contains("a code that was already exchanged", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_provider_that_does_not_give_the_state_back_fails_the_flow_and_stops_there()
    {
        var (result, fake) = await RunAsync(new FakeOidcBehaviour { KeepsState = false });
        using var _ = fake;

        var finding = Assert.Single(result.Findings);
        Assert.Equal("AG6062", finding.Rule);
        Assert.Contains("the state came back changed", finding.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(fake.Requests, r => r.PathAndQuery == "/auth/oidc");
    }

    [Theory]
    [InlineData("signature", "AG6065", 2, "an id token signed with another key (same kid)")]
    [InlineData("audience", "AG6066", 1, "a genuine id token issued to another client (shop-web.archgate-other)")]
    [InlineData("nonce", "AG6068", 1, "the genuine id token with another nonce")]
    public async Task A_caller_that_skips_one_validation_is_caught_by_its_case(string skipped, string rule, int count, string what)
    {
        var behaviour = skipped switch
        {
            "signature" => new FakeOidcBehaviour { CallerChecksSignature = false },
            "audience" => new FakeOidcBehaviour { CallerChecksAudience = false },
            _ => new FakeOidcBehaviour { CallerChecksNonce = false },
        };
        var (result, fake) = await RunAsync(behaviour);
        using var _ = fake;

        Assert.Equal(CheckStatus.Fail, result.Status);
        Assert.All(result.Findings, f => Assert.Equal(rule, f.Rule));
        Assert.Equal(count, result.Findings.Count);
        Assert.Contains(result.Findings, f => f.Message == $"api signed in with {what} (200): anyone can sign in as ann");
        Assert.All(result.Findings, f => Assert.Equal("api", f.Component));
    }

    [Fact]
    public async Task A_caller_that_takes_expired_id_tokens_fails_once_the_token_is_past_exp_and_skew()
    {
        // Tokens live 6 s: the cases before this one would have to take longer than that (plus the skew) for the
        // check not to wait (ci1 on a busy machine: the default 2 s were spent before the expired case began).
        var (result, fake) = await RunAsync(new FakeOidcBehaviour { CallerChecksExpiry = false, TokenSeconds = 6 }, new OidcCheckOptions());
        using var _ = fake;

        var finding = Assert.Single(result.Findings);
        Assert.Equal("AG6067", finding.Rule);
        Assert.Contains("for the genuine id token to expire (exp + 1.00 s skew)", finding.Evidence, StringComparison.Ordinal);
        Assert.Contains("(the genuine id token once expired) → 200", finding.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_expired_case_beyond_the_manifest_expiry_wait_is_not_evaluated_and_says_so_never_passed()
    {
        // Would fail the case, were it tried. Tokens live 30 s, far beyond the 1 s the check may wait: with the fake's
        // default 2 s, a loaded machine could spend the other cases' time until less than 1 s was left (a flaky CI run).
        using var fake = new FakeOidcSystem(new FakeOidcBehaviour { CallerChecksExpiry = false, TokenSeconds = 30 });
        var manifest = fake.Manifest.Replace("skew: 1s", "skew: 1s, expiryWait: 1s", StringComparison.Ordinal);
        Assert.NotEqual(fake.Manifest, manifest);
        var system = TestSystems.Load(manifest);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);

        var result = await new OidcCheck(system.Find<Archgate.Model.ThirdPartyComponent>("signin")!, new OidcCheckOptions()).RunAsync(TestSystems.Context(system, http), CancellationToken.None);

        Assert.Equal(CheckStatus.Warn, result.Status);
        var skipped = Assert.Single(result.Findings, f => f.Rule == "AG6093");
        Assert.Equal(Severity.Medium, skipped.Severity);
        Assert.Matches(@"^api: the expired id token case was not evaluated: the genuine id token expires in .+ and api allows 1\.00 s of skew \(oidc\.skew\): .+ to wait, beyond the 1\.00 s the check may \(oidc\.expiryWait\)$", skipped.Message);
        Assert.Contains("oidc.expiryWait", skipped.Hint, StringComparison.Ordinal);
        var verified = Assert.Single(result.Findings, f => f.Rule == "AG6069");
        Assert.DoesNotContain("expired", verified.Message, StringComparison.Ordinal);
        Assert.Contains("refused 4 forged one(s)", verified.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(result.Findings, f => f.Rule == "AG6067");
        Assert.DoesNotContain("(the genuine id token once expired)", verified.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Long_lived_tokens_are_not_waited_for_beyond_60_s_by_default()
    {
        var (result, fake) = await RunAsync(new FakeOidcBehaviour { TokenSeconds = 600 }, new OidcCheckOptions());
        using var _ = fake;

        var skipped = Assert.Single(result.Findings, f => f.Rule == "AG6093");
        Assert.Contains("beyond the 60.00 s the check may (oidc.expiryWait)", skipped.Message, StringComparison.Ordinal);
        Assert.Equal(CheckStatus.Warn, result.Status);
    }

    [Fact]
    public async Task A_provider_down_is_a_third_party_outage_affecting_sign_in_and_not_the_callers_fault()
    {
        var (result, fake) = await RunAsync(new FakeOidcBehaviour { ProviderDown = true });
        using var _ = fake;

        var finding = Assert.Single(result.Findings);
        Assert.Equal("AG6001", finding.Rule);
        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.Equal("signin", finding.Component);
        Assert.StartsWith("third-party outage: signin (OpenID Connect sign-in) answered 503", finding.Message, StringComparison.Ordinal);
        Assert.Contains("affected: sign-in with signin at api, web; api degraded gracefully: /auth/oidc answered 503", finding.Message, StringComparison.Ordinal);
        Assert.Contains("the password login works", finding.Message, StringComparison.Ordinal);
        Assert.Contains(fake.Requests, r => r.PathAndQuery == "/auth/login");
    }

    [Fact]
    public async Task A_caller_that_crashes_while_the_provider_is_down_is_blamed_for_that_alone()
    {
        var (result, fake) = await RunAsync(new FakeOidcBehaviour { ProviderDown = true, CallerCrashesWhenProviderDown = true });
        using var _ = fake;

        Assert.Equal(["AG6001", "AG6010"], result.Findings.Select(f => f.Rule));
        var slow = result.Findings[1];
        Assert.Equal("api", slow.Component);
        Assert.Contains("answered 500", slow.Message, StringComparison.Ordinal);
        Assert.Contains("not a readable error", slow.Message, StringComparison.Ordinal);
    }
}

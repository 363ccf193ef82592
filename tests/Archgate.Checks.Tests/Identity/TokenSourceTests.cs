using System.Text;
using Archgate.Checks.Http;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Model;
using Microsoft.Extensions.Time.Testing;

namespace Archgate.Checks.Tests.Identity;

/// <summary>The run's token source: one login per identity and service, again when the token expires or is refused.</summary>
public sealed class TokenSourceTests
{
    private static readonly LoginAuth Ann = new("POST", "/auth/login", "ann", "pw-ann", "$.accessToken") { Name = "ann" };
    private static readonly LoginAuth Ben = new("POST", "/auth/login", "ben", "pw-ben", "$.accessToken") { Name = "ben" };

    private static string Jwt(DateTimeOffset expires, string user) =>
        "eyJhbGciOiJIUzI1NiJ9." + Convert.ToBase64String(Encoding.UTF8.GetBytes($$"""{"sub":"{{user}}","exp":{{expires.ToUnixTimeSeconds()}},"n":"{{Guid.NewGuid()}}"}"""))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_') + ".c2ln";

    [Fact]
    public async Task Concurrent_callers_share_one_login_per_identity_and_the_token_is_kept_for_the_run()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero));
        using var server = new ScriptedHttpServer(r => new Reply(200, $$"""{"accessToken":"{{Jwt(time.GetUtcNow().AddMinutes(15), r.Body.Contains("ann", StringComparison.Ordinal) ? "ann" : "ben")}}"}"""));
        using var http = new HttpClient();
        var tokens = new TokenSource(http, time);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => tokens.TokenAsync(i % 2 == 0 ? Ann : Ben, server.Url, TimeSpan.FromSeconds(30), CancellationToken.None)));
        var again = await tokens.CredentialsAsync(Ann, server.Url, TimeSpan.FromSeconds(30), CancellationToken.None);

        Assert.Equal(2, server.Requests.Count);
        Assert.Equal(2, tokens.Logins);
        Assert.Equal(2, results.Select(r => r.Token).Distinct().Count());
        Assert.Equal($"Bearer {results[0].Token}", again.Headers.Single(h => h.Key == "Authorization").Value);
        Assert.Contains("pw-ann", again.Secrets);
        Assert.Contains(results[0].Token!, again.Secrets);
    }

    [Fact]
    public async Task An_expiring_token_and_a_forgotten_one_are_fetched_again()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero));
        using var server = new ScriptedHttpServer(_ => new Reply(200, $$"""{"accessToken":"{{Jwt(time.GetUtcNow().AddMinutes(5), "ann")}}"}"""));
        using var http = new HttpClient();
        var tokens = new TokenSource(http, time);

        var first = await tokens.TokenAsync(Ann, server.Url, TimeSpan.FromSeconds(30), CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(4));
        var kept = await tokens.TokenAsync(Ann, server.Url, TimeSpan.FromSeconds(30), CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(40));
        var renewed = await tokens.TokenAsync(Ann, server.Url, TimeSpan.FromSeconds(30), CancellationToken.None);
        tokens.Forget(Ann, server.Url);
        await tokens.TokenAsync(Ann, server.Url, TimeSpan.FromSeconds(30), CancellationToken.None);

        Assert.Equal(first.Token, kept.Token);
        Assert.NotEqual(first.Token, renewed.Token);
        Assert.Equal(3, server.Requests.Count);
    }

    [Fact]
    public async Task A_failed_login_is_reported_and_not_kept()
    {
        var refuse = true;
        using var server = new ScriptedHttpServer(_ => refuse ? new Reply(401, """{"title":"no"}""") : new Reply(200, """{"accessToken":"opaque-token"}"""));
        using var http = new HttpClient();
        var tokens = new TokenSource(http, TimeProvider.System);

        var failed = await tokens.CredentialsAsync(Ann, server.Url, TimeSpan.FromSeconds(30), CancellationToken.None);
        refuse = false;
        var ok = await tokens.CredentialsAsync(Ann, server.Url, TimeSpan.FromSeconds(30), CancellationToken.None);

        Assert.Equal("the login POST /auth/login as 'ann' answered 401", failed.Problem);
        Assert.False(failed.Any);
        Assert.True(ok.Ok);
        Assert.Equal("Bearer opaque-token", ok.Headers.Single().Value);
        Assert.Equal("""{"username":"ann","password":"pw-ann"}""", server.Requests.Last().Body);
    }

    [Fact]
    public async Task A_login_at_another_component_is_sent_there_once_for_every_service_that_takes_its_token()
    {
        using var auth = new ScriptedHttpServer(_ => new Reply(200, """{"accessToken":"from-auth"}"""));
        using var books = new ScriptedHttpServer(_ => new Reply(404, "{}"));
        using var reco = new ScriptedHttpServer(_ => new Reply(404, "{}"));
        using var http = new HttpClient();
        var tokens = new TokenSource(http, TimeProvider.System) { Locate = name => name == "auth" ? auth.Url : null };
        var ann = Ann with { At = "auth" };

        var atBooks = await tokens.CredentialsAsync(ann, books.Url, TimeSpan.FromSeconds(30), CancellationToken.None, ("email", "secret"));
        var atReco = await tokens.CredentialsAsync(ann, reco.Url, TimeSpan.FromSeconds(30), CancellationToken.None);
        tokens.Forget(ann, reco.Url);
        await tokens.CredentialsAsync(ann, books.Url, TimeSpan.FromSeconds(30), CancellationToken.None);
        var nowhere = await new TokenSource(http, TimeProvider.System).CredentialsAsync(ann, books.Url, TimeSpan.FromSeconds(30), CancellationToken.None);

        Assert.Equal("Bearer from-auth", atBooks.Headers.Single().Value);
        Assert.Equal("Bearer from-auth", atReco.Headers.Single().Value);
        Assert.Empty(books.Requests);
        Assert.Empty(reco.Requests);
        Assert.Equal(2, auth.Requests.Count);
        Assert.All(auth.Requests, r => Assert.Equal("/auth/login", r.PathAndQuery));
        // The caller's field names are those of its own contract: the login at auth goes with auth's (none here).
        Assert.Equal("""{"username":"ann","password":"pw-ann"}""", auth.Requests.First().Body);
        Assert.Equal("the login POST /auth/login as 'ann' goes to 'auth', which has no url", nowhere.Problem);
    }

    [Theory]
    [InlineData("""{"data":{"token":"t1"}}""", "$.data.token", "t1")]
    [InlineData("""{"items":[{"jwt":"t2"}]}""", "$.items[0].jwt", "t2")]
    [InlineData("""{"access_token":"t3"}""", null, "t3")]
    [InlineData("""{"other":"x"}""", null, null)]
    [InlineData("not json", "$.token", null)]
    public void Tokens_are_read_at_a_json_path_or_a_usual_field(string body, string? path, string? expected) =>
        Assert.Equal(expected, TokenSource.ReadToken(body, path));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_client_credentials_grant_asks_the_token_endpoint_once_and_again_near_its_expires_in(bool secretInBody)
    {
        // ex13's service callers: an OAuth 2.0 token endpoint (RFC 6749 4.4), form-encoded, the client authenticated with basic or in the form.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero));
        var issued = 0;
        using var server = new ScriptedHttpServer(r =>
        {
            var basic = r.Headers.TryGetValue("Authorization", out var header) && header == "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("partner:s3cr%3At"));
            var form = r.Body.Split('&').Select(p => p.Split('=', 2)).ToDictionary(p => Uri.UnescapeDataString(p[0]), p => Uri.UnescapeDataString(p[1].Replace('+', ' ')));
            var posted = form.GetValueOrDefault("client_id") == "partner" && form.GetValueOrDefault("client_secret") == "s3cr:t";
            return r.Method == "POST" && r.PathAndQuery == "/oauth/token" && form.GetValueOrDefault("grant_type") == "client_credentials"
                && form.GetValueOrDefault("scope") == "bookings:read bookings:write" && (secretInBody ? posted && !basic : basic && !posted)
                ? new Reply(200, $$"""{"access_token":"opaque-{{++issued}}","token_type":"Bearer","expires_in":300}""")
                : new Reply(401, """{"error":"invalid_client","error_description":"unknown client"}""");
        });
        using var http = new HttpClient();
        var tokens = new TokenSource(http, time);
        var partner = new ClientCredentialsAuth(new AuthCall("POST", "/oauth/token"), "partner", "s3cr:t") { Scope = "bookings:read bookings:write", SecretInBody = secretInBody };

        var first = await tokens.CredentialsAsync(partner, server.Url, TimeSpan.FromSeconds(30), CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(4));
        var kept = await tokens.CredentialsAsync(partner, server.Url, TimeSpan.FromSeconds(30), CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(40));
        var renewed = await tokens.CredentialsAsync(partner, server.Url, TimeSpan.FromSeconds(30), CancellationToken.None);

        Assert.True(first.Ok, first.Problem);
        Assert.Equal("Bearer opaque-1", first.Headers.Single(h => h.Key == "Authorization").Value);
        Assert.Equal("Bearer opaque-1", kept.Headers.Single(h => h.Key == "Authorization").Value);
        Assert.Equal("Bearer opaque-2", renewed.Headers.Single(h => h.Key == "Authorization").Value); // within 30 s of its 300 s
        Assert.Contains("s3cr:t", first.Secrets);
        Assert.Contains("opaque-1", first.Secrets);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task A_refused_client_credentials_grant_says_the_endpoints_error()
    {
        using var server = new ScriptedHttpServer(_ => new Reply(401, """{"error":"invalid_client","error_description":"unknown client"}"""));
        using var http = new HttpClient();
        var tokens = new TokenSource(http, TimeProvider.System);

        var refused = await tokens.CredentialsAsync(
            new ClientCredentialsAuth(new AuthCall("POST", "/oauth/token"), "partner", "wrong"), server.Url, TimeSpan.FromSeconds(30), CancellationToken.None);

        Assert.False(refused.Ok);
        Assert.Equal("the token endpoint POST /oauth/token as client 'partner' answered 401 (invalid_client: unknown client)", refused.Problem);
    }
}

using Archgate.Manifest;
using Archgate.Model;

namespace Archgate.Core.Tests.Manifest;

/// <summary>The pact verification keys under <c>contracts</c>: providers, stateChange, auth, messages.</summary>
public sealed class ManifestLoaderPactTests
{
    private static SystemModel Load(string contracts, Func<string, string?>? environment = null)
    {
        var result = ManifestLoader.Parse($$"""
            version: 1
            system: { name: shop }
            components:
              - { name: api, kind: service, url: "http://127.0.0.1:7101" }
              - { name: web, kind: frontend, url: "http://127.0.0.1:7001" }
            contracts:
            {{contracts}}
            """, "archgate.yaml", Path.Combine(Path.GetTempPath(), "archgate.yaml"), "sha", environment ?? (_ => null));
        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        return result.Model!;
    }

    [Fact]
    public void Without_the_keys_pacts_go_to_the_component_of_the_same_name_with_no_states_and_no_auth()
    {
        var pact = Load("  providers: {}").Pact;

        Assert.Equal("api", pact.ComponentFor("api"));
        Assert.Null(pact.StateChange);
        Assert.Null(pact.Auth);
    }

    [Fact]
    public void Providers_map_pact_names_to_components_and_state_change_defaults_to_body_and_teardown()
    {
        var pact = Load("""
              providers: { shop-api: api }
              stateChange: { url: /_pact/state }
            """).Pact;

        Assert.Equal("api", pact.ComponentFor("shop-api"));
        Assert.Equal(new PactStateChange("/_pact/state", AsBody: true, Teardown: true), pact.StateChange);
    }

    [Fact]
    public void Auth_reads_login_user_and_interpolated_password_and_never_prints_the_password()
    {
        var pact = Load("""
              stateChange: { url: "http://127.0.0.1:7101/_pact/state", body: false, teardown: false }
              auth: { login: /auth/login, username: ann, password: "${SHOP_PASSWORD}" }
            """, name => name == "SHOP_PASSWORD" ? "s3cr3t-pw" : null).Pact;

        Assert.Equal(new PactStateChange("http://127.0.0.1:7101/_pact/state", false, false), pact.StateChange);
        var login = Assert.IsType<LoginAuth>(pact.Auth);
        Assert.Equal(("POST", "/auth/login", "ann", "s3cr3t-pw", "$.accessToken"), (login.Method, login.Path, login.User, login.Password, login.TokenPath));
        Assert.DoesNotContain("s3cr3t-pw", login.ToString(), StringComparison.Ordinal);
    }
    [Fact]
    public void Messages_names_the_message_provider_by_path_or_url_and_is_absent_by_default()
    {
        Assert.Null(Load("  providers: {}").Pact.Messages);
        Assert.Equal(new PactMessageProvider("/_pact/messages"), Load("  messages: { url: /_pact/messages }").Pact.Messages);
        Assert.Equal(new PactMessageProvider("http://127.0.0.1:7101/messages"), Load("""  messages: { url: "http://127.0.0.1:7101/messages" }""").Pact.Messages);
    }

    [Fact]
    public void Messages_without_a_url_is_an_error_that_says_what_to_write()
    {
        var result = ManifestLoader.Parse("""
            version: 1
            system: { name: shop }
            components:
              - { name: api, kind: service, url: "http://127.0.0.1:7101" }
            contracts:
              messages: { path: /x }
            """, "archgate.yaml", Path.Combine(Path.GetTempPath(), "archgate.yaml"), "sha", _ => null);

        Assert.False(result.Succeeded);
        Assert.Contains(result.Errors, e => e.ToString().Contains("contracts.messages", StringComparison.Ordinal) && e.ToString().Contains("url", StringComparison.Ordinal));
    }
}

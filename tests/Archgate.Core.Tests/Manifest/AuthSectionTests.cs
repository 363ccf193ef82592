using Archgate.Manifest;
using Archgate.Model;
using Archgate.Tests;

namespace Archgate.Core.Tests.Manifest;

/// <summary>The top-level <c>auth</c> section: identities defined once, referred to by name everywhere; the old spellings warn.</summary>
public sealed class AuthSectionTests
{
    private const string Head = """
        version: 1
        system: { name: shop }
        auth:
          ann:
            login: POST /auth/login
            user: ann
            password: "${PW}"
            token: $.accessToken
            fields: { user: email }
            refresh: post /auth/refresh
            logout: POST /auth/logout
            roles: [customer]
          ada: { login: POST /auth/login, user: ada, password: s3cret-ada, roles: [admin] }
          ci: { apiKey: { header: X-Api-Key, value: k3y-value } }

        """;

    private const string References = """
        components:
          - name: db
            kind: database
            connection: "Data Source=shop.db"
            probes:
              - { name: mine, http: GET /orders, via: api, login: ann }
          - { name: api, kind: service, url: "http://127.0.0.1:7101", auth: ann, dependsOn: [db] }
        contracts:
          auth: ann
        security:
          identities: [ann, ada]
        load:
          target: api
          setup:
            - login: ada
          requests: [ GET /orders ]
        """;

    private static ManifestLoadResult Parse(string yaml) =>
        ManifestLoader.Parse(yaml, "archgate.yaml", Path.Combine(Path.GetTempPath(), "archgate.yaml"), "00", n => n == "PW" ? "pa55-ann" : null);

    [Fact]
    public void Every_reference_resolves_to_the_one_definition_with_its_name_roles_fields_refresh_and_logout()
    {
        var result = Parse(Head + References);

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        Assert.Empty(result.Warnings);
        var model = result.Model!;
        var ann = Assert.IsType<LoginAuth>(model.Auth["ann"]);
        Assert.Equal(("ann", "POST", "/auth/login", "pa55-ann", "email"), (ann.Name, ann.Method, ann.Path, ann.Password, ann.UserField));
        Assert.Equal((new AuthCall("POST", "/auth/refresh"), new AuthCall("POST", "/auth/logout")), (ann.Refresh, ann.Logout));
        Assert.Equal(["customer"], ann.Roles);
        Assert.Same(ann, model.Find<Archgate.Model.HttpComponent>("api")!.Auth);
        Assert.Same(ann, model.Pact.Auth);
        Assert.Same(ann, model.Find<Archgate.Model.DatabaseComponent>("db")!.Database.Probes.Single().Login);
        Assert.Equal(["ann", "ada"], model.Security.Identities.Select(i => i.Label));
        Assert.Equal(["admin"], model.Security.Identities[1].Roles);
        Assert.IsType<ApiKeyAuth>(model.Auth["ci"]);
    }

    [Fact]
    public void A_load_login_step_is_the_identitys_login_request_capturing_its_token()
    {
        var model = Parse(Head + References).Model!;

        var login = Assert.Single(model.Load!.Setup);
        Assert.Equal(("POST", "/auth/login", "login as ada"), (login.Method, login.Path, login.Name));
        Assert.Equal("""{"username":"ada","password":"s3cret-ada"}""", login.Body);
        Assert.Equal(new ScenarioCapture("token", CaptureSource.JsonProperty, "accessToken"), Assert.Single(login.Captures));
    }

    [Fact]
    public void The_secrets_of_every_identity_are_declared_for_masking()
    {
        var model = Parse(Head + References).Model!;

        Assert.Superset(new HashSet<string> { "pa55-ann", "s3cret-ada", "k3y-value" }, model.DeclaredSecrets.ToHashSet());
    }

    [Fact]
    public void An_unknown_identity_is_an_error_with_the_closest_name()
    {
        var result = Parse(Head + References.Replace("auth: ann, dependsOn", "auth: anne, dependsOn", StringComparison.Ordinal));

        var error = Assert.Single(result.Errors);
        Assert.Equal(("components.api.auth", "unknown identity 'anne'"), (error.Path, error.Message));
        Assert.Contains("'ann'", error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_definitions_and_a_load_login_of_a_key_are_errors_with_hints()
    {
        var result = Parse("""
            version: 1
            system: { name: shop }
            auth:
              "bad name": { bearer: t0ken-x }
              ann: { login: POST /auth/login, user: ann, password: pw12, refresh: /auth/refresh }
              ci: { apiKey: { header: X-Api-Key, value: k3y-value }, roles: [ops] }
            components:
              - { name: api, kind: service, url: "http://127.0.0.1:7101" }
            load:
              target: api
              setup: [ { login: ci } ]
              requests: [ GET /orders ]
            """);

        Assert.Equal(
            ["invalid identity name 'bad name'", "invalid refresh operation '/auth/refresh'", "'ci' does not sign in with a login or a client credentials grant (api key in X-Api-Key)"],
            result.Errors.Select(e => e.Message));
        Assert.All(result.Errors, e => Assert.NotNull(e.Hint));
    }

    [Fact]
    public void A_client_credentials_identity_is_read_with_its_scope_client_authentication_and_provider()
    {
        var result = Parse("""
            version: 1
            system: { name: hotel }
            auth:
              partner:
                clientCredentials: { token: POST /oauth/token, clientId: partner, clientSecret: "${PW}", scope: "bookings:read", at: idp, clientAuth: post }
                roles: [staff]
              bad: { clientCredentials: { token: /oauth/token, clientId: x, clientSecret: y, clientAuth: jwt } }
              lost: { clientCredentials: { token: POST /oauth/token, clientId: x, clientSecret: y, at: nowhere } }
            components:
              - { name: idp, kind: service, url: "http://127.0.0.1:7101" }
              - { name: api, kind: service, url: "http://127.0.0.1:7102", auth: partner }
            """);

        Assert.Equal(
            [
                ("auth.bad.clientCredentials.clientAuth", "unknown client authentication 'jwt'"),
                ("auth.bad.clientCredentials.token", "invalid token operation '/oauth/token'"),
                ("auth.lost.clientCredentials.at", "unknown component 'nowhere'"),
            ],
            result.Errors.Select(e => (e.Path, e.Message)).OrderBy(e => e.Path, StringComparer.Ordinal).ToList());
        var fixedUp = Parse("""
            version: 1
            system: { name: hotel }
            auth:
              partner:
                clientCredentials: { token: POST /oauth/token, clientId: partner, clientSecret: "${PW}", scope: "bookings:read", at: idp, clientAuth: post }
                roles: [staff]
            components:
              - { name: idp, kind: service, url: "http://127.0.0.1:7101" }
              - { name: api, kind: service, url: "http://127.0.0.1:7102", auth: partner }
            """);
        Assert.True(fixedUp.Succeeded, string.Join("\n", fixedUp.Errors));
        var partner = Assert.IsType<ClientCredentialsAuth>(fixedUp.Model!.Find<HttpComponent>("api")!.Auth);
        Assert.Equal(("POST", "/oauth/token", "partner", "pa55-ann", "bookings:read", "idp", true),
            (partner.Token.Method, partner.Token.Path, partner.ClientId, partner.ClientSecret, partner.Scope, partner.At, partner.SecretInBody));
        Assert.Equal(["staff"], partner.Roles);
        Assert.Equal("client credentials POST /oauth/token at idp as partner", partner.ToString());
        Assert.Equal(["pa55-ann"], partner.Secrets);
    }

    [Fact]
    public void A_login_at_another_component_names_a_declared_one_with_a_url_and_a_virtual_user_cannot_sign_in_there()
    {
        const string Manifest = """
            version: 1
            system: { name: library }
            auth:
              ann: { login: POST /auth/login, at: books, user: ann, password: pw12 }
              ben: { login: POST /auth/login, at: bookz, user: ben, password: pw12 }
              cat: { login: POST /auth/login, at: db, user: cat, password: pw12 }
              ci: { apiKey: { header: X-Api-Key, value: k3y-value }, at: books }
            components:
              - { name: db, kind: database, connection: "Data Source=x.db" }
              - { name: books, kind: service, url: "http://127.0.0.1:7101", auth: ann, critical: true }
              - { name: reco, kind: service, url: "http://127.0.0.1:7102", auth: ann }
            load:
              target: reco
              setup: [ { login: ann } ]
              journeys:
                - name: browse
                  setup: [ { login: ann } ]
                  steps: [ GET /recommendations ]
            """;

        var result = Parse(Manifest);

        Assert.Equal(
            [
                ("auth.ben.at", "unknown component 'bookz'"),
                ("auth.cat.at", "'db' has no url to send the login to"),
                ("auth.ci.at", "'at' belongs to 'login'"),
                ("load.journeys[0].setup[0].login", "'ann' signs in at 'books', and step 8's virtual users send every request to the load target ('reco')"),
            ],
            result.Errors.Select(e => (e.Path, e.Message)));
        Assert.Contains("'books'", result.Errors[0].Hint, StringComparison.Ordinal);
        Assert.Contains("load.setup", result.Errors[3].Hint, StringComparison.Ordinal);
        var fixedUp = Parse(Manifest.Replace("target: reco", "target: books", StringComparison.Ordinal)
            .Replace("at: bookz", "at: books", StringComparison.Ordinal).Replace("at: db", "at: reco", StringComparison.Ordinal)
            .Replace(", at: books }", " }", StringComparison.Ordinal));
        Assert.True(fixedUp.Succeeded, string.Join("\n", fixedUp.Errors));
        var ann = Assert.IsType<LoginAuth>(fixedUp.Model!.Auth["ann"]);
        Assert.Equal("books", ann.At);
        Assert.Equal("login POST /auth/login at books as ann", ann.ToString());
        Assert.True(ann.SignsInAt("books"));
        Assert.False(ann.SignsInAt("reco"));
    }

    [Fact]
    public void The_old_spellings_still_load_each_with_a_warning_that_says_what_to_write()
    {
        var result = Parse("""
            version: 1
            system: { name: shop }
            components:
              - name: db
                kind: database
                connection: "Data Source=shop.db"
                probes:
                  - { name: mine, http: GET /orders, via: api, login: { path: /auth/login, user: ann, password: demo } }
              - name: api
                kind: service
                url: "http://127.0.0.1:7101"
                dependsOn: [db]
                auth: { login: POST /auth/login, user: ann, password: demo }
            contracts:
              auth: { login: /auth/login, username: ann, password: demo, token: accessToken }
            security:
              identities: [ { user: ben, password: demo } ]
            """);

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        Assert.Equal(
            [(8, "components.db.probes[0].login"), (13, "components.api.auth"), (15, "contracts.auth"), (17, "security.identities[0]")],
            result.Warnings.Select(w => (w.Line, w.Path)));
        Assert.All(result.Warnings, w => Assert.Contains("top-level 'auth' section", w.Hint, StringComparison.Ordinal));
        Assert.All(result.Warnings, w => Assert.Contains(": warning: ", w.ToString(), StringComparison.Ordinal));
        var ben = Assert.IsType<LoginAuth>(Assert.Single(result.Model!.Security.Identities));
        Assert.Equal(("POST", "/auth/login", "ben", "ben"), (ben.Method, ben.Path, ben.User, ben.Name));
    }

    [Fact]
    public void The_shop_spells_each_login_once_and_loads_without_warnings()
    {
        var path = Path.Combine(Golden.SourceDirectory(), "..", "..", "..", "samples", "shop", "archgate.yaml");

        var result = ManifestLoader.Load(path, _ => null);

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        Assert.Empty(result.Warnings);
        Assert.Equal(["ann", "ben", "ada"], result.Model!.Auth.Keys);
        Assert.Same(result.Model.Auth["ann"], result.Model.Find<Archgate.Model.HttpComponent>("api")!.Auth);
        Assert.Same(result.Model.Auth["ann"], result.Model.Find<Archgate.Model.HttpComponent>("web")!.Auth); // step 5's browser check signs in as ann
    }

    [Fact]
    public void A_frontend_names_a_login_identity_for_the_browser_and_nothing_else()
    {
        var result = Parse(Head + """
            components:
              - { name: api, kind: service, url: "http://127.0.0.1:7101" }
              - { name: web, kind: frontend, url: "http://127.0.0.1:7001", dependsOn: [api], auth: ann }
              - { name: admin, kind: frontend, url: "http://127.0.0.1:7002", auth: ci }
              - { name: shop, kind: frontend, url: "http://127.0.0.1:7003", auth: { login: POST /auth/login, user: ann, password: x } }
            """);

        Assert.Equal(
            [("components.admin.auth", "identity 'ci' has no user and password to type into a login form"), ("components.shop.auth", "a frontend's auth names an identity")],
            result.Errors.Select(e => (e.Path, e.Message)));
        var fixedUp = Parse(Head + """
            components:
              - { name: api, kind: service, url: "http://127.0.0.1:7101" }
              - { name: web, kind: frontend, url: "http://127.0.0.1:7001", dependsOn: [api], auth: ann }
            """);
        Assert.Same(fixedUp.Model!.Auth["ann"], fixedUp.Model.Find<Archgate.Model.HttpComponent>("web")!.Auth);
    }
}

using Archgate.Manifest;
using Archgate.Model;
using Archgate.Tests;

namespace Archgate.Core.Tests.Manifest;

public sealed class ManifestLoaderTests
{
    [Fact]
    public void Interpolation_uses_the_environment_then_the_default()
    {
        var model = TestSystems.Load("""
            version: 1
            system: { name: "${NAME:-fallback}" }
            components:
              - name: api
                kind: service
                url: "http://127.0.0.1:${PORT:-7101}"
            """, new Dictionary<string, string> { ["PORT"] = "9000" });

        Assert.Equal("fallback", model.Name);
        Assert.Equal(9000, ((Archgate.Model.HttpComponent)model.Components[0]).Url!.Port);
    }

    [Fact]
    public void Dollar_dollar_is_a_literal_dollar()
    {
        var missing = new List<string>();
        Assert.Equal("a$b ${X}", Interpolation.Expand("a$$b $${X}", _ => null, missing));
        Assert.Empty(missing);
    }

    [Fact]
    public void A_relative_sqlite_file_is_resolved_against_the_manifest_folder()
    {
        var model = TestSystems.Load("""
            version: 1
            system: { name: s }
            components:
              - { name: db, kind: database, connection: "Data Source=data/app.db;Cache=Shared" }
            """);

        var expected = Path.Combine(Path.GetTempPath(), "archgate-tests", "data", "app.db");
        Assert.Equal($"Data Source={expected};Cache=Shared", ((Archgate.Model.DatabaseComponent)model.Components[0]).Connection);
        Assert.Equal(DatabaseEngine.Sqlite, ((Archgate.Model.DatabaseComponent)model.Components[0]).Engine);
    }

    [Fact]
    public void A_unique_expectation_may_name_the_predicate_of_a_partial_unique_index()
    {
        var model = TestSystems.Load("""
            version: 1
            system: { name: s }
            components:
              - name: db
                kind: database
                connection: "Data Source=app.db"
                expect:
                  constraints:
                    - { table: loans, unique: [book_id, member_id], where: " returned_at is null " }
                    - { table: members, unique: [email] }
            """);

        var constraints = ((Archgate.Model.DatabaseComponent)model.Components[0]).Database.Constraints;
        Assert.Equal(["returned_at is null", null], constraints.Select(c => c.Where));
    }

    [Fact]
    public void The_shop_sample_declares_its_database_expectations()
    {
        var path = Path.Combine(Golden.SourceDirectory(), "..", "..", "..", "samples", "shop", "archgate.yaml");
        var result = ManifestLoader.Load(path, _ => null);

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        var db = ((Archgate.Model.DatabaseComponent)result.Model!.Find("db")!).Database;
        Assert.Equal("schemaversions", db.Migrations!.Table);
        Assert.EndsWith(Path.Combine("src", "Shop.Api", "Migrations"), db.Migrations.Folder, StringComparison.Ordinal);
        Assert.Equal(10, db.Seed["products"]);
        Assert.Contains(db.Constraints, c => c is { Table: "orders", Kind: ConstraintKind.ForeignKey, References: "users" });
        Assert.Contains(db.Probes, p => p.Sql is not null && p.Parameters["sku"] == "MUG-001");
        var http = Assert.Single(db.Probes, p => p.Http is not null);
        Assert.Equal(("GET /orders", "api", "/auth/login", "ann"), (http.Http, http.Via, ((LoginAuth)http.Login!).Path, http.Login.Name));
        Assert.True(db.FaultTests);
        Assert.Equal(TimeSpan.FromSeconds(1), db.Pool.IdleInTransaction);
        Assert.IsType<Archgate.Model.ServiceComponent>(result.Model.Find("api")); // a service has no database section at all
    }

    [Fact]
    public void The_shop_sample_names_SendGrids_contract_for_email_and_its_web_depends_on_analytics()
    {
        var path = Path.Combine(Golden.SourceDirectory(), "..", "..", "..", "samples", "shop", "archgate.yaml");
        var result = ManifestLoader.Load(path, _ => null);

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        var contract = ((Archgate.Model.ThirdPartyComponent)result.Model!.Find("email")!).Contract!;
        Assert.EndsWith(Path.Combine("contracts", "vendors", "sendgrid-mail-send.yaml"), contract.Path, StringComparison.Ordinal);
        Assert.True(File.Exists(contract.Path));
        Assert.Null(result.Model.Find<Archgate.Model.ThirdPartyComponent>("gateway")!.Contract);
        Assert.Equal(ComponentKind.ThirdParty, result.Model.Find("analytics")!.Kind);
        Assert.Contains("analytics", result.Model.Find("web")!.DependsOn);
    }

    [Fact]
    public void Database_policy_defaults_apply_when_the_section_is_absent()
    {
        var model = TestSystems.Load("""
            version: 1
            system: { name: s }
            components:
              - { name: db, kind: database, connection: "Data Source=x.db", pool: { utilization: 50% } }
            """);

        var pool = ((Archgate.Model.DatabaseComponent)model.Components[0]).Database.Pool;
        Assert.Equal(0.5, pool.Utilization, 3);
        Assert.Equal(0.8, pool.ConnectionBudget, 3);
        Assert.Equal(TimeSpan.FromSeconds(10), pool.Recovery);
        Assert.False(((Archgate.Model.DatabaseComponent)model.Components[0]).Database.FaultTests);
    }

    [Fact]
    public void Probe_parameters_that_are_whole_numbers_are_sent_as_numbers()
    {
        Assert.Equal(42L, ManifestLoader.ProbeParameterValue("42"));
        Assert.Equal("MUG-001", ManifestLoader.ProbeParameterValue("MUG-001"));
        Assert.Equal("1.5", ManifestLoader.ProbeParameterValue("1.5"));
    }

    [Fact]
    public void The_engine_is_inferred_from_a_postgres_connection_string()
    {
        var model = TestSystems.Load("""
            version: 1
            system: { name: s }
            components:
              - { name: db, kind: database, connection: "Host=127.0.0.1;Database=shop;Username=shop" }
            """);

        Assert.Equal(DatabaseEngine.Postgres, ((Archgate.Model.DatabaseComponent)model.Components[0]).Engine);
    }

    [Fact]
    public void Defaults_apply_when_sections_are_absent()
    {
        var model = TestSystems.Load("""
            version: 1
            system: { name: s }
            components:
              - name: api
                kind: service
                url: http://127.0.0.1:1
                health: /health
                run: { command: "dotnet api.dll" }
            """);

        Assert.Equal(TargetPolicy.LoopbackHosts, model.AllowedHosts);
        Assert.Equal(3, model.Recovery.Retries);
        Assert.Equal([100, 500], model.Load.Stages.Select(s => s.Users));
        var ready = model.Components[0].Run!.Ready;
        Assert.Equal("/health", ready.HttpPath);
        Assert.Equal(TimeSpan.FromSeconds(30), ready.Timeout);
    }

    [Fact]
    public void The_starter_manifest_of_init_is_valid()
    {
        var text = File.ReadAllText(Path.Combine(Golden.SourceDirectory(), "..", "..", "..", "src", "Archgate.Cli", "Commands", "InitCommand.cs"));
        var start = text.IndexOf("\"\"\"", StringComparison.Ordinal) + 3;
        var end = text.IndexOf("\"\"\"", start, StringComparison.Ordinal);
        var yaml = string.Join("\n", text[start..end].Split('\n').Select(l => l.Length >= 8 ? l[8..] : l.TrimStart()));

        var model = TestSystems.Load(yaml);

        Assert.Equal("my-system", model.Name);
    }

    [Theory]
    [InlineData("250ms", 250)]
    [InlineData("1.5s", 1500)]
    [InlineData("2m", 120_000)]
    public void Durations_parse(string text, double ms)
    {
        Assert.True(ValueParsers.TryParseDuration(text, out var value));
        Assert.Equal(ms, value.TotalMilliseconds);
    }

    [Theory]
    [InlineData("10")]
    [InlineData("10 s")]
    [InlineData("s")]
    public void Bad_durations_do_not_parse(string text) => Assert.False(ValueParsers.TryParseDuration(text, out _));

    [Fact]
    public void Did_you_mean_finds_close_names_only()
    {
        Assert.Equal("dependsOn", Suggest.Closest("dependOn", ["name", "dependsOn", "kind"]));
        Assert.Null(Suggest.Closest("zzzzzz", ["name", "dependsOn", "kind"]));
    }

    [Fact]
    public void Auth_reads_a_login_an_api_key_basic_and_bearer_and_never_prints_a_secret()
    {
        var model = TestSystems.Load("""
            version: 1
            system: { name: s }
            components:
              - name: api
                kind: service
                url: http://127.0.0.1:1
                auth: { login: "post /auth/login", user: ann, password: "${PW}", token: $.data.token }
              - { name: mail, kind: third-party, url: "http://127.0.0.1:2", auth: { apiKey: { header: X-Api-Key, value: k3y-secret } } }
              - { name: old, kind: service, url: "http://127.0.0.1:3", auth: { basic: { user: bob, password: b4sic-secret } } }
              - { name: ci, kind: service, url: "http://127.0.0.1:4", auth: { bearer: b3arer-secret } }
            """, new Dictionary<string, string> { ["PW"] = "l0gin-secret" });

        Assert.Equal(new LoginAuth("POST", "/auth/login", "ann", "l0gin-secret", "$.data.token"), ((Archgate.Model.HttpComponent)model.Components[0]).Auth);
        Assert.Equal(new ApiKeyAuth("X-Api-Key", "k3y-secret"), ((Archgate.Model.HttpComponent)model.Components[1]).Auth);
        Assert.Equal(new BasicAuth("bob", "b4sic-secret"), ((Archgate.Model.HttpComponent)model.Components[2]).Auth);
        Assert.Equal(new BearerAuth("b3arer-secret"), ((Archgate.Model.HttpComponent)model.Components[3]).Auth);
        var printed = string.Join(" ", model.Components.Select(c => ((Archgate.Model.HttpComponent)c).Auth!.ToString()));
        Assert.Equal("login POST /auth/login as ann api key in X-Api-Key basic as bob bearer token", printed);
        Assert.Equal(["l0gin-secret", "k3y-secret", "b4sic-secret", "b3arer-secret"], model.Components.SelectMany(c => ((Archgate.Model.HttpComponent)c).Auth!.Secrets));
    }

    [Fact]
    public void OpenApi_fixtures_map_path_templates_to_parameter_values()
    {
        var contract = Path.Combine(Path.GetTempPath(), "archgate-tests", "fixtures-api.yaml");
        File.WriteAllText(contract, "openapi: 3.1.0");
        var model = TestSystems.Load($$"""
            version: 1
            system: { name: s }
            components:
              - name: api
                kind: service
                url: http://127.0.0.1:1
                openapi: { path: {{contract}}, fixtures: { "/cart/{cartId}/items/{id}": { cartId: c-1, id: 7 } } }
            """);

        var fixture = model.Components[0].OpenApi!.Fixtures["/cart/{cartId}/items/{id}"];
        Assert.Equal("c-1", fixture["cartId"]);
        Assert.Equal("7", fixture["id"]);
    }

    [Fact]
    public void An_api_key_goes_in_a_header_a_query_parameter_or_a_cookie()
    {
        var model = TestSystems.Load("""
            version: 1
            system: { name: s }
            components:
              - { name: a, kind: service, url: "http://127.0.0.1:1", auth: { apiKey: { name: api_key, in: query, value: q-secret } } }
              - { name: b, kind: service, url: "http://127.0.0.1:2", auth: { apiKey: { name: session, in: cookie, value: c-secret } } }
              - { name: c, kind: service, url: "http://127.0.0.1:3", auth: { apiKey: { name: X-Key, value: h-secret } } }
            """);

        Assert.Equal(new ApiKeyAuth("api_key", "q-secret") { In = ApiKeyLocation.Query }, ((Archgate.Model.HttpComponent)model.Components[0]).Auth);
        Assert.Equal(new ApiKeyAuth("session", "c-secret") { In = ApiKeyLocation.Cookie }, ((Archgate.Model.HttpComponent)model.Components[1]).Auth);
        Assert.Equal(new ApiKeyAuth("X-Key", "h-secret"), ((Archgate.Model.HttpComponent)model.Components[2]).Auth);
        Assert.Equal("api key in query parameter api_key", ((Archgate.Model.HttpComponent)model.Components[0]).Auth!.ToString());
    }

    [Theory]
    [InlineData("{ name: k, in: body, value: v }", "components.a.auth.apiKey.in: invalid key location 'body'")]
    [InlineData("{ header: X-K, in: query, value: v }", "components.a.auth.apiKey.in: 'in' goes with 'name', not with 'header'")]
    [InlineData("{ header: X-K, name: k, value: v }", "components.a.auth.apiKey: both 'header' and 'name' given")]
    [InlineData("{ value: v }", "components.a.auth.apiKey: no key name given")]
    public void Api_key_mistakes_are_errors_at_their_place(string apiKey, string expected)
    {
        var result = ManifestLoader.Parse($$"""
            version: 1
            system: { name: s }
            components:
              - { name: a, kind: service, url: "http://127.0.0.1:1", auth: { apiKey: {{apiKey}} } }
            """, "archgate.yaml", Path.Combine(Path.GetTempPath(), "archgate-tests", "archgate.yaml"), "0123456789abcdef", _ => null);

        Assert.False(result.Succeeded);
        Assert.Contains(result.Errors, e => e.ToString().Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void OpenApi_conformance_limits_are_read_and_checked()
    {
        var contract = Path.Combine(Path.GetTempPath(), "archgate-tests", "limits-api.yaml");
        Directory.CreateDirectory(Path.GetDirectoryName(contract)!);
        File.WriteAllText(contract, "openapi: 3.1.0");
        var model = TestSystems.Load($$"""
            version: 1
            system: { name: s }
            components:
              - name: api
                kind: service
                url: http://127.0.0.1:1
                openapi: { path: {{contract}}, conformance: { timeout: 3s, budget: 90s, requests: 200, requestsPerOperation: 12 } }
            """);
        var wrong = ManifestLoader.Parse($$"""
            version: 1
            system: { name: s }
            components:
              - { name: api, kind: service, url: "http://127.0.0.1:1", openapi: { path: {{contract}}, conformance: { timeout: 0s, requests: 0, budgets: 1m } } }
            """, "archgate.yaml", Path.Combine(Path.GetTempPath(), "archgate-tests", "archgate.yaml"), "0123456789abcdef", _ => null);

        Assert.Equal(new ConformanceLimits(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(90), 200, 12), model.Components[0].OpenApi!.Conformance);
        Assert.Equal(3, wrong.Errors.Count);
    }
}

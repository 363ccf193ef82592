using Archgate.Manifest;
using Archgate.Model;
using Archgate.Planning;

namespace Archgate.Core.Tests.Manifest;

/// <summary>
/// <c>${VAR}</c> without default and unset: an error for what contacts the system (<c>run</c>), a warning for what does
/// not (<c>plan</c>, <c>validate</c>: <see cref="ManifestLoadOptions.WithoutSystem"/>).
/// </summary>
public sealed class ManifestLoaderUnsetVariableTests
{
    // A secret in a run's env and in step 9's signing key, a third party's whole URL, a service's port, a database's
    // connection, a load stage's users and a journey's expected status: every shape a value from the environment takes.
    private const string Manifest = """
        version: 1
        system: { name: tickets }
        components:
          - name: db
            kind: database
            engine: postgres
            connection: "${TICKETS_DB}"
          - name: pay
            kind: third-party
            url: "${PAY_URL}"
          - name: api
            kind: service
            url: "http://127.0.0.1:${API_PORT}"
            dependsOn: [db, pay]
            run:
              command: node api.js
              env: { JWT_SECRET: "${JWT_SECRET}" }
              ready: { http: /health }
          - { name: web, kind: frontend, url: "http://127.0.0.1:7001", dependsOn: [api] }
        load:
          target: api
          stages: [ { users: "${USERS}", duration: 5s } ]
        journeys:
          - name: sign in
            steps:
              - goto: /
              - wait for response: { request: POST /auth/login, status: "${LOGIN_STATUS}" }
        security:
          signingKey: { secret: "${JWT_SECRET}" }
        """;

    private static ManifestLoadResult Parse(ManifestLoadOptions options) =>
        ManifestLoader.Parse(Manifest, "archgate.yaml", Path.Combine(Path.GetTempPath(), "archgate.yaml"), "sha", _ => null, options);

    [Fact]
    public void By_default_each_use_of_an_unset_variable_is_an_error_and_no_model_is_built()
    {
        var result = Parse(ManifestLoadOptions.Default);

        Assert.Null(result.Model);
        Assert.Equal(
            ["7:17 TICKETS_DB", "10:10 PAY_URL", "13:10 API_PORT", "17:26 JWT_SECRET", "22:22 USERS", "27:65 LOGIN_STATUS", "29:25 JWT_SECRET"],
            result.Errors.Where(e => e.Message.EndsWith("is not set and has no default", StringComparison.Ordinal))
                .Select(e => $"{e.Line}:{e.Column} {e.Message.Split('\'')[1]}"));
        Assert.Contains(result.Errors, e => e.Path == "journeys[0].steps[1].wait for response.status" && e.Message == "invalid status ''");
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void Without_the_system_each_use_is_a_warning_with_its_place_and_the_same_hint_and_the_manifest_loads()
    {
        var result = Parse(ManifestLoadOptions.WithoutSystem);

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        Assert.Equal(["TICKETS_DB", "PAY_URL", "API_PORT", "JWT_SECRET", "USERS", "LOGIN_STATUS"], result.UnsetVariables);
        Assert.Equal(7, result.Warnings.Count);
        Assert.All(result.Warnings, w => Assert.True(w.IsWarning));
        var secret = result.Warnings.Single(w => w.Path == "security.signingKey.secret");
        Assert.Equal(
            "archgate.yaml:29:25: security.signingKey.secret: warning: environment variable 'JWT_SECRET' is not set and has no default: this value was not checked ('archgate run' needs it)"
            + Environment.NewLine + "  hint: set JWT_SECRET, or give a default: ${JWT_SECRET:-value}",
            secret.ToString());
    }

    [Fact]
    public void Without_the_system_a_value_that_must_parse_reads_as_absent_and_raises_no_error_of_its_own()
    {
        var model = Parse(ManifestLoadOptions.WithoutSystem).Model!;

        // Neither a URL nor a number was invented: the URLs are the loader's stand-in on a host that never resolves, the
        // stage without users is left out, the journey's wait has no status, the database an empty connection of its engine.
        Assert.Equal("unresolved.invalid", model.Find<ThirdPartyComponent>("pay")!.Url.Host);
        Assert.Equal("unresolved.invalid", model.Find<ServiceComponent>("api")!.Url.Host);
        var database = model.Find<DatabaseComponent>("db")!;
        Assert.Equal((string.Empty, DatabaseEngine.Postgres), (database.Connection, database.Engine));
        Assert.Empty(model.Load.Stages);
        Assert.Empty(model.Journeys[0].Steps[1].Browser!.Status);
        Assert.False(model.Find<ServiceComponent>("api")!.Run!.Environment.ContainsKey("JWT_SECRET"));
    }

    [Fact]
    public void Without_the_system_the_plan_is_the_one_the_dependencies_give()
    {
        var plan = Planner.Plan(Parse(ManifestLoadOptions.WithoutSystem).Model!);

        Assert.Equal(
            ["db, pay", "api", "web"],
            plan.Waves.Select(w => string.Join(", ", w.Select(p => p.Component.Name).Order(StringComparer.Ordinal))));
    }

    [Fact]
    public void Without_the_system_a_variable_that_is_set_is_still_checked()
    {
        var result = ManifestLoader.Parse(Manifest, "archgate.yaml", Path.Combine(Path.GetTempPath(), "archgate.yaml"), "sha",
            n => n == "USERS" ? "many" : null, ManifestLoadOptions.WithoutSystem);

        var error = Assert.Single(result.Errors);
        Assert.Equal((22, "load.stages[0].users"), (error.Line, error.Path));
        Assert.StartsWith("expected a whole number", error.Message, StringComparison.Ordinal);
    }
}

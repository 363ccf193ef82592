namespace Archgate.EndToEnd.Tests.Cli;

/// <summary>init, validate, plan, runs and report as a user types them.</summary>
public sealed class CommandTests : CliTestBase
{
    [Fact]
    public async Task Init_writes_a_manifest_that_validates_and_refuses_to_overwrite_it()
    {
        var init = await ArchgateAsync("init");
        var validate = await ArchgateAsync("validate");
        var again = await ArchgateAsync("init");

        Assert.Equal(0, init.ExitCode);
        Assert.Equal(0, validate.ExitCode);
        Assert.Contains("valid (2 components, system 'my-system')", validate.Stdout, StringComparison.Ordinal);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("already exists", again.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_accepts_an_old_login_spelling_and_warns_with_file_line_and_the_spelling_to_use()
    {
        await File.WriteAllTextAsync(Path.Combine(Folder, "archgate.yaml"), """
            version: 1
            system: { name: legacy }
            components:
              - name: api
                kind: service
                url: http://127.0.0.1:9
                auth: { login: POST /auth/login, user: ann, password: s3cret-pw }
            """);

        var validate = await ArchgateAsync("validate");

        Assert.Equal(0, validate.ExitCode);
        Assert.Contains("archgate.yaml:7:11: components.api.auth: warning: a login written in place is deprecated", validate.Stderr, StringComparison.Ordinal);
        Assert.Contains("top-level 'auth' section", validate.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-pw", validate.Stderr + validate.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_writes_the_integration_plan_with_waves_and_risks()
    {
        // The shop's manifest on free ports, like every e2e test: nothing here may name 7001-7301.
        var (shop, _) = ShopManifestOnFreePorts();

        var result = await ArchgateAsync("plan", shop, "-o", "docs/new/plan.md"); // a folder not made yet

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("wave 1: payments-db, db, gateway", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("wave 4: web", result.Stdout, StringComparison.Ordinal);
        var plan = await File.ReadAllTextAsync(Path.Combine(Folder, "docs", "new", "plan.md"));
        Assert.Contains("```mermaid", plan, StringComparison.Ordinal);
        Assert.Contains("| api | service | bob@example.test | db, payments, payments-2, email, signin | shop-api.yaml | /health/ready | yes |", plan, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_and_validate_go_on_without_an_unset_secret_and_run_refuses_it()
    {
        // A pull-request job plans without the secrets; a run, which hands them to the system, still needs them.
        await File.WriteAllTextAsync(Path.Combine(Folder, "archgate.yaml"), """
            version: 1
            system: { name: tickets }
            components:
              - { name: db, kind: database, connection: "Data Source=tickets.db" }
              - name: api
                kind: service
                url: http://127.0.0.1:9
                dependsOn: [db]
                run:
                  command: node api.js
                  env: { JWT_SECRET: "${ARCHGATE_E2E_UNSET_SECRET}" }
                  ready: { http: /health }
            security:
              signingKey: { secret: "${ARCHGATE_E2E_UNSET_SECRET}" }
            """);
        const string Warning = "warning: environment variable 'ARCHGATE_E2E_UNSET_SECRET' is not set and has no default: this value was not checked";
        const string Hint = "hint: set ARCHGATE_E2E_UNSET_SECRET, or give a default: ${ARCHGATE_E2E_UNSET_SECRET:-value}";

        var plan = await ArchgateAsync("plan");
        var validate = await ArchgateAsync("validate");
        var run = await ArchgateAsync("run", "--steps", "1");

        Assert.Equal(0, plan.ExitCode);
        Assert.Contains($"archgate.yaml:11:26: components.api.run.env.JWT_SECRET: {Warning}", plan.Stderr, StringComparison.Ordinal);
        Assert.Contains($"archgate.yaml:14:25: security.signingKey.secret: {Warning}", plan.Stderr, StringComparison.Ordinal);
        Assert.Contains(Hint, plan.Stderr, StringComparison.Ordinal);
        Assert.Contains("planned without ARCHGATE_E2E_UNSET_SECRET (not set)", plan.Stderr, StringComparison.Ordinal);
        Assert.Contains("wave 1: db", plan.Stdout, StringComparison.Ordinal);
        Assert.Contains("wave 2: api", plan.Stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(Folder, "integration-plan.md")));

        Assert.Equal(0, validate.ExitCode);
        Assert.Contains("archgate.yaml: valid (2 components, system 'tickets')", validate.Stdout, StringComparison.Ordinal);
        Assert.Contains($"archgate.yaml:14:25: security.signingKey.secret: {Warning}", validate.Stderr, StringComparison.Ordinal);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("archgate.yaml:11:26: components.api.run.env.JWT_SECRET: environment variable 'ARCHGATE_E2E_UNSET_SECRET' is not set and has no default", run.Stderr, StringComparison.Ordinal);
        Assert.Contains(Hint, run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("warning:", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("2 problems in archgate.yaml; nothing was run.", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_and_validate_read_no_secret_store_and_run_does()
    {
        // A pull-request job has no Vault token and no path to the store: plan and validate check the reference's form only.
        Environment["VAULT_ADDR"] = string.Empty;
        await File.WriteAllTextAsync(Path.Combine(Folder, "archgate.yaml"), """
            version: 1
            system: { name: tickets }
            components:
              - name: api
                kind: service
                url: http://127.0.0.1:9
                run:
                  command: node api.js
                  env: { JWT_SECRET: "${vault:secret/data/tickets#jwt}", OLD: "${vault:secret/tickets#jwt}" }
                  ready: { http: /health }
            """);

        var validate = await ArchgateAsync("validate");
        await File.WriteAllTextAsync(Path.Combine(Folder, "archgate.yaml"),
            (await File.ReadAllTextAsync(Path.Combine(Folder, "archgate.yaml"))).Replace(", OLD: \"${vault:secret/tickets#jwt}\"", string.Empty, StringComparison.Ordinal));
        var plan = await ArchgateAsync("plan");
        var run = await ArchgateAsync("run", "--steps", "1");

        Assert.Equal(2, validate.ExitCode);
        Assert.Contains("components.api.run.env.OLD: ${vault:secret/tickets#jwt}: 'secret/tickets' is not a KV v2 secret path", validate.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("VAULT_ADDR", validate.Stderr, StringComparison.Ordinal);

        Assert.Equal(0, plan.ExitCode);
        Assert.Contains("archgate.yaml:9:26: components.api.run.env.JWT_SECRET: warning: ${vault:secret/data/tickets#jwt} was not read: this command contacts no secret store", plan.Stderr, StringComparison.Ordinal);
        Assert.Contains("archgate: planned without reading 1 secret reference from Vault (${vault:secret/data/tickets#jwt})", plan.Stderr, StringComparison.Ordinal);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("components.api.run.env.JWT_SECRET: ${vault:secret/data/tickets#jwt}: VAULT_ADDR is not set", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Runs_and_report_read_back_a_stored_run()
    {
        var run = await ArchgateAsync("run", WriteMinimalManifest(), "--up", "--steps", "1-4");
        var id = RunIdFrom(run.Stdout);

        var runs = await ArchgateAsync("runs");
        var md = await ArchgateAsync("report", id[..12]);
        var json = await ArchgateAsync("report", "last", "--format", "json", "-o", "again.json");
        var missing = await ArchgateAsync("report", "nope");

        Assert.Contains(id, runs.Stdout, StringComparison.Ordinal);
        Assert.Contains("INCOMPLETE", runs.Stdout, StringComparison.Ordinal);
        Assert.Contains("# Integration validation report: minimal", md.Stdout, StringComparison.Ordinal);
        Assert.Contains("## Validation criteria", md.Stdout, StringComparison.Ordinal);
        Assert.Equal(5, json.ExitCode); // report exits with the run's outcome: INCOMPLETE
        Assert.Contains($"\"runId\": \"{id}\"", await File.ReadAllTextAsync(Path.Combine(Folder, "again.json")), StringComparison.Ordinal);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("archgate runs", missing.Stderr, StringComparison.Ordinal);
    }
}

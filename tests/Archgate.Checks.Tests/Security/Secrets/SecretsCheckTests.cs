using Archgate.Checks.Http;
using Archgate.Checks.Security;
using Archgate.Checks.Security.Secrets;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Security.Secrets;

public sealed class SecretsCheckTests : IDisposable
{
    private const string LiveKey = "sk_live_51HkQ2aPlaintextSecretCommittedByMistake0000";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "archgate-secrets-" + Guid.NewGuid().ToString("N"));

    public SecretsCheckTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private async Task<CheckResult> RunAsync(string yaml, string? output = null, params StepResult[] earlier)
    {
        await File.WriteAllTextAsync(Path.Combine(_folder, "archgate.yaml"), yaml);
        var system = TestSystems.Load(yaml, _folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        var context = TestSystems.Context(system, http) with { OutputDirectory = output ?? Path.Combine(_folder, ".archgate", "runs", "r1"), EarlierSteps = earlier };
        return await new SecretsCheck(new SecretsScanOptions()).RunAsync(context, CancellationToken.None);
    }

    private static string Manifest(string extra = "", string env = "") => $$"""
        version: 1
        system: { name: s }
        components:
          - name: api
            kind: service
            url: http://127.0.0.1:1
            run:
              command: dotnet bin/App/App.dll --urls http://127.0.0.1:1
              workdir: .
              env:
                API_KEY: "${API_KEY:-}"
        {{env}}
        {{extra}}
        """;

    private void Deploy(string file, string content)
    {
        Directory.CreateDirectory(Path.Combine(_folder, "bin", "App"));
        File.WriteAllText(Path.Combine(_folder, "bin", "App", "App.dll"), "not really a dll");
        File.WriteAllText(Path.Combine(_folder, "bin", "App", file), content);
    }

    [Fact]
    public async Task A_live_key_in_the_started_components_config_folder_is_high_and_masked()
    {
        Deploy("appsettings.Secrets.json", $"{{\n  \"_comment\": \"x\",\n  \"Gateway\": {{\n    \"ApiKey\": \"{LiveKey}\"\n  }}\n}}\n");

        var result = await RunAsync(Manifest());

        var finding = Assert.Single(result.Findings, f => f.Rule == PassiveRules.ConfigSecret);
        Assert.Equal(Severity.High, finding.Severity);
        Assert.Equal("api", finding.Component);
        Assert.EndsWith("appsettings.Secrets.json:4", finding.Location, StringComparison.Ordinal);
        Assert.Equal($"sk_live_*** ({LiveKey.Length} chars)", finding.Evidence);
        Assert.DoesNotContain(LiveKey, string.Join(" ", result.Findings.Select(f => f.Message + f.Evidence + f.Location + f.Hint)), StringComparison.Ordinal);
        Assert.Equal(CheckStatus.Fail, result.Status);
    }

    [Fact]
    public async Task A_clean_config_folder_and_env_references_pass()
    {
        Deploy("appsettings.json", "{ \"_comment\": \"SHOP_FAULTS=plaintext-secret: a gateway key committed in plain config. Never.\", \"Logging\": { \"LogLevel\": { \"Default\": \"Information\" } }, \"Gateway\": { \"ApiKey\": \"\" } }");

        var result = await RunAsync(Manifest());

        Assert.Empty(result.Findings);
        Assert.Equal(CheckStatus.Pass, result.Status);
        Assert.Contains(result.Metrics, m => m.Name == "security_secrets_files_scanned" && m.Value == 2); // manifest + appsettings.json
    }

    [Fact]
    public async Task A_folder_named_by_a_CONFIG_variable_is_scanned()
    {
        Directory.CreateDirectory(Path.Combine(_folder, "conf"));
        File.WriteAllText(Path.Combine(_folder, "conf", "app.env"), "DB_HOST=db\nCLIENT_SECRET=q7Z!v9x#Lm2$Rt8&Wp4*Yb6^Nc1\n");

        var result = await RunAsync(Manifest(env: "        APP_CONFIG_DIR: conf"));

        var finding = Assert.Single(result.Findings, f => f.Rule == PassiveRules.ConfigSecret);
        Assert.Equal(Severity.Medium, finding.Severity);
        Assert.Contains("high-entropy value of CLIENT_SECRET", finding.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("q7Z", finding.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Manifest_literals_are_judged_and_references_are_not()
    {
        var extra = string.Join("\n", [
            "security:",
            "  identities:",
            "    - { user: ann, password: demo }",
            "    - { user: ops, password: \"Xk93!mQz7#pLw2$vB8&nR4\" }",
            "contracts:",
            "  auth: { login: /auth/login, username: ann, password: \"${ANN_PASSWORD:-}\", token: accessToken }",
            "load:",
            "  setup:",
            "    - { request: POST /auth/login, json: { username: ann }, capture: { token: $.accessToken } }",
            "escalation:",
            "  channels: [ { webhook: \"http://127.0.0.1:1/h?token=${HOOK:-" + LiveKey + "}\" } ]",
        ]);
        var yaml = Manifest(extra: extra);

        var result = await RunAsync(yaml);

        var manifest = result.Findings.Where(f => f.Rule == PassiveRules.ManifestSecret).ToList();
        Assert.Contains(manifest, f => f.Severity == Severity.Low && f.Location!.EndsWith("security.identities[0].password", StringComparison.Ordinal));
        Assert.Contains(manifest, f => f.Severity == Severity.Medium && f.Location!.EndsWith("security.identities[1].password", StringComparison.Ordinal));
        Assert.Contains(manifest, f => f.Severity == Severity.High && f.Message.Contains("Stripe-style live secret key", StringComparison.Ordinal));
        Assert.DoesNotContain(manifest, f => f.Location!.Contains("contracts.auth.password", StringComparison.Ordinal) || f.Location!.Contains("env.API_KEY", StringComparison.Ordinal));
        Assert.DoesNotContain(manifest, f => f.Location!.EndsWith(".token", StringComparison.Ordinal)); // field names, not tokens
        Assert.Matches(@"^archgate\.yaml:\d+:\d+ ", manifest[0].Location!);
        Assert.DoesNotContain(manifest, f => (f.Evidence + f.Message).Contains("Xk93", StringComparison.Ordinal) || (f.Evidence + f.Message).Contains(LiveKey, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Keys_whose_values_name_fields_are_not_secrets_and_a_literal_password_beside_them_still_is()
    {
        var extra = string.Join("\n", [
            "auth:",
            "  ann: { login: POST /auth/login, user: ann@x.test, password: \"${ANN_PW:-}\", fields: { user: email, password: password } }",
            "  ben: { login: POST /auth/login, user: ben@x.test, password: hunter2, token: $.accessToken, fields: { user: email, password: passwd } }",
            "journeys:",
            "  - name: sign in",
            "    steps:",
            "      - request: POST /auth/login",
            "        json: { email: ann@x.test, password: \"${ANN_PW:-}\" }",
            "        capture: { accessToken: $.accessToken, refreshToken: refreshToken }",
            "      - request: GET /me",
            "        headers: { X-Api-Key: \"{accessToken}\" }",
        ]);
        var yaml = Manifest(extra: extra).Replace(
            "    url: http://127.0.0.1:1\n",
            "    url: http://127.0.0.1:1\n    realtime: [ { sse: /events, tokenQuery: access_token, trigger: { request: POST /orders } } ]\n",
            StringComparison.Ordinal);
        Assert.Contains("tokenQuery", yaml, StringComparison.Ordinal);

        var result = await RunAsync(yaml);

        var manifest = Assert.Single(result.Findings, f => f.Rule == PassiveRules.ManifestSecret);
        Assert.EndsWith(" auth.ben.password", manifest.Location, StringComparison.Ordinal);
        Assert.Equal("auth.ben.password: literal value of password written in the manifest", manifest.Message);
        Assert.Equal(Severity.Low, manifest.Severity);
    }

    [Fact]
    public async Task A_program_beside_the_manifest_has_its_config_scanned_but_not_the_manifest_nor_archgates_run_folders()
    {
        // python3 app.py at the project root: the root is the deployed folder, and it holds the manifest and a run folder
        // written with --out (the report quotes the literal the manifest check found).
        var yaml = Manifest(extra: "auth:\n  ops: { login: POST /auth/login, user: ops, password: \"Xk93!mQz7#pLw2$vB8&nR4\" }")
            .Replace("dotnet bin/App/App.dll --urls http://127.0.0.1:1", "python3 app.py", StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(_folder, "app.py"), "print(1)");
        File.WriteAllText(Path.Combine(_folder, "settings.json"), $"{{ \"ApiKey\": \"{LiveKey}\" }}");
        var run = Path.Combine(_folder, "out");
        Directory.CreateDirectory(run);
        File.WriteAllText(Path.Combine(run, "run.json"), "{ \"password\": \"Xk93!mQz7#pLw2$vB8&nR4\" }");
        File.WriteAllText(Path.Combine(run, "integration-validation-report.md"), "# report");
        File.WriteAllText(Path.Combine(run, "junit.xml"), "<testsuite><property name=\"credentials\" value=\"Xk93!mQz7#pLw2$vB8&amp;nR4\"/></testsuite>");

        var result = await RunAsync(yaml);

        var config = Assert.Single(result.Findings, f => f.Rule == PassiveRules.ConfigSecret);
        Assert.Contains("settings.json", config.Location, StringComparison.Ordinal);
        Assert.Contains(result.Findings, f => f.Rule == PassiveRules.ManifestSecret && f.Location!.EndsWith("auth.ops.password", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_folder_two_components_run_from_is_credited_to_both_not_to_the_first()
    {
        // python3 api.py and python3 worker.py from one folder: its settings.json is the config of both, and which
        // component is listed first in the manifest says nothing about whose key it is.
        var yaml = Manifest()
            .Replace("dotnet bin/App/App.dll --urls http://127.0.0.1:1", "python3 api.py", StringComparison.Ordinal)
            + "\n  - name: worker\n    kind: service\n    url: http://127.0.0.1:2\n    run: { command: python3 worker.py, workdir: . }\n";
        File.WriteAllText(Path.Combine(_folder, "api.py"), "print(1)");
        File.WriteAllText(Path.Combine(_folder, "worker.py"), "print(2)");
        File.WriteAllText(Path.Combine(_folder, "settings.json"), $"{{ \"ApiKey\": \"{LiveKey}\" }}");

        var result = await RunAsync(yaml);

        var config = Assert.Single(result.Findings, f => f.Rule == PassiveRules.ConfigSecret);
        Assert.Null(config.Component);
        Assert.Contains("the deployed config shared by api and worker (settings.json, line 1)", config.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_found_from_the_run_and_again_from_configPaths_is_one_finding_per_secret_credited_to_the_component()
    {
        // ex15: npm start's project folder and security.configPaths [billing-api/config] both hold config/production.json.
        Deploy("App.json", "{}");
        Write("bin/App/config/production.json", $"{{\n  \"jwtSecret\": \"q7Z!v9x#Lm2$Rt8&Wp4*Yb6^Nc1\",\n  \"stripeKey\": \"{LiveKey}\"\n}}\n");

        var result = await RunAsync(Manifest("security:\n  configPaths: [bin/App/config, bin/App/config/production.json]"));

        var found = result.Findings.Where(f => f.Rule == PassiveRules.ConfigSecret).ToList();
        Assert.Equal(2, found.Count);
        Assert.Equal(2, found.Select(f => f.Location).Distinct().Count());
        Assert.All(found, f => Assert.Equal("api", f.Component));
        Assert.All(found, f => Assert.Contains("in api's deployed config (production.json, line", f.Message, StringComparison.Ordinal));
        Assert.Contains(result.Metrics, m => m.Name == "security_secrets_files_scanned" && m.Value == 3); // manifest, App.json, production.json
    }

    [Fact]
    public async Task The_contracts_the_manifest_declares_beside_the_program_are_documentation_not_deployed_config()
    {
        // python3 app.py at the project root, which holds the api's OpenAPI document and a pact: their examples show
        // tokens and passwords, as examples do; a config file beside them is still read.
        var yaml = Manifest(extra: "contracts: { pacts: [pacts/web-api.json] }")
            .Replace("dotnet bin/App/App.dll --urls http://127.0.0.1:1", "python3 app.py", StringComparison.Ordinal)
            .Replace("url: http://127.0.0.1:1\n", "url: http://127.0.0.1:1\n    openapi: api.yaml\n", StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(_folder, "app.py"), "print(1)");
        File.WriteAllText(Path.Combine(_folder, "api.yaml"), "openapi: 3.1.0\ninfo: { title: api, version: 1.0.0 }\npaths: {}\ncomponents:\n  examples:\n    login: { value: { accessToken: eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbm4iLCJleHAiOjF9.c2lnbmF0dXJlLXNpZ25hdHVyZQ, password: Zq8vL2mR7tX4nW9kB3cY } }\n");
        Directory.CreateDirectory(Path.Combine(_folder, "pacts"));
        File.WriteAllText(Path.Combine(_folder, "pacts", "web-api.json"), $"{{ \"interactions\": [ {{ \"request\": {{ \"headers\": {{ \"Authorization\": \"Bearer x\" }}, \"body\": {{ \"password\": \"Zq8vL2mR7tX4nW9kB3cY\" }} }} }} ] }}");
        File.WriteAllText(Path.Combine(_folder, "settings.json"), $"{{ \"ApiKey\": \"{LiveKey}\" }}");

        var result = await RunAsync(yaml);

        var config = Assert.Single(result.Findings, f => f.Rule == PassiveRules.ConfigSecret);
        Assert.Contains("settings.json", config.Location, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tokens_and_keys_in_a_component_log_are_found()
    {
        var runs = Path.Combine(_folder, "state", "runs", "r1");
        Directory.CreateDirectory(Path.Combine(_folder, "state", "logs"));
        const string jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbm4iLCJyb2xlIjoiY3VzdG9tZXIifQ.c2lnbmF0dXJlLXZhbHVl";
        await File.WriteAllTextAsync(Path.Combine(_folder, "state", "logs", "api.log"), $"10:00 info started\n10:01 debug got token {jwt}\n10:02 info aws AKIAIOSFODNN7EXAMPLE\n");

        var result = await RunAsync(Manifest(), runs);

        var logs = result.Findings.Where(f => f.Rule == PassiveRules.LogSecret).OrderBy(f => f.Location, StringComparer.Ordinal).ToList();
        Assert.Equal(2, logs.Count);
        Assert.Equal((Severity.Medium, "api"), (logs[0].Severity, logs[0].Component));
        Assert.EndsWith("api.log:2", logs[0].Location, StringComparison.Ordinal);
        Assert.Equal(Severity.High, logs[1].Severity);
        Assert.DoesNotContain(jwt, logs[0].Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_clean_log_has_no_finding()
    {
        var runs = Path.Combine(_folder, "state", "runs", "r1");
        Directory.CreateDirectory(Path.Combine(_folder, "state", "logs"));
        await File.WriteAllTextAsync(Path.Combine(_folder, "state", "logs", "api.log"), "10:00 info started\n10:01 info login of ann succeeded\n");

        var result = await RunAsync(Manifest(), runs);

        Assert.DoesNotContain(result.Findings, f => f.Rule == PassiveRules.LogSecret);
    }

    [Fact]
    public async Task Settings_about_a_secret_are_not_secrets_and_the_secret_beside_them_still_is()
    {
        var env = string.Join("\n", [
            "        SHOP_OIDC_TOKEN_SECONDS: \"5\"",
            "        PASSWORD_MIN_LENGTH: \"12\"",
            "        tokenUrl: http://127.0.0.1:1/oauth/token",
            "        API_KEY_HEADER: X-Api-Key",
            "        DB_PASSWORD_FILE: /run/secrets/db",
            "        SECRET_KEY_BASE: \"Xk93!mQz7#pLw2$vB8&nR4\"",
        ]);
        Deploy("appsettings.json", "{\n  \"Auth\": {\n    \"TokenLifetimeSeconds\": \"3600\",\n    \"ClientSecret\": \"Xk93!mQz7#pLw2$vB8&nR4\"\n  }\n}\n");

        var result = await RunAsync(Manifest(env: env));

        var manifest = Assert.Single(result.Findings, f => f.Rule == PassiveRules.ManifestSecret);
        Assert.EndsWith("env.SECRET_KEY_BASE", manifest.Location, StringComparison.Ordinal);
        var config = Assert.Single(result.Findings, f => f.Rule == PassiveRules.ConfigSecret);
        Assert.EndsWith("appsettings.json:4", config.Location, StringComparison.Ordinal);
    }

    [Fact]
    public async Task What_step_6_reported_already_is_not_repeated_but_named_in_one_information_finding()
    {
        const string env = "        SHOP_GATEWAY_API_KEY: \"${SHOP_GATEWAY_API_KEY:-gw_Xk93mQz7pLw2vB8nR4tY6}\"\n        OTHER_TOKEN: \"Hq72!bNc5#wEr9$zT3&yU1\"";
        Deploy("appsettings.json", $"{{\n  \"Gateway\": {{\n    \"ApiKey\": \"{LiveKey}\"\n  }}\n}}\n");
        var yaml = Manifest(env: env);
        var line = yaml.Split('\n').ToList().FindIndex(l => l.Contains("SHOP_GATEWAY_API_KEY", StringComparison.Ordinal)) + 1;
        var deployed = Path.Combine(_folder, "bin", "App", "appsettings.json");
        var step6 = new StepResult
        {
            Number = 6,
            Name = "Third-party integration",
            Status = CheckStatus.Fail,
            Checks =
            [
                new CheckResult
                {
                    Id = "third-party.secrets",
                    Status = CheckStatus.Fail,
                    Findings =
                    [
                        new Finding { Rule = "AG6041", Severity = Severity.Medium, Component = "api", Location = $"archgate.yaml:{line} components.api.run.env.SHOP_GATEWAY_API_KEY", Message = "api: SHOP_GATEWAY_API_KEY took the manifest's default" },
                        new Finding { Rule = "AG6040", Severity = Severity.High, Component = "api", Location = $"{deployed}:3", Message = "Stripe-style live secret key in api's deployed config" },
                    ],
                },
            ],
        };

        var alone = await RunAsync(yaml);
        var after = await RunAsync(yaml, null, step6);

        Assert.Contains(alone.Findings, f => f.Rule == PassiveRules.ManifestSecret && f.Location?.EndsWith("components[0].run.env.SHOP_GATEWAY_API_KEY", StringComparison.Ordinal) == true);
        Assert.Contains(alone.Findings, f => f.Rule == PassiveRules.ConfigSecret && f.Severity == Severity.High);
        Assert.DoesNotContain(after.Findings, f => f.Location?.Contains("SHOP_GATEWAY_API_KEY", StringComparison.Ordinal) == true && f.Severity > Severity.Info);
        Assert.DoesNotContain(after.Findings, f => f.Rule == PassiveRules.ConfigSecret);
        Assert.Contains(after.Findings, f => f.Rule == PassiveRules.ManifestSecret && f.Location?.EndsWith("env.OTHER_TOKEN", StringComparison.Ordinal) == true);
        var note = Assert.Single(after.Findings, f => f.Severity == Severity.Info);
        Assert.StartsWith("2 secret(s) step 6 reported already (third-party.secrets: AG6040, AG6041)", note.Message, StringComparison.Ordinal);
        Assert.Contains($"AG6040 high {deployed}:3", note.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_step_6_names_by_its_component_is_matched_when_it_has_no_line()
    {
        const string env = "        SHOP_GATEWAY_API_KEY: \"gw_Xk93mQz7pLw2vB8nR4tY6\"";
        var step6 = new StepResult
        {
            Number = 6,
            Name = "Third-party integration",
            Status = CheckStatus.Fail,
            Checks = [new CheckResult { Id = "third-party.secrets", Status = CheckStatus.Fail, Findings = [new Finding { Rule = "AG6041", Severity = Severity.Medium, Component = "api", Location = "archgate.yaml components.api.run.env.SHOP_GATEWAY_API_KEY", Message = "api: SHOP_GATEWAY_API_KEY is written in the manifest" }] }],
        };

        var result = await RunAsync(Manifest(env: env), null, step6);

        Assert.DoesNotContain(result.Findings, f => f.Rule == PassiveRules.ManifestSecret && f.Severity > Severity.Info);
    }

    private const string JwtKey = "jwt-signing-key-0b7c4e19d2a85f36a1c9e0d4";

    private static string Wrapped(string command, string extra = "") =>
        Manifest(extra: extra).Replace("dotnet bin/App/App.dll --urls http://127.0.0.1:1", command, StringComparison.Ordinal);

    private void Write(string relative, string content)
    {
        var path = Path.Combine(_folder, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    [Theory]
    [InlineData("sh -c 'cd claims && exec dotnet bin/out/claims.dll'")]
    [InlineData("\"bash -lc \\\"cd claims; dotnet run --no-build\\\"\"")]
    [InlineData("env ASPNETCORE_ENVIRONMENT=Production dotnet claims/bin/out/claims.dll")]
    public async Task The_config_of_a_program_started_through_a_wrapper_is_scanned(string command)
    {
        // ex12's claims-api: the cd makes claims/ its content root, where appsettings.json is; the dll is in bin/out.
        Write("claims/bin/out/claims.dll", "not really a dll");
        Write("claims/appsettings.json", $"{{ \"Gateway\": {{ \"ApiKey\": \"{LiveKey}\" }} }}");
        Write("claims/bin/out/appsettings.json", $"{{ \"Gateway\": {{ \"ApiKey\": \"{LiveKey}\" }} }}");

        var result = await RunAsync(Wrapped(command));

        var found = result.Findings.Where(f => f.Rule == PassiveRules.ConfigSecret && f.Severity == Severity.High).ToList();
        Assert.NotEmpty(found);
        Assert.All(found, f => Assert.Equal("api", f.Component));
        Assert.DoesNotContain(result.Findings, f => f.Severity == Severity.Info && f.Rule == PassiveRules.ConfigSecret);
    }

    [Fact]
    public async Task The_config_in_a_java_programs_classpath_folder_is_scanned()
    {
        // ex13: java -cp payments/out PaymentsSvc was reported as naming no program folder (AG9081 info, nothing scanned).
        Write("payments/out/PaymentsSvc.class", "not really a class");
        Write("payments/out/application.properties", $"gateway.api-key={LiveKey}\n");

        var result = await RunAsync(Wrapped("java -cp payments/out:payments/lib/* PaymentsSvc"));

        var found = Assert.Single(result.Findings, f => f.Rule == PassiveRules.ConfigSecret);
        Assert.Equal((Severity.High, "api"), (found.Severity, found.Component));
        Assert.EndsWith("application.properties:1", found.Location, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_django_settings_file_is_read_as_config_and_other_python_code_and_environment_reads_are_not()
    {
        // ex16: a vendor key in courier/settings_local.py, behind a gunicorn start, was never read (.py was not config).
        Write("kitchen/pantry/wsgi.py", "application = None\n");
        Write("kitchen/pantry/settings_local.py", $"DEBUG = False\nSMS_API_KEY = \"{LiveKey}\"\n");
        Write("kitchen/pantry/settings.py", "SECRET_KEY = os.environ[\"DJANGO_SECRET_KEY\"]\nDATABASE_PASSWORD = os.environ.get(\"PGPASSWORD\")\n");
        Write("kitchen/pantry/views.py", $"TOKEN_IN_A_TEST_FIXTURE = \"{LiveKey}\"\n");

        var result = await RunAsync(Wrapped("sh -c \"cd kitchen && python3 manage.py migrate --noinput && exec gunicorn pantry.wsgi -b 127.0.0.1:1\""));

        var found = Assert.Single(result.Findings, f => f.Rule == PassiveRules.ConfigSecret);
        Assert.Equal((Severity.High, "api"), (found.Severity, found.Component));
        Assert.EndsWith("settings_local.py:2", found.Location, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("pantry/settings.py", true)]
    [InlineData("pantry/settings_local.py", true)]
    [InlineData("app/local_settings.py", true)]
    [InlineData("src/config.production.js", true)]
    [InlineData("config/database.rb", true)]
    [InlineData("wp-config.php", true)]
    [InlineData("webpack.config.js", false)]
    [InlineData("tests/test_settings.py", false)]
    [InlineData("pantry/views.py", false)]
    [InlineData("config.example.js", false)]
    public void Settings_written_as_code_are_told_by_their_names(string path, bool settings) =>
        Assert.Equal(settings, SecretsCheck.IsSettingsCode(path));

    [Fact]
    public async Task A_started_component_whose_config_folder_cannot_be_told_is_named_not_passed_in_silence()
    {
        var result = await RunAsync(Wrapped("docker run --rm -p 1:8080 registry.example/api:1"));

        var note = Assert.Single(result.Findings, f => f.Rule == PassiveRules.ConfigSecret);
        Assert.Equal((Severity.Info, "api"), (note.Severity, note.Component));
        Assert.StartsWith("api's deployed config was not scanned: its run command (docker run", note.Message, StringComparison.Ordinal);
        Assert.Contains("security.configPaths", note.Hint, StringComparison.Ordinal);
        Assert.Equal(CheckStatus.Pass, result.Status);
    }

    [Fact]
    public async Task Of_a_dotnet_programs_content_root_only_its_appsettings_are_read_not_every_file_of_the_folder()
    {
        // ci65: the shop's tests run it from a copy of its folder, whose archgate.yaml (the secrets' test defaults) was
        // read as the deployed config of all five services.
        Write("claims/bin/out/claims.dll", "not really a dll");
        Write("claims/appsettings.json", $"{{ \"Gateway\": {{ \"ApiKey\": \"{LiveKey}\" }} }}");
        Write("claims/other.yaml", $"gateway:\n  apiKey: \"{LiveKey}\"\n");

        var result = await RunAsync(Wrapped("sh -c 'cd claims && exec dotnet bin/out/claims.dll'"));

        var found = result.Findings.Where(f => f.Rule == PassiveRules.ConfigSecret && f.Severity == Severity.High).ToList();
        Assert.Contains(found, f => f.Location!.Contains("appsettings.json", StringComparison.Ordinal));
        Assert.DoesNotContain(found, f => f.Location!.Contains("other.yaml", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_database_started_as_a_program_on_the_path_is_no_unscanned_config()
    {
        // ex12's review: postgres -D data names no program file, but a database has no deployed config of the team's.
        Deploy("appsettings.json", "{}");
        var result = await RunAsync(Manifest(extra: """
              - name: db
                kind: database
                connection: "Host=127.0.0.1;Port=1;Username=u;Password=p;Database=d"
                run: { command: postgres -D data -p 1, ready: { tcp: 1 } }
            """));

        Assert.DoesNotContain(result.Findings, f => f.Rule == PassiveRules.ConfigSecret && f.Component == "db");
    }

    [Fact]
    public async Task A_key_named_by_its_section_is_a_secret_and_one_that_names_a_setting_is_not()
    {
        // ASP.NET Core reads {"Jwt": {"Key": ...}} as Jwt:Key: the key's own name says nothing, its section does.
        Deploy("appsettings.json", $"{{\n  \"Jwt\": {{\n    \"Issuer\": \"claims\",\n    \"KeyId\": \"k1\",\n    \"Key\": \"{JwtKey}\"\n  }},\n  \"Cache\": {{ \"Key\": \"claims-v1\" }}\n}}\n");

        var result = await RunAsync(Manifest());

        var finding = Assert.Single(result.Findings, f => f.Rule == PassiveRules.ConfigSecret);
        Assert.Equal(Severity.Medium, finding.Severity);
        Assert.Contains("high-entropy value of Jwt:Key in api's deployed config (appsettings.json, line 5)", finding.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("0b7c", finding.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_yaml_key_named_by_its_section_is_a_secret_too()
    {
        // Spring's application.yml beside the jar: jwt.key is read as one key; its own name ("key") says nothing.
        Write("payments/app.jar", "not really a jar");
        Write("payments/application.yml", $"server:\n  port: 8080\njwt:\n  issuer: payments\n  key: {JwtKey}\ncache:\n  key: payments-v1\n");

        var result = await RunAsync(Wrapped("java -jar payments/app.jar"));

        var finding = Assert.Single(result.Findings, f => f.Rule == PassiveRules.ConfigSecret);
        Assert.Contains("high-entropy value of jwt:key in api's deployed config (application.yml, line 5)", finding.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(JwtKey, finding.Evidence + finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_value_of_a_secret_the_manifest_declares_is_found_in_config_under_any_name()
    {
        Deploy("appsettings.json", $"{{\n  \"Auth\": {{\n    \"Material\": \"{JwtKey}\"\n  }}\n}}\n");

        var result = await RunAsync(Manifest(extra: $"security:\n  signingKey: {{ secret: '{JwtKey}' }}"));

        var finding = Assert.Single(result.Findings, f => f.Rule == PassiveRules.ConfigSecret);
        Assert.Equal(Severity.High, finding.Severity);
        Assert.Contains("the value of a secret the manifest declares in api's deployed config (appsettings.json, line 3)", finding.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(JwtKey, finding.Evidence + finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_and_restore_output_below_the_config_folder_is_not_deployed_config()
    {
        // dotnet run from claims/: NuGet's restore files name packages (Microsoft.IdentityModel.Tokens: 8.14.0) and
        // bin/ holds copies; none of it is the deployed config. The project's own appsettings.json still is.
        Write("claims/claims.csproj", "<Project Sdk=\"Microsoft.NET.Sdk.Web\" />");
        Write("claims/appsettings.json", "{ \"Logging\": { \"LogLevel\": { \"Default\": \"Information\" } } }");
        const string assets = "{\n  \"targets\": {\n    \"net10.0\": {\n      \"Microsoft.IdentityModel.Tokens/8.14.0\": {\n        \"dependencies\": { \"Microsoft.IdentityModel.Tokens\": \"8.14.0\" },\n        \"compile\": { \"lib/net9.0/Microsoft.IdentityModel.Tokens.dll\": {} }\n      }\n    }\n  }\n}\n";
        Write("claims/obj/project.assets.json", assets);
        Write("claims/obj/claims.csproj.nuget.dgspec.json", "{ \"dependencies\": { \"Microsoft.AspNetCore.Authentication.BearerToken\": { \"target\": \"Package\" } } }");
        Write("claims/bin/Debug/net10.0/appsettings.Development.json", $"{{ \"ApiKey\": \"{LiveKey}\" }}");
        Write("claims/packages.lock.json", assets);

        var result = await RunAsync(Wrapped("dotnet run --project claims/claims.csproj"));

        Assert.Empty(result.Findings);
        Assert.Contains(result.Metrics, m => m.Name == "security_secrets_files_scanned" && m.Value == 2); // manifest + appsettings.json
    }
}

using System.Text.Json;
using Archgate.Checks.Security;
using Archgate.Checks.Security.Sarif;
using Archgate.Protocol;
using Json.Schema;

namespace Archgate.Checks.Tests.Security.Sarif;

public sealed class SarifReporterTests
{
    private static RunRecord Run(params CheckResult[] checks) => new()
    {
        RunId = "20261203-120000-abcd",
        System = "shop",
        ManifestPath = "/srv/shop/archgate.yaml",
        ManifestSha256 = "x",
        StartedAt = new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero),
        FinishedAt = new DateTimeOffset(2026, 12, 3, 12, 1, 0, TimeSpan.Zero),
        Steps =
        [
            new StepResult { Number = 2, Name = "API contract validation", Status = CheckStatus.Fail, Checks = [new CheckResult { Id = "contracts", Status = CheckStatus.Fail, Findings = [new Finding { Rule = "AG2001", Severity = Severity.High, Message = "not security" }] }] },
            new StepResult { Number = 9, Name = "Security", Status = CheckStatus.Fail, Checks = checks },
        ],
    };

    private static readonly CheckResult Passive = new()
    {
        Id = "security.passive",
        Status = CheckStatus.Fail,
        Findings =
        [
            new Finding { Rule = PassiveRules.StackTrace, Severity = Severity.Medium, Component = "api", Location = "POST /orders", Message = "/orders: the 500 answer shows a stack trace", Evidence = "POST http://127.0.0.1:7101/orders -> 500; at Shop.Orders.Place(Order o)", Hint = "answer with a problem" },
            new Finding { Rule = PassiveRules.HeadersAbsent, Severity = Severity.High, Component = "web", Location = "http://127.0.0.1:7001/", Message = "no security header \u001b[31m" },
            new Finding { Rule = PassiveRules.ConfigSecret, Severity = Severity.High, Component = "payments", Location = "/srv/shop/bin/Shop.Payments/appsettings.Secrets.json:4", Message = "Stripe-style live secret key", Evidence = "sk_live_*** (52 chars)" },
            new Finding { Rule = PassiveRules.ManifestSecret, Severity = Severity.Low, Location = "archgate.yaml:39:74 security.identities[0].password", Message = "literal value of password", Evidence = "password: *** (4 chars)" },
        ],
    };

    private static readonly CheckResult Probe = new()
    {
        Id = "security.auth",
        Status = CheckStatus.Fail,
        Findings = [new Finding { Rule = "AG9001", Severity = Severity.Critical, Component = "api", Location = "GET /admin/orders", Message = "GET /admin/orders answers 200 without credentials", Hint = "require authentication" }],
    };

    private static async Task<JsonDocument> WriteAsync(RunRecord run)
    {
        using var stream = new MemoryStream();
        await new SarifReporter().WriteAsync(run, stream, CancellationToken.None);
        return JsonDocument.Parse(stream.ToArray());
    }

    private static JsonSchema Schema()
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Security", "Sarif", "Schema", "sarif-schema-2.1.0.json"))
            .Replace("\"$schema\": \"http://json-schema.org/draft-04/schema#\"", "\"$schema\": \"http://json-schema.org/draft-07/schema#\"", StringComparison.Ordinal)
            .Replace("\n  \"id\": \"https://docs.oasis-open.org", "\n  \"$id\": \"https://docs.oasis-open.org", StringComparison.Ordinal);
        using var document = JsonDocument.Parse(text);
        return JsonSchema.Build(document.RootElement.Clone(), new BuildOptions { SchemaRegistry = new SchemaRegistry() });
    }

    [Fact]
    public async Task Step_6s_third_party_secrets_which_step_9_does_not_repeat_are_in_the_log_too()
    {
        var record = Run(Probe);
        var secrets = new CheckResult
        {
            Id = "third-party.secrets",
            Status = CheckStatus.Fail,
            Findings = [new Finding { Rule = "AG6040", Severity = Severity.High, Component = "payments", Location = "/srv/shop/bin/Shop.Payments/appsettings.json:7", Message = "Stripe-style live secret key in payments's deployed config", Evidence = "sk_live_*** (52 chars)" }],
        };
        var timeouts = new CheckResult { Id = "third-party.timeout:api->email", Status = CheckStatus.Fail, Findings = [new Finding { Rule = "AG6010", Severity = Severity.High, Message = "not security" }] };
        record = record with { Steps = [.. record.Steps, new StepResult { Number = 6, Name = "Third-party", Status = CheckStatus.Fail, Checks = [secrets, timeouts] }] };

        using var sarif = await WriteAsync(record);

        var results = sarif.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray().Select(r => r.GetProperty("ruleId").GetString()).ToList();
        Assert.Equal(["AG9001", "AG6040"], results);
    }

    [Fact]
    public async Task The_log_is_valid_SARIF_2_1_0_with_every_step_9_finding_and_nothing_else()
    {
        using var sarif = await WriteAsync(Run(Probe, Passive));

        var result = Schema().Evaluate(sarif.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        Assert.True(result.IsValid, string.Join("\n", (result.Details ?? []).Where(d => d.Errors is { Count: > 0 }).Select(d => $"{d.InstanceLocation}: {string.Join("; ", d.Errors!.Values)}")));

        var run = sarif.RootElement.GetProperty("runs")[0];
        Assert.Equal("2.1.0", sarif.RootElement.GetProperty("version").GetString());
        var results = run.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(5, results.Count);
        Assert.DoesNotContain(results, r => r.GetProperty("ruleId").GetString() == "AG2001");
        var rules = run.GetProperty("tool").GetProperty("driver").GetProperty("rules").EnumerateArray().Select(r => r.GetProperty("id").GetString()).ToList();
        Assert.Equal(["AG9001", "AG9065", "AG9071", "AG9080", "AG9081"], rules);
        foreach (var r in results)
        {
            Assert.Equal(r.GetProperty("ruleId").GetString(), rules[r.GetProperty("ruleIndex").GetInt32()]);
            Assert.True(r.GetProperty("locations")[0].TryGetProperty("physicalLocation", out _));
        }
    }

    [Fact]
    public async Task Rules_carry_their_catalogue_metadata_and_unknown_rules_are_described_from_their_findings()
    {
        using var sarif = await WriteAsync(Run(Probe, Passive));
        var rules = sarif.RootElement.GetProperty("runs")[0].GetProperty("tool").GetProperty("driver").GetProperty("rules").EnumerateArray().ToDictionary(r => r.GetProperty("id").GetString()!);

        var trace = rules["AG9065"];
        Assert.Equal("stack-trace", trace.GetProperty("name").GetString());
        Assert.Equal("warning", trace.GetProperty("defaultConfiguration").GetProperty("level").GetString());
        Assert.Equal(["security", "API8:2023 Security Misconfiguration", "external/cwe/cwe-209"], trace.GetProperty("properties").GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("5.5", trace.GetProperty("properties").GetProperty("security-severity").GetString());
        Assert.Equal(90022, trace.GetProperty("properties").GetProperty("zapAlertId").GetInt32());
        Assert.Contains("ZAP alert 90022", trace.GetProperty("help").GetProperty("markdown").GetString(), StringComparison.Ordinal);

        var probe = rules["AG9001"];
        Assert.Equal("GET /admin/orders answers 200 without credentials", probe.GetProperty("shortDescription").GetProperty("text").GetString());
        Assert.Equal("require authentication", probe.GetProperty("help").GetProperty("text").GetString());
        Assert.Equal("9.5", probe.GetProperty("properties").GetProperty("security-severity").GetString());
    }

    [Fact]
    public async Task Locations_are_urls_files_with_lines_or_operations_with_their_request()
    {
        using var sarif = await WriteAsync(Run(Passive));
        var results = sarif.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray().ToList();

        var trace = results[0];
        Assert.Equal("warning", trace.GetProperty("level").GetString());
        Assert.Equal("http://127.0.0.1:7101/orders", trace.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("artifactLocation").GetProperty("uri").GetString());
        Assert.Equal("api:POST /orders", trace.GetProperty("locations")[0].GetProperty("logicalLocations")[0].GetProperty("fullyQualifiedName").GetString());
        Assert.Equal("POST", trace.GetProperty("webRequest").GetProperty("method").GetString());
        Assert.Equal(500, trace.GetProperty("webResponse").GetProperty("statusCode").GetInt32());
        Assert.Equal("api", trace.GetProperty("properties").GetProperty("component").GetString());

        Assert.Equal("http://127.0.0.1:7001/", results[1].GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("artifactLocation").GetProperty("uri").GetString());
        Assert.Equal("no security header \\e[31m", results[1].GetProperty("message").GetProperty("text").GetString()); // control characters escaped

        var secret = results[2].GetProperty("locations")[0].GetProperty("physicalLocation");
        Assert.Equal("file:///srv/shop/bin/Shop.Payments/appsettings.Secrets.json", secret.GetProperty("artifactLocation").GetProperty("uri").GetString());
        Assert.Equal(4, secret.GetProperty("region").GetProperty("startLine").GetInt32());
        Assert.Equal("sk_live_*** (52 chars)", results[2].GetProperty("properties").GetProperty("evidence").GetString());

        var manifest = results[3].GetProperty("locations")[0].GetProperty("physicalLocation");
        Assert.Equal("archgate.yaml", manifest.GetProperty("artifactLocation").GetProperty("uri").GetString());
        Assert.Equal("MANIFESTROOT", manifest.GetProperty("artifactLocation").GetProperty("uriBaseId").GetString());
        Assert.Equal((39, 74), (manifest.GetProperty("region").GetProperty("startLine").GetInt32(), manifest.GetProperty("region").GetProperty("startColumn").GetInt32()));
        Assert.Equal("file:///srv/shop/", sarif.RootElement.GetProperty("runs")[0].GetProperty("originalUriBaseIds").GetProperty("MANIFESTROOT").GetProperty("uri").GetString());
    }

    [Fact]
    public async Task A_run_without_step_9_findings_is_a_valid_empty_log()
    {
        using var sarif = await WriteAsync(Run(new CheckResult { Id = "security.passive", Status = CheckStatus.Pass }));

        Assert.True(Schema().Evaluate(sarif.RootElement, new EvaluationOptions { RequireFormatValidation = true }).IsValid);
        Assert.Equal(0, sarif.RootElement.GetProperty("runs")[0].GetProperty("results").GetArrayLength());
    }

    [Fact]
    public async Task An_invalid_log_fails_the_schema()
    {
        // The schema check can fail: a result without a message is not SARIF.
        using var sarif = await WriteAsync(Run(Passive));
        var node = System.Text.Json.Nodes.JsonNode.Parse(sarif.RootElement.GetRawText())!;
        node["runs"]![0]!["results"]![0]!.AsObject().Remove("message");
        using var broken = JsonDocument.Parse(node.ToJsonString());

        Assert.False(Schema().Evaluate(broken.RootElement, new EvaluationOptions()).IsValid);
    }
}

using System.Text.Json;

namespace Archgate.EndToEnd.Tests.Cli;

/// <summary>
/// A finished 'archgate run --steps 6' on the shop, and what each third-party fault switch must leave in it: the same
/// verdicts and evidence whichever switches share the launch (<see cref="ShopThirdPartyTests"/>).
/// </summary>
internal sealed class Step6Run(ProcessResult result, JsonDocument run, string runFolder) : IDisposable
{
    public ProcessResult Result => result;

    public JsonDocument Run => run;

    public string RunFolder => runFolder;

    public JsonElement Step => run.RootElement.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("number").GetInt32() == 6);

    public List<JsonElement> Findings =>
        [.. Step.GetProperty("checks").EnumerateArray().SelectMany(c => c.TryGetProperty("findings", out var f) ? f.EnumerateArray() : Enumerable.Empty<JsonElement>())];

    public static string Text(JsonElement finding, string property) =>
        finding.TryGetProperty(property, out var value) ? value.GetString() ?? string.Empty : string.Empty;

    /// <summary>The run's verdict is NO-GO, exit code 4, step 6 failed.</summary>
    public void IsNoGo()
    {
        Assert.Equal("fail", Step.GetProperty("status").GetString());
        Assert.Equal("NO-GO", run.RootElement.GetProperty("verdict").GetString());
        Assert.True(result.ExitCode == 4, result.All);
    }

    /// <summary>email-no-queue: the mail the api took during an outage of the e-mail provider never went out (SendGrid's API).</summary>
    public void EmailNoQueue(string within)
    {
        var lost = Assert.Single(Findings, f => Text(f, "rule") == "AG6030");
        Assert.Equal("critical", Text(lost, "severity"));
        Assert.StartsWith("api → email: the work api took during", Text(lost, "message"), StringComparison.Ordinal);
        Assert.Contains("POST /v3/mail/send (no Idempotency-Key)", Text(lost, "evidence"), StringComparison.Ordinal);
        Assert.Contains($"no call completed within {within} after the fault went", Text(lost, "evidence"), StringComparison.Ordinal);
        Assert.DoesNotContain(Findings, f => Text(f, "rule") == "AG6030" && Text(f, "message").StartsWith("payments", StringComparison.Ordinal));
    }

    /// <summary>email-invalid with SendGrid's API: the stub took every mail without a sender; SendGrid's published contract would not.</summary>
    public void EmailInvalidForSendGrid()
    {
        var rejected = Assert.Single(Findings, f => Text(f, "rule") == "AG6080");
        Assert.StartsWith("api → email: POST /v3/mail/send breaks the vendor's contract", Text(rejected, "message"), StringComparison.Ordinal);
        Assert.Contains("$.from: required property 'from' is missing", Text(rejected, "message"), StringComparison.Ordinal);
        Assert.Contains("sendgrid-mail-send.yaml#/paths/~1v3~1mail~1send/post/requestBody/content/application~1json/schema/required", Text(rejected, "evidence"), StringComparison.Ordinal);
        Assert.Contains("Authorization: Bearer ***", Text(rejected, "evidence"), StringComparison.Ordinal);
        Assert.DoesNotContain("em_test_archgate", Text(rejected, "evidence"), StringComparison.Ordinal);
    }

    /// <summary>email-invalid with Mailgun's form API: the missing <c>from</c>, in Mailgun's document, the key masked.</summary>
    public void EmailInvalidForMailgun()
    {
        var rejected = Assert.Single(Findings, f => Text(f, "rule") == "AG6080");
        Assert.StartsWith("api → email: POST /v3/{domain_name}/messages breaks the vendor's contract", Text(rejected, "message"), StringComparison.Ordinal);
        Assert.Contains("$.from: required property 'from' is missing", Text(rejected, "message"), StringComparison.Ordinal);
        Assert.Contains("mailgun-messages.yaml#/components/schemas/send_message/required", Text(rejected, "evidence"), StringComparison.Ordinal);
        Assert.Contains("Authorization: Basic ***", Text(rejected, "evidence"), StringComparison.Ordinal);
        Assert.Contains("application/x-www-form-urlencoded", Text(rejected, "evidence"), StringComparison.Ordinal);
        Assert.DoesNotContain("em_test_archgate", Text(rejected, "evidence"), StringComparison.Ordinal);
    }

    /// <summary>double-charge: payments stamps a new Idempotency-Key per attempt, so each retry of a charge whose answer was lost charges again.</summary>
    public void DoubleCharge()
    {
        var doubled = Assert.Single(Findings, f => Text(f, "rule") == "AG6090");
        Assert.Equal("critical", Text(doubled, "severity"));
        Assert.Equal("payments", Text(doubled, "component"));
        Assert.Matches(@"^payments → gateway: gateway's ledger holds [2-9] charges for one operation \(pay_\w+ in round \d, answers lost, [2-9] Idempotency-Key\(s\)\): a double charge$", Text(doubled, "message"));
        var evidence = Text(doubled, "evidence");
        Assert.Contains("rows of the operations charged more than once", evidence, StringComparison.Ordinal);
        Assert.Matches("\"reference\":\"pay_\\w+\".*\"idempotencyKey\":\"pay_", evidence);
        Assert.Contains("answers lost, error status 503 instead (the dependency answered 202)", evidence, StringComparison.Ordinal);
        Assert.Contains(Findings, f => Text(f, "rule") == "AG6024" && Text(f, "message").StartsWith("payments → gateway", StringComparison.Ordinal));
        Assert.DoesNotContain(Findings, f => Text(f, "rule") == "AG6030" && Text(f, "message").StartsWith("payments", StringComparison.Ordinal));
        Assert.DoesNotContain("sk_test_archgate_gateway", result.All + evidence, StringComparison.Ordinal);
    }

    /// <summary>no-retry: payments' only resends are its queue's, at a fixed pace: no backoff, with the charges' timeline; the api's e-mail retries are not blamed.</summary>
    public void NoRetry()
    {
        var backoff = Findings.First(f => Text(f, "rule") is "AG6021" or "AG6022" && Text(f, "message").StartsWith("payments → gateway", StringComparison.Ordinal));
        Assert.Contains("/gateway/v1/charges key pay_", Text(backoff, "evidence"), StringComparison.Ordinal);
        Assert.DoesNotContain(Findings, f => Text(f, "rule") is "AG6021" or "AG6022" && Text(f, "message").StartsWith("api → email", StringComparison.Ordinal));
    }

    /// <summary>webhook-unsigned: payments took the provider's callbacks with a bad signature.</summary>
    public void WebhookUnsigned() =>
        Assert.Contains(Findings, f => Text(f, "rule") == "AG6051" && Text(f, "severity") == "critical");

    /// <summary>oauth-down: a sign-in outage, with what it takes down, not blamed on the api (which answered 503 and kept its password login).</summary>
    public void OauthDown()
    {
        var outage = Assert.Single(Findings, f => Text(f, "rule") == "AG6001" && Text(f, "component") == "signin");
        Assert.Equal("critical", Text(outage, "severity"));
        Assert.Contains("signin (OpenID Connect sign-in) did not answer (timeout) for its discovery document", Text(outage, "message"), StringComparison.Ordinal);
        Assert.Contains("affected: sign-in with signin at api, web; api degraded gracefully: /auth/oidc answered 503", Text(outage, "message"), StringComparison.Ordinal);
        Assert.Contains("the password login works", Text(outage, "message"), StringComparison.Ordinal);
        Assert.DoesNotContain(Findings, f => Text(f, "component") == "api" && (Text(f, "rule") == "AG6010" || Text(f, "rule").StartsWith("AG606", StringComparison.Ordinal)));
    }

    /// <summary>analytics-blocking: with the collector down the page waits on it; a screenshot of it in the run's folder.</summary>
    public void AnalyticsBlocking()
    {
        var waits = Assert.Single(Findings, f => Text(f, "rule") == "AG6072");
        Assert.StartsWith("web → analytics: with analytics down, / showed", Text(waits, "message"), StringComparison.Ordinal);
        var shot = Text(waits, "evidence").Split("screenshot ")[1].Trim();
        Assert.True(File.Exists(Path.Combine(runFolder, shot)), Text(waits, "evidence"));
    }

    /// <summary>
    /// gateway-timeout: the gateway accepts payments' charges and never answers, before any fault was injected: a real
    /// outage, with the components it takes down, and the callers are not blamed for timeouts they could not prove.
    /// </summary>
    public void GatewayTimeout()
    {
        var outage = Findings.First(f => Text(f, "rule") == "AG6001" && Text(f, "message").StartsWith("third-party outage: gateway", StringComparison.Ordinal));
        Assert.Contains("accepted the calls and never answered", Text(outage, "message"), StringComparison.Ordinal);
        Assert.Contains("affected: payments, api", Text(outage, "message"), StringComparison.Ordinal);
        Assert.Equal("critical", Text(outage, "severity"));
        Assert.Contains("reached the proxy, none answered within", Text(outage, "evidence"), StringComparison.Ordinal);
        Assert.DoesNotContain(Findings, f => Text(f, "rule") is "AG6010" or "AG6011" or "AG6021" or "AG6022" or "AG6030");
    }

    /// <summary>
    /// plaintext-secret: the key payments uses sits in its deployed config folder (<paramref name="configFolder"/>), found
    /// there and masked; the manifest's keys are listed by where they came from (here the manifest's test-mode defaults), never their values.
    /// </summary>
    public void PlaintextSecret(string configFolder)
    {
        Assert.True(File.Exists(Path.Combine(configFolder, "appsettings.Secrets.json")), "payments did not plant its config file");
        var planted = Assert.Single(Findings, f => Text(f, "rule") == "AG6040" && Text(f, "severity") is "high" or "critical");
        Assert.Equal("payments", Text(planted, "component"));
        Assert.Contains("appsettings.Secrets.json", Text(planted, "location") + Text(planted, "message"), StringComparison.Ordinal);
        Assert.Contains("environment or a secret store", Text(planted, "hint"), StringComparison.Ordinal);
        const string LiveKey = "sk_live_51HkQ2aPlaintextSecretCommittedByMistake0000";
        Assert.DoesNotContain(LiveKey, result.All, StringComparison.Ordinal);
        Assert.DoesNotContain(LiveKey, File.ReadAllText(Path.Combine(runFolder, "run.json")), StringComparison.Ordinal);

        var sources = Assert.Single(Findings, f => Text(f, "rule") == "AG6042");
        Assert.Contains("payments SHOP_GATEWAY_API_KEY: manifest default SHOP_GATEWAY_API_KEY", Text(sources, "evidence"), StringComparison.Ordinal);
        Assert.Contains(Findings, f => Text(f, "rule") == "AG6041" && Text(f, "severity") == "low" && Text(f, "message").StartsWith("payments: SHOP_GATEWAY_API_KEY took the manifest's default", StringComparison.Ordinal));
    }

    public void Dispose() => run.Dispose();
}

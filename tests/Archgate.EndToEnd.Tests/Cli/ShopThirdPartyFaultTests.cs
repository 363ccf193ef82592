using System.Text.Json;

namespace Archgate.EndToEnd.Tests.Cli;

/// <summary>
/// Every third-party fault switch of the shop fails the check that must catch it, with its evidence, on each database
/// the shop runs on: ShopThirdPartyTests (SQLite) and ShopThirdPartyPostgresTests (PostgreSQL) run these tests, each
/// with its own database. Switches that do not interfere share a launch (a step 6 run costs 2-3 minutes): three
/// launches cover the eleven. Each switch's assertions live in <see cref="Step6Run"/>, the same whatever shares the launch.
/// </summary>
public abstract class ShopThirdPartyFaultTests : CliTestBase
{
    /// <summary>Points the shop's stores (SHOP_DB, and SHOP_PAYMENTS_DB where the engine serves both) at this test's database.</summary>
    protected abstract Task UseDatabaseAsync();

    /// <summary>
    /// Asserts that the shop ran on this test's database: the api migrated it. Not its orders: a NO-GO run restores the
    /// databases to their snapshot from before step 6 (P-RECOVERY), and step 6's orders go with it.
    /// </summary>
    protected abstract Task AssertShopMigratedAsync();

    internal async Task<Step6Run> RunStep6Async(string faults, string? manifest = null)
    {
        manifest ??= ShopManifest.Write(Folder);
        await UseDatabaseAsync();
        Environment["SHOP_FAULTS"] = faults;
        var result = await ArchgateProcess.RunAsync(Folder, Environment, "run", manifest, "--up", "--steps", "6");
        await AssertShopMigratedAsync();
        var runFolder = Path.Combine(Folder, ".archgate", "runs", RunIdFrom(result.Stdout));
        return new Step6Run(result, JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(runFolder, "run.json"))), runFolder);
    }

    [Fact]
    public async Task Email_no_queue_email_invalid_no_retry_webhook_unsigned_oauth_down_and_analytics_blocking_are_each_found_in_one_NO_GO_run()
    {
        // Each switch touches another edge or check: the api's mails (lost; sent without a sender), payments' charges (no
        // retry), payments' webhooks (unsigned ones taken), the api's sign-in provider (down), the web's analytics (waited on).
        using var run = await RunStep6Async("email-no-queue,email-invalid,no-retry,webhook-unsigned,oauth-down,analytics-blocking");

        run.EmailNoQueue(within: string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{ShopManifest.FallbackWithinSeconds}.00 s"));
        run.EmailInvalidForSendGrid();
        run.NoRetry();
        run.WebhookUnsigned();
        run.OauthDown();
        run.AnalyticsBlocking();
        run.IsNoGo();
    }

    [Fact]
    public async Task Double_charge_and_email_invalid_in_Mailgun_mode_are_NO_GO_with_the_ledger_rows_and_the_missing_from_in_Mailguns_contract()
    {
        // The api sends Mailgun's form API (SHOP_EMAIL_API=mailgun) and the e-mail provider names Mailgun's document;
        // double-charge is payments' defect, on the gateway's edge.
        var manifest = ShopManifest.Write(Folder);
        var text = await File.ReadAllTextAsync(manifest);
        foreach (var (from, to) in new[]
        {
            ("/vendors/sendgrid-mail-send.yaml", "/vendors/mailgun-messages.yaml"),
            ("        SHOP_EMAIL_URL: \"${url:email}\"", "        SHOP_EMAIL_URL: \"${url:email}\"\n        SHOP_EMAIL_API: mailgun"),
        })
        {
            Assert.Contains(from, text, StringComparison.Ordinal); // the sample changed: mend this test
            text = text.Replace(from, to, StringComparison.Ordinal);
        }

        await File.WriteAllTextAsync(manifest, text);
        using var run = await RunStep6Async("double-charge,email-invalid", manifest);

        run.DoubleCharge();
        run.EmailInvalidForMailgun();
        run.IsNoGo();
    }

    [Fact]
    public async Task Gateway_timeout_and_plaintext_secret_are_NO_GO_for_the_real_outage_and_the_key_in_deployed_config()
    {
        // payments' deployed config folder in this test's own folder: plaintext-secret plants its file there.
        var config = Directory.CreateDirectory(Path.Combine(Folder, "payments-config")).FullName;
        var manifest = ShopManifest.Write(Folder);
        var text = await File.ReadAllTextAsync(manifest);
        var anchor = "        SHOP_GATEWAY_URL: \"${url:gateway}\"";
        Assert.Contains(anchor, text, StringComparison.Ordinal);
        await File.WriteAllTextAsync(manifest, text.Replace(anchor, $"        SHOP_CONFIG_DIR: \"{config}\"\n{anchor}", StringComparison.Ordinal));

        using var run = await RunStep6Async("gateway-timeout,plaintext-secret", manifest);

        run.GatewayTimeout();
        run.PlaintextSecret(config);
        run.IsNoGo();
    }
}

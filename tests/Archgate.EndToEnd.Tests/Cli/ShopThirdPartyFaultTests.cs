using System.Text.Json;

namespace Archgate.EndToEnd.Tests.Cli;

/// <summary>
/// Every third-party fault switch of the shop fails the check that must catch it, with its evidence. Switches that do
/// not interfere share a launch (a step 6 run costs 2-3 minutes): three launches cover the eleven. The launch of six
/// switches here runs on each database the shop runs on (ShopThirdPartyTests on SQLite, ShopThirdPartyPostgresTests on
/// PostgreSQL); the other two run on SQLite only (<see cref="ShopThirdPartyTests"/>): a switch changes what the shop
/// sends or accepts over HTTP, not how it stores, and Archgate judges the proxies' records and the providers' ledgers,
/// never the database, so a second engine would repeat the same verdicts at 2 minutes each. Each switch's assertions
/// live in <see cref="Step6Run"/>, the same whatever shares the launch.
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
}

namespace Shop.Tests.Infrastructure;

/// <summary>Test-mode keys the tests hand to the processes (as archgate.yaml does with its defaults).</summary>
public static class TestKeys
{
    public const string GatewayApiKey = "sk_test_shop_tests";
    public const string WebhookSecret = "whsec_test_shop_tests";
    public const string EmailApiKey = "em_test_shop_tests";
}

/// <summary>Settings of one api process.</summary>
public sealed record ApiOptions
{
    public required string Db { get; init; }
    public required Uri PaymentsUrl { get; init; }

    /// <summary>Further payments instances after <see cref="PaymentsUrl"/> (SHOP_PAYMENTS_URL is then a comma-separated list).</summary>
    public IReadOnlyList<Uri> MorePayments { get; init; } = [];
    public required Uri EmailUrl { get; init; }
    public string Faults { get; init; } = "";
    public string WebOrigin { get; init; } = "http://127.0.0.1:7001";
    public string EmailApi { get; init; } = "";

    /// <summary>SHOP_EMAIL_RETRY_AFTER_MS: how long an unsent mail waits in the outbox; null: the api's default (10 s).</summary>
    public int? EmailRetryAfterMs { get; init; }
}

/// <summary>Starts the shop's processes with the environment each expects.</summary>
public static class ShopStack
{
    public static Task<ShopProcess> ThirdPartyAsync(string faults = "", int? port = null, int confirmDelayMs = 200) =>
        ShopProcess.StartAsync("Shop.ThirdParty", new Dictionary<string, string?>
        {
            ["SHOP_FAULTS"] = faults,
            ["SHOP_GATEWAY_API_KEY"] = TestKeys.GatewayApiKey,
            ["SHOP_GATEWAY_WEBHOOK_SECRET"] = TestKeys.WebhookSecret,
            ["SHOP_EMAIL_API_KEY"] = TestKeys.EmailApiKey,
            ["SHOP_GATEWAY_CONFIRM_DELAY_MS"] = confirmDelayMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, port);

    public static Task<ShopProcess> PaymentsAsync(Uri gateway, string faults = "", int? port = null, string? configDirectory = null, string? store = null) =>
        ShopProcess.StartAsync("Shop.Payments", new Dictionary<string, string?>
        {
            ["SHOP_FAULTS"] = faults,
            ["SHOP_GATEWAY_URL"] = gateway.ToString(),
            ["SHOP_GATEWAY_API_KEY"] = TestKeys.GatewayApiKey,
            ["SHOP_GATEWAY_WEBHOOK_SECRET"] = TestKeys.WebhookSecret,
            ["SHOP_CONFIG_DIR"] = configDirectory,
            ["SHOP_PAYMENTS_DB"] = store,
        }, port);

    public static Task<ShopProcess> ApiAsync(ApiOptions options) =>
        ShopProcess.StartAsync("Shop.Api", new Dictionary<string, string?>
        {
            ["SHOP_FAULTS"] = options.Faults,
            ["SHOP_DB"] = options.Db,
            ["SHOP_PAYMENTS_URL"] = string.Join(',', new[] { options.PaymentsUrl }.Concat(options.MorePayments)),
            ["SHOP_EMAIL_URL"] = options.EmailUrl.ToString(),
            ["SHOP_EMAIL_API_KEY"] = TestKeys.EmailApiKey,
            ["SHOP_WEB_ORIGIN"] = options.WebOrigin,
            ["SHOP_EMAIL_API"] = options.EmailApi,
            ["SHOP_EMAIL_RETRY_AFTER_MS"] = options.EmailRetryAfterMs?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

    public static Task<ShopProcess> WebAsync(Uri api, string faults = "", int? port = null) =>
        ShopProcess.StartAsync("Shop.Web", new Dictionary<string, string?>
        {
            ["SHOP_FAULTS"] = faults,
            ["SHOP_API_URL"] = api.ToString().TrimEnd('/'),
        }, port);
}

/// <summary>A temporary folder, removed on dispose.</summary>
public sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("shop-tests-").FullName;

    public string SqliteConnection(string file = "shop.db") => $"Data Source={System.IO.Path.Combine(Path, file)}";

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

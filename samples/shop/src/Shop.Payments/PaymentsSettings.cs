using Shop.Common;

namespace Shop.Payments;

/// <summary>Where the gateway is and how payments authenticates to it and verifies its webhooks.</summary>
/// <param name="GatewayUrl">Root URL of the gateway (default http://127.0.0.1:7301).</param>
/// <param name="GatewayApiKey">The gateway key (SHOP_GATEWAY_API_KEY).</param>
/// <param name="WebhookSecret">The webhook signing secret (SHOP_GATEWAY_WEBHOOK_SECRET).</param>
/// <param name="KeySource"><c>environment</c>, or <c>config-file</c> under the plaintext-secret fault.</param>
/// <param name="PublicUrl">The URL the gateway calls back; null: the address the server is bound to.</param>
internal sealed record PaymentsSettings(Uri GatewayUrl, string GatewayApiKey, string WebhookSecret, string KeySource, Uri? PublicUrl)
{
    /// <summary>SHOP_GATEWAY_RESUBMIT_MS: how often payments the gateway did not take (<c>gateway_pending</c>) are submitted again. <value>3 s</value>.</summary>
    public TimeSpan ResubmitEvery { get; init; } = TimeSpan.FromSeconds(3);

    private const string Hint = "Test mode: the run manifest sets it (see samples/shop/README.md, \"Keys\").";
    private const string SecretsFile = "appsettings.Secrets.json";

    public static PaymentsSettings Load(IConfiguration configuration, FaultSwitches faults, string contentRoot)
    {
        var gatewayUrl = new Uri(configuration["SHOP_GATEWAY_URL"] ?? "http://127.0.0.1:7301");
        var secret = configuration.RequireSetting("SHOP_GATEWAY_WEBHOOK_SECRET", Hint);
        var publicUrl = configuration["SHOP_PAYMENTS_PUBLIC_URL"] is { Length: > 0 } p ? new Uri(p) : null;
        var resubmit = configuration.Milliseconds("SHOP_GATEWAY_RESUBMIT_MS", TimeSpan.FromSeconds(3));
        // The deployed config folder: beside the dll, unless an instance is given its own (tests run several
        // payments processes from one build at once, and one must not remove another's file).
        var configDirectory = configuration["SHOP_CONFIG_DIR"] is { Length: > 0 } dir ? dir : contentRoot;
        Directory.CreateDirectory(configDirectory);
        var planted = Path.Combine(configDirectory, SecretsFile);

        if (faults.IsOn(FaultSwitches.PlaintextSecret))
        {
            // The defect: the key lives in a config file next to the service (copied from the committed
            // fixture samples/shop/faults/plaintext-secret/), not in the environment.
            var fixture = Path.GetFullPath(Path.Combine(contentRoot, "..", "..", "faults", "plaintext-secret", SecretsFile));
            File.Copy(fixture, planted, overwrite: true);
            var fileConfig = new ConfigurationBuilder().AddJsonFile(planted).Build();
            return new PaymentsSettings(gatewayUrl, fileConfig["Gateway:ApiKey"]!, secret, "config-file", publicUrl) { ResubmitEvery = resubmit };
        }

        // Clean start: nothing secret lies in the service's folder.
        File.Delete(planted);
        return new PaymentsSettings(
            gatewayUrl, configuration.RequireSetting("SHOP_GATEWAY_API_KEY", Hint), secret, "environment", publicUrl) { ResubmitEvery = resubmit };
    }
}

using Shop.Common;

namespace Shop.Api;

/// <summary>Where the api finds its neighbours; read from the environment (or --KEY=value arguments).</summary>
/// <param name="PaymentsUrls">
/// SHOP_PAYMENTS_URL: the payments instances, comma-separated (default http://127.0.0.1:7201); each is port 1 under
/// payments-down, where nothing listens.
/// </param>
/// <param name="EmailUrl">SHOP_EMAIL_URL, root of the e-mail provider, default http://127.0.0.1:7301.</param>
/// <param name="EmailApiKey">SHOP_EMAIL_API_KEY, required; the run manifest supplies the test-mode key.</param>
/// <param name="WebOrigin">SHOP_WEB_ORIGIN, the only origin CORS allows, default http://127.0.0.1:7001.</param>
internal sealed record ApiSettings(IReadOnlyList<Uri> PaymentsUrls, Uri EmailUrl, string EmailApiKey, string WebOrigin)
{
    /// <summary>SHOP_EMAIL_API: the provider's API shape, <c>sendgrid</c> (default, <c>POST /v3/mail/send</c>) or <c>mailgun</c> (<c>POST /v3/{domain}/messages</c>).</summary>
    public string EmailApi { get; init; } = "sendgrid";

    /// <summary>SHOP_EMAIL_DOMAIN: the sending domain (Mailgun's path, and the sender's address). <value>shop.example.test</value>.</summary>
    public string EmailDomain { get; init; } = "shop.example.test";

    /// <summary>SHOP_EMAIL_RETRY_AFTER_MS: how long a mail the provider did not take waits in the outbox before it is sent again. <value>10 s</value>.</summary>
    public TimeSpan EmailRetryAfter { get; init; } = TimeSpan.FromSeconds(10);

    public static ApiSettings Load(IConfiguration configuration, FaultSwitches faults) => new(
        [.. (configuration["SHOP_PAYMENTS_URL"] ?? "http://127.0.0.1:7201")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            // payments-down: port 1 on loopback, where nothing listens.
            .Select(u => faults.IsOn(FaultSwitches.PaymentsDown) ? new Uri("http://127.0.0.1:1") : new Uri(u))],
        new Uri(configuration["SHOP_EMAIL_URL"] ?? "http://127.0.0.1:7301"),
        configuration.RequireSetting("SHOP_EMAIL_API_KEY", "Test mode: the run manifest sets it (see samples/shop/README.md, \"Keys\")."),
        (configuration["SHOP_WEB_ORIGIN"] ?? "http://127.0.0.1:7001").TrimEnd('/'))
    {
        EmailApi = (configuration["SHOP_EMAIL_API"] ?? "sendgrid").ToLowerInvariant() switch
        {
            "sendgrid" or "" => "sendgrid",
            "mailgun" => "mailgun",
            var other => throw new InvalidOperationException($"SHOP_EMAIL_API is '{other}'; give sendgrid (the default) or mailgun."),
        },
        EmailDomain = configuration["SHOP_EMAIL_DOMAIN"] is { Length: > 0 } domain ? domain : "shop.example.test",
        EmailRetryAfter = configuration.Milliseconds("SHOP_EMAIL_RETRY_AFTER_MS", TimeSpan.FromSeconds(10)),
    };
}

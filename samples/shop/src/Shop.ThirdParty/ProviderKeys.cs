namespace Shop.ThirdParty;

/// <summary>The keys callers must present and the secret that signs webhooks; all from the environment.</summary>
internal sealed record ProviderKeys(string GatewayApiKey, string WebhookSecret, string EmailApiKey, TimeSpan ConfirmDelay);

namespace Archgate.Checks.ThirdParty;

/// <summary>Rule ids of step 6 (third parties) and of step 4's timeouts and retries; documented in docs/rules.md.</summary>
internal static class ThirdPartyRules
{
    /// <summary>Before any fault was injected, the provider accepted the caller's calls and never answered, or refused the connection: an outage.</summary>
    public const string Outage = "AG6001";

    /// <summary>The provider refused the caller's credentials (401/403): a wrong, revoked or misplaced key, not an outage.</summary>
    public const string Credentials = "AG6002";

    /// <summary>The provider answered the caller's calls with errors (5xx) before any fault was injected.</summary>
    public const string ProviderErrors = "AG6003";

    /// <summary>The drive operation made no call on the edge, or the edge has no proxy a fault can be injected into.</summary>
    public const string NotExercised = "AG6004";

    /// <summary>Information: the provider answered the caller's call; evidence its status and time.</summary>
    public const string Reachable = "AG6005";

    /// <summary>With the dependency blackholed, the caller answered its own client late, with a 5xx, or not at all.</summary>
    public const string SlowCaller = "AG6010";

    /// <summary>With the dependency blackholed, the caller held an attempt or an operation beyond its timeout.</summary>
    public const string NoTimeout = "AG6011";

    /// <summary>The declared timeout of a third party is above the protocol's 10 s.</summary>
    public const string TimeoutAboveProtocol = "AG6012";

    /// <summary>Information: timeouts held; evidence the attempts at the proxy.</summary>
    public const string TimeoutsHold = "AG6013";

    /// <summary>An operation made more attempts than the declared retries allow.</summary>
    public const string Unbounded = "AG6020";

    /// <summary>The caller did not retry although retries are declared.</summary>
    public const string NoRetry = "AG6021";

    /// <summary>The waits between attempts do not grow: no backoff.</summary>
    public const string NoBackoff = "AG6022";

    /// <summary>The waits at the same retry are identical across operations: no jitter.</summary>
    public const string NoJitter = "AG6023";

    /// <summary>A retried write kept no Idempotency-Key, or took a new one on each retry.</summary>
    public const string IdempotencyKey = "AG6024";

    /// <summary>Information: retries bounded, backing off, jittered, one key per operation.</summary>
    public const string RetriesWork = "AG6025";

    /// <summary>The work the caller took during the outage never completed after it ended: the fallback lost it.</summary>
    public const string LostWork = "AG6030";

    /// <summary>Information: the work queued during the outage completed after it, without anyone asking again.</summary>
    public const string QueuedWorkCompleted = "AG6031";

    /// <summary>During an outage round the caller refused the operation (not its fallback answer) and made no call: it took no work to complete later.</summary>
    public const string RefusedWork = "AG6032";

    /// <summary>A secret-looking value in the deployed config of a third party's caller (or of the provider itself).</summary>
    public const string SecretInConfig = "AG6040";

    /// <summary>A key of a third party or its caller written in the manifest, literally or as the default of an unset variable: a committed file.</summary>
    public const string KeyInManifest = "AG6041";

    /// <summary>Information: where each key comes from (env, vault, aws-sm, the manifest), without the values.</summary>
    public const string KeySources = "AG6042";

    /// <summary>The receiver refused the provider's genuine, correctly signed callback.</summary>
    public const string WebhookRefused = "AG6050";

    /// <summary>The receiver accepted a callback with a wrong signature.</summary>
    public const string WebhookBadSignature = "AG6051";

    /// <summary>The receiver accepted a callback without a signature.</summary>
    public const string WebhookUnsigned = "AG6052";

    /// <summary>The receiver accepted a correctly signed callback whose timestamp is outside the tolerance (a replay).</summary>
    public const string WebhookReplay = "AG6053";

    /// <summary>Information: the genuine callback is accepted, the forged, unsigned and replayed ones refused.</summary>
    public const string WebhookVerified = "AG6054";

    /// <summary>An OpenID Connect provider's discovery document is missing, not JSON, or not consistent (issuer, endpoints, algorithms).</summary>
    public const string OidcDiscovery = "AG6060";

    /// <summary>The provider's JWKS is unreachable or has no RSA signing key.</summary>
    public const string OidcJwks = "AG6061";

    /// <summary>The authorization code flow with PKCE fails at the provider: no redirect with a code, the state lost or changed, no id token, or an id token that is not valid.</summary>
    public const string OidcFlow = "AG6062";

    /// <summary>The provider's token endpoint ignores PKCE (a wrong or missing code_verifier) or lets a code work twice.</summary>
    public const string OidcPkce = "AG6063";

    /// <summary>The caller refused the provider's genuine id token: sign-in with the provider does not work.</summary>
    public const string OidcRefused = "AG6064";

    /// <summary>The caller signed someone in with an id token signed by another key, or unsigned (alg none).</summary>
    public const string OidcForeignKey = "AG6065";

    /// <summary>The caller signed someone in with an id token issued to another client (wrong aud).</summary>
    public const string OidcAudience = "AG6066";

    /// <summary>The caller signed someone in with an expired id token.</summary>
    public const string OidcExpired = "AG6067";

    /// <summary>The caller signed someone in with an id token whose nonce is not the sign-in's.</summary>
    public const string OidcNonce = "AG6068";

    /// <summary>Information: sign-in with the provider works and the caller refuses forged, misdirected, replayed and expired id tokens.</summary>
    public const string OidcVerified = "AG6069";

    /// <summary>A request a caller sent the provider breaks the provider's published contract: the vendor would reject it.</summary>
    public const string VendorWouldReject = "AG6080";

    /// <summary>The provider's contract (<c>contract</c>) cannot be read.</summary>
    public const string VendorContractUnreadable = "AG6081";

    /// <summary>No request to the provider was recorded at its proxies: nothing could be validated against its contract.</summary>
    public const string VendorNothingRecorded = "AG6082";

    /// <summary>Information: every recorded request to the provider satisfies its contract; evidence the operations and counts.</summary>
    public const string VendorContractHolds = "AG6083";

    /// <summary>The frontend's page sent no event that reached the analytics collector (at its proxy).</summary>
    public const string AnalyticsNoEvents = "AG6070";

    /// <summary>A call of the page to the collector is not a valid Mixpanel track or GA4 Measurement Protocol call.</summary>
    public const string AnalyticsEventShape = "AG6071";

    /// <summary>With the collector down (blackholed), the page did not render, or stopped answering: analytics broke the page.</summary>
    public const string AnalyticsBreaksPage = "AG6072";

    /// <summary>Information: the page's events reach the collector in a valid shape, and the page renders without it.</summary>
    public const string AnalyticsHolds = "AG6073";

    /// <summary>The provider's ledger holds more than one charge for one operation of the caller: a double charge.</summary>
    public const string DoubleCharge = "AG6090";

    /// <summary>Information: the provider's ledger holds one charge per operation, whatever the retries.</summary>
    public const string OneChargePerOperation = "AG6091";

    /// <summary>The provider's ledger could not be read, or shows none of the idempotency keys the caller used: one charge per operation is not proved.</summary>
    public const string LedgerUnread = "AG6092";

    /// <summary>The expired id token case was not evaluated: the token expires (plus the caller's skew) later than the check may wait.</summary>
    public const string OidcExpiredNotEvaluated = "AG6093";
}

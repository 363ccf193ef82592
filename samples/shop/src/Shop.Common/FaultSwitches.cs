using System.Collections.Frozen;

namespace Shop.Common;

/// <summary>
/// The defects that <c>SHOP_FAULTS</c> (comma-separated) plants into the shop, so that tests can prove
/// Archgate catches each one. Every process reads the same variable and applies the switches that concern it.
/// </summary>
public sealed class FaultSwitches
{
    /// <summary>A response field renamed and another's type changed (order <c>total</c> → <c>totalAmount</c>, <c>id</c> a string).</summary>
    public const string ContractDrift = "contract-drift";
    /// <summary>The migration skips the index on <c>orders.user_id</c>.</summary>
    public const string MissingFkIndex = "missing-fk-index";
    /// <summary>The <c>GET /orders</c> listing takes more than 300 ms.</summary>
    public const string SlowOrders = "slow-orders";
    /// <summary>A two-connection pool and long transactions.</summary>
    public const string PoolExhaustion = "pool-exhaustion";
    /// <summary>On PostgreSQL the api keeps the driver's defaults: a pool of 100, 15 s connect and 30 s command timeouts.</summary>
    public const string DefaultPool = "default-pool";
    /// <summary>The api cannot reach payments.</summary>
    public const string PaymentsDown = "payments-down";
    /// <summary>The third-party stubs never answer.</summary>
    public const string GatewayTimeout = "gateway-timeout";
    /// <summary>The api's payments client has no circuit breaker.</summary>
    public const string NoCircuitBreaker = "no-circuit-breaker";
    /// <summary>CORS reflects any origin and allows credentials.</summary>
    public const string CorsWildcard = "cors-wildcard";
    /// <summary>An admin endpoint answers without authentication.</summary>
    public const string UnauthenticatedAdmin = "unauthenticated-admin";
    /// <summary>A customer can read another customer's order.</summary>
    public const string Bola = "bola";
    /// <summary>Product search concatenates the search text into SQL.</summary>
    public const string SqliSearch = "sqli-search";
    /// <summary>No security headers on api and web responses.</summary>
    public const string NoSecurityHeaders = "no-security-headers";
    /// <summary>Error responses carry exception stack traces.</summary>
    public const string VerboseErrors = "verbose-errors";
    /// <summary>Payments reads its gateway key from a plain config file.</summary>
    public const string PlaintextSecret = "plaintext-secret";
    /// <summary>The api ignores the version in If-Match on order updates: concurrent edits overwrite each other.</summary>
    public const string LostUpdate = "lost-update";
    /// <summary>The web's config points the page at a dead port instead of the api.</summary>
    public const string SpaWrongApiUrl = "spa-wrong-api-url";
    /// <summary>Payments gives up a gateway call on its first error (no retry; only its 3 s resubmission queue sends it again).</summary>
    public const string NoRetry = "no-retry";
    /// <summary>The api's e-mail outbox drops a mail the provider did not take, instead of sending it again later.</summary>
    public const string EmailNoQueue = "email-no-queue";
    /// <summary>Payments accepts gateway webhooks without checking their signature.</summary>
    public const string WebhookUnsigned = "webhook-unsigned";
    /// <summary>The api declares its order-notifications queue but never consumes it.</summary>
    public const string NoConsumer = "no-consumer";

    /// <summary>Payments takes /payments calls without the callers' service credential (X-Service-Key).</summary>
    public const string PaymentsNoAuth = "payments-no-auth";

    /// <summary>The sign-in (OIDC) provider accepts connections and never answers.</summary>
    public const string OauthDown = "oauth-down";

    /// <summary>The api's mails leave out the sender ('from'): the test-mode stub takes them, SendGrid's contract does not.</summary>
    public const string EmailInvalid = "email-invalid";

    /// <summary>The web page waits for the analytics collector's answer before it renders.</summary>
    public const string AnalyticsBlocking = "analytics-blocking";

    /// <summary>The api sends every payments call to the first instance; the others only take over when it fails (no balancing).</summary>
    public const string PaymentsPinned = "payments-pinned";

    /// <summary>The api places orders without validating them: a line with quantity 0 or below, or more than 20 lines, is stored.</summary>
    public const string NoValidation = "no-validation";

    /// <summary>Payments stamps a new Idempotency-Key on every attempt at the gateway (in a handler inside the retry pipeline): a retried charge whose answer was lost is charged twice.</summary>
    public const string DoubleCharge = "double-charge";

    /// <summary>The api's order events (SSE and WebSocket) carry the status the order had before the change, not the stored one.</summary>
    public const string SseStaleStatus = "sse-stale-status";

    /// <summary>The web's orders page shows the list it kept from its first load (session storage) instead of asking the api again.</summary>
    public const string StaleOrdersPage = "stale-orders-page";

    /// <summary>The web page's event stream gives up after a network error: it is closed and never opened again.</summary>
    public const string SseNoReconnect = "sse-no-reconnect";

    /// <summary>Every known switch.</summary>
    public static IReadOnlyList<string> Known { get; } =
    [
        ContractDrift, MissingFkIndex, SlowOrders, PoolExhaustion, DefaultPool, PaymentsDown, GatewayTimeout,
        NoCircuitBreaker, CorsWildcard, UnauthenticatedAdmin, Bola, SqliSearch, NoSecurityHeaders,
        VerboseErrors, PlaintextSecret, LostUpdate, SpaWrongApiUrl, NoRetry, EmailNoQueue, WebhookUnsigned, NoConsumer,
        PaymentsNoAuth, PaymentsPinned, OauthDown,
        EmailInvalid, AnalyticsBlocking, NoValidation, DoubleCharge, SseStaleStatus, StaleOrdersPage, SseNoReconnect,
    ];

    /// <summary>No switch on: the clean system.</summary>
    public static FaultSwitches None { get; } = new(FrozenSet<string>.Empty);

    private readonly FrozenSet<string> _active;

    private FaultSwitches(FrozenSet<string> active) => _active = active;

    /// <summary>The switches that are on, in a stable order.</summary>
    public IReadOnlyList<string> Active => [.. _active.Order(StringComparer.Ordinal)];

    /// <summary>Whether <paramref name="name"/> is on.</summary>
    public bool IsOn(string name) => _active.Contains(name);

    /// <summary>Parses a comma-separated list; an unknown name is an error that names the known ones.</summary>
    /// <exception cref="ArgumentException">A name is not a known switch.</exception>
    public static FaultSwitches Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return None;
        }

        var names = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(n => n.ToLowerInvariant())
            .ToList();
        var unknown = names.Where(n => !Known.Contains(n)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException(
                $"SHOP_FAULTS names unknown switch(es) {string.Join(", ", unknown)}; known: {string.Join(", ", Known)}.",
                nameof(value));
        }

        return new FaultSwitches(names.ToFrozenSet(StringComparer.Ordinal));
    }
}

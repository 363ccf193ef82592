namespace Archgate.Checks.Security.Probes;

/// <summary>
/// Bounds of step 9's active probes. Every probe family (authentication, authorization, injection, CORS) of a
/// service sends at most <see cref="MaxRequests"/> requests within <see cref="Budget"/>; what the bounds left out
/// is listed in the family's coverage finding, with the requests sent and the time taken.
/// </summary>
public sealed record SecurityProbeOptions
{
    /// <summary>Requests per probe family and service. <value>400</value>.</summary>
    public int MaxRequests { get; init; } = 400;

    /// <summary>Injection and input requests per operation. <value>60</value>.</summary>
    public int MaxRequestsPerOperation { get; init; } = 60;

    /// <summary>How long one request may take. <value>10 s</value>.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long one probe family may take against one service. <value>2 min</value>.</summary>
    public TimeSpan Budget { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The delay a time-based SQL injection payload asks for. <value>2 s</value>.</summary>
    public TimeSpan SleepDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long past its <c>exp</c> a token may still be accepted (the clock skew a service allows) before the
    /// expired-token probe counts it as accepted. <value>60 s</value>.
    /// </summary>
    public TimeSpan ExpirySkew { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The longest the expired-token probe waits for the login's own token to expire (plus <see cref="ExpirySkew"/>)
    /// when the manifest gives no <c>security.signingKey</c>. <value>2 min</value>.
    /// </summary>
    public TimeSpan MaxExpiryWait { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Largest response body read; the rest is ignored. <value>256 KiB</value>.</summary>
    public int MaxBodyBytes { get; init; } = 256 * 1024;
}

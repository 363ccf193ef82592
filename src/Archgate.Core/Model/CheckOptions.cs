namespace Archgate.Model;

/// <summary>
/// The manifest's <c>checks</c> section: the options of the check families, each a record whose defaults are the
/// values Archgate uses when the manifest says nothing (docs/manifest.md, "checks: check options").
/// </summary>
public sealed record CheckOptions
{
    /// <summary>Step 3's database checks (<c>checks.database</c>).</summary>
    public DatabaseCheckOptions Database { get; init; } = new();

    /// <summary>The broker checks of steps 2 and 4 (<c>checks.brokers</c>).</summary>
    public BrokerCheckOptions Brokers { get; init; } = new();

    /// <summary>Step 4's service checks (<c>checks.services</c>).</summary>
    public ServiceCheckOptions Services { get; init; } = new();

    /// <summary>Step 8's frontend timing check (<c>checks.performance.pages</c>).</summary>
    public PageTimingOptions Pages { get; init; } = new();

    /// <summary>Step 9's active probes (<c>checks.security</c>).</summary>
    public SecurityProbeOptions Security { get; init; } = new();

    /// <summary>Step 2's live conformance bounds for every service (<c>checks.contracts.conformance</c>); a service's <c>openapi.conformance</c> overrides them.</summary>
    public ConformanceLimits Conformance { get; init; } = new(null, null, null, null);

    /// <summary>Step 5's browser check (<c>checks.frontend</c>).</summary>
    public BrowserCheckOptions Frontend { get; init; } = new();

    /// <summary>The timeout and retry checks of steps 4 and 6 on a caller → dependency edge (<c>checks.edges</c>).</summary>
    public EdgeExerciseOptions Edges { get; init; } = new();

    /// <summary>Step 6's analytics check (<c>checks.thirdParty.analytics</c>).</summary>
    public AnalyticsOptions Analytics { get; init; } = new();

    /// <summary>Step 7's journeys, concurrency and edge-case checks (<c>checks.journeys</c>).</summary>
    public JourneyCheckOptions Journeys { get; init; } = new();
}

/// <summary>Options of step 4's service checks (<c>checks.services</c>).</summary>
public sealed record ServiceCheckOptions
{
    /// <summary>The circuit-breaker check (<c>checks.services.breaker</c>).</summary>
    public CircuitBreakerOptions Breaker { get; init; } = new();

    /// <summary>The cascade analysis (<c>checks.services.cascade</c>).</summary>
    public CascadeOptions Cascade { get; init; } = new();
}


/// <summary>Options of step 3's checks over Archgate's own database connections (<c>checks.database</c>).</summary>
public sealed record DatabaseCheckOptions
{
    /// <summary>Connect timeout of Archgate's connections when the connection string sets none (<c>connectTimeout</c>). <value>5 s</value>.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long one of Archgate's catalog queries may run (<c>commandTimeout</c>). <value>10 s</value>.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>Options of the AMQP checks (<c>checks.brokers</c>).</summary>
public sealed record BrokerCheckOptions
{
    /// <summary>How long opening an AMQP connection may take (<c>connectTimeout</c>). <value>5 s</value>.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the round trip reads a probed queue's ready count (<c>poll</c>). <value>100 ms</value>.</summary>
    public TimeSpan Poll { get; init; } = TimeSpan.FromMilliseconds(100);
}

/// <summary>Timings of step 4's circuit-breaker check (<c>checks.services.breaker</c>); each default suits a loaded 2-core machine.</summary>
public sealed record CircuitBreakerOptions
{
    /// <summary>How often the drive operation is sent while the dependency fails. <value>1 s</value>.</summary>
    public TimeSpan DriveEvery { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long after the declared threshold the breaker may take to open: a ratio-based breaker (Polly's, Resilience4j's)
    /// counts the successes of its sampling window too, so it can need more failures than the manifest's count, and
    /// calls already under way (retries, a slow machine) still arrive. <value>10 s</value>.
    /// </summary>
    public TimeSpan OpenWait { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long to wait for the breaker's threshold of failed calls to reach the dependency. <value>20 s</value>.</summary>
    public TimeSpan ThresholdWait { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Calls tolerated in the quiet window once the breaker is open (a breaker's own trial call). <value>1</value>.</summary>
    public int AllowedCallsAfterThreshold { get; init; } = 1;

    /// <summary>After the fault is removed, how long past the break duration calls may take to succeed again. <value>10 s</value>.</summary>
    public TimeSpan RecoveryGrace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the proxy's count is sampled for the timeline. <value>500 ms</value>.</summary>
    public TimeSpan SampleEvery { get; init; } = TimeSpan.FromMilliseconds(500);
}

/// <summary>Timings of step 4's cascade analysis (<c>checks.services.cascade</c>).</summary>
public sealed record CascadeOptions
{
    /// <summary>How long a dependency stays failed before every component's health is probed. <value>2 s</value>.</summary>
    public TimeSpan Settle { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>After the fault, how long every component may take to be healthy again. <value>20 s</value>.</summary>
    public TimeSpan RecoveryWait { get; init; } = TimeSpan.FromSeconds(20);
}

/// <summary>
/// Bounds of step 9's active probes. Every probe family (authentication, authorization, injection, CORS) of a
/// service sends at most <see cref="MaxRequests"/> requests within <see cref="Budget"/>; what the bounds left out
/// is listed in the family's coverage finding, with the requests sent and the time taken (<c>checks.security</c>).
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

    /// <summary>
    /// The most wrong sign-ins the guessing probe sends to one login operation (one after another, as a made-up
    /// account), stopping at the first sign of a limit. <value>30</value>.
    /// </summary>
    public int Guesses { get; init; } = 30;

    /// <summary>Largest response body read; the rest is ignored. <value>256 KiB</value>.</summary>
    public int MaxBodyBytes { get; init; } = 256 * 1024;
}

/// <summary>Options of step 8's frontend timing check (<c>checks.performance.pages</c>).</summary>
public sealed record PageTimingOptions
{
    /// <summary>
    /// The browser, Debian's Chromium (Playwright never downloads one of its own); null: where <c>archgate doctor</c>
    /// finds it, else <c>/usr/bin/chromium</c>. <value>null</value>.
    /// </summary>
    public string? ChromiumPath { get; init; }

    /// <summary>Cold loads of each page; the median is judged.</summary>
    /// <value>Default 5.</value>
    public int Loads { get; init; } = 5;

    /// <summary>How long one load may take, network idle included.</summary>
    /// <value>Default 30 s.</value>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Viewport width and height in CSS pixels (Lighthouse's desktop screen).</summary>
    /// <value>Default 1350 x 940.</value>
    public (int Width, int Height) Viewport { get; init; } = (1350, 940);
}

/// <summary>Timings of the timeout and retry checks; each default suits a loaded 2-core machine.</summary>
public sealed record EdgeExerciseOptions
{
    /// <summary>How long a drive may take to make its first call reach the edge. <value>10 s</value>.</summary>
    public TimeSpan FirstCallWait { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>After the last attempt, how long without a new one ends an operation (at least; twice the longest wait seen counts too). <value>2 s</value>.</summary>
    public TimeSpan Quiet { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How often the proxy's record is read. <value>100 ms</value>.</summary>
    public TimeSpan SampleEvery { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Fault windows (operations) the retry check drives, for jitter to be compared between them. <value>2</value>.</summary>
    public int RetryRounds { get; init; } = 2;

    /// <summary>
    /// Fault windows the retry check may drive in all when fewer than two operations made three attempts and their
    /// backoff was not proved (one operation's waits can look flat by chance under decorrelated jitter, so a finding
    /// rests on two of them), or when waits all under 1 s look flat (a loaded machine's noise can flatten a short
    /// backoff, so "no backoff" on them rests on every round allowed), or when an attempt past the retries may be a
    /// queue's resend and no operation stopped at the limit to tell. <value>4</value>.
    /// </summary>
    public int MaxRetryRounds { get; init; } = 4;

    /// <summary>After work completed, how long to let what follows from it (a webhook, a mail) go out before the next check. <value>2 s</value>.</summary>
    public TimeSpan Settle { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Before a retry round that follows one whose work was lost (nothing of the caller's completed at the dependency,
    /// so nothing closed a circuit breaker that round opened), how long the retry check may drive with no fault until
    /// a call is answered at the edge: the breaker's break over, its half-open trial passed. <value>30 s</value>.
    /// </summary>
    public TimeSpan Recovery { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>Options of step 5's browser check.</summary>
public sealed record BrowserCheckOptions
{
    /// <summary>The browser: Debian's Chromium (Playwright never downloads one of its own); null: where <c>archgate doctor</c> finds it, else <c>/usr/bin/chromium</c>.</summary>
    /// <value>Default null.</value>
    public string? ChromiumPath { get; init; }

    /// <summary>How long a page's navigation (up to its load event) may take.</summary>
    /// <value>Default 60 s.</value>
    public TimeSpan NavigationTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long to wait after the load event for the page's requests to settle; what still loads then is a finding.</summary>
    /// <value>Default 20 s.</value>
    public TimeSpan SettleBound { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>How long no request may be in flight (open event streams aside) for the network to count as idle.</summary>
    /// <value>Default 500 ms, as Playwright's <c>networkidle</c>.</value>
    public TimeSpan Quiet { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Viewport width and height in CSS pixels (also the screenshots' width).</summary>
    /// <value>Default 1350 x 940.</value>
    public (int Width, int Height) Viewport { get; init; } = (1350, 940);
}

/// <summary>Options of step 6's analytics check; each default suits a loaded 2-core machine.</summary>
public sealed record AnalyticsOptions
{
    /// <summary>The browser: Debian's Chromium; null: where <c>archgate doctor</c> finds it, else <c>/usr/bin/chromium</c>. <value>null</value>.</summary>
    public string? ChromiumPath { get; init; }

    /// <summary>How long a page may take to reach its load event. <value>60 s</value>.</summary>
    public TimeSpan NavigationTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>After the load event, how long the page's events may take to reach the collector. <value>10 s</value>.</summary>
    public TimeSpan Collect { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>With the collector down, how long after its load event the page may take to show what it shows with it up. <value>10 s</value>.</summary>
    public TimeSpan RenderWithin { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the page's script may take to answer, for it to count as interactive. <value>5 s</value>.</summary>
    public TimeSpan Responsive { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>Options of step 7's journeys, concurrency and edge-case checks (<c>checks.journeys</c>).</summary>
public sealed record JourneyCheckOptions
{
    /// <summary>The share of runs a critical journey must succeed in. <value>0.95</value>.</summary>
    public double CriticalSuccessRate { get; init; } = 0.95;

    /// <summary>Parallel updates (and creates) of the concurrency check. <value>10</value>.</summary>
    public int Parallel { get; init; } = 10;

    /// <summary>Requests the edge-case check sends to one operation (invalid inputs, largest payloads, an empty list). <value>30</value>.</summary>
    public int EdgeCasesPerOperation { get; init; } = 30;

    /// <summary>How long the real-time consistency check follows a written resource's events until the last one matches the stored row. <value>10 s</value>.</summary>
    public TimeSpan EventSettle { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a written resource must stay still (no new event about it, the same read) before its last event is judged. <value>2 s</value>.</summary>
    public TimeSpan EventQuiet { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a browser step waits for what it needs (a page's load, an element, a text, a response). <value>10 s</value>.</summary>
    public TimeSpan BrowserStepTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a browser (and Xvfb for WebKit) may take to start. <value>60 s</value>.</summary>
    public TimeSpan BrowserStartTimeout { get; init; } = TimeSpan.FromSeconds(60);
}

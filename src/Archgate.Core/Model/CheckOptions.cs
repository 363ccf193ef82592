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

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

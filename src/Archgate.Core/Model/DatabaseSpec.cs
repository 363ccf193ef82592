namespace Archgate.Model;

/// <summary>
/// What step 3 expects of a database component beyond a connection: migrations, seed rows, constraints, probe
/// queries, the pool policy, its clients and whether fault tests may disturb it. Built by the manifest loader.
/// </summary>
public sealed record DatabaseSpec
{
    /// <summary>An empty spec: nothing expected, default policy, no probes, no fault tests.</summary>
    public static DatabaseSpec None { get; } = new();

    /// <summary>Expected migration state; <value>null</value> when the manifest expects none.</summary>
    public MigrationExpectation? Migrations { get; init; }

    /// <summary>Table name to the minimum row count it must hold.</summary>
    public IReadOnlyDictionary<string, long> Seed { get; init; } = new Dictionary<string, long>();

    /// <summary>Constraints that must exist.</summary>
    public IReadOnlyList<ExpectedConstraint> Constraints { get; init; } = [];

    /// <summary>Read-only probe queries (SQL) and probe requests through a dependant (HTTP).</summary>
    public IReadOnlyList<DatabaseProbe> Probes { get; init; } = [];

    /// <summary>Settings policy for pools, timeouts, utilization and recovery.</summary>
    public PoolPolicy Pool { get; init; } = new();

    /// <summary>Per dependant: the connection string it uses and how many instances run. Dependants not listed use the component's connection, one instance.</summary>
    public IReadOnlyDictionary<string, DatabaseClient> Clients { get; init; } = new Dictionary<string, DatabaseClient>();

    /// <summary>Whether step 3 may terminate the dependants' connections to prove they recover. <value>false</value> by default.</summary>
    public bool FaultTests { get; init; }
}

/// <summary>The migration history table and the migration that must be the latest applied.</summary>
/// <param name="Table">History table, one of <see cref="Manifest.ManifestLoader.MigrationTables"/>; null: detect.</param>
/// <param name="Latest">Id, version or script name of the newest migration; null when <paramref name="Folder"/> decides.</param>
/// <param name="Folder">Absolute folder of migration files; its newest file (ordinal order of names) is the expected latest.</param>
public sealed record MigrationExpectation(string? Table, string? Latest, string? Folder);

/// <summary>The kind of an expected constraint.</summary>
public enum ConstraintKind
{
    /// <summary>A unique constraint or unique index over exactly these columns.</summary>
    Unique,

    /// <summary>Each column is NOT NULL.</summary>
    NotNull,

    /// <summary>A foreign key over these columns referencing <see cref="ExpectedConstraint.References"/>.</summary>
    ForeignKey,
}

/// <summary>A constraint the manifest expects: on <paramref name="Table"/>, over <paramref name="Columns"/>.</summary>
/// <param name="Where">For <see cref="ConstraintKind.Unique"/>: the predicate of a partial unique index (unique only among
/// the rows it selects, e.g. <c>returned_at is null</c>); null: unique over every row.</param>
public sealed record ExpectedConstraint(string Table, ConstraintKind Kind, IReadOnlyList<string> Columns, string? References, string? Where = null);

/// <summary>
/// A probe: either a read-only parameterized SQL query (<see cref="Sql"/>) run by Archgate, or an HTTP request
/// (<see cref="Http"/>) sent to the dependant <see cref="Via"/> that makes it use the database.
/// </summary>
public sealed record DatabaseProbe
{
    /// <summary>Unique name within the database, used in metrics.</summary>
    public required string Name { get; init; }

    /// <summary>SQL text with <c>@name</c> parameters; null for an HTTP probe.</summary>
    public string? Sql { get; init; }

    /// <summary>Parameter values of <see cref="Sql"/> (numbers are passed as numbers, the rest as text).</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();

    /// <summary>HTTP method and path, for example <c>GET /orders</c>; null for a SQL probe.</summary>
    public string? Http { get; init; }

    /// <summary>The dependant service the HTTP probe goes to.</summary>
    public string? Via { get; init; }

    /// <summary>The identity the HTTP probe signs in as (<c>login: ann</c>), or null to call anonymously.</summary>
    public ServiceAuth? Login { get; init; }
}

/// <summary>How a dependant connects: its own connection string and how many instances run.</summary>
/// <param name="Connection">The connection string it uses; null: the database component's.</param>
/// <param name="Instances">How many instances (each with its own pool). <value>1</value> by default.</param>
public sealed record DatabaseClient(string? Connection, int Instances = 1);

/// <summary>Step 3's settings policy; every value has a default and may be overridden under <c>pool:</c>.</summary>
public sealed record PoolPolicy
{
    /// <summary>Shortest acceptable connect timeout. <value>1 s</value> by default.</summary>
    public TimeSpan MinConnectTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest acceptable connect timeout. <value>30 s</value> by default.</summary>
    public TimeSpan MaxConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest acceptable command timeout (0, infinite, is never acceptable). <value>30 s</value> by default.</summary>
    public TimeSpan MaxCommandTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest acceptable maximum pool size of one instance. <value>200</value> by default.</summary>
    public int MaxPoolSize { get; init; } = 200;

    /// <summary>Share of the server's <c>max_connections</c> that all pools together may claim. <value>80 %</value> by default.</summary>
    public double ConnectionBudget { get; init; } = 0.80;

    /// <summary>Peak pool utilization under the probe load that is still fine. <value>80 %</value> by default.</summary>
    public double Utilization { get; init; } = 0.80;

    /// <summary>A session idle in a transaction longer than this is a finding. <value>1 s</value> by default.</summary>
    public TimeSpan IdleInTransaction { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long the probe load runs. <value>3 s</value> by default (at most 30 s).</summary>
    public TimeSpan LoadDuration { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Concurrent requests of the probe load. <value>8</value> by default (at most 64).</summary>
    public int LoadConcurrency { get; init; } = 8;

    /// <summary>How long a dependant may take to recover after its connections are terminated. <value>10 s</value> by default.</summary>
    public TimeSpan Recovery { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often each probe query runs for the latency baseline. <value>50</value> by default (at most 10000).</summary>
    public int LatencySamples { get; init; } = 50;

    /// <summary>A query slower than this counts as a query timeout of the protocol's failure scenario. <value>10 s</value> by default.</summary>
    public TimeSpan QueryTimeout { get; init; } = TimeSpan.FromSeconds(10);
}

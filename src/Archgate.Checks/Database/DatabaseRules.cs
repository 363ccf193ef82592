namespace Archgate.Checks.Database;

/// <summary>Rule ids of step 3 (database integration); documented in docs/rules.md (a test keeps them in sync).</summary>
internal static class DatabaseRules
{
    /// <summary>The database does not accept a connection or does not answer <c>select 1</c>.</summary>
    public const string Unreachable = "AG3001";

    /// <summary>A dependant cannot connect with the connection settings it uses.</summary>
    public const string ClientUnreachable = "AG3002";

    /// <summary>The database or role a dependant's connection names does not exist on the server.</summary>
    public const string ClientTargetMissing = "AG3003";

    /// <summary>The server's major version is below the supported minimum.</summary>
    public const string ServerVersion = "AG3004";

    /// <summary>A connect or command timeout is not set: the driver's default applies silently.</summary>
    public const string TimeoutMissing = "AG3010";

    /// <summary>A pool or timeout setting is outside the policy (infinite, too short, too long, too large).</summary>
    public const string SettingUnreasonable = "AG3011";

    /// <summary>All pools together (maximum size x instances) may claim more than the policy's share of max_connections.</summary>
    public const string ConnectionBudget = "AG3012";

    /// <summary>Peak pool utilization under the probe load reached the policy's limit.</summary>
    public const string PoolUtilization = "AG3020";

    /// <summary>A session stayed idle in a transaction longer than the policy allows.</summary>
    public const string IdleInTransaction = "AG3021";

    /// <summary>Probe requests through a dependant failed during the probe load.</summary>
    public const string ProbeLoadErrors = "AG3022";

    /// <summary>A dependant's pool was exhausted under the probe load: every connection open, or requests refused waiting for one.</summary>
    public const string PoolExhausted = "AG3023";

    /// <summary>A dependant's query ran longer than the query timeout (10 s) under the probe load.</summary>
    public const string LongQueryUnderLoad = "AG3024";

    /// <summary>A dependant did not recover within the policy time after its connections were terminated.</summary>
    public const string NoRecovery = "AG3025";

    /// <summary>No migration history table was found.</summary>
    public const string MigrationTableMissing = "AG3030";

    /// <summary>The latest applied migration is not the expected one: migrations are pending.</summary>
    public const string MigrationsPending = "AG3031";

    /// <summary>The history records a failed migration.</summary>
    public const string MigrationFailed = "AG3032";

    /// <summary>Liquibase's change log lock is held.</summary>
    public const string MigrationLockHeld = "AG3033";

    /// <summary>The database has migrations newer than the expected latest.</summary>
    public const string MigrationsAhead = "AG3034";

    /// <summary>A foreign key has no index whose leading columns cover it.</summary>
    public const string ForeignKeyWithoutIndex = "AG3040";

    /// <summary>A table has no primary key.</summary>
    public const string NoPrimaryKey = "AG3041";

    /// <summary>Two indexes cover the same columns.</summary>
    public const string DuplicateIndex = "AG3042";

    /// <summary>An index is invalid (a failed CREATE INDEX CONCURRENTLY).</summary>
    public const string InvalidIndex = "AG3043";

    /// <summary>A constraint was added NOT VALID and never validated.</summary>
    public const string ConstraintNotValidated = "AG3044";

    /// <summary>A constraint the manifest expects is missing.</summary>
    public const string ExpectedConstraintMissing = "AG3045";

    /// <summary>Rows violate a foreign key (orphans): a data integrity violation.</summary>
    public const string OrphanedRows = "AG3046";

    /// <summary>SQLite: the connection settings do not enable foreign key enforcement.</summary>
    public const string ForeignKeysOff = "AG3047";

    /// <summary>A table holds fewer rows than the manifest expects, or does not exist.</summary>
    public const string SeedMissing = "AG3050";

    /// <summary>A probe query's p95 is above the database's SLO.</summary>
    public const string LatencyAboveSlo = "AG3060";

    /// <summary>A probe query failed.</summary>
    public const string ProbeFailed = "AG3061";

    /// <summary>A probe query ran longer than the query timeout of the protocol (10 s).</summary>
    public const string QueryTimeout = "AG3062";

    /// <summary>The slowest statements over the run (pg_stat_statements), for information.</summary>
    public const string SlowStatements = "AG3063";

    /// <summary>The protocol's "database integration catastrophic failure" scenario.</summary>
    public const string CatastrophicFailure = "AG3090";
}

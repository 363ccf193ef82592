using Archgate.Checks.Database;

namespace Archgate.Checks.Tests.Database;

public sealed class DatabaseCatalogTests
{
    [Fact]
    public void Step_3_reaches_then_inspects_then_disturbs_and_judges_the_scenario_last()
    {
        var system = DatabaseTestKit.System("postgres", "Host=127.0.0.1;Database=shop", "    faultTests: true", "http://127.0.0.1:9");

        var ids = ArchgateProtocol.ChecksFor(system).Where(c => c.Step == 3).Select(c => c.Id).ToList();

        Assert.Equal(
        [
            "database.connect:db", "database.client:db/api", "database.migrations:db", "database.schema:db", "database.seed:db",
            "database.pool:db", "database.latency:db", "database.pool-load:db", "database.recovery:db", "database.scenario",
        ], ids);
        Assert.DoesNotContain(ArchgateProtocol.ChecksFor(system), c => c is Archgate.Protocol.PendingCheck && c.Step == 3);
    }

    [Fact]
    public void PoolSettings_tell_written_keys_from_driver_defaults()
    {
        var written = PoolSettings.Postgres("Host=h;MaxPoolSize=5;CommandTimeout=7");
        var defaults = PoolSettings.Postgres("Host=h");

        Assert.Equal((5, 7), (written.MaxPoolSize, written.CommandTimeoutSeconds));
        Assert.Contains("Maximum Pool Size", written.Explicit);
        Assert.Contains("Command Timeout", written.Explicit);
        Assert.DoesNotContain("Timeout", written.Explicit);
        Assert.Empty(defaults.Explicit);
        Assert.Equal((100, 15, 30), (defaults.MaxPoolSize, defaults.ConnectTimeoutSeconds, defaults.CommandTimeoutSeconds));
    }
}

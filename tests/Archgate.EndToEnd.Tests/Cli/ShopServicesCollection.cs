using Archgate.Checks.Tests.Fixtures;

namespace Archgate.EndToEnd.Tests.Cli;

/// <summary>
/// The third lane of the shop's runs, one at a time, beside <see cref="ShopCollection"/> and
/// <see cref="ShopWaitingCollection"/>: step 4's runs (<see cref="ShopServiceTests"/>), the runs on PostgreSQL
/// (<see cref="ShopDatabaseTests"/>: steps 1-4, 8 and 9 in one launch, and step 3's faults;
/// <see cref="ShopThirdPartyPostgresTests"/>: step 6), step 8's (<see cref="ShopLoadTests"/>) and step 2's conformance
/// runs. With two lanes each took over 15 minutes of a CI run one test after another; in three, none does. Its own
/// throwaway PostgreSQL cluster, so no lane waits on another's.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ShopServicesCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "shop, services and PostgreSQL";
}

using Archgate.Checks.Tests.Fixtures;

namespace Archgate.EndToEnd.Tests.Cli;

/// <summary>
/// Tests that start the whole shop run one at a time in each of three lanes: each takes free ports, but four processes
/// each on a shared 2-core machine are enough load for one test per lane. This one holds the runs of load, browsers,
/// journeys, contracts and security on SQLite; <see cref="ShopServicesCollection"/> step 4's runs and the runs on
/// PostgreSQL; <see cref="ShopWaitingCollection"/> the runs that mostly wait (step 6's on SQLite, the broker's). The
/// classes of a lane that back the shop with PostgreSQL share its one throwaway cluster (a fresh database per test).
/// </summary>
[CollectionDefinition(Name)]
public sealed class ShopCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "shop";
}

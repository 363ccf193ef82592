namespace Archgate.EndToEnd.Tests.Cli;

/// <summary>
/// Tests that start the whole shop run one at a time in each of three lanes: each takes free ports, but four processes
/// each on a shared 2-core machine are enough load for one test per lane. This one holds the runs of browsers,
/// journeys, Pact verification and security on SQLite; <see cref="ShopServicesCollection"/> step 4's runs, the runs
/// on PostgreSQL, load and conformance; <see cref="ShopWaitingCollection"/> the runs that mostly wait (step 6's on
/// SQLite, the broker's). The runs on PostgreSQL are all in the services lane, which alone keeps a throwaway cluster
/// (a fresh database per test).
/// </summary>
[CollectionDefinition(Name)]
public sealed class ShopCollection
{
    public const string Name = "shop";
}

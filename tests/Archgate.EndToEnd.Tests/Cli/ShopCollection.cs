using Archgate.Checks.Tests.Fixtures;

namespace Archgate.EndToEnd.Tests.Cli;

/// <summary>
/// Tests that start the whole shop run one at a time: each takes free ports, but four processes each on a
/// shared 2-core machine are enough load for one test. The classes that back the shop with PostgreSQL share one
/// throwaway cluster (a fresh database per test), started once for the collection rather than once per class.
/// The runs that mostly wait (step 6's, the broker's) are the one other lane (<see cref="ShopWaitingCollection"/>).
/// </summary>
[CollectionDefinition(Name)]
public sealed class ShopCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "shop";
}

using Archgate.Checks.Tests.Fixtures;

namespace Archgate.EndToEnd.Tests.Cli;

/// <summary>
/// The third lane of the shop's runs, one at a time, beside <see cref="ShopCollection"/> and
/// <see cref="ShopWaitingCollection"/>: step 4's runs (<see cref="ShopServiceTests"/>,
/// <see cref="ShopServicePostgresTests"/>) and the runs on PostgreSQL of steps 3, 6 and 9
/// (<see cref="ShopDatabaseTests"/>, <see cref="ShopThirdPartyPostgresTests"/>, <see cref="ShopSecurityPostgresTests"/>).
/// With two lanes each took over 15 minutes of a CI run one test after another; in three, none does. Its own throwaway
/// PostgreSQL cluster, so no lane waits on another's.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ShopServicesCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "shop, services and PostgreSQL";
}

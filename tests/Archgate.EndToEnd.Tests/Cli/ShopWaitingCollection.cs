using Archgate.Checks.Tests.Fixtures;

namespace Archgate.EndToEnd.Tests.Cli;

/// <summary>
/// The shop's runs that mostly wait, one at a time, beside the <see cref="ShopCollection"/>'s runs rather than after
/// them: step 6's (<see cref="ShopThirdPartyTests"/> on SQLite, <see cref="ShopThirdPartyPostgresTests"/> on
/// PostgreSQL: timeouts, backoffs, queued work completing after each fault) and the broker's
/// (<see cref="ShopBrokerTests"/>: events awaited through RabbitMQ). They cost the other lane little CPU, and the load
/// tests there judge against relaxed targets (<see cref="ShopManifest.RelaxedP95Ms"/>). Its own throwaway PostgreSQL
/// cluster, so neither lane waits on the other's.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ShopWaitingCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "shop, waiting";
}

using Archgate.Checks.Tests.Fixtures;

namespace Archgate.EndToEnd.Tests.Cli;

/// <summary>
/// Step 6's shop runs (<see cref="ShopThirdPartyTests"/> on SQLite, <see cref="ShopThirdPartyPostgresTests"/> on
/// PostgreSQL), one at a time, beside the <see cref="ShopCollection"/>'s runs rather than after them. A step 6 run
/// mostly waits (timeouts, backoffs, queued work completing after each fault), so it costs the other lane little CPU;
/// the load tests beside it judge against relaxed targets (<see cref="ShopManifest.RelaxedP95Ms"/>). Its own
/// throwaway PostgreSQL cluster, so neither lane waits on the other's.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ShopThirdPartyCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "shop step 6";
}

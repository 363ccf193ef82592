namespace Archgate.EndToEnd.Tests.Cli;

/// <summary>
/// The shop's runs that mostly wait, one at a time, beside the other two lanes (<see cref="ShopCollection"/>,
/// <see cref="ShopServicesCollection"/>) rather than after them: step 6's on SQLite (<see cref="ShopThirdPartyTests"/>:
/// timeouts, backoffs, queued work completing after each fault) and the broker's (<see cref="ShopBrokerTests"/>: events
/// awaited through RabbitMQ). They cost the other lanes little CPU, and the load tests there judge against relaxed
/// targets (<see cref="ShopManifest.RelaxedP95Ms"/>).
/// </summary>
[CollectionDefinition(Name)]
public sealed class ShopWaitingCollection
{
    public const string Name = "shop, waiting";
}

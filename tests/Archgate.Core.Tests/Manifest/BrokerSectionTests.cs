using Archgate.Manifest;
using Archgate.Model;
using Archgate.Planning;

namespace Archgate.Tests.Manifest;

public sealed class BrokerSectionTests
{
    [Fact]
    public void The_shop_declares_its_bus_with_exchanges_consumed_queues_dead_letter_probe_and_asyncapi()
    {
        var path = Path.Combine(Golden.SourceDirectory(), "..", "..", "..", "samples", "shop", "archgate.yaml");
        var result = ManifestLoader.Load(path, _ => null);

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        var bus = result.Model!.Find("bus")!;
        Assert.Equal(ComponentKind.Broker, bus.Kind);
        Assert.Equal("amqp://shop:shop-test-pw@127.0.0.1:7401/", ((Archgate.Model.BrokerComponent)bus).Connection);
        Assert.Equal([new BrokerExchange("shop.orders", "topic"), new BrokerExchange("shop.orders.dlx", "fanout")], ((Archgate.Model.BrokerComponent)bus).Broker.Exchanges.Select(e => e with { Location = null }));
        var notifications = ((Archgate.Model.BrokerComponent)bus).Broker.Queues[0];
        Assert.Equal(("shop.order-notifications", 1, "shop.orders.dlx", true), (notifications.Name, notifications.MinConsumers, notifications.DeadLetter, notifications.Durable));
        Assert.Equal(["api"], notifications.Consumers);
        Assert.Equal(0, ((Archgate.Model.BrokerComponent)bus).Broker.Queues[1].MinConsumers);
        Assert.Equal(TimeSpan.FromSeconds(5), ((Archgate.Model.BrokerComponent)bus).Broker.ProbeWithin);
        var asyncApi = ((Archgate.Model.BrokerComponent)bus).Broker.AsyncApi!;
        Assert.EndsWith(Path.Combine("contracts", "shop-events.asyncapi.yaml"), asyncApi.Path, StringComparison.Ordinal);
        Assert.Equal(("shop.orders", "api", "POST", TimeSpan.FromSeconds(3)), (asyncApi.Exchange, asyncApi.Drive!.Via, asyncApi.Drive.Method, asyncApi.Collect));
        Assert.Equal(new ReadinessProbe(null, 7401, null, TimeSpan.FromSeconds(60)), bus.Run!.Ready);

        // The api reaches the bus through Archgate's proxy (${url:bus}): api → bus is an edge the cascade analysis can cut.
        Assert.Equal("${url:bus}", result.Model.Find("api")!.Run!.Environment["SHOP_AMQP"]);
        Assert.Contains(new Edge("api", "bus"), result.Model.ProxiedEdges);

        // Step 1: the broker is infrastructure (first wave) and the api's use of it an AMQP integration point.
        var plan = Planner.Plan(result.Model);
        Assert.Equal(1, plan.Get("bus").Wave);
        Assert.Contains(plan.Points, p => p == new IntegrationPoint("api", "bus", IntegrationPointKind.Broker, "AMQP (shop.orders, shop.orders.dlx)"));
    }

    [Fact]
    public void Every_mistake_of_a_broker_is_reported_at_once_with_its_position()
    {
        var result = ManifestLoader.Parse("""
            version: 1
            system: { name: s }
            components:
              - { name: api, kind: service, url: "http://127.0.0.1:9", exchanges: [ { name: x } ] }
              - name: bus
                kind: broker
                connection: "http://127.0.0.1:5672"
                url: "http://127.0.0.1:15672"
                exchanges: [ { name: ev, type: topics } ]
                queues:
                  - { name: q, consumers: [mailer] }
                  - { name: q }
                probe: { queues: [nope], within: 2m }
                asyncapi: { path: missing.yaml, exchange: other, drive: { request: POST /orders } }
              - { name: mq, kind: broker, connection: "amqp://u:p@broker.example.com:5672/" }
            """, "archgate.yaml", "/tmp/archgate.yaml", "x", _ => null);

        var errors = result.Errors.Select(e => $"{e.Line}:{e.Column} {e.Path}: {e.Message}").ToList();
        Assert.False(result.Succeeded);
        Assert.Contains(errors, e => e.StartsWith("4:", StringComparison.Ordinal) && e.Contains("components.api.exchanges: 'exchanges' does not apply", StringComparison.Ordinal));
        Assert.True(errors.Contains("7:17 components.bus.connection: invalid AMQP URI 'http://127.0.0.1:5672'"), string.Join("\n", errors));
        Assert.Contains(errors, e => e.StartsWith("8:5 components.bus.url: 'url' does not apply", StringComparison.Ordinal));
        Assert.True(errors.Contains("9:36 components.bus.exchanges[0].type: unknown exchange type 'topics'"), string.Join("\n", errors));
        Assert.Contains(errors, e => e.Contains("components.bus.queues: queue 'q' is declared twice", StringComparison.Ordinal));
        Assert.True(errors.Contains("13:23 components.bus.probe.queues: queue 'nope' is not declared in 'queues'"), string.Join("\n", errors));
        Assert.Contains(errors, e => e.Contains("components.bus.probe.within", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("components.bus.asyncapi.path: file not found: missing.yaml", StringComparison.Ordinal));
        Assert.True(errors.Contains("14:47 components.bus.asyncapi.exchange: exchange 'other' is not declared in 'exchanges'"), string.Join("\n", errors));
        Assert.Contains(errors, e => e.Contains("components.bus.asyncapi.drive: a broker's drive request needs 'via'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("components.bus.queues.q.consumers: unknown component 'mailer'", StringComparison.Ordinal));
        Assert.True(errors.Contains("15:43 components.mq.connection: host 'broker.example.com' is not in targets.allow"), string.Join("\n", errors));
    }
}

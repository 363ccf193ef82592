using System.Text;
using Archgate.Checks.Brokers;
using Archgate.Checks.Http;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Model;
using Archgate.Protocol;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Archgate.Checks.Tests.Brokers;

/// <summary>Step 4's broker checks against a real RabbitMQ node; each test uses names of its own on the node's one virtual host.</summary>
[Collection(RabbitMqServer.Collection)]
public sealed class BrokerChecksTests(RabbitMqServer node)
{
    private readonly string _n = Guid.NewGuid().ToString("N")[..8];

    private SystemModel Broker(string body, string? uri = null) => TestSystems.Load($$"""
        version: 1
        system: { name: s }
        components:
          - name: bus
            kind: broker
            critical: true
            connection: "{{uri ?? node.Uri()}}"
        {{body}}
        """);

    private static async Task<CheckResult> RunAsync(ICheck check, SystemModel system)
    {
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        return await check.RunAsync(TestSystems.Context(system, http), CancellationToken.None);
    }

    /// <summary>Declares what a well-behaved service declares: a topic exchange, a dead-letter exchange and queue, a consumed queue dead-lettering to it.</summary>
    private async Task<IChannel> DeclareAsync(IConnection connection, bool deadLetter = true)
    {
        var channel = await connection.CreateChannelAsync();
        await channel.ExchangeDeclareAsync($"ev-{_n}", ExchangeType.Topic, durable: true);
        await channel.ExchangeDeclareAsync($"dlx-{_n}", ExchangeType.Fanout, durable: true);
        await channel.QueueDeclareAsync($"dead-{_n}", durable: true, exclusive: false, autoDelete: false);
        await channel.QueueBindAsync($"dead-{_n}", $"dlx-{_n}", string.Empty);
        var arguments = deadLetter ? new Dictionary<string, object?> { ["x-dead-letter-exchange"] = $"dlx-{_n}" } : null;
        await channel.QueueDeclareAsync($"work-{_n}", durable: true, exclusive: false, autoDelete: false, arguments);
        await channel.QueueBindAsync($"work-{_n}", $"ev-{_n}", "order.#");
        return channel;
    }

    private static async Task ConsumeAsync(IChannel channel, string queue)
    {
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, d) => channel.BasicAckAsync(d.DeliveryTag, false).AsTask();
        await channel.BasicConsumeAsync(queue, autoAck: false, consumer);
    }

    private string Topology(string deadLetter = "dlx") => $$"""
            exchanges:
              - { name: ev-{{_n}}, type: topic }
              - { name: dlx-{{_n}}, type: fanout }
            queues:
              - { name: work-{{_n}}, consumers: [bus], deadLetter: {{deadLetter}}-{{_n}} }
              - { name: dead-{{_n}}, consumers: none }
            probe: { within: 3s }
        """;

    [SkippableFact]
    public async Task A_consumed_dead_lettered_topology_passes_both_checks_with_counts_and_a_round_trip()
    {
        Skip.If(node.Missing is not null, node.Missing);
        await using var connection = await node.ConnectAsync();
        await using var channel = await DeclareAsync(connection);
        await ConsumeAsync(channel, $"work-{_n}");
        var system = Broker(Topology());
        var broker = system.Components[0];

        var topology = await RunAsync(new BrokerTopologyCheck((Archgate.Model.BrokerComponent)broker), system);
        var roundTrip = await RunAsync(new BrokerRoundTripCheck((Archgate.Model.BrokerComponent)broker), system);

        Assert.Equal(CheckStatus.Pass, topology.Status);
        Assert.Empty(topology.Findings);
        Assert.Equal(1, topology.Metrics.Single(m => m.Name == "broker_queue_consumers" && m.Tags["queue"] == $"work-{_n}").Value);
        Assert.Equal(0, topology.Metrics.Single(m => m.Name == "broker_queue_consumers" && m.Tags["queue"] == $"dead-{_n}").Value);
        Assert.Equal(CheckStatus.Pass, roundTrip.Status);
        Assert.Equal($"work-{_n}", Assert.Single(roundTrip.Metrics, m => m.Name == BrokerRules.RoundTripMetric).Tags["queue"]);
    }

    [SkippableFact]
    public async Task A_queue_without_consumer_fails_both_checks_with_the_counts_as_evidence()
    {
        Skip.If(node.Missing is not null, node.Missing);
        await using var connection = await node.ConnectAsync();
        await using var channel = await DeclareAsync(connection);
        var system = Broker(Topology());
        var broker = system.Components[0];

        var topology = await RunAsync(new BrokerTopologyCheck((Archgate.Model.BrokerComponent)broker), system);
        var roundTrip = await RunAsync(new BrokerRoundTripCheck((Archgate.Model.BrokerComponent)broker), system);

        Assert.Equal(CheckStatus.Fail, topology.Status);
        var finding = Assert.Single(topology.Findings);
        Assert.Equal(BrokerRules.NoConsumer, finding.Rule);
        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.Contains($"queue 'work-{_n}' on bus has no consumer", finding.Message, StringComparison.Ordinal);
        Assert.Contains("consumers: 0 (expected at least 1 (bus))", finding.Evidence, StringComparison.Ordinal);
        Assert.Equal(CheckStatus.Fail, roundTrip.Status);
        var lost = Assert.Single(roundTrip.Findings);
        Assert.Equal(BrokerRules.RoundTripFailed, lost.Rule);
        Assert.Contains("messages ready before 0, after 3 s 1; consumers 0", lost.Evidence, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Missing_exchanges_and_queues_a_queue_without_dead_letter_and_a_wrong_dead_letter_are_each_named()
    {
        Skip.If(node.Missing is not null, node.Missing);
        await using var connection = await node.ConnectAsync();
        await using var channel = await DeclareAsync(connection, deadLetter: false);
        await channel.QueueDeclareAsync($"other-{_n}", durable: true, exclusive: false, autoDelete: false, new Dictionary<string, object?> { ["x-dead-letter-exchange"] = $"gone-{_n}" });
        await ConsumeAsync(channel, $"work-{_n}");
        await ConsumeAsync(channel, $"other-{_n}");
        var system = Broker($$"""
                exchanges:
                  - { name: ev-{{_n}}, type: fanout }
                  - { name: nowhere-{{_n}} }
                queues:
                  - { name: work-{{_n}} }
                  - { name: other-{{_n}}, deadLetter: dlx-{{_n}} }
                  - { name: absent-{{_n}} }
            """);

        var result = await RunAsync(new BrokerTopologyCheck((Archgate.Model.BrokerComponent)system.Components[0]), system);

        Assert.Equal(CheckStatus.Fail, result.Status);
        var rules = result.Findings.Select(f => f.Rule).Order(StringComparer.Ordinal).ToList();
        Assert.Equal([BrokerRules.ExchangeMissing, BrokerRules.ExchangeMissing, BrokerRules.QueueMissing, BrokerRules.NoDeadLetter, BrokerRules.DeadLetterMismatch], rules);
        Assert.Contains(result.Findings, f => f.Message.Contains($"exchange 'ev-{_n}' on bus is not of type fanout", StringComparison.Ordinal) && f.Evidence!.Contains("inequivalent arg 'type'", StringComparison.Ordinal));
        Assert.Contains(result.Findings, f => f.Rule == BrokerRules.NoDeadLetter && f.Message.Contains($"'work-{_n}'", StringComparison.Ordinal));
        Assert.Contains(result.Findings, f => f.Rule == BrokerRules.DeadLetterMismatch && f.Evidence!.Contains($"gone-{_n}", StringComparison.Ordinal));
        Assert.Contains(result.Findings, f => f.Rule == BrokerRules.QueueMissing && f.Message.Contains($"absent-{_n}", StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task A_dead_letter_exchange_that_does_not_exist_is_named_when_the_manifest_does_not_declare_one()
    {
        Skip.If(node.Missing is not null, node.Missing);
        await using var connection = await node.ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeclareAsync($"q-{_n}", durable: true, exclusive: false, autoDelete: false, new Dictionary<string, object?> { ["x-dead-letter-exchange"] = $"gone-{_n}" });
        await ConsumeAsync(channel, $"q-{_n}");
        var system = Broker($"    queues: [ {{ name: q-{_n} }} ]");

        var result = await RunAsync(new BrokerTopologyCheck((Archgate.Model.BrokerComponent)system.Components[0]), system);

        var finding = Assert.Single(result.Findings);
        Assert.Equal(BrokerRules.DeadLetterExchangeMissing, finding.Rule);
        Assert.Contains($"dead-letters to exchange 'gone-{_n}', which does not exist", finding.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Wrong_credentials_are_refused_access_and_a_closed_port_is_unreachable_and_transient()
    {
        Skip.If(node.Missing is not null, node.Missing);
        var wrong = Broker("    queues: [ { name: q } ]", node.Uri("not-the-password"));
        var closed = Broker("    queues: [ { name: q } ]", "amqp://shop:x@127.0.0.1:1/");

        var refused = await RunAsync(new BrokerTopologyCheck((Archgate.Model.BrokerComponent)wrong.Components[0]), wrong);
        var unreachable = await RunAsync(new BrokerTopologyCheck((Archgate.Model.BrokerComponent)closed.Components[0]), closed);

        Assert.Equal(BrokerRules.AccessRefused, Assert.Single(refused.Findings).Rule);
        Assert.Null(refused.TransientCause);
        Assert.DoesNotContain("not-the-password", refused.Findings[0].Location + refused.Findings[0].Evidence + refused.Findings[0].Message, StringComparison.Ordinal);
        Assert.Equal(BrokerRules.Unreachable, Assert.Single(unreachable.Findings).Rule);
        Assert.Equal("connection refused", unreachable.TransientCause);
        Assert.Equal(Reachability.Unreachable, unreachable.Reachability);
    }

    [SkippableFact]
    public async Task A_probe_the_consumer_takes_leaves_nothing_behind()
    {
        Skip.If(node.Missing is not null, node.Missing);
        await using var connection = await node.ConnectAsync();
        await using var channel = await DeclareAsync(connection);
        var seen = new List<string?>();
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += async (_, d) =>
        {
            lock (seen)
            {
                seen.Add(d.BasicProperties.Type + " " + Encoding.UTF8.GetString(d.Body.Span));
            }

            await channel.BasicAckAsync(d.DeliveryTag, false);
        };
        await channel.BasicConsumeAsync($"work-{_n}", autoAck: false, consumer);
        var system = Broker(Topology());

        var result = await RunAsync(new BrokerRoundTripCheck((Archgate.Model.BrokerComponent)system.Components[0]), system);

        Assert.Equal(CheckStatus.Pass, result.Status);
        lock (seen)
        {
            Assert.StartsWith("archgate.probe {\"type\":\"archgate.probe\"", Assert.Single(seen), StringComparison.Ordinal);
        }

        Assert.Equal(0u, (await channel.QueueDeclarePassiveAsync($"work-{_n}")).MessageCount);
    }
}

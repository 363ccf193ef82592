using System.Text;
using Archgate.Checks.Brokers;
using Archgate.Checks.Contracts.AsyncApi;
using Archgate.Checks.Http;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Model;
using Archgate.Protocol;
using RabbitMQ.Client;

namespace Archgate.Checks.Tests.Contracts.AsyncApi;

/// <summary>Step 2's AsyncAPI check against a real RabbitMQ node: messages published while it listens are judged by the shop's document.</summary>
[Collection(RabbitMqServer.Collection)]
public sealed class AsyncApiMessagesCheckTests(RabbitMqServer node)
{
    private readonly string _exchange = $"shop.orders.{Guid.NewGuid():N}";

    private static string ShopDocument => Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "samples", "shop", "contracts", "shop-events.asyncapi.yaml"));

    private const string Paid = """{"type":"order.paid","orderId":7,"status":"paid","version":3,"total":12.5,"currency":"EUR","occurredAt":"2026-12-03T10:00:00+00:00"}""";

    /// <summary>Runs the check while publishing <paramref name="messages"/> (routing key, body) once it says it listens (its queue bound).</summary>
    private async Task<CheckResult> RunWhilePublishingAsync(string document, params (string Key, string Body)[] messages)
    {
        await using var connection = await node.ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.ExchangeDeclareAsync(_exchange, ExchangeType.Topic, durable: false, autoDelete: true);
        var folder = Directory.CreateTempSubdirectory("archgate-asyncapi-").FullName;
        var path = Path.Combine(folder, "events.yaml");
        File.Copy(document, path);
        var system = TestSystems.Load($$"""
            version: 1
            system: { name: s }
            components:
              - name: bus
                kind: broker
                connection: "{{node.Uri()}}"
                exchanges: [ { name: {{_exchange}}, type: topic } ]
                asyncapi: { path: events.yaml, collect: 2s }
            """, folder);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        var check = new AsyncApiMessagesCheck((Archgate.Model.BrokerComponent)system.Components[0]);
        // Not a fixed pause: on a busy machine the check's queue was bound later than 500 ms, and its messages went nowhere (ci24).
        var listening = new Listening();
        var run = check.RunAsync(TestSystems.Context(system, http) with { Activity = listening }, CancellationToken.None);
        await Task.WhenAny(listening.Started, run, Task.Delay(TimeSpan.FromSeconds(60)));
        foreach (var (key, body) in messages)
        {
            await channel.BasicPublishAsync(_exchange, key, Encoding.UTF8.GetBytes(body));
        }

        return await run;
    }

    [SkippableFact]
    public async Task Messages_that_match_the_shops_document_pass_and_are_counted()
    {
        Skip.If(node.Missing is not null, node.Missing);

        var result = await RunWhilePublishingAsync(ShopDocument, ("order.paid", Paid), ("order.payment_pending", Paid.Replace("paid\"", "payment_pending\"", StringComparison.Ordinal)));

        Assert.Equal(CheckStatus.Pass, result.Status);
        Assert.Empty(result.Findings);
        Assert.Equal(2, Assert.Single(result.Metrics, m => m.Name == BrokerRules.MessagesCheckedMetric).Value);
    }

    [SkippableFact]
    public async Task A_wrong_payload_an_undocumented_key_and_a_body_that_is_not_json_fail_with_the_message_as_evidence()
    {
        Skip.If(node.Missing is not null, node.Missing);
        var wrong = Paid.Replace("\"total\":12.5", "\"total\":\"12.50\"", StringComparison.Ordinal).Replace("\"currency\":\"EUR\",", string.Empty, StringComparison.Ordinal);

        var result = await RunWhilePublishingAsync(ShopDocument, ("order.paid", Paid), ("order.paid", wrong), ("customer.created", "{}"), ("order.shipped", "not json"));

        Assert.Equal(CheckStatus.Fail, result.Status);
        var mismatch = Assert.Single(result.Findings, f => f.Rule == BrokerRules.PayloadMismatch);
        Assert.StartsWith("1 of 2 message(s) published as 'order.paid' do not match the payload of message 'OrderEvent'", mismatch.Message, StringComparison.Ordinal);
        Assert.Contains("/total", mismatch.Message, StringComparison.Ordinal);
        Assert.Contains("currency", mismatch.Message, StringComparison.Ordinal);
        Assert.Contains("\"12.50\"", mismatch.Evidence, StringComparison.Ordinal);
        Assert.Contains("customer.created", Assert.Single(result.Findings, f => f.Rule == BrokerRules.UndocumentedChannel).Message, StringComparison.Ordinal);
        Assert.Equal($"{_exchange} order.shipped (message OrderEvent)", Assert.Single(result.Findings, f => f.Rule == BrokerRules.NotJson).Location);
    }

    [SkippableFact]
    public async Task A_broken_document_fails_at_its_positions_before_touching_the_broker()
    {
        Skip.If(node.Missing is not null, node.Missing);
        var broken = Path.Combine(Directory.CreateTempSubdirectory("archgate-asyncapi-").FullName, "broken.yaml");
        File.WriteAllText(broken, "asyncapi: 3.0.0\ninfo: { title: t, version: '1' }\nchannels:\n  a:\n    address: a\n    messages: { m: { $ref: '#/nowhere' } }\n");

        var result = await RunWhilePublishingAsync(broken);

        Assert.Equal(CheckStatus.Fail, result.Status);
        Assert.Equal(["events.yaml:6:20", "events.yaml:5:5"], result.Findings.Select(f => f.Location));
        Assert.All(result.Findings, f => Assert.Equal(BrokerRules.AsyncApiInvalid, f.Rule));
        Assert.Empty(result.Metrics);
    }

    [SkippableFact]
    public async Task Nothing_published_while_listening_warns_that_nothing_was_checked()
    {
        Skip.If(node.Missing is not null, node.Missing);

        var result = await RunWhilePublishingAsync(ShopDocument);

        Assert.Equal(CheckStatus.Warn, result.Status);
        Assert.Equal(BrokerRules.NoMessages, Assert.Single(result.Findings).Rule);
    }

    /// <summary>Completes once the check reports that it listens.</summary>
    private sealed class Listening : IProgress<string>
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Started => _started.Task;

        public void Report(string value)
        {
            if (value.StartsWith("listening on", StringComparison.Ordinal))
            {
                _started.TrySetResult();
            }
        }
    }
}

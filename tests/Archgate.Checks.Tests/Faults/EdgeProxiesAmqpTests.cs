using System.Text;
using Archgate.Checks.Faults;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Model;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Archgate.Checks.Tests.Faults;

/// <summary>
/// A broker edge through Archgate's TCP proxy against a real RabbitMQ node: the caller's rewritten AMQP URI opens a
/// session (credentials and virtual host as the broker declares them), messages go both ways, and the proxy's faults
/// act at TCP level: refused cuts the open session and refuses new ones, reset and blackhole stop new ones.
/// </summary>
[Collection(RabbitMqServer.Collection)]
public sealed class EdgeProxiesAmqpTests(RabbitMqServer node)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static Task<IConnection> ConnectAsync(Uri uri, TimeSpan? timeout = null, CancellationToken cancel = default) =>
        new ConnectionFactory
        {
            Uri = uri,
            ClientProvidedName = "archgate-tests",
            AutomaticRecoveryEnabled = false,
            RequestedConnectionTimeout = timeout ?? Patience,
        }.CreateConnectionAsync(cancel);

    [SkippableFact]
    public async Task An_AMQP_session_passes_through_the_proxy_and_refused_cuts_it_until_the_fault_is_removed()
    {
        Skip.If(node.Missing is not null, node.Missing);
        await using var edges = new EdgeProxies();
        var through = edges.Open("api", "bus", new Uri(node.Uri()));
        var proxy = edges.Find(new Edge("api", "bus"))!;
        Assert.NotEqual(node.Port, through.Port);

        await using var connection = await ConnectAsync(through);
        await using var channel = await connection.CreateChannelAsync();
        var queue = (await channel.QueueDeclareAsync(string.Empty, durable: false, exclusive: true, autoDelete: true)).QueueName;
        await channel.BasicPublishAsync(string.Empty, queue, Encoding.UTF8.GetBytes("order.placed through the proxy"));
        Assert.Equal("order.placed through the proxy", await GetAsync(channel, queue));
        Assert.Equal(1, proxy.Counters.ConnectionCount);

        var lost = new TaskCompletionSource<ShutdownEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.ConnectionShutdownAsync += (_, e) =>
        {
            lost.TrySetResult(e);
            return Task.CompletedTask;
        };
        using (proxy.Add(new RefusedToxic()))
        {
            await lost.Task.WaitAsync(Patience); // the open session is cut at once, not at the next heartbeat
            Assert.False(connection.IsOpen);
            await Assert.ThrowsAsync<BrokerUnreachableException>(() => ConnectAsync(through, TimeSpan.FromSeconds(5)));
        }

        // Passthrough again: a new session, with the same credentials and virtual host, reaches the node.
        await using var again = await ConnectAsync(through);
        await using var second = await again.CreateChannelAsync();
        var queue2 = (await second.QueueDeclareAsync(string.Empty, durable: false, exclusive: true, autoDelete: true)).QueueName;
        await second.BasicPublishAsync(string.Empty, queue2, Encoding.UTF8.GetBytes("back"));
        Assert.Equal("back", await GetAsync(second, queue2));
        // The cut session was counted at the edge (what the broker sent through it) when it ended.
        var deadline = DateTime.UtcNow + Patience;
        while (proxy.Counters.Connections[0].Duration is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        var first = proxy.Counters.Connections[0];
        Assert.True(first is { BytesDown: > 0, Fault: null }, first.ToString());
    }

    [SkippableFact]
    public async Task Reset_and_blackhole_stop_new_AMQP_sessions_at_the_tcp_level()
    {
        Skip.If(node.Missing is not null, node.Missing);
        await using var edges = new EdgeProxies();
        var through = edges.Open("worker", "bus", new Uri(node.Uri()));
        var proxy = edges.Find(new Edge("worker", "bus"))!;

        using (proxy.Add(new ResetToxic()))
        {
            await Assert.ThrowsAsync<BrokerUnreachableException>(() => ConnectAsync(through, TimeSpan.FromSeconds(5)));
        }

        using (proxy.Add(new BlackholeToxic()))
        {
            // The TCP connect succeeds and the handshake never gets an answer: no session opens while it holds.
            using var held = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ConnectAsync(through, cancel: held.Token).WaitAsync(Patience));

        }

        Assert.Equal(["connection reset", "blackhole"], proxy.Counters.Connections.Take(2).Select(c => c.Fault));
        await using var connection = await ConnectAsync(through);
        Assert.True(connection.IsOpen);
    }

    private static async Task<string> GetAsync(IChannel channel, string queue)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            if (await channel.BasicGetAsync(queue, autoAck: true) is { } message)
            {
                return Encoding.UTF8.GetString(message.Body.Span);
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"nothing arrived on {queue}");
    }
}

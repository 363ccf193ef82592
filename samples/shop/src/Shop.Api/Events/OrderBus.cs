using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;
using Shop.Api.Orders;
using Shop.Common;

namespace Shop.Api.Events;

/// <summary>
/// The broker's names, as the manifest declares them and as <c>contracts/shop-events.asyncapi.yaml</c> documents them.
/// Order events go to a topic exchange under <c>order.STATUS</c>; the notifications queue takes all of them; what its
/// consumer refuses goes through the dead-letter exchange to the dead-letter queue.
/// </summary>
internal static class OrderTopology
{
    public const string Exchange = "shop.orders";
    public const string DeadLetterExchange = "shop.orders.dlx";
    public const string NotificationsQueue = "shop.order-notifications";
    public const string DeadLetterQueue = "shop.orders.dead";

    /// <summary>Declares every exchange, queue and binding; idempotent, so each start (and each reconnection) runs it.</summary>
    public static async Task DeclareAsync(IChannel channel, CancellationToken ct)
    {
        await channel.ExchangeDeclareAsync(Exchange, ExchangeType.Topic, durable: true, autoDelete: false, cancellationToken: ct);
        await channel.ExchangeDeclareAsync(DeadLetterExchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: ct);
        await channel.QueueDeclareAsync(DeadLetterQueue, durable: true, exclusive: false, autoDelete: false, cancellationToken: ct);
        await channel.QueueBindAsync(DeadLetterQueue, DeadLetterExchange, string.Empty, cancellationToken: ct);
        var arguments = new Dictionary<string, object?> { ["x-dead-letter-exchange"] = DeadLetterExchange };
        await channel.QueueDeclareAsync(NotificationsQueue, durable: true, exclusive: false, autoDelete: false, arguments, cancellationToken: ct);
        await channel.QueueBindAsync(NotificationsQueue, Exchange, "order.#", cancellationToken: ct);
    }
}

/// <summary>An order's status change as it travels on the broker (<c>OrderEvent</c> in the AsyncAPI document).</summary>
internal sealed record OrderEvent(string Type, long OrderId, string Status, int Version, decimal Total, string Currency, DateTimeOffset OccurredAt)
{
    public static OrderEvent Of(Order order) =>
        new("order." + order.Status, order.Id, order.Status, order.Version, order.Total, order.Currency, order.UpdatedAt);
}

/// <summary>What the broker side of the api is doing, for its readiness report.</summary>
internal sealed class BusState
{
    private long _published;
    private long _consumed;
    private long _deadLettered;

    /// <summary>Whether <c>SHOP_AMQP</c> names a broker at all.</summary>
    public bool Enabled { get; init; }

    public bool Connected { get; set; }

    public bool Consuming { get; set; }

    public string? LastError { get; set; }

    public long Published => Interlocked.Read(ref _published);

    public long Consumed => Interlocked.Read(ref _consumed);

    public long DeadLettered => Interlocked.Read(ref _deadLettered);

    public void CountPublished() => Interlocked.Increment(ref _published);

    public void CountConsumed() => Interlocked.Increment(ref _consumed);

    public void CountDeadLettered() => Interlocked.Increment(ref _deadLettered);
}

/// <summary>
/// Publishes each order status change to the broker and runs the notifications consumer, on one connection that it
/// opens again (every second) while the broker is away. Events wait in memory meanwhile (the last 1,000): an order never
/// fails because the broker is down. A connection that breaks (the broker stops, or the network cuts it) is noticed at
/// once, not at the next publish: readiness reports the bus degraded while it is away, and the consumer comes back with
/// the next connection. Without <c>SHOP_AMQP</c> the api publishes nothing. Under <c>no-consumer</c> the queue is
/// declared but nobody consumes it (the defect).
/// </summary>
internal sealed partial class OrderBus(Uri? broker, FaultSwitches faults, BusState state, ILogger<OrderBus> logger) : BackgroundService
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly TimeSpan Reconnect = TimeSpan.FromSeconds(1);
    private readonly Channel<OrderEvent> _pending = Channel.CreateBounded<OrderEvent>(
        new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropOldest });

    /// <summary>Queues an order's change for publishing; returns at once.</summary>
    public void Publish(Order order)
    {
        if (broker is not null)
        {
            _pending.Writer.TryWrite(OrderEvent.Of(order));
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (broker is null)
        {
            return;
        }

        var factory = new ConnectionFactory { Uri = broker, ClientProvidedName = "shop-api", AutomaticRecoveryEnabled = false };
        while (!stoppingToken.IsCancellationRequested)
        {
            // Cancelled when the connection shuts down, so an idle publisher does not wait for the next event to notice.
            // Declared before the connection: disposing the connection raises its shutdown while this is still alive.
            using var lost = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            try
            {
                await using var connection = await factory.CreateConnectionAsync(stoppingToken);
                connection.ConnectionShutdownAsync += async (_, _) =>
                {
                    try
                    {
                        await lost.CancelAsync();
                    }
                    catch (ObjectDisposedException)
                    {
                        // Raised after this attempt ended: nothing waits on it any more.
                    }
                };
                await using var publisher = await connection.CreateChannelAsync(cancellationToken: stoppingToken);
                await OrderTopology.DeclareAsync(publisher, stoppingToken);
                await using var consumerChannel = await connection.CreateChannelAsync(cancellationToken: stoppingToken);
                if (!faults.IsOn(FaultSwitches.NoConsumer))
                {
                    await ConsumeAsync(consumerChannel, stoppingToken);
                }

                state.Connected = true;
                state.LastError = null;
                LogConnected(broker.Host, broker.Port);
                await PublishPendingAsync(connection, publisher, lost.Token);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (OperationCanceledException) when (lost.IsCancellationRequested)
            {
                state.LastError = "connection lost";
                LogBrokerAway("connection lost");
            }
            catch (Exception ex) when (ex is BrokerUnreachableException or OperationInterruptedException or AlreadyClosedException or IOException)
            {
                state.LastError = ex.GetType().Name;
                LogBrokerAway(ex.GetType().Name);
            }
            finally
            {
                state.Connected = false;
                state.Consuming = false;
            }

            await Task.Delay(Reconnect, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private async Task PublishPendingAsync(IConnection connection, IChannel channel, CancellationToken ct)
    {
        while (connection.IsOpen && await _pending.Reader.WaitToReadAsync(ct))
        {
            while (_pending.Reader.TryPeek(out var change))
            {
                var properties = new BasicProperties
                {
                    ContentType = "application/json",
                    DeliveryMode = DeliveryModes.Persistent,
                    Type = change.Type,
                    MessageId = $"order-{change.OrderId}-v{change.Version}",
                    Timestamp = new AmqpTimestamp(change.OccurredAt.ToUnixTimeSeconds()),
                };
                var body = JsonSerializer.SerializeToUtf8Bytes(change, Json);
                await channel.BasicPublishAsync(OrderTopology.Exchange, change.Type, mandatory: false, properties, body, ct);
                _pending.Reader.TryRead(out _); // Taken off the queue once the broker has it; a failed publish goes again after reconnecting.
                state.CountPublished();
            }
        }
    }

    private async Task ConsumeAsync(IChannel channel, CancellationToken ct)
    {
        await channel.BasicQosAsync(0, 20, global: false, ct);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            if (Notify(delivery))
            {
                state.CountConsumed();
                await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false, ct);
            }
            else
            {
                // Not an order event we understand: refused without requeue, so the queue dead-letters it.
                state.CountDeadLettered();
                await channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: false, ct);
            }
        };
        await channel.BasicConsumeAsync(OrderTopology.NotificationsQueue, autoAck: false, consumerTag: "shop-api-notifications", noLocal: false, exclusive: false, arguments: null, consumer, ct);
        state.Consuming = true;
    }

    /// <summary>The notifications consumer: logs each order event (a real shop would notify the warehouse here).</summary>
    private bool Notify(BasicDeliverEventArgs delivery)
    {
        if (delivery.BasicProperties.Type == "archgate.probe")
        {
            LogProbe(delivery.BasicProperties.MessageId ?? "");
            return true;
        }

        try
        {
            var change = JsonSerializer.Deserialize<OrderEvent>(Encoding.UTF8.GetString(delivery.Body.Span), Json);
            if (change is null || change.OrderId <= 0 || string.IsNullOrEmpty(change.Status))
            {
                return false;
            }

            LogNotified(change.OrderId, change.Status);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Broker connected at {Host}:{Port}; order events are published")]
    private partial void LogConnected(string host, int port);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Broker unreachable ({Reason}); order events wait in memory")]
    private partial void LogBrokerAway(string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId} is now {Status}")]
    private partial void LogNotified(long orderId, string status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Probe message {Id} taken")]
    private partial void LogProbe(string id);
}

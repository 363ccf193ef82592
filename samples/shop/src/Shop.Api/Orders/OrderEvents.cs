using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Shop.Api.Orders;

/// <summary>A status change pushed to SSE subscribers.</summary>
internal sealed record OrderStatusChanged(long OrderId, string Status, int Version, DateTimeOffset UpdatedAt);

/// <summary>
/// Fans order status changes out to the SSE streams of the order's owner and of admins, and to the broker's
/// <c>shop.orders</c> exchange when the api has one (<see cref="Events.OrderBus"/>). Under <c>sse-stale-status</c> the
/// streams' events carry the status the order had before the change (the defect: built from an earlier read).
/// </summary>
internal sealed class OrderEvents(Events.OrderBus? bus = null, bool staleStatus = false)
{
    private readonly ConcurrentDictionary<Guid, (long? UserId, Channel<OrderStatusChanged> Channel)> _subscribers = new();
    private readonly ConcurrentDictionary<long, string> _previous = new();

    public int Subscribers => _subscribers.Count;

    /// <summary>Subscribes to one user's orders, or to all when <paramref name="userId"/> is null (admins).</summary>
    public (Guid Id, ChannelReader<OrderStatusChanged> Reader) Subscribe(long? userId)
    {
        var channel = Channel.CreateBounded<OrderStatusChanged>(
            new BoundedChannelOptions(100) { FullMode = BoundedChannelFullMode.DropOldest });
        var id = Guid.NewGuid();
        _subscribers[id] = (userId, channel);
        return (id, channel.Reader);
    }

    public void Unsubscribe(Guid id)
    {
        if (_subscribers.TryRemove(id, out var s))
        {
            s.Channel.Writer.TryComplete();
        }
    }

    public void Publish(Order order)
    {
        bus?.Publish(order);
        var status = staleStatus ? _previous.GetValueOrDefault(order.Id, order.Status) : order.Status;
        if (staleStatus)
        {
            _previous[order.Id] = order.Status;
        }

        var change = new OrderStatusChanged(order.Id, status, order.Version, order.UpdatedAt);
        foreach (var (userId, channel) in _subscribers.Values)
        {
            if (userId is null || userId == order.UserId)
            {
                channel.Writer.TryWrite(change);
            }
        }
    }
}

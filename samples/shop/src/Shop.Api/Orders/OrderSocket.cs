using System.Net.WebSockets;
using System.Security.Claims;
using System.Text.Json;
using Shop.Api.Auth;

namespace Shop.Api.Orders;

/// <summary>
/// GET /orders/ws: the order status changes of the SSE stream, over a WebSocket. Each text message is one JSON event
/// <c>{"type", "id", "data"}</c>: first <c>ready</c>, then <c>order-status</c> (data an <see cref="OrderStatusChanged"/>,
/// id <c>&lt;orderId&gt;-&lt;version&gt;</c>), and <c>ping</c> after 15 s without one. Signed-in users only (the token in
/// <c>?access_token=</c>, as browsers cannot set headers on a WebSocket).
/// </summary>
internal static class OrderSocket
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task AcceptAsync(HttpContext http, ClaimsPrincipal user, OrderEvents events, CancellationToken ct)
    {
        if (!http.WebSockets.IsWebSocketRequest)
        {
            await Results.Problem(statusCode: 400, title: "This is a WebSocket endpoint: connect with a WebSocket upgrade.").ExecuteAsync(http);
            return;
        }

        using var socket = await http.WebSockets.AcceptWebSocketAsync();
        var me = CurrentUser.From(user);
        var (id, reader) = events.Subscribe(user.IsAdmin() ? null : me.Id);
        using var closed = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var listening = DrainUntilCloseAsync(socket, closed);
        try
        {
            await SendAsync(socket, new { type = "ready", data = new { user = me.Username } }, closed.Token);
            while (!closed.IsCancellationRequested)
            {
                OrderStatusChanged? change = null;
                using (var heartbeat = CancellationTokenSource.CreateLinkedTokenSource(closed.Token))
                {
                    heartbeat.CancelAfter(TimeSpan.FromSeconds(15));
                    try
                    {
                        change = await reader.ReadAsync(heartbeat.Token);
                    }
                    catch (OperationCanceledException) when (!closed.IsCancellationRequested)
                    {
                        // Quiet for 15 s: a ping keeps proxies from closing the connection.
                    }
                }

                object message = change is null
                    ? new { type = "ping" }
                    : new { type = "order-status", id = $"{change.OrderId}-{change.Version}", data = change };
                await SendAsync(socket, message, closed.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or System.Threading.Channels.ChannelClosedException)
        {
            // The client went away, or the api is stopping.
        }
        finally
        {
            events.Unsubscribe(id);
            await closed.CancelAsync();
            await listening;
        }
    }

    private static Task SendAsync(WebSocket socket, object message, CancellationToken ct) =>
        socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(message, Json), WebSocketMessageType.Text, endOfMessage: true, ct);

    /// <summary>Reads (and ignores) what the client sends until it closes; then cancels the sender.</summary>
    private static async Task DrainUntilCloseAsync(WebSocket socket, CancellationTokenSource closed)
    {
        var buffer = new byte[1024];
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var received = await socket.ReceiveAsync(buffer, closed.Token);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
        }
        finally
        {
            await closed.CancelAsync();
        }
    }
}

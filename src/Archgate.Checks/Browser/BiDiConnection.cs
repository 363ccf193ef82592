using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Archgate.Checks.Browser;

/// <summary>
/// A WebDriver BiDi session over one WebSocket: commands <c>{ id, method, params }</c> answered by <c>success</c> or
/// <c>error</c> messages with the same id; events are not subscribed to (the page scripts record what journeys need).
/// </summary>
internal sealed class BiDiConnection : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonNode?>> _pending = new();
    private readonly SemaphoreSlim _send = new(1, 1);
    private readonly CancellationTokenSource _closing = new();
    private Task _receiving = Task.CompletedTask;
    private int _nextId;

    /// <summary>Connects to <paramref name="endpoint"/> (<c>ws://127.0.0.1:PORT/session</c>).</summary>
    public static async Task<BiDiConnection> ConnectAsync(Uri endpoint, CancellationToken cancellationToken)
    {
        var connection = new BiDiConnection();
        await connection._socket.ConnectAsync(endpoint, cancellationToken);
        connection._receiving = Task.Run(connection.ReceiveAsync, CancellationToken.None);
        return connection;
    }

    /// <summary>Sends a command and returns its <c>result</c>.</summary>
    /// <exception cref="BrowserActionException">The browser answered with an error, or not within <paramref name="timeout"/>.</exception>
    public async Task<JsonNode?> SendAsync(string method, JsonObject parameters, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var id = Interlocked.Increment(ref _nextId);
        var answer = new TaskCompletionSource<JsonNode?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters };
        try
        {
            await _send.WaitAsync(cancellationToken);
            try
            {
                await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, cancellationToken);
            }
            finally
            {
                _send.Release();
            }

            return await answer.Task.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException ex)
        {
            throw new BrowserActionException($"{method}: no answer within {timeout.TotalSeconds:0} s", ex);
        }
        catch (WebSocketException ex)
        {
            throw new BrowserActionException($"{method}: the browser's connection closed ({ex.WebSocketErrorCode})", ex);
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[64 * 1024];
        using var text = new MemoryStream();
        try
        {
            while (!_closing.IsCancellationRequested && _socket.State == WebSocketState.Open)
            {
                var read = await _socket.ReceiveAsync(buffer, _closing.Token);
                if (read.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                text.Write(buffer, 0, read.Count);
                if (!read.EndOfMessage)
                {
                    continue;
                }

                Dispatch(text.ToArray());
                text.SetLength(0);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // closed: the commands still waiting fail below
        }

        foreach (var waiting in _pending.Values)
        {
            waiting.TrySetException(new BrowserActionException("the browser closed its WebDriver BiDi connection"));
        }
    }

    private void Dispatch(byte[] message)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(message);
        }
        catch (JsonException)
        {
            return;
        }

        if (node?["id"]?.GetValueKind() != JsonValueKind.Number || !_pending.TryGetValue(node["id"]!.GetValue<int>(), out var waiting))
        {
            return; // an event, or an answer nobody waits for any more
        }

        if ((string?)node["type"] == "error")
        {
            waiting.TrySetException(new BrowserActionException($"{(string?)node["error"]}: {(string?)node["message"]}"));
        }
        else
        {
            waiting.TrySetResult(node["result"]);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _closing.CancelAsync();
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, bound.Token);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // the browser went first
        }

        await _receiving;
        _socket.Dispose();
        _closing.Dispose();
        _send.Dispose();
    }
}

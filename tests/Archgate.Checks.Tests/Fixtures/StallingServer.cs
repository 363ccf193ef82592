using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Archgate.Checks.Tests.Fixtures;

/// <summary>How a <see cref="StallingServer"/> misbehaves.</summary>
public enum Stall
{
    /// <summary>Accepts connections and reads requests, never writes a byte.</summary>
    Silent,

    /// <summary>Sends a status line and headers promising a 1 000-byte body, then one body byte every 100 ms.</summary>
    TrickleBody,

    /// <summary>Sends the status line and headers one byte every 100 ms.</summary>
    TrickleHeaders,
}

/// <summary>
/// A TCP server on a free port of 127.0.0.1 that accepts and then never completes an answer, as a hung
/// service would. Connections are held until the server is disposed.
/// </summary>
public sealed class StallingServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Stall _stall;
    private int _requests;

    public StallingServer(Stall stall)
    {
        _stall = stall;
        _listener.Start();
        _ = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public Uri Url => new($"http://127.0.0.1:{Port}");

    /// <summary>Request heads received so far.</summary>
    public int Requests => Volatile.Read(ref _requests);

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = ServeAsync(client);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        var buffer = new byte[4096];
        try
        {
            var head = new StringBuilder();
            while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var n = await stream.ReadAsync(buffer, _stop.Token);
                if (n == 0)
                {
                    return;
                }

                head.Append(Encoding.ASCII.GetString(buffer, 0, n));
            }

            Interlocked.Increment(ref _requests);
            const string headers = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n";
            switch (_stall)
            {
                case Stall.TrickleBody:
                    await stream.WriteAsync(Encoding.ASCII.GetBytes(headers), _stop.Token);
                    await TrickleAsync(stream, new string('x', 1000));
                    break;
                case Stall.TrickleHeaders:
                    await TrickleAsync(stream, headers + new string('x', 1000));
                    break;
            }

            // Hold the connection open, reading (and ignoring) whatever comes, until the client or the test ends it.
            while (await stream.ReadAsync(buffer, _stop.Token) > 0)
            {
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task TrickleAsync(NetworkStream stream, string text)
    {
        foreach (var b in Encoding.ASCII.GetBytes(text))
        {
            await stream.WriteAsync(new[] { b }, _stop.Token);
            await Task.Delay(100, _stop.Token);
        }
    }
}

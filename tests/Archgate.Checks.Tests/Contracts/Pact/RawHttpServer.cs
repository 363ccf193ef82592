using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Archgate.Checks.Tests.Contracts.Pact;

/// <summary>
/// A provider on 127.0.0.1 that answers every request with the same raw HTTP/1.1 response, byte for byte:
/// for what HttpListener cannot send, such as one header name on several lines.
/// </summary>
public sealed class RawHttpServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    /// <param name="head">Status line and header lines, without the blank line and Content-Length.</param>
    /// <param name="body">The body.</param>
    public RawHttpServer(string head, byte[] body)
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        var response = Encoding.ASCII.GetBytes($"{head.TrimEnd()}\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n").Concat(body).ToArray();
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    var stream = client.GetStream();
                    var buffer = new byte[8192];
                    var seen = new StringBuilder();
                    while (!seen.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                    {
                        var read = await stream.ReadAsync(buffer, _stop.Token);
                        if (read == 0)
                        {
                            break;
                        }

                        seen.Append(Encoding.ASCII.GetString(buffer, 0, read));
                    }

                    await stream.WriteAsync(response, _stop.Token);
                }
                catch (Exception ex) when (ex is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
                {
                    if (_stop.IsCancellationRequested)
                    {
                        return;
                    }
                }
            }
        });
    }

    public int Port { get; }

    public Uri Url => new($"http://127.0.0.1:{Port}");

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _loop.Wait(TimeSpan.FromSeconds(2));
        _listener.Dispose();
        _stop.Dispose();
    }
}

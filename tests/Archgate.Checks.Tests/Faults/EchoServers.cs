using System.Net;
using System.Net.Sockets;
using System.Text;
using Archgate.Checks.Tests.Fixtures;

namespace Archgate.Checks.Tests.Faults;

/// <summary>
/// An HTTP dependency on a free 127.0.0.1 port: <c>/echo</c> answers "METHOD PATH key=KEY body=LENGTH",
/// <c>/big?n=N</c> answers N bytes chunked, <c>/close</c> answers and closes the connection.
/// </summary>
internal sealed class EchoHttpServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private int _requests;

    public EchoHttpServer()
    {
        Port = FreePort.Next();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }

    public int Requests => Volatile.Read(ref _requests);

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _requests);
            _ = Task.Run(() => AnswerAsync(context));
        }
    }

    private static async Task AnswerAsync(HttpListenerContext context)
    {
        try
        {
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            var path = context.Request.Url!.AbsolutePath;
            byte[] bytes;
            if (path == "/big")
            {
                var n = int.Parse(context.Request.QueryString["n"]!, System.Globalization.CultureInfo.InvariantCulture);
                bytes = Encoding.ASCII.GetBytes(new string('x', n));
                context.Response.SendChunked = true;
            }
            else
            {
                bytes = Encoding.UTF8.GetBytes($"{context.Request.HttpMethod} {path} key={context.Request.Headers["Idempotency-Key"]} body={body.Length}");
                context.Response.ContentLength64 = bytes.Length;
                context.Response.KeepAlive = path != "/close";
            }

            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or IOException)
        {
            // The caller left.
        }
    }

    public void Dispose()
    {
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(2));
    }
}

/// <summary>A TCP dependency that echoes each connection's bytes and closes when the caller has sent all of them.</summary>
internal sealed class EchoTcpServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Task _loop;
    private int _connections;

    public EchoTcpServer()
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = Task.Run(async () =>
        {
            while (true)
            {
                Socket socket;
                try
                {
                    socket = await _listener.AcceptSocketAsync();
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                {
                    return;
                }

                Interlocked.Increment(ref _connections);
                _ = Task.Run(async () =>
                {
                    using (socket)
                    {
                        try
                        {
                            await using var stream = new NetworkStream(socket);
                            await stream.CopyToAsync(stream);
                            socket.Shutdown(SocketShutdown.Send);
                        }
                        catch (Exception ex) when (ex is IOException or SocketException)
                        {
                            // The caller left.
                        }
                    }
                });
            }
        });
    }

    public int Port { get; }

    public int Connections => Volatile.Read(ref _connections);

    public void Dispose()
    {
        _listener.Stop();
        _loop.Wait(TimeSpan.FromSeconds(2));
    }
}

using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Archgate.Checks.Tests.Fixtures;

/// <summary>A real HTTP server on 127.0.0.1 (HttpListener) answering with a fixed status and body.</summary>
public sealed class TinyHttpServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    public TinyHttpServer(int status, string body)
    {
        Port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(async () =>
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

                Requests++;
                context.Response.StatusCode = status;
                var bytes = Encoding.UTF8.GetBytes(body);
                context.Response.ContentType = "application/json";
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            }
        });
    }

    public int Port { get; }

    public int Requests { get; private set; }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        // Close alone: after Stop, Close would remove the prefix again and try to bind the port anew.
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(2));
    }
}

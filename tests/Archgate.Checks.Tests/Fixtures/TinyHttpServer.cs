using System.Text;

namespace Archgate.Checks.Tests.Fixtures;

/// <summary>A <see cref="LocalHttpServer"/> answering every request with a fixed status and JSON body.</summary>
public sealed class TinyHttpServer : IDisposable
{
    private readonly LocalHttpServer _server;
    private int _requests;

    public TinyHttpServer(int status, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        _server = new LocalHttpServer(context =>
        {
            Interlocked.Increment(ref _requests);
            return LocalHttpServer.WriteAsync(context, status, bytes, "application/json");
        });
    }

    public int Port => _server.Port;

    public int Requests => Volatile.Read(ref _requests);

    public void Dispose() => _server.Dispose();
}

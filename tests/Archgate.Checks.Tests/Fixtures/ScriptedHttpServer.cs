using System.Collections.Concurrent;
using System.Text;

namespace Archgate.Checks.Tests.Fixtures;

/// <summary>An answer of <see cref="ScriptedHttpServer"/>.</summary>
public sealed record Reply(int Status, string? Body = null, string ContentType = "application/json", IReadOnlyDictionary<string, string>? Headers = null);

/// <summary>
/// A <see cref="LocalHttpServer"/> whose answers a test scripts as a function of the request; it records every
/// request it received. A script that throws answers 599 with the exception's message. A concurrent server runs the
/// script of each request on the thread pool as it arrives, so a script may wait for another request.
/// </summary>
public sealed class ScriptedHttpServer : IDisposable
{
    private readonly LocalHttpServer _server;

    public ScriptedHttpServer(Func<Received, Reply> script, bool concurrent = false) =>
        _server = new LocalHttpServer(async context =>
        {
            var received = await LocalHttpServer.ReadAsync(context);
            Requests.Enqueue(received);
            Reply reply;
            try
            {
                reply = concurrent ? await Task.Run(() => script(received)) : script(received);
            }
#pragma warning disable CA1031 // The script is the test's; its failure becomes an answer the test sees.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                reply = new Reply(599, ex.Message, "text/plain");
            }

            await LocalHttpServer.WriteAsync(context, reply.Status, reply.Body is null ? [] : Encoding.UTF8.GetBytes(reply.Body), reply.ContentType, reply.Headers);
        }, concurrent);

    public int Port => _server.Port;

    public Uri Url => _server.Url;

    public ConcurrentQueue<Received> Requests { get; } = new();

    public void Dispose() => _server.Dispose();
}

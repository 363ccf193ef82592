using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace Archgate.Checks.Tests.Fixtures;

/// <summary>An answer of <see cref="ScriptedHttpServer"/>.</summary>
public sealed record Reply(int Status, string? Body = null, string ContentType = "application/json", IReadOnlyDictionary<string, string>? Headers = null);

/// <summary>One request the server received.</summary>
public sealed record Received(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, string Body);

/// <summary>
/// A real HTTP server on 127.0.0.1 (HttpListener) whose answers a test scripts as a function of the request;
/// it records every request it received.
/// </summary>
public sealed class ScriptedHttpServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    public ScriptedHttpServer(Func<Received, Reply> script)
    {
        Port = TinyHttpServer.FreePort();
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

                using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
                var body = await reader.ReadToEndAsync();
                var headers = context.Request.Headers.AllKeys.Where(k => k is not null).ToDictionary(k => k!, k => context.Request.Headers[k]!, StringComparer.OrdinalIgnoreCase);
                var received = new Received(context.Request.HttpMethod, context.Request.Url!.PathAndQuery, headers, body);
                Requests.Enqueue(received);
                Reply reply;
                try
                {
                    reply = script(received);
                }
                catch (Exception ex)
                {
                    reply = new Reply(599, ex.Message, "text/plain");
                }

                context.Response.StatusCode = reply.Status;
                foreach (var (name, value) in reply.Headers ?? new Dictionary<string, string>())
                {
                    context.Response.Headers[name] = value;
                }

                if (reply.Body is not null)
                {
                    context.Response.ContentType = reply.ContentType;
                    var bytes = Encoding.UTF8.GetBytes(reply.Body);
                    await context.Response.OutputStream.WriteAsync(bytes);
                }

                context.Response.Close();
            }
        });
    }

    public int Port { get; }

    public Uri Url => new($"http://127.0.0.1:{Port}");

    public ConcurrentQueue<Received> Requests { get; } = new();

    public void Dispose()
    {
        // Close alone: after Stop, Close would remove the prefix again and try to bind the port anew.
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(2));
    }
}

using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Archgate.Checks.Tests.Fixtures;

/// <summary>One request a test server received.</summary>
public sealed record Received(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, string Body);

/// <summary>
/// The one HTTP test server: a real HttpListener on a free port of 127.0.0.1 whose every request is answered by a
/// handler, one at a time or (<c>concurrent</c>) each on its own task. The servers of the tests (fixed answer, scripted,
/// pages, pact provider, database-backed service) are handlers on it.
/// </summary>
public sealed class LocalHttpServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    public LocalHttpServer(Func<HttpListenerContext, Task> handler, bool concurrent = false)
    {
        Port = Archgate.Testing.FreePort.Next();
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
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                var answer = Answer(handler, context);
                if (!concurrent)
                {
                    await answer;
                }
            }
        });
    }

    public int Port { get; }

    public Uri Url => new($"http://127.0.0.1:{Port}");

    /// <summary>The request's method, path, headers and body.</summary>
    public static async Task<Received> ReadAsync(HttpListenerContext context)
    {
        using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
        var headers = context.Request.Headers.AllKeys.Where(k => k is not null)
            .ToDictionary(k => k!, k => context.Request.Headers[k] ?? string.Empty, StringComparer.OrdinalIgnoreCase);
        return new Received(context.Request.HttpMethod, context.Request.Url!.PathAndQuery, headers, await reader.ReadToEndAsync());
    }

    /// <summary>Answers with a status, headers and a body (its content type only when there is one).</summary>
    public static async Task WriteAsync(HttpListenerContext context, int status, byte[] body, string contentType, IReadOnlyDictionary<string, string>? headers = null)
    {
        context.Response.StatusCode = status;
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }

        if (body.Length > 0)
        {
            context.Response.ContentType = contentType;
        }

        context.Response.ContentLength64 = body.Length;
        await context.Response.OutputStream.WriteAsync(body);
        context.Response.Close();
    }

    public void Dispose()
    {
        // Close alone: after Stop, Close would remove the prefix again and try to bind the port anew.
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(2));
    }

    private static async Task Answer(Func<HttpListenerContext, Task> handler, HttpListenerContext context)
    {
        try
        {
            await handler(context);
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or IOException)
        {
            // The client went away mid-answer; serve the next one.
        }
    }
}

using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Archgate.Checks.Tests.Fixtures;

namespace Archgate.Checks.Tests.Contracts.Pact;

/// <summary>A request the provider received.</summary>
public sealed record ReceivedRequest(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, string Body);

/// <summary>What the provider answers; <paramref name="Bytes"/>, when set, is the body instead of <paramref name="Body"/>.</summary>
public sealed record ProviderAnswer(int Status, string Body, string ContentType = "application/json", IReadOnlyDictionary<string, string>? Headers = null, byte[]? Bytes = null);

/// <summary>
/// A real HTTP provider on 127.0.0.1 (HttpListener): each request is answered by a handler, and recorded,
/// so tests see exactly what the verifier sent (state changes, tokens).
/// </summary>
public sealed class PactProviderServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private readonly ConcurrentQueue<ReceivedRequest> _requests = new();

    public PactProviderServer(Func<ReceivedRequest, ProviderAnswer> handler)
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
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                try
                {
                    await AnswerAsync(context, handler);
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or IOException)
                {
                    // The client went away mid-answer; serve the next one.
                }
            }
        });
    }

    private async Task AnswerAsync(HttpListenerContext context, Func<ReceivedRequest, ProviderAnswer> handler)
    {
        using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
        var headers = context.Request.Headers.AllKeys.Where(k => k is not null)
            .ToDictionary(k => k!, k => context.Request.Headers[k] ?? string.Empty, StringComparer.OrdinalIgnoreCase);
        var request = new ReceivedRequest(context.Request.HttpMethod, context.Request.Url!.PathAndQuery, headers, await reader.ReadToEndAsync());
        _requests.Enqueue(request);
        var answer = handler(request);
        context.Response.StatusCode = answer.Status;
        foreach (var (name, value) in answer.Headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }

        var bytes = answer.Bytes ?? Encoding.UTF8.GetBytes(answer.Body);
        if (bytes.Length > 0)
        {
            context.Response.ContentType = answer.ContentType;
        }

        context.Response.ContentLength64 = bytes.Length;
        await context.Response.OutputStream.WriteAsync(bytes);
        context.Response.Close();
    }

    /// <summary>A provider that answers every request except state changes with the same body.</summary>
    public static PactProviderServer Answering(string body, int status = 200) =>
        new(r => r.PathAndQuery.StartsWith("/_pact/state", StringComparison.Ordinal) ? new ProviderAnswer(200, string.Empty) : new ProviderAnswer(status, body));

    public int Port { get; }

    public Uri Url => new($"http://127.0.0.1:{Port}");

    public IReadOnlyList<ReceivedRequest> Requests => [.. _requests];

    public void Dispose()
    {
        // Close alone: after Stop, Close would remove the prefix again and try to bind the port anew.
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(2));
    }
}

using System.Net;
using System.Text;
using System.Threading.Channels;

namespace Archgate.Checks.Tests.Fixtures;

/// <summary>
/// A loopback API with a server-sent event stream, for the realtime checks' tests: <c>POST /auth/login</c> answers the
/// token <see cref="Token"/> (to another user than ann, <c>tok-USER</c>); <c>GET /events?access_token=TOKEN</c> opens a
/// stream that begins with a <c>ready</c> event and then carries every frame given to <see cref="Publish"/> (only to the
/// users it names, when it names them); any other request goes to the test's handler, and is
/// refused 401 when the handler does not take it. The stream's opening may be vetted by the test first (a reconnection
/// with <c>Last-Event-ID</c> that it refuses, for example).
/// </summary>
internal sealed class EventStreamServer : IDisposable
{
    /// <summary>The token the login hands out and the other routes accept.</summary>
    public const string Token = "tok-123";

    private readonly HttpListener _listener = new();
    private readonly List<(string User, Channel<string> Channel)> _subscribers = [];
    private readonly Func<HttpListenerContext, Task<bool>> _handle;
    private readonly Func<HttpListenerContext, Task<bool>>? _refuseStream;

    /// <param name="handle">Answers a request other than the login and the stream; false: not taken (401).</param>
    /// <param name="refuseStream">Before a stream opens: true when it answered the request itself (the stream is refused).</param>
    public EventStreamServer(Func<HttpListenerContext, Task<bool>> handle, Func<HttpListenerContext, Task<bool>>? refuseStream = null)
    {
        (_handle, _refuseStream) = (handle, refuseStream);
        Port = FreePort.Next();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _ = Task.Run(async () =>
        {
            while (_listener.IsListening)
            {
                try
                {
                    var context = await _listener.GetContextAsync();
                    _ = Task.Run(() => HandleAsync(context));
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }
            }
        });
    }

    public int Port { get; }

    /// <summary>Whether the request carries the bearer token.</summary>
    public static bool SignedIn(HttpListenerRequest request) => request.Headers["Authorization"] == "Bearer " + Token;

    /// <summary>The user whose token a request carries as a bearer header (<c>ann</c> for <see cref="Token"/>), or null.</summary>
    public static string? User(HttpListenerRequest request) => UserOf(request.Headers["Authorization"]?.Replace("Bearer ", string.Empty, StringComparison.Ordinal));

    /// <summary>The token the login answers to <paramref name="user"/>.</summary>
    public static string TokenOf(string user) => user == "ann" ? Token : "tok-" + user;

    private static string? UserOf(string? token) => token == Token ? "ann" : token is { Length: > 4 } t && t.StartsWith("tok-", StringComparison.Ordinal) ? t[4..] : null;

    /// <summary>Sends <paramref name="frame"/> (one or more SSE lines ending in a blank line) to every open stream, or only to those of the users <paramref name="to"/> takes.</summary>
    public void Publish(string frame, Func<string, bool>? to = null)
    {
        lock (_subscribers)
        {
            _subscribers.Where(s => to is null || to(s.User)).ToList().ForEach(s => s.Channel.Writer.TryWrite(frame));
        }
    }

    /// <summary>Answers with a JSON body and closes the response.</summary>
    public static async Task WriteAsync(HttpListenerResponse response, int status, string body)
    {
        response.StatusCode = status;
        response.ContentType = "application/json";
        await response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(body));
        response.Close();
    }

    public void Dispose()
    {
        lock (_subscribers)
        {
            _subscribers.ForEach(s => s.Channel.Writer.TryComplete());
        }

        _listener.Close();
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var path = context.Request.Url!.AbsolutePath;
        try
        {
            if (path == "/auth/login")
            {
                using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
                var login = System.Text.Json.Nodes.JsonNode.Parse(await reader.ReadToEndAsync() is { Length: > 0 } text ? text : "{}")?["username"]?.ToString();
                await WriteAsync(context.Response, 200, $"{{\"accessToken\":\"{TokenOf(login ?? "ann")}\"}}");
            }
            else if (path == "/events" && UserOf(context.Request.QueryString["access_token"]) is { } user)
            {
                if (_refuseStream is null || !await _refuseStream(context))
                {
                    await StreamAsync(context.Response, user);
                }
            }
            else if (!await _handle(context))
            {
                await WriteAsync(context.Response, 401, "{\"title\":\"sign in\"}");
            }
        }
        catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException)
        {
        }
    }

    private async Task StreamAsync(HttpListenerResponse response, string user)
    {
        var channel = Channel.CreateUnbounded<string>();
        lock (_subscribers)
        {
            _subscribers.Add((user, channel));
        }

        response.ContentType = "text/event-stream";
        response.SendChunked = true;
        var output = response.OutputStream;
        await output.WriteAsync(Encoding.UTF8.GetBytes("event: ready\ndata: {}\n\n"));
        await output.FlushAsync();
        await foreach (var frame in channel.Reader.ReadAllAsync())
        {
            await output.WriteAsync(Encoding.UTF8.GetBytes(frame));
            await output.FlushAsync();
        }
    }
}

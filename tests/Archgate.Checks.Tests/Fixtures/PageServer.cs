using System.Net;
using System.Text;

namespace Archgate.Checks.Tests.Fixtures;

/// <summary>A real HTTP server on 127.0.0.1 serving fixed HTML pages by path (404 for others).</summary>
public sealed class PageServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly IReadOnlyDictionary<string, string> _pages;

    public PageServer(IReadOnlyDictionary<string, string> pages)
    {
        _pages = pages;
        Port = TinyHttpServer.FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _ = Task.Run(LoopAsync);
    }

    public int Port { get; }

    public Uri Url => new($"http://127.0.0.1:{Port}/");

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

            var found = _pages.TryGetValue(context.Request.Url!.AbsolutePath, out var html);
            context.Response.StatusCode = found ? 200 : 404;
            context.Response.ContentType = "text/html; charset=utf-8";
            var bytes = Encoding.UTF8.GetBytes(html ?? "<!doctype html><title>404</title>");
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    public void Dispose() => _listener.Close();
}

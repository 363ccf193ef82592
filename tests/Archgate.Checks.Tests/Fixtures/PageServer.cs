using System.Text;

namespace Archgate.Checks.Tests.Fixtures;

/// <summary>A <see cref="LocalHttpServer"/> serving fixed HTML pages by path (404 for others).</summary>
public sealed class PageServer : IDisposable
{
    private readonly LocalHttpServer _server;

    public PageServer(IReadOnlyDictionary<string, string> pages) =>
        _server = new LocalHttpServer(context =>
        {
            var found = pages.TryGetValue(context.Request.Url!.AbsolutePath, out var html);
            return LocalHttpServer.WriteAsync(context, found ? 200 : 404, Encoding.UTF8.GetBytes(html ?? "<!doctype html><title>404</title>"), "text/html; charset=utf-8");
        });

    public int Port => _server.Port;

    public Uri Url => new($"http://127.0.0.1:{Port}/");

    public void Dispose() => _server.Dispose();
}

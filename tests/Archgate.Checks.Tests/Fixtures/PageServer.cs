using System.Text;

namespace Archgate.Checks.Tests.Fixtures;

/// <summary>
/// A <see cref="LocalHttpServer"/> serving fixed HTML pages by path (404 for others); a path in
/// <c>delays</c> is answered that much later (an API the page waits for), without holding up other requests; a path in
/// <c>headers</c> is answered with those headers too.
/// </summary>
public sealed class PageServer : IDisposable
{
    private readonly LocalHttpServer _server;

    public PageServer(
        IReadOnlyDictionary<string, string> pages,
        IReadOnlyDictionary<string, TimeSpan>? delays = null,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>? headers = null) =>
        _server = new LocalHttpServer(async context =>
        {
            var path = context.Request.Url!.AbsolutePath;
            if (delays?.GetValueOrDefault(path) is { } delay)
            {
                await Task.Delay(delay);
            }

            var found = pages.TryGetValue(path, out var html);
            await LocalHttpServer.WriteAsync(context, found ? 200 : 404, Encoding.UTF8.GetBytes(html ?? "<!doctype html><title>404</title>"), "text/html; charset=utf-8", headers?.GetValueOrDefault(path));
        }, concurrent: true);

    public int Port => _server.Port;

    public Uri Url => new($"http://127.0.0.1:{Port}/");

    public void Dispose() => _server.Dispose();
}

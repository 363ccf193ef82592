using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Archgate.Checks.Browser;
using Archgate.Checks.Http;
using Archgate.Testing;
using Microsoft.Playwright;

namespace Archgate.Checks.Tests.Browser;

/// <summary>What the browser's traffic hands step 9's passive rules.</summary>
public sealed class BrowserTrafficTests
{
    private sealed class Collector : IExchangeObserver
    {
        public ConcurrentQueue<ObservedExchange> Exchanges { get; } = new();

        public void Observe(ObservedExchange exchange) => Exchanges.Enqueue(exchange);
    }

    [Fact]
    public async Task A_page_the_browser_revalidated_is_recorded_as_the_304_it_was_not_as_a_200_without_a_content_type()
    {
        // ex9: a page loaded twice in one context is revalidated (If-None-Match, 304 without a body or Content-Type);
        // Chromium reports the cached 200 with the 304's headers, which read as "a response with a body has no Content-Type".
        var port = FreePort.Next();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var served = new ConcurrentQueue<int>();
        using var stop = new CancellationTokenSource();
        var server = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                var response = context.Response;
                response.Headers["ETag"] = "\"v1\"";
                response.Headers["Cache-Control"] = "no-cache";
                if (context.Request.Headers["If-None-Match"] == "\"v1\"")
                {
                    response.StatusCode = 304;
                    served.Enqueue(304);
                    response.Close();
                    continue;
                }

                var body = Encoding.UTF8.GetBytes("<!doctype html><title>t</title><p>hello</p>");
                response.ContentType = "text/html; charset=utf-8";
                response.ContentLength64 = body.Length;
                await response.OutputStream.WriteAsync(body);
                served.Enqueue(200);
                response.Close();
            }
        });

        var collector = new Collector();
        await using (var chromium = await Chromium.StartAsync(Chromium.DefaultPath, ["127.0.0.1"], TimeSpan.FromMinutes(1)))
        {
            await using var context = await chromium.Browser.NewContextAsync();
            await using (BrowserTraffic.Observe(context, collector))
            {
                var page = await context.NewPageAsync();
                var url = $"http://127.0.0.1:{port}/";
                await page.GotoAsync(url, new PageGotoOptions { Timeout = 60_000 });
                // Its body is read after the load: navigating on before that closes it (ci54, a busy machine).
                for (var waited = 0; waited < 300 && !collector.Exchanges.Any(e => e.Url.AbsolutePath == "/"); waited++)
                {
                    await Task.Delay(100);
                }

                await page.GotoAsync(url + "?other", new PageGotoOptions { Timeout = 60_000 });
                await page.GotoAsync(url, new PageGotoOptions { Timeout = 60_000 });
            }
        }

        stop.Cancel();
        listener.Stop();
        await server;
        Assert.Contains(304, served);
        var pages = collector.Exchanges.Where(e => e.Url.AbsolutePath == "/").ToList();
        Assert.Contains(pages, e => e.Status == 200 && e.MediaType == "text/html" && e.Body.Contains("hello", StringComparison.Ordinal));
        Assert.Contains(pages, e => e.Status == 304 && e.Body.Length == 0);
        Assert.DoesNotContain(pages, e => e.Status == 200 && e.MediaType is null or "");
    }
}

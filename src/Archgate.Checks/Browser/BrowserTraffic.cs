using Archgate.Checks.Http;
using Microsoft.Playwright;

namespace Archgate.Checks.Browser;

/// <summary>
/// Hands every response a Chromium context receives (the page, its scripts and styles, its API calls) to the run's
/// exchange observer, so step 9's passive rules judge the frontend's pages as the browser got them. Bodies of text
/// answers are read through Playwright once the response has finished, at most <see cref="ExchangeRecording.MaxBodyBytes"/>
/// kept; event streams and WebSockets are judged on their headers alone (their bodies never end).
/// </summary>
internal sealed class BrowserTraffic : IAsyncDisposable
{
    /// <summary>How long disposing waits for bodies still being read. <value>5 s</value>.</summary>
    public static readonly TimeSpan DrainBound = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private readonly List<Task> _pending = [];

    private BrowserTraffic()
    {
    }

    /// <summary>
    /// Observes <paramref name="context"/>'s responses (nothing when <paramref name="observer"/> is null). Dispose it
    /// before the context (declare it after): that waits for the bodies still being read.
    /// </summary>
    public static BrowserTraffic Observe(IBrowserContext context, IExchangeObserver? observer)
    {
        ArgumentNullException.ThrowIfNull(context);
        var traffic = new BrowserTraffic();
        if (observer is not null)
        {
            context.Response += (_, response) =>
            {
                var task = RecordAsync(response, observer);
                lock (traffic._gate)
                {
                    traffic._pending.RemoveAll(t => t.IsCompleted);
                    traffic._pending.Add(task);
                }
            };
        }

        return traffic;
    }

    /// <summary>Waits (bounded) for the responses whose bodies are still being read.</summary>
    public async ValueTask DisposeAsync()
    {
        Task[] pending;
        lock (_gate)
        {
            pending = [.. _pending];
        }

        await Task.WhenAny(Task.WhenAll(pending), Task.Delay(DrainBound));
    }

    private static async Task RecordAsync(IResponse response, IExchangeObserver observer)
    {
        try
        {
            if (!Uri.TryCreate(response.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            {
                return;
            }

            var request = response.Request;
            var requestHeaders = await request.AllHeadersAsync();
            var authenticated = requestHeaders.ContainsKey("authorization") || requestHeaders.ContainsKey("cookie");
            var headers = (await response.HeadersArrayAsync()).Select(h => new KeyValuePair<string, string>(h.Name, h.Value)).ToList();
            var media = headers.FirstOrDefault(h => h.Key.Equals("content-type", StringComparison.OrdinalIgnoreCase)).Value?.Split(';')[0].Trim().ToLowerInvariant();
            var status = Revalidated(requestHeaders, response.Status, media) ? 304 : response.Status;
            var body = string.Empty;
            var truncated = false;
            if (request.ResourceType is not ("eventsource" or "websocket") && media != "text/event-stream" && status is < 300 or >= 400 && Textual(media))
            {
                var bytes = await response.BodyAsync();
                truncated = bytes.Length > ExchangeRecording.MaxBodyBytes;
                body = System.Text.Encoding.UTF8.GetString(bytes, 0, Math.Min(bytes.Length, ExchangeRecording.MaxBodyBytes));
            }

            observer.Observe(new ObservedExchange(request.Method, url, authenticated, status, headers, body, truncated) { FromBrowser = true });
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException or ObjectDisposedException or InvalidOperationException)
        {
            // The page or its context closed before the body could be read: the answer is not judged.
        }
    }

    /// <summary>
    /// Whether the browser revalidated its cached copy: Chromium reports a conditional request the server answered 304
    /// as the cached 200, with the 304's headers on the wire (no Content-Type, the cached body). Such an answer is
    /// recorded as the 304 it was, without a body, so that a revalidation does not read as "a body without a
    /// Content-Type". A 200 to a conditional request that names its Content-Type is a real answer.
    /// </summary>
    internal static bool Revalidated(IReadOnlyDictionary<string, string> requestHeaders, int status, string? media) =>
        status == 200 && media is null && (requestHeaders.ContainsKey("if-none-match") || requestHeaders.ContainsKey("if-modified-since"));

    private static bool Textual(string? media) => media is null
        || media.StartsWith("text/", StringComparison.Ordinal)
        || media.EndsWith("json", StringComparison.Ordinal) || media.EndsWith("+json", StringComparison.Ordinal)
        || media.EndsWith("xml", StringComparison.Ordinal) || media.Contains("javascript", StringComparison.Ordinal);
}

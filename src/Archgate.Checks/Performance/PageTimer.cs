using System.Text.Json;
using Archgate.Checks.Browser;
using Archgate.Model;
using Microsoft.Playwright;

namespace Archgate.Checks.Performance;

/// <summary>One load of a page: its paint timings in ms from navigation start, or why there are none.</summary>
/// <param name="Fcp">First Contentful Paint, null when nothing was painted.</param>
/// <param name="Lcp">Largest Contentful Paint, null when no candidate was reported.</param>
/// <param name="Load">The load event.</param>
/// <param name="Status">HTTP status of the document.</param>
/// <param name="Error">Why the load failed, or null.</param>
public sealed record PageLoad(double? Fcp, double? Lcp, double? Load, int Status, string? Error)
{
    /// <summary>Requests that still kept the network busy when the timings were read (the page never went quiet within <see cref="PageTimer.QuietBound"/>).</summary>
    public IReadOnlyList<string> StillLoading { get; init; } = [];
}

/// <summary>
/// Measures FCP and LCP in real Chromium through Playwright: every load in a fresh browser context (cold cache,
/// like Lighthouse), waiting after the load event for 1 s of network quiet (as Lighthouse waits; see
/// <see cref="NetworkQuiet"/> for what counts) so that a single-page app's late content counts, then reading the
/// browser's own paint and largest-contentful-paint entries. A page that never goes quiet (it polls, or keeps a request
/// open) is measured after <see cref="QuietBound"/>, and the load says what was still loading.
/// </summary>
public sealed class PageTimer : IAsyncDisposable
{
    /// <summary>Chromium flags: headless on a server, as root, with nothing going out on its own.</summary>
    public static IReadOnlyList<string> ChromiumArgs => Chromium.Args;

    private const string ReadTimings = """
        () => new Promise(resolve => {
          const nav = performance.getEntriesByType('navigation')[0];
          let lcp = null;
          try {
            new PerformanceObserver(list => {
              const entries = list.getEntries();
              if (entries.length) lcp = entries[entries.length - 1].startTime;
            }).observe({ type: 'largest-contentful-paint', buffered: true });
          } catch (e) { }
          const done = fcp => resolve({ fcp: fcp ? fcp.startTime : null, lcp: lcp, load: nav ? nav.loadEventEnd : null });
          // Buffered entries are delivered in a task: read them after two frames. A starved renderer may not have
          // painted yet: then wait for the first contentful paint, up to 5 s, before calling the page blank.
          requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => {
            const fcp = performance.getEntriesByName('first-contentful-paint')[0];
            if (fcp) { done(fcp); return; }
            const timer = setTimeout(() => done(null), 5000);
            new PerformanceObserver(list => {
              const painted = list.getEntriesByName('first-contentful-paint')[0];
              if (painted) { clearTimeout(timer); setTimeout(() => done(painted), 0); }
            }).observe({ type: 'paint', buffered: true });
          }, 0)));
        })
        """;

    /// <summary>How long the network must be quiet after the load event before the timings are read: Lighthouse's 1 s.</summary>
    public static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1);

    /// <summary>How long after the load event a page that never goes quiet is waited for. <value>10 s</value>.</summary>
    public static readonly TimeSpan QuietBound = TimeSpan.FromSeconds(10);

    private readonly Chromium _chromium;
    private readonly PageTimingOptions _options;
    private readonly Http.IExchangeObserver? _observer;

    private PageTimer(Chromium chromium, PageTimingOptions options, Http.IExchangeObserver? observer)
    {
        _chromium = chromium;
        _options = options;
        _observer = observer;
    }

    /// <summary>
    /// Starts headless Chromium. Requests to hosts outside <paramref name="allowedHosts"/> go to a dead proxy
    /// and fail, so a page cannot make the browser reach anywhere else.
    /// </summary>
    /// <exception cref="FileNotFoundException">Chromium is not installed at <see cref="PageTimingOptions.ChromiumPath"/> (or where it is found).</exception>
    public static async Task<PageTimer> StartAsync(PageTimingOptions options, IEnumerable<string> allowedHosts, Http.IExchangeObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new PageTimer(await Chromium.StartAsync(options.ChromiumPath ?? Chromium.DefaultPath, allowedHosts, options.Timeout), options, observer);
    }

    /// <summary>The browser's version, for evidence.</summary>
    public string Version => _chromium.Version;

    /// <summary>One cold load of <paramref name="url"/>.</summary>
    public async Task<PageLoad> LoadAsync(Uri url, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        cancellationToken.ThrowIfCancellationRequested();
        await using var context = await _chromium.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = _options.Viewport.Width, Height = _options.Viewport.Height },
            ServiceWorkers = ServiceWorkerPolicy.Block,
        });
        await using var traffic = BrowserTraffic.Observe(context, _observer);
        var page = await context.NewPageAsync();
        var network = NetworkQuiet.Track(page);
        try
        {
            var response = await page.GotoAsync(url.ToString(), new PageGotoOptions
            {
                WaitUntil = WaitUntilState.Load,
                Timeout = (float)_options.Timeout.TotalMilliseconds,
            });
            var status = response?.Status ?? 0;
            if (status is < 200 or >= 400)
            {
                return new PageLoad(null, null, null, status, $"the page answered {status}");
            }

            // Not Playwright's networkidle: 500 ms without any unfinished request, which a script's unread no-store answer
            // never allows, and too short for content a script adds about 500 ms after the last request (an LCP read
            // before it was painted).
            var busy = await network.WaitAsync(Quiet, QuietBound < _options.Timeout ? QuietBound : _options.Timeout, cancellationToken);
            var timings = await page.EvaluateAsync<JsonElement>(ReadTimings);
            return new PageLoad(Number(timings, "fcp"), Number(timings, "lcp"), Number(timings, "load"), status, null)
            {
                StillLoading = [.. busy.Select(Redact.Url)],
            };
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException)
        {
            return new PageLoad(null, null, null, 0, Redact.Text(ex.Message.Split('\n')[0]));
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _chromium.DisposeAsync();

    private static double? Number(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
}

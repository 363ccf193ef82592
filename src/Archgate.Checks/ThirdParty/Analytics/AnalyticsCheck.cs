using System.Globalization;
using System.Text;
using Archgate.Checks.Browser;
using Archgate.Checks.Faults;
using Archgate.Checks.Frontend;
using Archgate.Model;
using Archgate.Protocol;
using Microsoft.Playwright;

namespace Archgate.Checks.ThirdParty.Analytics;

/// <summary>
/// Step 6 for a frontend whose pages call a third party from the browser (an analytics collector) through Archgate's
/// proxy: with the collector up, the page's events reach it and have the vendor's shape (<see cref="AnalyticsShape"/>);
/// with it blackholed, the page still shows, within a bound, every control it shows with it up, and its script still
/// answers. The fault is removed whatever happens; a screenshot of the page without its collector is kept as evidence.
/// </summary>
internal sealed class AnalyticsCheck(FrontendComponent frontend, ThirdPartyComponent collector, AnalyticsOptions? options = null) : ICheck
{
    // Visible, enabled controls: what a person can use on the page.
    private const string CountControls = """
        () => [...document.querySelectorAll('a[href],button,input,select,textarea')]
          .filter(e => !e.disabled && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden').length
        """;

    private readonly AnalyticsOptions _options = options ?? new();

    public string Id => $"third-party.analytics:{frontend.Name}->{collector.Name}";

    public int Step => 6;

    public string Title => $"{frontend.Name} → {collector.Name}: the page's events reach the collector, and the page works without it";

    public Applicability AppliesTo(SystemModel system) => Applicability.Yes;

    public async Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        var edge = new Edge(frontend.Name, collector.Name);
        if ((context.Edges as EdgeProxies)?.Find(edge) is not { Mode: ProxyMode.Http } proxy)
        {
            return CheckResult.Skipped($"{edge} has no Archgate HTTP proxy: start the system with Archgate (run --up) and give {frontend.Name} the collector's address as ${{url:{collector.Name}}}");
        }

        Chromium chromium;
        try
        {
            chromium = await Chromium.StartAsync(_options.ChromiumPath ?? Chromium.DefaultPath, context.System.AllowedHosts, _options.NavigationTimeout);
        }
        catch (FileNotFoundException ex)
        {
            return new CheckResult { Status = CheckStatus.Error, Reason = $"{ex.Message}; {Chromium.InstallHint}" };
        }
        catch (Exception ex) when (Chromium.FailedToStart(ex))
        {
            return Chromium.DidNotStart(ex);
        }

        await using (chromium)
        {
            var page = frontend.Pages.Count > 0 ? frontend.Pages[0] : "/";
            var url = new Uri(frontend.Url, page);
            var folder = Path.Combine(BrowserCheck.EvidenceFolder, "analytics", BrowserCheck.Slug(frontend.Name));
            var timeline = new StringBuilder();
            var findings = new List<Finding>();

            // 1. Collector up: the page's events reach it, in the vendor's shape.
            var start = context.Time.GetUtcNow();
            var (baseline, upError) = await VisitAsync(chromium, url, folder, "1-collector-up.png", context, async () =>
            {
                var waited = TimeSpan.Zero;
                while (Events(proxy, start).Count == 0 && waited < _options.Collect)
                {
                    await Task.Delay(200, cancellationToken);
                    waited += TimeSpan.FromMilliseconds(200);
                }
            }, cancellationToken);
            var events = Events(proxy, start);
            timeline.AppendLine(CultureInfo.InvariantCulture, $"collector up: {url} {(upError is null ? $"loaded, {baseline} controls shown" : $"did not load ({upError})")}; {events.Count} call(s) to {collector.Name} at the proxy");
            foreach (var e in events.Take(5))
            {
                timeline.AppendLine(CultureInfo.InvariantCulture, $"  {e.Method} {e.Target} → {e.Status?.ToString(CultureInfo.InvariantCulture) ?? "no answer"}");
            }

            if (upError is not null)
            {
                return new CheckResult { Status = CheckStatus.Error, Reason = $"{url} did not load with the collector up: {upError}", TransientCause = upError };
            }

            if (events.Count == 0)
            {
                findings.Add(Make(ThirdPartyRules.AnalyticsNoEvents, Severity.High,
                    $"{page} sent no event that reached {collector.Name} within {Sec(_options.Collect)} of its load", timeline.ToString(),
                    $"give {frontend.Name} the collector's address as ${{url:{collector.Name}}} and send a page view"));
            }

            foreach (var (request, api, problems) in events.Select(e => (e, AnalyticsShape.Check(e))).Where(x => x.Item2.Problems.Count > 0).Select(x => (x.e, x.Item2.Api, x.Item2.Problems)).Take(3))
            {
                findings.Add(Make(ThirdPartyRules.AnalyticsEventShape, Severity.High,
                    $"{page}'s call to {collector.Name} is not a valid {api} call: {string.Join("; ", problems)}",
                    Vendor.VendorContractCheck.Show(request), "send events in the collector's documented shape, or the vendor drops them"));
            }

            // 2. Collector down: the page still renders and answers.
            var downStart = context.Time.GetUtcNow();
            int shown;
            string? downError;
            bool responsive;
            using (proxy.Add(new BlackholeToxic()))
            {
                timeline.AppendLine(CultureInfo.InvariantCulture, $"fault on {edge}: blackhole");
                (shown, downError, responsive) = await VisitDownAsync(chromium, url, baseline, folder, context, cancellationToken);
            }

            var held = proxy.Counters.Requests.Count(r => r.At >= downStart && r.Fault is not null && Counts(r));
            timeline.AppendLine(CultureInfo.InvariantCulture, $"collector down: {(downError is null ? $"{shown} of {baseline} controls shown within {Sec(_options.RenderWithin)}, script {(responsive ? "answers" : "does not answer")}" : $"did not load ({downError})")}; {held} call(s) held by the blackhole");
            timeline.AppendLine("fault removed");
            var screenshot = Path.Combine(folder, "2-collector-down.png");
            if (downError is not null || shown < baseline || !responsive)
            {
                findings.Add(Make(ThirdPartyRules.AnalyticsBreaksPage, frontend.Critical ? Severity.Critical : Severity.High,
                    $"with {collector.Name} down, {page} {(downError is not null ? "did not load" : shown < baseline ? $"showed {shown} of its {baseline} controls after {Sec(_options.RenderWithin)}" : "stopped answering")}: the page waits on analytics",
                    $"{timeline}screenshot {screenshot}",
                    "send analytics without waiting for it (navigator.sendBeacon, or a fetch whose promise nothing awaits); render first"));
            }

            if (findings.Count == 0)
            {
                findings.Add(Make(ThirdPartyRules.AnalyticsHolds, Severity.Info,
                    $"{events.Count} call(s) from {page} reached {collector.Name} ({AnalyticsShape.Check(events[0]).Api}); with {collector.Name} down the page showed all {baseline} controls and kept answering",
                    $"{timeline}screenshot {screenshot}", "nothing to do"));
            }

            return CheckResult.From(findings, [Metric.ForComponent("analytics_calls", collector.Name, events.Count, "calls")]);
        }
    }

    private static bool Counts(ProxiedRequest r) => r.Method != "OPTIONS" && !r.Target.StartsWith("/health", StringComparison.OrdinalIgnoreCase);

    private static List<ProxiedRequest> Events(FaultProxy proxy, DateTimeOffset from) =>
        [.. proxy.Counters.Requests.Where(r => r.At >= from && Counts(r) && r.Status is not null)];

    /// <summary>Opens the page in a fresh context (no stored state), runs <paramref name="then"/>, counts its controls and keeps a screenshot.</summary>
    private async Task<(int Controls, string? Error)> VisitAsync(Chromium chromium, Uri url, string folder, string shot, CheckContext context, Func<Task> then, CancellationToken ct)
    {
        await using var browserContext = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { ServiceWorkers = ServiceWorkerPolicy.Block });
        var tab = await browserContext.NewPageAsync();
        try
        {
            ct.ThrowIfCancellationRequested();
            context.Activity?.Report($"Chromium: {url}");
            await tab.GotoAsync(url.ToString(), new PageGotoOptions { WaitUntil = WaitUntilState.Load, Timeout = (float)_options.NavigationTimeout.TotalMilliseconds });
            await then();
            var controls = await tab.EvaluateAsync<int>(CountControls);
            await ShootAsync(tab, context, folder, shot);
            return (controls, null);
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException)
        {
            return (0, Redact.Text(ex.Message.Split('\n')[0]));
        }
    }

    /// <summary>With the collector blackholed: the page's controls as they are once they reach the baseline or the bound passes, and whether its script answers.</summary>
    private async Task<(int Controls, string? Error, bool Responsive)> VisitDownAsync(Chromium chromium, Uri url, int baseline, string folder, CheckContext context, CancellationToken ct)
    {
        await using var browserContext = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { ServiceWorkers = ServiceWorkerPolicy.Block });
        var tab = await browserContext.NewPageAsync();
        var controls = 0;
        try
        {
            context.Activity?.Report($"Chromium: {url} with the collector down");
            await tab.GotoAsync(url.ToString(), new PageGotoOptions { WaitUntil = WaitUntilState.Load, Timeout = (float)_options.NavigationTimeout.TotalMilliseconds });
            var started = context.Time.GetTimestamp();
            while (true)
            {
                controls = await tab.EvaluateAsync<int>(CountControls).WaitAsync(_options.Responsive, ct);
                if (controls >= baseline || context.Time.GetElapsedTime(started) >= _options.RenderWithin)
                {
                    break;
                }

                await Task.Delay(250, ct);
            }

            var responsive = await tab.EvaluateAsync<int>("() => new Promise(r => setTimeout(() => r(1), 0))").WaitAsync(_options.Responsive, ct) == 1;
            await ShootAsync(tab, context, folder, "2-collector-down.png");
            return (controls, null, responsive);
        }
        catch (TimeoutException)
        {
            await ShootAsync(tab, context, folder, "2-collector-down.png");
            return (controls, null, false); // the script did not answer within the bound
        }
        catch (PlaywrightException ex)
        {
            return (controls, Redact.Text(ex.Message.Split('\n')[0]), false);
        }
    }

    private async Task ShootAsync(IPage tab, CheckContext context, string folder, string name)
    {
        try
        {
            Directory.CreateDirectory(Path.Combine(context.OutputDirectory, folder));
            await tab.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(context.OutputDirectory, folder, name), FullPage = true, Timeout = (float)_options.NavigationTimeout.TotalMilliseconds });
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException or IOException or UnauthorizedAccessException)
        {
            // Evidence only: the verdict does not depend on it.
        }
    }

    private static string Sec(TimeSpan t) => $"{t.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s";

    private Finding Make(string rule, Severity severity, string message, string? evidence, string hint) =>
        Findings.Create(rule, severity, collector.Name, $"{frontend.Location} {frontend.Name} → {collector.Name}", $"{frontend.Name} → {collector.Name}: {message}", evidence, hint);
}

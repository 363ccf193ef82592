using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Archgate.Checks.Faults;
using Archgate.Model;
using Archgate.Protocol;
using Microsoft.Playwright;

namespace Archgate.Checks.Frontend;

/// <summary>
/// A frontend's loading and error states (<c>states</c>): the page's API calls are routed through Archgate's fault
/// proxy (one per backend); each page that calls its API is reloaded once with the proxy adding latency (the loading
/// state must show) and once with the proxy refusing connections, as a stopped API does (a user-friendly error must
/// show: no blank page, raw JSON, stack trace or the browser's own error text). A screenshot of each state is kept.
/// </summary>
internal static partial class StateProbe
{
    /// <summary>Texts a user should never be shown: the browsers' own network errors and a script's failures as they print.</summary>
    private static readonly string[] TechnicalTexts =
        ["Failed to fetch", "NetworkError when attempting to fetch resource", "Load failed", "TypeError", "SyntaxError", "ReferenceError",
            "Unexpected token", "Unexpected end of JSON input", "[object Object]", "ERR_CONNECTION_REFUSED", "ECONNREFUSED"];

    public static async Task<List<Finding>> RunAsync(IPage page, IReadOnlyList<PageVisit> visits, FrontendComponent frontend, CheckContext context,
        string folder, BrowserCheckOptions options, CancellationToken cancellationToken, PageVisit? signIn = null)
    {
        var backends = PageJudge.Backends(frontend, context.System);
        var pages = visits.Where(v => v.LoadError is null && ApiCalls(backends, v).Any())
            .GroupBy(v => v.Page).Select(g => g.Last()).ToList();
        if (pages.Count == 0)
        {
            return [Info(frontend, frontend.Url.ToString(), NothingToProbe(signIn is null ? [] : [.. ApiCalls(backends, signIn)], signIn?.Label), null)];
        }

        var proxies = backends.ToDictionary(b => b.Name, b => FaultProxy.Start($"{frontend.Name} → {b.Name}", b.Url.Host, b.Url.Port, ProxyMode.Http));
        var findings = new List<Finding>();
        try
        {
            await page.RouteAsync(url => Backend(backends, url) is not null, async route =>
            {
                var url = new Uri(route.Request.Url);
                var proxy = proxies[Backend(backends, route.Request.Url)!.Name];
                var through = new UriBuilder(url) { Host = "127.0.0.1", Port = proxy.Port }.Uri;
                try
                {
                    // Only the page's calls go through the fault proxy: a page served from the API's origin (a reverse
                    // proxy in front of both) loads its document, scripts and styles from there too, and those stay as they are.
                    await (route.Request.ResourceType is "fetch" or "xhr" or "eventsource" or "websocket"
                        ? route.ContinueAsync(new RouteContinueOptions { Url = through.ToString() })
                        : route.ContinueAsync());
                }
                catch (PlaywrightException)
                {
                    // The page went on (a reload) while the request waited.
                }
            });
            foreach (var visit in pages)
            {
                context.Activity?.Report($"Chromium: {visit.Page} with the API slowed, then stopped");
                findings.Add(await LoadingAsync(page, visit, frontend, proxies.Values, context, folder, options, cancellationToken));
                findings.Add(await ErrorAsync(page, visit, frontend, proxies.Values, context, folder, options, cancellationToken));
            }
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException)
        {
            findings.Add(PageJudge.Make(FrontendRules.NoErrorState, Severity.Medium, frontend, pages[0], $"the loading and error states could not be looked at: {Redact.Text(ex.Message.Split('\n')[0])}",
                null, "the page navigated away or crashed while the API was slowed or stopped"));
        }
        finally
        {
            await page.UnrouteAllAsync(new PageUnrouteAllOptions { Behavior = UnrouteBehavior.IgnoreErrors });
            foreach (var proxy in proxies.Values)
            {
                await proxy.DisposeAsync();
            }
        }

        return findings;
    }

    /// <summary>Reloads the page with every API request delayed; the loading state must become visible meanwhile.</summary>
    private static async Task<Finding> LoadingAsync(IPage page, PageVisit visit, FrontendComponent frontend, IEnumerable<FaultProxy> proxies, CheckContext context,
        string folder, BrowserCheckOptions options, CancellationToken cancellationToken)
    {
        var states = frontend.States;
        var toxics = proxies.Select(p => p.Add(new LatencyToxic(states.Delay))).ToList();
        try
        {
            await page.GotoAsync(new Uri(frontend.Url, visit.Page).ToString(), new PageGotoOptions { WaitUntil = WaitUntilState.DOMContentLoaded, Timeout = Ms(options.NavigationTimeout) });
            // Any match that shows counts (the first one may be a hidden template); one that is there but shows nothing
            // (an empty list marked aria-busy: no size) is told apart from none at all, watched at the same time, as
            // the busy mark goes when the data comes.
            var marked = StateAsync(page.Locator(states.Loading).First, WaitForSelectorState.Attached, states.Delay);
            var seen = await StateAsync(page.Locator(states.Loading).Filter(new LocatorFilterOptions { Visible = true }).First, WaitForSelectorState.Visible, states.Delay);
            var attached = await marked;
            var shot = await ShotAsync(page, context, folder, visit.Page, "loading", cancellationToken);
            var delay = $"{states.Delay.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s";
            if (seen)
            {
                return Info(frontend, visit.Page, $"{visit.Page} shows its loading state ({states.Loading}) while the API answers {delay} late", shot);
            }

            return attached
                ? PageJudge.Make(FrontendRules.NoLoadingState, Severity.Low, frontend, visit,
                    $"{visit.Page} marks its loading state while the API answers {delay} late ({states.Loading} matches), but the marked element shows nothing (empty, or of no size): a screen reader hears that it is busy, a sighted user sees nothing", shot,
                    "put something visible in the region that waits (a spinner, skeleton rows or a \"Loading…\" text), or name yours in the frontend's states.loading")
                : PageJudge.Make(FrontendRules.NoLoadingState, Severity.Medium, frontend, visit,
                    $"{visit.Page} shows no loading state while the API answers {delay} late: nothing matches {states.Loading}", shot,
                    "show the user that data is on its way (aria-busy=\"true\" on the region that waits, with a spinner or skeleton in it; a role=progressbar spinner), or name yours in the frontend's states.loading");
        }
        finally
        {
            toxics.ForEach(t => t.Dispose());
        }
    }

    /// <summary>Reloads the page with the API refusing connections; a user-friendly error must show.</summary>
    private static async Task<Finding> ErrorAsync(IPage page, PageVisit visit, FrontendComponent frontend, IEnumerable<FaultProxy> proxies, CheckContext context,
        string folder, BrowserCheckOptions options, CancellationToken cancellationToken)
    {
        var states = frontend.States;
        var toxics = proxies.Select(p => p.Add(new RefusedToxic())).ToList();
        try
        {
            await page.GotoAsync(new Uri(frontend.Url, visit.Page).ToString(), new PageGotoOptions { WaitUntil = WaitUntilState.Load, Timeout = Ms(options.NavigationTimeout) });
            var error = page.Locator(states.Error).Filter(new LocatorFilterOptions { Visible = true, HasTextRegex = new Regex(@"\S") }).First;
            var shown = await VisibleAsync(error, states.Within);
            var said = shown ? (await error.InnerTextAsync()).Trim() : string.Empty;
            var body = (await page.Locator("body").InnerTextAsync()).Trim();
            var shot = await ShotAsync(page, context, folder, visit.Page, "error", cancellationToken);
            var evidence = $"the page says: {Excerpt(shown ? said : body)}; {shot}";
            if (Unfriendly(shown ? said : body) is { } why)
            {
                return PageJudge.Make(FrontendRules.RawError, Severity.High, frontend, visit,
                    $"{visit.Page} shows {why} while the API is down{(shown ? string.Empty : $" (and nothing matches {states.Error})")}", evidence,
                    "catch the failed call and tell the user in words what happened and what to do (\"The shop cannot be reached; try again in a moment\"), in a role=alert element");
            }

            if (!shown)
            {
                return PageJudge.Make(FrontendRules.NoErrorState, Severity.High, frontend, visit,
                    body.Length == 0
                        ? $"{visit.Page} is blank while the API is down"
                        : $"{visit.Page} shows no error while the API is down: nothing matches {states.Error} within {states.Within.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s",
                    evidence, "catch the failed call and show a user-friendly message in a role=alert element, or name yours in the frontend's states.error");
            }

            return Info(frontend, visit.Page, $"{visit.Page} shows a user-friendly error while the API is down: \"{Excerpt(said)}\"", shot);
        }
        finally
        {
            toxics.ForEach(t => t.Dispose());
        }
    }

    /// <summary>Why <paramref name="text"/> is not for a user (raw JSON, a stack trace, a technical error), or null.</summary>
    internal static string? Unfriendly(string text)
    {
        foreach (var line in text.Split('\n').Select(l => l.Trim()).Append(text.Trim()))
        {
            if (line.Length > 1 && line[0] is '{' or '[' && IsJson(line))
            {
                return $"raw JSON ({Excerpt(line)})";
            }
        }

        if (StackFrame().Match(text) is { Success: true } frame)
        {
            return $"a stack trace ({Excerpt(frame.Value.Trim())})";
        }

        return TechnicalTexts.FirstOrDefault(t => text.Contains(t, StringComparison.Ordinal)) is { } technical
            ? $"a technical error (\"{technical}\") instead of words for a user"
            : null;
    }

    private static bool IsJson(string text)
    {
        try
        {
            using var json = JsonDocument.Parse(text);
            return json.RootElement.ValueKind is JsonValueKind.Object or JsonValueKind.Array;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"^\s*at [\w.$<>\[\]` ]+ ?\(?[^\n]*(:\d+:\d+|:line \d+)\)?\s*$|Traceback \(most recent call last\)|\b[A-Z]\w+(\.\w+)*Exception\b", RegexOptions.Multiline, 1000)]
    private static partial Regex StackFrame();

    /// <summary>The API calls (fetch, XHR) <paramref name="visit"/> made to one of <paramref name="backends"/>.</summary>
    private static IEnumerable<PageRequest> ApiCalls(List<HttpComponent> backends, PageVisit visit) =>
        visit.Activity.Requests.Where(r => r.ResourceType is "fetch" or "xhr" && Backend(backends, r.Url) is not null);

    /// <summary>
    /// Why no state was probed: no page visit called its API on load. A single-page app that keeps its session in memory
    /// shows its form again on a reload, so the calls its sign-in made (<paramref name="signInCalls"/>) are named, as
    /// they are not replayed slowed or stopped.
    /// </summary>
    internal static string NothingToProbe(IReadOnlyList<PageRequest> signInCalls, string? signInLabel)
    {
        const string NotLooked = "its loading and error states were not looked for";
        if (signInCalls.Count == 0)
        {
            return $"no page called its API: {NotLooked}";
        }

        var named = string.Join(", ", signInCalls.Take(3).Select(r => $"{r.Method} {Redact.Url(r.Url)}")) + (signInCalls.Count > 3 ? ", ..." : string.Empty);
        return string.Create(CultureInfo.InvariantCulture,
            $"no page called its API on load ({NotLooked}); the {signInLabel ?? "sign-in"} called it {signInCalls.Count} time{(signInCalls.Count == 1 ? string.Empty : "s")} ({named}), but a sign-in is not replayed with the API slowed or stopped");
    }

    private static HttpComponent? Backend(List<HttpComponent> backends, string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var u) ? backends.FirstOrDefault(b => PageJudge.Serves(b.Url, u)) : null;

    private static Task<bool> VisibleAsync(ILocator locator, TimeSpan within) => StateAsync(locator, WaitForSelectorState.Visible, within);

    private static async Task<bool> StateAsync(ILocator locator, WaitForSelectorState state, TimeSpan within)
    {
        try
        {
            await locator.WaitForAsync(new LocatorWaitForOptions { State = state, Timeout = Ms(within) });
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private static async Task<string> ShotAsync(IPage page, CheckContext context, string folder, string path, string state, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var relative = Path.Combine(folder, $"{BrowserCheck.Slug(path)}-{state}.png");
        try
        {
            Directory.CreateDirectory(Path.Combine(context.OutputDirectory, folder));
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(context.OutputDirectory, relative), FullPage = true, Timeout = 15_000 });
            return $"screenshot {relative}";
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException or IOException or UnauthorizedAccessException)
        {
            return "no screenshot";
        }
    }

    private static string Excerpt(string text)
    {
        var flat = Redact.Text(string.Join(" ", text.Split((char[])['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)));
        return flat.Length > 160 ? flat[..160] + "…" : flat;
    }

    private static float Ms(TimeSpan t) => (float)t.TotalMilliseconds;

    private static Finding Info(FrontendComponent frontend, string location, string message, string? evidence) => new()
    {
        Rule = FrontendRules.StateSeen,
        Severity = Severity.Info,
        Component = frontend.Name,
        Location = location,
        Message = message,
        Evidence = evidence,
    };
}

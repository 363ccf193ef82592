using Archgate.Model;

namespace Archgate.Checks.Browser;

/// <summary>
/// One running browser of one engine, whatever drives it (Playwright for Chromium, WebDriver BiDi for Firefox, W3C
/// WebDriver for WebKit). Journeys open a fresh <see cref="IBrowserPage"/> per run; everything they check beyond these
/// few actions is done by <see cref="PageScripts"/> in the page itself, so it means the same in every engine.
/// </summary>
internal interface IBrowserDriver : IAsyncDisposable
{
    /// <summary>The engine.</summary>
    BrowserEngine Engine { get; }

    /// <summary>The browser's name and version, for evidence (<c>Firefox 153.8.0esr</c>).</summary>
    string Version { get; }

    /// <summary>A new tab with no cookies or storage of an earlier page (a fresh context where the engine has them).</summary>
    Task<IBrowserPage> NewPageAsync(CancellationToken cancellationToken);
}

/// <summary>A tab: the few actions that need the engine's own input and navigation; the rest runs as page scripts.</summary>
internal interface IBrowserPage : IAsyncDisposable
{
    /// <summary>Opens <paramref name="url"/> and waits for its load event.</summary>
    Task GotoAsync(Uri url, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Clicks the centre of the first element <paramref name="selector"/> matches, as a user's pointer would.</summary>
    Task ClickAsync(string selector, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Empties the field <paramref name="selector"/> matches and types <paramref name="value"/> into it.</summary>
    Task FillAsync(string selector, string value, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Runs <paramref name="expression"/> (a JavaScript expression whose value is a string) in the page; null when it is not a string.</summary>
    Task<string?> EvaluateAsync(string expression, CancellationToken cancellationToken);

    /// <summary>A PNG of the viewport.</summary>
    Task<byte[]> ScreenshotAsync(CancellationToken cancellationToken);

    /// <summary>Whether the response hook of <see cref="PageScripts.Hook"/> runs before the page's own scripts (else it is added after each load).</summary>
    bool HooksBeforeLoad { get; }
}

/// <summary>A browser action the engine refused or could not do in time (no such element, a navigation error): the step fails.</summary>
internal sealed class BrowserActionException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Starts the driver of an engine.</summary>
internal static class BrowserDrivers
{
    /// <summary>The program each engine needs, as <c>archgate doctor</c> reports it.</summary>
    public static Prerequisites.Prerequisite Prerequisite(BrowserEngine engine) => engine switch
    {
        BrowserEngine.Chromium => Prerequisites.Prerequisites.Chromium,
        BrowserEngine.Firefox => Prerequisites.Prerequisites.FirefoxEsr,
        _ => Prerequisites.Prerequisites.WebKitDriver,
    };

    /// <summary>The engine's name in ids and reports (<c>chromium</c>, <c>firefox</c>, <c>webkit</c>).</summary>
    public static string Name(BrowserEngine engine) => engine.ToString().ToLowerInvariant();

    /// <summary>
    /// Why an installed browser did not start, for a result's reason: "<paramref name="browser"/> did not start: " and
    /// the first line of the exception's message, redacted (Playwright's messages run on with its call log).
    /// </summary>
    public static string DidNotStart(string browser, Exception ex) => $"{browser} did not start: {Redact.Text(ex.Message.Split('\n')[0])}";

    /// <summary>
    /// Starts <paramref name="engine"/> headless; requests to hosts outside <paramref name="allowedHosts"/> go to a dead proxy.
    /// </summary>
    /// <param name="engine">The engine.</param>
    /// <param name="allowedHosts">The hosts pages may reach.</param>
    /// <param name="timeout">How long the engine may take to start.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <param name="executable">
    /// The engine's program (Chromium's executable, <c>firefox-esr</c>, <c>WebKitWebDriver</c>) where it is not the one
    /// found on <c>PATH</c> or in Debian's places; null finds it there.
    /// </param>
    /// <exception cref="FileNotFoundException">The engine (or, for WebKit, Xvfb when there is no display) is not installed.</exception>
    public static async Task<IBrowserDriver> StartAsync(
        BrowserEngine engine, IReadOnlyList<string> allowedHosts, TimeSpan timeout, CancellationToken cancellationToken, string? executable = null) => engine switch
    {
        BrowserEngine.Chromium => await ChromiumDriver.StartAsync(allowedHosts, timeout, executable),
        BrowserEngine.Firefox => await FirefoxDriver.StartAsync(allowedHosts, timeout, cancellationToken, executable),
        _ => await WebKitDriver.StartAsync(allowedHosts, timeout, cancellationToken, executable),
    };
}

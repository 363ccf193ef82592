using Archgate.Protocol;
using Microsoft.Playwright;

namespace Archgate.Checks.Browser;

/// <summary>
/// Debian's Chromium, headless, driven through Playwright (which never downloads a browser of its own): the one way the
/// checks that open pages (step 5's browser check, step 8's paint timings) start it.
/// </summary>
internal sealed class Chromium : IAsyncDisposable
{
    /// <summary>Where it is: on <c>PATH</c> or where Debian installs it, as <c>archgate doctor</c> reports it.</summary>
    public static string DefaultPath => Prerequisites.Prerequisites.Chromium.Locate() ?? "/usr/bin/chromium";

    /// <summary>What a check says when the browser is not there: its result is then an error (criterion not evaluated).</summary>
    public static string InstallHint => Prerequisites.Prerequisites.MissingHint(Prerequisites.Prerequisites.Chromium);

    /// <summary>Whether <paramref name="ex"/> is Chromium failing to start although it is installed (a busy machine, a crash on its way up).</summary>
    public static bool FailedToStart(Exception ex) => ex is PlaywrightException or TimeoutException or IOException;

    /// <summary>
    /// The result of a check whose Chromium is installed but did not start: an error (criterion not evaluated) that is
    /// transient, so the protocol runner tries the check again with its backoff.
    /// </summary>
    public static CheckResult DidNotStart(Exception ex)
    {
        ArgumentNullException.ThrowIfNull(ex);
        var why = BrowserDrivers.DidNotStart("Chromium", ex);
        return new CheckResult { Status = CheckStatus.Error, Reason = why, TransientCause = why };
    }

    /// <summary>Chromium flags: headless on a server, as root, with nothing going out on its own.</summary>
    public static readonly IReadOnlyList<string> Args =
        ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

    private readonly IPlaywright _playwright;

    private Chromium(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    /// <summary>The running browser.</summary>
    public IBrowser Browser { get; }

    /// <summary>The browser's version, for evidence.</summary>
    public string Version => Browser.Version;

    /// <summary>
    /// Starts headless Chromium. Requests to hosts outside <paramref name="allowedHosts"/> go to a dead proxy
    /// and fail, so a page cannot make the browser reach anywhere else.
    /// </summary>
    /// <exception cref="FileNotFoundException">Chromium is not installed at <paramref name="path"/>.</exception>
    public static async Task<Chromium> StartAsync(string path, IEnumerable<string> allowedHosts, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(allowedHosts);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Chromium not found at {path}", path);
        }

        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = path,
                Headless = true,
                Args = [.. Args, "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=" + string.Join(';', allowedHosts)],
                Timeout = (float)timeout.TotalMilliseconds,
            });
            return new Chromium(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Browser.CloseAsync();
        _playwright.Dispose();
    }
}

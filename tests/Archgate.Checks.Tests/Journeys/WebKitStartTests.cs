using Archgate.Checks.Browser;
using Archgate.Model;

namespace Archgate.Checks.Tests.Journeys;

/// <summary>
/// WebKitWebDriver never answers a new session when its MiniBrowser cannot start (it keeps waiting for the browser's
/// inspector). A stand-in driver runs the real WebKitWebDriver with a display that does not exist for its first
/// <c>n</c> starts, so the MiniBrowser dies and the session hangs exactly that way, then with the display it was given.
/// </summary>
public sealed class WebKitStartTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("archgate-webkit-start-").FullName;

    [Fact]
    public async Task A_session_that_never_opens_is_given_up_after_its_bound_and_a_new_driver_opens_one()
    {
        var driver = StandIn(hangingStarts: 1);

        await using var browser = await BrowserDrivers.StartAsync(BrowserEngine.Webkit, ["127.0.0.1"], TimeSpan.FromSeconds(20), CancellationToken.None, driver);
        await using var page = await browser.NewPageAsync(CancellationToken.None);

        Assert.Equal("ok", await page.EvaluateAsync("'o' + 'k'", CancellationToken.None));
        Assert.StartsWith("WebKitGTK ", browser.Version, StringComparison.Ordinal);
        Assert.Equal(2, Starts());
    }

    [Fact]
    public async Task Two_sessions_that_never_open_fail_with_both_attempts_and_what_the_browser_said()
    {
        var driver = StandIn(hangingStarts: 2);

        var error = await Assert.ThrowsAsync<BrowserActionException>(() => BrowserDrivers.StartAsync(BrowserEngine.Webkit, ["127.0.0.1"], TimeSpan.FromSeconds(5), CancellationToken.None, driver));

        Assert.Contains("attempt 1: WebKitWebDriver opened no session within 5 s", error.Message, StringComparison.Ordinal);
        Assert.Contains("cannot open display: :9999", error.Message, StringComparison.Ordinal);
        Assert.Contains("attempt 2 with a new WebKitWebDriver failed too", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, Starts());
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private int Starts() => File.Exists(Path.Combine(_folder, "starts")) ? File.ReadAllLines(Path.Combine(_folder, "starts")).Length : 0;

    /// <summary>A script that counts its starts and runs the real WebKitWebDriver, on display :9999 for the first <paramref name="hangingStarts"/>.</summary>
    private string StandIn(int hangingStarts)
    {
        var real = Archgate.Checks.Prerequisites.Prerequisites.WebKitDriver.Locate();
        Assert.True(real is not null, "WebKitWebDriver is not installed (build.sh test installs webkit2gtk-driver)");
        var script = Path.Combine(_folder, "WebKitWebDriver");
        var starts = Path.Combine(_folder, "starts");
        File.WriteAllText(script, $"""
            #!/bin/sh
            echo start >> '{starts}'
            if [ "$(wc -l < '{starts}')" -le {hangingStarts} ]; then export DISPLAY=:9999; fi
            exec '{real}' "$@"

            """);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return script;
    }
}

using Archgate.Checks.Browser;

namespace Archgate.Checks.Frontend;

/// <summary>Options of step 5's browser check.</summary>
public sealed record BrowserCheckOptions
{
    /// <summary>The browser: Debian's Chromium; Playwright never downloads one of its own.</summary>
    /// <value>Default <c>/usr/bin/chromium</c>.</value>
    public string ChromiumPath { get; init; } = Chromium.DefaultPath;

    /// <summary>How long a page's navigation (up to its load event) may take.</summary>
    /// <value>Default 60 s.</value>
    public TimeSpan NavigationTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long to wait after the load event for the page's requests to settle; what still loads then is a finding.</summary>
    /// <value>Default 20 s.</value>
    public TimeSpan SettleBound { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>How long no request may be in flight (open event streams aside) for the network to count as idle.</summary>
    /// <value>Default 500 ms, as Playwright's <c>networkidle</c>.</value>
    public TimeSpan Quiet { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Viewport width and height in CSS pixels (also the screenshots' width).</summary>
    /// <value>Default 1350 x 940.</value>
    public (int Width, int Height) Viewport { get; init; } = (1350, 940);
}

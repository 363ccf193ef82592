using Archgate.Checks.Browser;

namespace Archgate.Checks.ThirdParty.Analytics;

/// <summary>Options of step 6's analytics check; each default suits a loaded 2-core machine.</summary>
public sealed record AnalyticsOptions
{
    /// <summary>The browser: Debian's Chromium. <value>/usr/bin/chromium (or where <c>archgate doctor</c> finds it)</value>.</summary>
    public string ChromiumPath { get; init; } = Chromium.DefaultPath;

    /// <summary>How long a page may take to reach its load event. <value>60 s</value>.</summary>
    public TimeSpan NavigationTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>After the load event, how long the page's events may take to reach the collector. <value>10 s</value>.</summary>
    public TimeSpan Collect { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>With the collector down, how long after its load event the page may take to show what it shows with it up. <value>10 s</value>.</summary>
    public TimeSpan RenderWithin { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the page's script may take to answer, for it to count as interactive. <value>5 s</value>.</summary>
    public TimeSpan Responsive { get; init; } = TimeSpan.FromSeconds(5);
}

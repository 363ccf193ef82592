using Archgate.Model;

namespace Archgate.Checks.Prerequisites;

/// <summary>
/// Every external program a check, the test suite or a benchmark starts, for <c>archgate doctor</c>. A check that
/// needs one looks it up here too, so what doctor reports is what the run uses.
/// </summary>
public static class Prerequisites
{
    /// <summary>Debian's Chromium, driven through Playwright (Playwright never downloads a browser of its own here).</summary>
    public static Prerequisite Chromium { get; } = new()
    {
        Name = "chromium",
        Executables = ["chromium", "chromium-browser"],
        KnownPaths = ["/usr/bin/chromium", "/usr/lib/chromium/chromium"],
        Package = "chromium",
        Use = PrerequisiteUse.Run,
        NeededBy = "step 5 browser checks and step 8 page timing (FCP/LCP) of each frontend page",
        NeededFor = s => s.OfKind<FrontendComponent>().Any() || NeedsBrowser(s, BrowserEngine.Chromium),
    };

    /// <summary>
    /// PostgreSQL's client tools: P-RECOVERY snapshots each PostgreSQL database with pg_dump before step 5 and restores
    /// it with pg_restore (from the same folder) when a late step fails.
    /// </summary>
    public static Prerequisite PgDump { get; } = new()
    {
        Name = "pg_dump / pg_restore",
        Executables = ["pg_dump"],
        KnownPaths = PostgresBinaries("pg_dump"),
        Package = "postgresql-client",
        Use = PrerequisiteUse.Run,
        NeededBy = "P-RECOVERY: the snapshot of each PostgreSQL database before step 5 and its restore when a late step fails",
        NeededFor = s => s.Recovery.Snapshots && s.OfKind<DatabaseComponent>().Any(d => d.Engine == DatabaseEngine.Postgres),
    };

    /// <summary>
    /// Debian's RabbitMQ, for the manifests that start a broker themselves (a <c>broker</c> component with a <c>run</c>
    /// section, like the shop's own node) and for the broker tests. Never started for its version: that would start a node.
    /// </summary>
    public static Prerequisite RabbitMq { get; } = new()
    {
        Name = "rabbitmq-server",
        Executables = ["rabbitmq-server"],
        KnownPaths = ["/usr/lib/rabbitmq/bin/rabbitmq-server", "/usr/sbin/rabbitmq-server"],
        VersionArgument = null,
        Package = "rabbitmq-server",
        Use = PrerequisiteUse.Run,
        NeededBy = "broker components that Archgate starts (the shop's order events) and the broker tests (step 2 AsyncAPI, step 4 brokers)",
        NeededFor = s => s.OfKind<BrokerComponent>().Any(b => b.Run is not null),
    };

    /// <summary>Debian's dnsmasq: a real DNS server answering A, AAAA and SRV records for the discovery tests.</summary>
    public static Prerequisite Dnsmasq { get; } = new()
    {
        Name = "dnsmasq", Executables = ["dnsmasq"], KnownPaths = ["/usr/sbin/dnsmasq"], Package = "dnsmasq-base", Use = PrerequisiteUse.Tests,
        NeededBy = "step 4 discovery tests: A/AAAA and SRV records (a Kubernetes headless service's shape) from a real DNS server",
    };

    /// <summary>Debian's Firefox ESR, driven over its built-in WebDriver BiDi (Playwright cannot drive Debian's build).</summary>
    public static Prerequisite FirefoxEsr { get; } = new()
    {
        Name = "firefox-esr",
        Executables = ["firefox-esr"],
        KnownPaths = ["/usr/bin/firefox-esr", "/usr/lib/firefox-esr/firefox-esr"],
        Package = "firefox-esr",
        Use = PrerequisiteUse.Run,
        NeededBy = "step 7 journeys with browser steps, in Firefox (and the browser journey tests)",
        NeededFor = s => NeedsBrowser(s, BrowserEngine.Firefox),
    };

    /// <summary>Debian's WebKitGTK WebDriver server and its MiniBrowser: Safari's engine, driven over W3C WebDriver.</summary>
    public static Prerequisite WebKitDriver { get; } = new()
    {
        Name = "WebKitWebDriver",
        Executables = ["WebKitWebDriver"],
        KnownPaths = ["/usr/bin/WebKitWebDriver"],
        Package = "webkit2gtk-driver",
        Use = PrerequisiteUse.Run,
        NeededBy = "step 7 journeys with browser steps, in WebKit (and the browser journey tests)",
        NeededFor = s => NeedsBrowser(s, BrowserEngine.Webkit),
    };

    /// <summary>Debian's X virtual framebuffer: the display WebKitGTK needs on a server with none (<c>DISPLAY</c> unset).</summary>
    public static Prerequisite Xvfb { get; } = new()
    {
        Name = "Xvfb",
        Executables = ["Xvfb"],
        KnownPaths = ["/usr/bin/Xvfb"],
        VersionArgument = "-version",
        Package = "xvfb",
        Use = PrerequisiteUse.Run,
        NeededBy = "WebKit's display when DISPLAY is unset (step 7 browser journeys in WebKit, and their tests)",
        NeededFor = s => NeedsBrowser(s, BrowserEngine.Webkit) && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DISPLAY")),
    };

    /// <summary>Every program, runs' first.</summary>
    public static IReadOnlyList<Prerequisite> All { get; } =
    [
        Chromium,
        FirefoxEsr,
        WebKitDriver,
        Xvfb,
        PgDump,
        RabbitMq,
        new()
        {
            Name = "initdb / pg_ctl", Executables = ["initdb"], KnownPaths = PostgresBinaries("initdb"), Package = "postgresql", Use = PrerequisiteUse.Tests,
            NeededBy = "throwaway PostgreSQL clusters of the tests (the shop on PostgreSQL, step 3)",
        },
        new()
        {
            Name = "sqlite3", Executables = ["sqlite3"], Package = "sqlite3", Use = PrerequisiteUse.Tests,
            NeededBy = "tests that inspect the shop's SQLite file",
        },
        new()
        {
            Name = "npm", Executables = ["npm"], Package = "npm", Use = PrerequisiteUse.Tests,
            NeededBy = "Lighthouse (the FCP/LCP comparison test) and Prism mock servers (step 2 conformance tests)",
        },
        Dnsmasq,
        new()
        {
            Name = "aiosmtpd", Executables = ["aiosmtpd"], KnownPaths = ["/usr/bin/aiosmtpd"], Package = "python3-aiosmtpd", Use = PrerequisiteUse.Tests,
            NeededBy = "the SMTP server the e-mail escalation channel's tests deliver to",
        },
        new()
        {
            Name = "sqlmap", Executables = ["sqlmap"], Package = "sqlmap", Use = PrerequisiteUse.Tests,
            NeededBy = "the step 9 injection probes against sqlmap on the same target (a test, and bench/security)",
        },
        new()
        {
            // A bench, not a test: testssl.sh takes 30 s to minutes per endpoint, too slow for the suite.
            Name = "testssl.sh", Executables = ["testssl", "testssl.sh"], Package = "testssl.sh", Use = PrerequisiteUse.Bench,
            NeededBy = "bench/security/testssl.sh: step 9's TLS verdicts against testssl.sh's on local https endpoints",
        },
    ];

    /// <summary>The programs a run of <paramref name="system"/> starts.</summary>
    public static IReadOnlyList<Prerequisite> For(SystemModel system) => [.. All.Where(p => p.Use == PrerequisiteUse.Run && p.NeededFor(system))];

    /// <summary>The hint a check gives when <paramref name="prerequisite"/> is missing.</summary>
    public static string MissingHint(Prerequisite prerequisite) =>
        $"{prerequisite.Name} is not installed: 'archgate doctor --install' installs it (Debian package {prerequisite.Package})";

    private static bool NeedsBrowser(SystemModel system, BrowserEngine engine) => system.Journeys.Any(j => j.HasBrowserSteps && j.Browsers.Contains(engine));

    /// <summary>Debian keeps the server binaries under /usr/lib/postgresql/VERSION/bin, outside PATH.</summary>
    private static string[] PostgresBinaries(string name) =>
        Directory.Exists("/usr/lib/postgresql")
            ? [.. Directory.GetDirectories("/usr/lib/postgresql").OrderDescending(StringComparer.Ordinal).Select(d => Path.Combine(d, "bin", name))]
            : [];
}

using System.Text;
using Archgate.Checks.Frontend;
using Archgate.Checks.Http;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Protocol;
using Xunit.Abstractions;

namespace Archgate.Checks.Tests.Frontend;

/// <summary>
/// Small pages and a small API on free ports of 127.0.0.1, opened in Debian's Chromium: one page per judgement (a clean
/// one, a console error, an uncaught exception, a wrong API host, an API call answering 500, a host outside
/// targets.allow, a missing page); the check runs once over all of them and each test reads its page's findings.
/// </summary>
public sealed class BrowserCheckTests(BrowserCheckTests.Site site, ITestOutputHelper output) : IClassFixture<BrowserCheckTests.Site>
{
    [Fact]
    public async Task A_clean_page_passes_with_its_API_call_and_screenshot_as_evidence()
    {
        var findings = await site.FindingsOfAsync("/clean");

        var seen = Assert.Single(findings);
        Assert.Equal(FrontendRules.PageSeen, seen.Rule);
        Assert.Contains("1 API calls", seen.Message, StringComparison.Ordinal);
        Assert.Equal($"GET {site.Api.Url}items (fetch) → 200", seen.Evidence);
        var screenshot = seen.Message[(seen.Message.IndexOf("screenshot ", StringComparison.Ordinal) + "screenshot ".Length)..];
        Assert.StartsWith("evidence/browser/web/", screenshot, StringComparison.Ordinal);
        var png = await File.ReadAllBytesAsync(Path.Combine(site.Output, screenshot));
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
    }

    [Fact]
    public async Task A_console_error_is_a_finding_with_its_message_and_source()
    {
        var finding = Assert.Single(await site.FindingsOfAsync("/console"), f => f.Rule != FrontendRules.PageSeen);

        Assert.Equal((FrontendRules.ConsoleError, Severity.High), (finding.Rule, finding.Severity));
        Assert.Contains("console error cart total is NaN", finding.Message, StringComparison.Ordinal);
        Assert.Contains($"at {site.Web.Url}console:", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_uncaught_exception_is_a_finding_with_its_message()
    {
        var finding = Assert.Single(await site.FindingsOfAsync("/uncaught"), f => f.Rule != FrontendRules.PageSeen);

        Assert.Equal(FrontendRules.UncaughtError, finding.Rule);
        Assert.Contains("uncaught", finding.Message, StringComparison.Ordinal);
        Assert.Contains("render failed: no such element", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_API_call_to_a_port_that_is_not_the_declared_backend_names_both_URLs()
    {
        var finding = Assert.Single(await site.FindingsOfAsync("/wrong-host"), f => f.Rule != FrontendRules.PageSeen);

        Assert.Equal(FrontendRules.UndeclaredBackend, finding.Rule);
        Assert.Equal($"/wrong-host called http://127.0.0.1:{site.DeadPort}/items, not a declared backend: the declared backend is api at {site.Api.Url}", finding.Message);
        Assert.Contains($"GET http://127.0.0.1:{site.DeadPort}/items (fetch) → net::ERR_CONNECTION_REFUSED", finding.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_answered_API_call_whose_body_the_page_never_reads_is_not_still_loading()
    {
        // Chromium never finishes a Cache-Control: no-store answer that no script reads; the server has answered.
        var findings = await site.FindingsOfAsync("/unread");

        var seen = Assert.Single(findings);
        Assert.Equal(FrontendRules.PageSeen, seen.Rule);
        Assert.Equal($"GET {site.Api.Url}me (fetch) → 200", seen.Evidence);
    }

    [Fact]
    public async Task An_API_call_answering_500_is_a_finding()
    {
        var finding = Assert.Single(await site.FindingsOfAsync("/api-500"), f => f.Rule != FrontendRules.PageSeen);

        Assert.Equal(FrontendRules.RequestFailed, finding.Rule);
        Assert.Equal($"/api-500: GET {site.Api.Url}boom answered 500", finding.Message);
    }

    [Fact]
    public async Task A_call_to_a_host_outside_targets_allow_is_a_finding_and_never_leaves_the_machine()
    {
        var finding = Assert.Single(await site.FindingsOfAsync("/elsewhere"), f => f.Rule != FrontendRules.PageSeen);

        Assert.Equal(FrontendRules.HostNotAllowed, finding.Rule);
        Assert.Contains("http://tracker.archgate.invalid/pixel on tracker.archgate.invalid", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_page_did_not_load()
    {
        var findings = await site.FindingsOfAsync("/missing");

        Assert.Contains(findings, f => f.Rule == FrontendRules.PageNotLoaded && f.Message == "/missing did not load: the page answered 404");
    }

    [Fact]
    public async Task The_run_fails_and_names_the_browser()
    {
        var result = await site.Result;
        foreach (var f in result.Findings)
        {
            output.WriteLine($"{f.Rule} {f.Location}: {f.Message} | {f.Evidence}");
        }

        Assert.Equal(CheckStatus.Fail, result.Status);
        Assert.Contains(result.Findings, f => f.Rule == FrontendRules.PageSeen && f.Message.StartsWith("8 pages opened in Chromium ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Every_response_Chromium_received_reaches_step_9s_passive_rules_with_its_body()
    {
        await site.Result;
        var routes = site.Traffic.Routes();

        var web = Archgate.Checks.Security.Passive.PassiveTraffic.Origin(site.Web.Url);
        var api = Archgate.Checks.Security.Passive.PassiveTraffic.Origin(site.Api.Url);
        var clean = Assert.Single(routes, r => r.Origin == web && r.Route == "/clean");
        Assert.Equal(["GET"], clean.Methods);
        Assert.Contains(clean.Hits, h => h.Hit.Rule == Archgate.Checks.Security.PassiveRules.CspMissing); // an HTML page without a CSP, judged on its body
        Assert.Contains(routes, r => r.Origin == api && r.Route == "/items"); // the page's fetch
        Assert.Contains(routes, r => r.Origin == api && r.Route == "/boom");
        Assert.DoesNotContain(routes, r => r.Origin.Contains("archgate.invalid", StringComparison.Ordinal)); // never answered
    }

    [Fact]
    public async Task A_frontend_that_is_not_there_fails_AG5046_as_transient_so_the_runner_retries()
    {
        var port = FreePort.Next();
        var system = TestSystems.Load($$"""
            version: 1
            system: { name: pages }
            components:
              - { name: web, kind: frontend, url: "http://127.0.0.1:{{port}}", pages: [/] }
            """);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        var output = Path.Combine(site.Output, "absent");

        var result = await new BrowserCheck(system.Find<Archgate.Model.FrontendComponent>("web")!, new Archgate.Model.BrowserCheckOptions()).RunAsync(TestSystems.Context(system, http) with { OutputDirectory = output }, CancellationToken.None);

        Assert.Equal(CheckStatus.Fail, result.Status);
        var finding = Assert.Single(result.Findings, f => f.Rule == FrontendRules.PageNotLoaded);
        Assert.Contains("net::ERR_CONNECTION_REFUSED", finding.Message, StringComparison.Ordinal);
        Assert.Contains("net::ERR_CONNECTION_REFUSED", result.TransientCause, StringComparison.Ordinal);
    }

    /// <summary>The API (JSON with CORS for any origin) and the frontend's pages, each on a free port, and one run of the check.</summary>
    public sealed class Site : IDisposable
    {
        private readonly Lazy<Task<CheckResult>> _result;

        public Site()
        {
            Api = new LocalHttpServer(context => context.Request.Url!.AbsolutePath switch
            {
                "/items" => Json(context, 200, """{"items":[{"id":1,"name":"Mug"}]}"""),
                "/me" => Json(context, 200, """{"id":1,"name":"Ann"}""", noStore: true),
                _ => Json(context, 500, """{"title":"Internal Server Error"}"""),
            });
            DeadPort = FreePort.Next();
            var api = Api.Url.ToString().TrimEnd('/');
            Web = new PageServer(new Dictionary<string, string>
            {
                ["/clean"] = Page($"fetch('{api}/items').then(r => r.json()).then(b => {{ document.body.append(b.items[0].name); }});"),
                ["/console"] = Page("console.error('cart total is NaN');"),
                ["/uncaught"] = Page("setTimeout(() => { throw new Error('render failed: no such element'); }, 0);"),
                ["/wrong-host"] = Page($"fetch('http://127.0.0.1:{DeadPort}/items').catch(() => {{ document.body.append('offline'); }});"),
                ["/api-500"] = Page($"fetch('{api}/boom').then(r => {{ document.body.append('status ' + r.status); }});"),
                ["/unread"] = Page($"fetch('{api}/me').then(r => {{ document.body.append(r.ok ? 'signed in' : 'signed out'); }});"),
                ["/elsewhere"] = Page("fetch('http://tracker.archgate.invalid/pixel').catch(() => {});"),
            });
            Output = Path.Combine(Path.GetTempPath(), "archgate-browser-tests", Guid.NewGuid().ToString("N"));
            _result = new Lazy<Task<CheckResult>>(RunAsync);
        }

        public LocalHttpServer Api { get; }

        public PageServer Web { get; }

        public int DeadPort { get; }

        public string Output { get; }

        /// <summary>The run's passive recorder, as a real run attaches it to the probe client.</summary>
        public Archgate.Checks.Security.Passive.PassiveTraffic Traffic { get; } = Archgate.Checks.Security.PassiveSecurity.Recorder();

        public Task<CheckResult> Result => _result.Value;

        public async Task<List<Finding>> FindingsOfAsync(string page) =>
            [.. (await Result).Findings.Where(f => f.Location == page && f.Rule != FrontendRules.AccessibilitySummary)];

        public void Dispose()
        {
            Web.Dispose();
            Api.Dispose();
            if (Directory.Exists(Output))
            {
                Directory.Delete(Output, recursive: true);
            }
        }

        internal static string Page(string script) =>
            $"<!doctype html><html lang=\"en\"><head><title>t</title><link rel=\"icon\" href=\"data:,\"></head><body><h1>Shop</h1><script>{script}</script></body></html>";

        internal static Task Json(System.Net.HttpListenerContext context, int status, string body, bool noStore = false)
        {
            var headers = new Dictionary<string, string>
            {
                ["Access-Control-Allow-Origin"] = "*",
                ["Access-Control-Allow-Headers"] = "*",
                ["Access-Control-Allow-Methods"] = "GET, POST",
            };
            if (noStore)
            {
                headers["Cache-Control"] = "no-store";
            }

            return LocalHttpServer.WriteAsync(context, status, Encoding.UTF8.GetBytes(body), "application/json", headers);
        }

        private async Task<CheckResult> RunAsync()
        {
            var system = TestSystems.Load($$"""
                version: 1
                system: { name: pages }
                components:
                  - { name: api, kind: service, url: "{{Api.Url}}" }
                  - { name: web, kind: frontend, url: "{{Web.Url}}", dependsOn: [api], pages: [/clean, /console, /uncaught, /wrong-host, /api-500, /unread, /elsewhere, /missing], states: off }
                """);
            using var http = ProbeHttp.CreateClient(system.AllowedHosts, Traffic);
            var check = new BrowserCheck(system.Find<Archgate.Model.FrontendComponent>("web")!, new Archgate.Model.BrowserCheckOptions());
            return await check.RunAsync(TestSystems.Context(system, http) with { OutputDirectory = Output }, CancellationToken.None);
        }
    }
}

using Archgate.Checks.Frontend;
using Archgate.Checks.Http;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Protocol;
using Xunit.Abstractions;

namespace Archgate.Checks.Tests.Frontend;

/// <summary>
/// The browser check's loading and error states (the API behind the fault proxy, slowed then stopped) and its axe-core
/// pass, on small pages in Debian's Chromium: one page that does it right, one that stays blank, one that prints raw
/// JSON, one with an image without alt text and a button without a name. The check runs once over all of them.
/// </summary>
public sealed class PageStatesTests(PageStatesTests.Site site, ITestOutputHelper output) : IClassFixture<PageStatesTests.Site>
{
    [Fact]
    public async Task A_page_with_aria_busy_and_a_role_alert_message_shows_both_states_with_screenshots()
    {
        var findings = await site.FindingsOfAsync("/good");

        Assert.DoesNotContain(findings, f => f.Rule is FrontendRules.NoLoadingState or FrontendRules.NoErrorState or FrontendRules.RawError);
        var states = findings.Where(f => f.Rule == FrontendRules.StateSeen).ToList();
        Assert.Equal(2, states.Count);
        Assert.Equal("/good shows its loading state ([aria-busy=true], [role=progressbar], progress) while the API answers 2 s late", states[0].Message);
        Assert.Equal("/good shows a user-friendly error while the API is down: \"The items cannot be loaded right now. Please try again later.\"", states[1].Message);
        Assert.Equal("screenshot evidence/browser/web/good-loading.png", states[0].Evidence);
        Assert.Equal("screenshot evidence/browser/web/good-error.png", states[1].Evidence);
        foreach (var state in states)
        {
            var png = await File.ReadAllBytesAsync(Path.Combine(site.Output, state.Evidence!["screenshot ".Length..]));
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        }
    }

    [Fact]
    public async Task A_page_that_stays_blank_has_no_loading_state_and_fails_as_blank_with_the_API_down()
    {
        var findings = await site.FindingsOfAsync("/blank");

        var loading = Assert.Single(findings, f => f.Rule == FrontendRules.NoLoadingState);
        Assert.Equal(Severity.Medium, loading.Severity);
        var error = Assert.Single(findings, f => f.Rule == FrontendRules.NoErrorState);
        Assert.Equal((Severity.High, "/blank is blank while the API is down"), (error.Severity, error.Message));
        Assert.EndsWith("screenshot evidence/browser/web/blank-error.png", error.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_page_whose_busy_region_is_empty_is_told_it_marks_its_loading_but_shows_nothing()
    {
        var loading = Assert.Single(await site.FindingsOfAsync("/empty-busy"), f => f.Rule == FrontendRules.NoLoadingState);

        Assert.Equal(Severity.Low, loading.Severity);
        Assert.StartsWith("/empty-busy marks its loading state while the API answers 2 s late ([aria-busy=true], [role=progressbar], progress matches), but the marked element shows nothing", loading.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("nothing matches", loading.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_page_that_prints_raw_JSON_when_the_API_is_down_fails_AG5054()
    {
        var finding = Assert.Single(await site.FindingsOfAsync("/raw"), f => f.Rule == FrontendRules.RawError);

        Assert.Equal(Severity.High, finding.Severity);
        Assert.StartsWith("/raw shows raw JSON ({\"error\":\"TypeError: Failed to fetch\"", finding.Message, StringComparison.Ordinal);
        Assert.Contains("(and nothing matches [role=alert])", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_image_without_alt_and_a_button_without_a_name_are_critical_axe_violations_with_selector_and_help_url()
    {
        var findings = await site.FindingsOfAsync("/a11y");

        var image = Assert.Single(findings, f => f.Rule == FrontendRules.AccessibilityViolation && f.Message.Contains(" image-alt: ", StringComparison.Ordinal));
        Assert.Equal(Severity.High, image.Severity);
        Assert.StartsWith("/a11y: critical accessibility violation image-alt: ", image.Message, StringComparison.Ordinal);
        Assert.Matches(@"^img; https://dequeuniversity\.com/rules/axe/[\d.]+/image-alt", image.Evidence!);
        var button = Assert.Single(findings, f => f.Rule == FrontendRules.AccessibilityViolation && f.Message.Contains(" button-name: ", StringComparison.Ordinal));
        Assert.StartsWith("#nameless", button.Evidence, StringComparison.Ordinal);
        Assert.Contains(findings, f => f.Rule == FrontendRules.AccessibilitySummary && f.Message.Contains("2 serious or critical violations", StringComparison.Ordinal));
        Assert.DoesNotContain(findings, f => f.Rule is FrontendRules.StateSeen or FrontendRules.NoLoadingState); // it calls no API: no states looked for
    }

    [Fact]
    public async Task The_check_fails_and_the_good_page_has_no_serious_accessibility_violation()
    {
        var result = await site.Result;
        foreach (var f in result.Findings)
        {
            output.WriteLine($"{f.Rule} {f.Severity} {f.Location}: {f.Message} | {f.Evidence}");
        }

        Assert.Equal(CheckStatus.Fail, result.Status);
        Assert.DoesNotContain(await site.FindingsOfAsync("/good"), f => f.Rule == FrontendRules.AccessibilityViolation);
    }

    [Fact]
    public void With_no_page_calling_its_API_on_load_the_sign_ins_calls_are_named_as_not_replayed()
    {
        // ex13: a single-page app shows its form again on a reload; the sign-in's own calls were left unsaid and the info
        // read as if the page had no API at all.
        PageRequest[] calls =
        [
            new("POST", "http://127.0.0.1:8111/auth/login", "fetch", 200, null),
            new("GET", "http://127.0.0.1:8111/v1/me/bookings?limit=20", "fetch", 200, null),
        ];

        Assert.Equal(
            "no page called its API on load (its loading and error states were not looked for); the sign-in on / called it 2 times " +
            "(POST http://127.0.0.1:8111/auth/login, GET http://127.0.0.1:8111/v1/me/bookings?limit=20), but a sign-in is not replayed with the API slowed or stopped",
            StateProbe.NothingToProbe(calls, "sign-in on /"));
        Assert.Equal("no page called its API: its loading and error states were not looked for", StateProbe.NothingToProbe([], null));
    }

    [Theory]
    [InlineData("{\"type\":\"about:blank\",\"title\":\"Bad Gateway\",\"status\":502}", "raw JSON")]
    [InlineData("Error\n    at loadItems (http://127.0.0.1:1234/app.js:10:5)", "a stack trace")]
    [InlineData("System.InvalidOperationException: Sequence contains no elements", "a stack trace")]
    [InlineData("Failed to fetch", "a technical error")]
    [InlineData("The shop cannot be reached right now. Please try again in a moment.", null)]
    public void Unfriendly_names_what_a_user_should_not_see(string text, string? expected)
    {
        var why = StateProbe.Unfriendly(text);

        if (expected is null)
        {
            Assert.Null(why);
        }
        else
        {
            Assert.StartsWith(expected, why, StringComparison.Ordinal);
        }
    }

    /// <summary>The API (JSON with CORS for any origin) and the pages, each on a free port, and one run of the check.</summary>
    public sealed class Site : IDisposable
    {
        private readonly Lazy<Task<CheckResult>> _result;

        public Site()
        {
            Api = new LocalHttpServer(context => BrowserCheckTests.Site.Json(context, 200, """{"items":[{"id":1,"name":"Mug"}]}"""), concurrent: true);
            var api = Api.Url.ToString().TrimEnd('/');
            var load = $"fetch('{api}/items').then(r => r.json())";
            Web = new PageServer(new Dictionary<string, string>
            {
                ["/good"] = Html("""<main><h1>Items</h1><ul id="list"></ul><p id="error" role="alert"></p></main>""",
                    $"const main = document.querySelector('main'); main.setAttribute('aria-busy', 'true');" +
                    $"{load}.then(b => {{ const li = document.createElement('li'); li.textContent = b.items[0].name; document.getElementById('list').append(li); }})" +
                    ".catch(() => { document.getElementById('error').textContent = 'The items cannot be loaded right now. Please try again later.'; })" +
                    ".finally(() => main.removeAttribute('aria-busy'));"),
                ["/blank"] = Html("""<div id="app"></div>""", $"{load}.then(b => {{ document.getElementById('app').textContent = b.items[0].name; }}).catch(() => {{}});"),
                ["/raw"] = Html("""<main><h1>Items</h1><div id="app"></div></main>""",
                    $"{load}.then(b => {{ document.getElementById('app').textContent = b.items[0].name; }})" +
                    ".catch(e => { document.getElementById('app').innerHTML = '<pre>' + JSON.stringify({ error: String(e), status: 0 }) + '</pre>'; });"),
                // ex14: the list that waits is marked busy, as the hint asked, but it is empty: no size, nothing to see.
                ["/empty-busy"] = Html("""<main><h1>Rooms</h1><ul id="rooms" aria-busy="true"></ul><p id="error" role="alert"></p></main>""",
                    $"{load}.then(b => {{ const ul = document.getElementById('rooms'); const li = document.createElement('li'); li.textContent = b.items[0].name; ul.append(li); ul.removeAttribute('aria-busy'); }})" +
                    ".catch(() => { document.getElementById('error').textContent = 'The rooms cannot be loaded right now.'; });"),
                ["/a11y"] = Html("""<main><h1>Gallery</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><button id="nameless"></button></main>""", string.Empty),
            });
            Output = Path.Combine(Path.GetTempPath(), "archgate-states-tests", Guid.NewGuid().ToString("N"));
            _result = new Lazy<Task<CheckResult>>(RunAsync);
        }

        public LocalHttpServer Api { get; }

        public PageServer Web { get; }

        public string Output { get; }

        public Task<CheckResult> Result => _result.Value;

        public async Task<List<Finding>> FindingsOfAsync(string page) =>
            [.. (await Result).Findings.Where(f => f.Location == page)];

        public void Dispose()
        {
            Web.Dispose();
            Api.Dispose();
            if (Directory.Exists(Output))
            {
                Directory.Delete(Output, recursive: true);
            }
        }

        private static string Html(string body, string script) =>
            $"<!doctype html><html lang=\"en\"><head><title>t</title><link rel=\"icon\" href=\"data:,\"></head><body>{body}<script>{script}</script></body></html>";

        private async Task<CheckResult> RunAsync()
        {
            var system = TestSystems.Load($$"""
                version: 1
                system: { name: pages }
                components:
                  - { name: api, kind: service, url: "{{Api.Url}}" }
                  - name: web
                    kind: frontend
                    url: "{{Web.Url}}"
                    dependsOn: [api]
                    pages: [/good, /blank, /raw, /empty-busy, /a11y]
                    states: { delay: 2s, within: 5s }
                """);
            using var http = ProbeHttp.CreateClient(system.AllowedHosts);
            var check = new BrowserCheck(system.Find<Archgate.Model.FrontendComponent>("web")!, new Archgate.Model.BrowserCheckOptions());
            using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(4));
            return await check.RunAsync(TestSystems.Context(system, http) with { OutputDirectory = Output }, cancel.Token);
        }
    }
}

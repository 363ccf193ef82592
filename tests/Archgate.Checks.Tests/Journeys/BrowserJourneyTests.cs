using System.Text;
using Archgate.Checks.Browser;
using Archgate.Checks.Http;
using Archgate.Checks.Journeys;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Journeys;

/// <summary>
/// A journey with browser steps against a small shop on free ports of 127.0.0.1 (a sign-in page, an API, an orders page),
/// in each engine: one browser per engine for the class, in which the clean journey passes and a broken page (its text
/// missing) fails with a screenshot. An engine that is not installed fails the test (build.sh test installs all three).
/// </summary>
public sealed class BrowserJourneyTests(BrowserJourneyTests.Shop shop) : IClassFixture<BrowserJourneyTests.Shop>
{
    public static TheoryData<BrowserEngine> Engines => [BrowserEngine.Chromium, BrowserEngine.Firefox, BrowserEngine.Webkit];

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task The_journey_signs_in_through_the_page_waits_for_its_call_and_sees_the_orders_page_in_each_engine(BrowserEngine engine)
    {
        var (passed, broken) = await shop.ResultsAsync(engine);

        Assert.True(passed.Status == CheckStatus.Pass, string.Join("\n", passed.Findings.Select(f => $"{f.Rule} {f.Message} {f.Evidence}")) + passed.Reason);
        Assert.Equal(100, passed.Metrics.Single(m => m.Name == "journey_success_rate").Value);
        Assert.Equal(BrowserDrivers.Name(engine), passed.Metrics[0].Tags["engine"]);
        var summary = Assert.Single(passed.Findings);
        Assert.Contains("2 of 2 runs succeeded (100 %) in ", summary.Message, StringComparison.Ordinal);
        // Each run signed in afresh (its form shows only without the last run's storage), and the page, not Archgate, called the API.
        Assert.Equal(2, shop.Logins(engine, "journey"));
        Assert.Equal(2, shop.OrderPages(engine));
        _ = broken;
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task A_page_whose_text_is_missing_fails_the_journey_with_the_step_what_it_shows_and_a_screenshot_in_each_engine(BrowserEngine engine)
    {
        var (_, broken) = await shop.ResultsAsync(engine);

        Assert.Equal(CheckStatus.Fail, broken.Status);
        var failure = Assert.Single(broken.Findings, f => f.Rule == JourneyRules.CriticalJourneyFailed);
        Assert.Contains("0 of 1 runs succeeded", failure.Message, StringComparison.Ordinal);
        Assert.Contains("at step 3 (expect text 'Order 7 paid' in #orders): 'Order 7 paid' not shown in #orders after 8 s; it shows \"Order 7 payment_failed\"", failure.Message, StringComparison.Ordinal);
        Assert.Contains($"page {shop.Web.Url}broken-orders", failure.Evidence, StringComparison.Ordinal);
        Assert.NotNull(failure.Evidence);
        var screenshot = failure.Evidence[(failure.Evidence.IndexOf("screenshot ", StringComparison.Ordinal) + "screenshot ".Length)..];
        Assert.Equal(Path.Combine("evidence", "browser", "journeys", $"broken-orders-page-{BrowserDrivers.Name(engine)}-run1.png"), screenshot);
        var png = await File.ReadAllBytesAsync(Path.Combine(shop.Output, screenshot));
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
    }

    [Fact]
    public async Task A_page_that_loads_slower_than_the_step_timeout_is_still_opened_by_goto()
    {
        // A fresh Firefox's first navigation beside a busy suite passed 10 s (ci23); a goto waits for the load event up to 30 s.
        using var web = new PageServer(
            new Dictionary<string, string> { ["/slow"] = "<!doctype html><html><head><title>slow</title><link rel=\"icon\" href=\"data:,\"></head><body><p>loaded at last</p></body></html>" },
            new Dictionary<string, TimeSpan> { ["/slow"] = TimeSpan.FromSeconds(4) });
        var system = TestSystems.Load($$"""
            version: 1
            system: { name: pages }
            components:
              - { name: api, kind: service, url: "{{web.Url}}" }
              - { name: web, kind: frontend, url: "{{web.Url}}" }
            journeys:
              - name: slow page
                runs: 1
                browsers: [chromium]
                steps:
                  - goto: /slow
                  - expect text: loaded at last
            """);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        var settings = new Archgate.Model.JourneyCheckOptions { BrowserStepTimeout = TimeSpan.FromSeconds(2) };
        var check = JourneyCheck.For(system.Journeys[0], new JourneyOptions(), settings).Single();

        var result = await check.RunAsync(TestSystems.Context(system, http) with { OutputDirectory = Archgate.Checks.Tests.Frontend.AuthFlowCheckTests.Folder() }, CancellationToken.None);

        Assert.True(result.Status == CheckStatus.Pass, string.Join("; ", result.Findings.Select(f => f.Message)));
    }

    [Fact]
    public void Each_engine_has_its_prerequisite_for_doctor()
    {
        Assert.Equal("chromium", BrowserDrivers.Prerequisite(BrowserEngine.Chromium).Package);
        Assert.Equal("firefox-esr", BrowserDrivers.Prerequisite(BrowserEngine.Firefox).Package);
        Assert.Equal("webkit2gtk-driver", BrowserDrivers.Prerequisite(BrowserEngine.Webkit).Package);
    }

    /// <summary>The pages, the API, and for each engine one browser running both journeys (once, on first use).</summary>
    public sealed class Shop : IDisposable
    {
        private const string SignIn = """
            <!doctype html><html><head><title>Sign in</title><link rel="icon" href="data:,"></head><body>
            <form id="login-form"><input id="user" autocomplete="username"><input id="password" type="password">
            <button id="login" type="submit">Sign in</button></form>
            <p id="greeting" hidden></p><a id="orders-link" href="ORDERS" hidden>My orders</a>
            <script>
              // Signed in already (storage kept from an earlier run): no form to fill, so the journey's fill fails.
              if (localStorage.getItem('who')) document.getElementById('login-form').hidden = true;
              document.getElementById('login-form').addEventListener('submit', async e => {
                e.preventDefault();
                const r = await fetch('API/login?engine=ENGINE&journey=JOURNEY', { method: 'POST', headers: { 'Content-Type': 'application/json' },
                  body: JSON.stringify({ user: document.getElementById('user').value, password: document.getElementById('password').value }) });
                const body = await r.json();
                localStorage.setItem('who', body.user);
                document.getElementById('login-form').hidden = true;
                const greeting = document.getElementById('greeting');
                greeting.textContent = 'Welcome, ' + body.user;
                greeting.hidden = false;
                document.getElementById('orders-link').hidden = false;
              });
            </script></body></html>
            """;

        private const string Orders = """
            <!doctype html><html><head><title>Orders</title><link rel="icon" href="data:,"></head><body>
            <ul id="orders"></ul>
            <script>
              fetch('API/orders?engine=ENGINE').then(r => r.json()).then(b => {
                for (const o of b.items) { const li = document.createElement('li'); li.textContent = 'Order ' + o.id + ' ' + STATUS; document.getElementById('orders').append(li); }
              });
            </script></body></html>
            """;

        private const string Manifest = """
            version: 1
            system: { name: pages }
            components:
              - { name: api, kind: service, url: "API" }
              - { name: web, kind: frontend, url: "WEB" }
            journeys:
              - name: journey
                runs: 2
                vars: { password: demo }
                steps:
                  - goto: /sign-in-ENGINE
                  - fill: { "#user": ann, "#password": "{password}" }
                  - click: "#login"
                  - wait for response: { request: POST /login, status: 200 }
                  - expect text: { "#greeting": "Welcome, ann" }
                  - click: "#orders-link"
                  - expect visible: "#orders li"
                  - expect text: Order 7 paid
                  - wait for response: GET /orders
              - name: broken orders page
                critical: true
                runs: 1
                browsers: [ENGINES]
                steps:
                  - goto: /broken-orders
                  - expect visible: "#orders li"
                  - expect text: { "#orders": Order 7 paid }
            """;

        private readonly Lock _gate = new();
        private readonly List<Received> _received = [];
        private readonly Dictionary<BrowserEngine, Task<(CheckResult, CheckResult)>> _results = [];

        public Shop()
        {
            Api = new LocalHttpServer(async context =>
            {
                var received = await LocalHttpServer.ReadAsync(context);
                lock (_gate)
                {
                    _received.Add(received);
                }

                var cors = new Dictionary<string, string> { ["Access-Control-Allow-Origin"] = "*", ["Access-Control-Allow-Headers"] = "*", ["Access-Control-Allow-Methods"] = "GET, POST" };
                var body = context.Request.HttpMethod == "OPTIONS" ? string.Empty
                    : context.Request.Url!.AbsolutePath == "/login" ? """{"user":"ann"}"""
                    : """{"items":[{"id":7}]}""";
                await LocalHttpServer.WriteAsync(context, context.Request.HttpMethod == "OPTIONS" ? 204 : 200, Encoding.UTF8.GetBytes(body), "application/json", cors);
            }, concurrent: true);
            var api = Api.Url.ToString().TrimEnd('/');
            var pages = new Dictionary<string, string>();
            foreach (var engine in Journey.AllBrowsers)
            {
                var name = BrowserDrivers.Name(engine);
                pages[$"/sign-in-{name}"] = SignIn.Replace("API", api, StringComparison.Ordinal).Replace("ENGINE", name, StringComparison.Ordinal).Replace("ORDERS", $"/orders-{name}", StringComparison.Ordinal).Replace("JOURNEY", "journey", StringComparison.Ordinal);
                pages[$"/orders-{name}"] = Orders.Replace("API", api, StringComparison.Ordinal).Replace("ENGINE", name, StringComparison.Ordinal).Replace("STATUS", "'paid'", StringComparison.Ordinal);
            }

            pages["/broken-orders"] = Orders.Replace("API", api, StringComparison.Ordinal).Replace("ENGINE", "broken", StringComparison.Ordinal).Replace("STATUS", "'payment_failed'", StringComparison.Ordinal);
            Web = new PageServer(pages);
            Output = Path.Combine(Path.GetTempPath(), "archgate-browser-journey-tests", Guid.NewGuid().ToString("N"));
        }

        public LocalHttpServer Api { get; }

        public PageServer Web { get; }

        public string Output { get; }

        /// <summary>The clean journey's and the broken page's results in <paramref name="engine"/>, run in one browser.</summary>
        public Task<(CheckResult Passed, CheckResult Broken)> ResultsAsync(BrowserEngine engine)
        {
            lock (_gate)
            {
                if (!_results.TryGetValue(engine, out var task))
                {
                    _results[engine] = task = RunAsync(engine);
                }

                return task;
            }
        }

        public int Logins(BrowserEngine engine, string journey)
        {
            lock (_gate)
            {
                return _received.Count(r => r.PathAndQuery.StartsWith($"/login?engine={BrowserDrivers.Name(engine)}&journey={journey}", StringComparison.Ordinal) && r.Method == "POST");
            }
        }

        public int OrderPages(BrowserEngine engine)
        {
            lock (_gate)
            {
                return _received.Count(r => r.Method == "GET" && r.PathAndQuery == $"/orders?engine={BrowserDrivers.Name(engine)}");
            }
        }

        private async Task<(CheckResult, CheckResult)> RunAsync(BrowserEngine engine)
        {
            var name = BrowserDrivers.Name(engine);
            var system = TestSystems.Load(Manifest
                .Replace("API", Api.Url.ToString().TrimEnd('/'), StringComparison.Ordinal)
                .Replace("WEB", Web.Url.ToString().TrimEnd('/'), StringComparison.Ordinal)
                .Replace("ENGINES", name, StringComparison.Ordinal)
                .Replace("ENGINE", name, StringComparison.Ordinal));
            using var http = ProbeHttp.CreateClient(system.AllowedHosts);
            var context = TestSystems.Context(system, http) with { OutputDirectory = Output };
            // 8 s a step: Firefox's first navigation beside a busy suite took over 3 s (ci23); the broken journey waits it out once.
            var settings = new Archgate.Model.JourneyCheckOptions { BrowserStepTimeout = TimeSpan.FromSeconds(8) };
            await using var driver = await BrowserDrivers.StartAsync(engine, system.AllowedHosts, TimeSpan.FromSeconds(90), CancellationToken.None);
            var checks = system.Journeys.Select(j => JourneyCheck.For(j, new JourneyOptions(), settings).Cast<JourneyCheck>().Single(c => c.Id.EndsWith($"@{name}", StringComparison.Ordinal))).ToList();
            var passed = await checks[0].RunInAsync(context, driver, CancellationToken.None);
            var broken = await checks[1].RunInAsync(context, driver, CancellationToken.None);
            return (passed, broken);
        }

        public void Dispose()
        {
            Web.Dispose();
            Api.Dispose();
            if (Directory.Exists(Output))
            {
                Directory.Delete(Output, recursive: true);
            }
        }
    }
}

using System.Text;
using System.Text.Json;
using Archgate.Checks.Frontend;
using Archgate.Checks.Http;
using Archgate.Checks.Tests.Fixtures;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Frontend;

/// <summary>
/// The browser check signs in as the frontend's <c>auth</c> identity through the page's own login form: a page that asks
/// the API who the user is (401 before sign-in, expected), a form that posts the login, and a page that needs the token.
/// </summary>
public sealed class BrowserSignInTests
{
    private const string Token = "t0k-signed-in";

    [Fact]
    public async Task The_check_signs_in_through_the_form_and_the_signed_in_page_passes_without_counting_the_401_before()
    {
        using var api = Api(out var received);
        using var web = Web(api);

        var result = await RunAsync(api, web, password: "demo");

        Assert.True(result.Status == CheckStatus.Pass, string.Join("\n", result.Findings.Select(f => $"{f.Rule} {f.Message}")));
        Assert.Contains(result.Findings, f => f.Rule == FrontendRules.PageSeen && f.Message.EndsWith(", signed in as ann", StringComparison.Ordinal));
        Assert.Contains(result.Findings, f => f.Message.StartsWith("/account: ", StringComparison.Ordinal) && f.Rule == FrontendRules.PageSeen
            && f.Evidence == $"GET {api.Url}me (fetch) → 200; GET {api.Url}events?access_token=*** (eventsource) → 200");
        Assert.Contains(received, r => r == "login ann/demo");
        var live = Assert.Single(result.Findings, f => f.Rule == FrontendRules.LiveSeen);
        Assert.Matches(@"^/account: the page's EventSource received a 'thing' event on /events \d+ ms after POST /things \(201\); [1-9]\d* DOM changes followed$", live.Message);
    }

    [Fact]
    public async Task A_stream_whose_answer_comes_after_the_quiet_is_shown_with_its_status()
    {
        // A busy machine: the EventSource's headers come 1.5 s after it opened, longer than the 0.5 s quiet.
        using var api = Api(out _, streamOpens: TimeSpan.FromSeconds(1.5));
        using var web = Web(api);

        var result = await RunAsync(api, web, password: "demo");

        Assert.Contains(result.Findings, f => f.Message.StartsWith("/account: ", StringComparison.Ordinal) && f.Rule == FrontendRules.PageSeen
            && f.Evidence == $"GET {api.Url}me (fetch) → 200; GET {api.Url}events?access_token=*** (eventsource) → 200");
    }

    [Fact]
    public async Task A_page_whose_stream_gets_no_event_after_the_trigger_fails_AG5050()
    {
        using var api = Api(out _, publishes: false);
        using var web = Web(api);

        var result = await RunAsync(api, web, password: "demo");

        var finding = Assert.Single(result.Findings, f => f.Rule == FrontendRules.NotLive);
        Assert.Equal("/account: the page's EventSource received no 'thing' event within 5 s of POST /things (201)", finding.Message);
        Assert.Equal(CheckStatus.Fail, result.Status);
    }

    [Fact]
    public async Task A_refused_sign_in_fails_AG5047_with_what_the_page_says()
    {
        using var api = Api(out _);
        using var web = Web(api);

        var result = await RunAsync(api, web, password: "wrong");

        Assert.Equal(CheckStatus.Fail, result.Status);
        var finding = Assert.Single(result.Findings, f => f.Rule == FrontendRules.SignInFailed);
        Assert.Equal($"signing in as ann through /account's login form did not complete: the form still shows and its sign-in call POST {api.Url}login answered 401 (the page says: Wrong user or password)", finding.Message);
        Assert.DoesNotContain(result.Findings, f => f.Rule == FrontendRules.RequestFailed); // the 401s are those of a user not signed in
        Assert.DoesNotContain(result.Findings, f => f.Message.Contains("wrong", StringComparison.Ordinal) && f.Rule != FrontendRules.SignInFailed);
    }

    [Fact]
    public async Task A_page_that_keeps_its_form_after_a_sign_in_its_network_shows_passes()
    {
        // The form stays (a header form): the login answered 200 and the calls after it succeed, so the user is signed in.
        using var api = Api(out _);
        using var web = Web(api, keepForm: true);

        var result = await RunAsync(api, web, password: "demo");

        Assert.True(result.Status == CheckStatus.Pass, string.Join("\n", result.Findings.Select(f => $"{f.Rule} {f.Message}")));
        Assert.DoesNotContain(result.Findings, f => f.Rule == FrontendRules.SignInFailed);
        Assert.Contains(result.Findings, f => f.Rule == FrontendRules.PageSeen && f.Message.EndsWith(", signed in as ann", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_refused_sign_in_on_a_page_that_keeps_its_form_fails_AG5047_quoting_the_text_that_came_without_a_status_region()
    {
        using var api = Api(out _);
        using var web = Web(api, keepForm: true, statusRole: false);

        var result = await RunAsync(api, web, password: "wrong");

        var finding = Assert.Single(result.Findings, f => f.Rule == FrontendRules.SignInFailed);
        Assert.Equal($"signing in as ann through /account's login form did not complete: the form still shows and its sign-in call POST {api.Url}login answered 401 (the page says: Wrong user or password)", finding.Message);
    }

    [Theory]
    [InlineData("POST /login 200; GET /me 200", true, "its sign-in call POST http://127.0.0.1:1/login answered 200")]
    [InlineData("GET /me 401", false, "the page made no sign-in call (no POST, PUT or PATCH after submitting)")]
    [InlineData("POST /login 200; GET /me 401", false, "its sign-in call POST http://127.0.0.1:1/login answered 200, but no API call after it succeeded (GET http://127.0.0.1:1/me → 401)")]
    [InlineData("POST /login 200", false, "its sign-in call POST http://127.0.0.1:1/login answered 200, but the page called its API no more")]
    [InlineData("POST /telemetry 204; POST /login 500; GET /me 200", false, "its sign-in call POST http://127.0.0.1:1/login answered 500")]
    public void The_sign_in_is_judged_by_the_login_call_and_a_successful_call_after_it(string calls, bool signedIn, string network)
    {
        var requests = calls.Split("; ").Select(c => c.Split(' ')).Select(p => new PageRequest(p[0], $"http://127.0.0.1:1{p[1]}", "fetch", int.Parse(p[2], System.Globalization.CultureInfo.InvariantCulture), null)).ToList();

        Assert.Equal((signedIn, network), BrowserCheck.JudgeSignIn(requests, "/login"));
    }

    [Fact]
    public async Task A_page_without_a_login_form_fails_AG5047()
    {
        using var api = Api(out _);
        using var web = new PageServer(new Dictionary<string, string> { ["/account"] = BrowserCheckTests.Site.Page("document.body.append('no form');") });

        var result = await RunAsync(api, web, password: "demo");

        var finding = Assert.Single(result.Findings, f => f.Rule == FrontendRules.SignInFailed);
        Assert.Contains("shows no login form (no visible password field)", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_Chromium_the_check_errors_with_a_hint_rather_than_passing()
    {
        using var api = Api(out _);
        using var web = Web(api);

        var result = await RunAsync(api, web, password: "demo", chromium: "/nonexistent/chromium");

        Assert.Equal(CheckStatus.Error, result.Status);
        Assert.Equal("Chromium not found at /nonexistent/chromium; chromium is not installed: 'archgate doctor --install' installs it (Debian package chromium)", result.Reason);
    }

    [Fact]
    public async Task A_Chromium_that_is_installed_but_dies_on_start_is_a_transient_error_the_runner_tries_again()
    {
        using var api = Api(out _);
        using var web = Web(api);
        var folder = Directory.CreateTempSubdirectory("archgate-dying-chromium-").FullName;
        try
        {
            var dying = Path.Combine(folder, "chromium");
            File.WriteAllText(dying, "#!/bin/sh\necho 'cannot open shared object' >&2\nexit 1\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(dying, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            var result = await RunAsync(api, web, password: "demo", chromium: dying);

            Assert.Equal(CheckStatus.Error, result.Status);
            Assert.StartsWith("Chromium did not start: ", result.Reason, StringComparison.Ordinal);
            Assert.Equal(result.Reason, result.TransientCause);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<CheckResult> RunAsync(LocalHttpServer api, PageServer web, string password, string? chromium = null)
    {
        var system = TestSystems.Load($$"""
            version: 1
            system: { name: pages }
            auth:
              ann: { login: POST /login, user: ann, password: "{{password}}" }
            components:
              - name: api
                kind: service
                url: "{{api.Url}}"
                auth: ann
                realtime: [ { sse: /events, tokenQuery: access_token, event: thing, within: 5s, trigger: { request: POST /things, json: { name: mug } } } ]
              - { name: web, kind: frontend, url: "{{web.Url}}", dependsOn: [api], pages: [/account], auth: ann, states: off }
            """);
        using var http = ProbeHttp.CreateClient(system.AllowedHosts);
        var options = chromium is null ? new Archgate.Model.BrowserCheckOptions() : new Archgate.Model.BrowserCheckOptions { ChromiumPath = chromium };
        var output = Path.Combine(Path.GetTempPath(), "archgate-browser-tests", Guid.NewGuid().ToString("N"));
        try
        {
            return await new BrowserCheck(system.Find<Archgate.Model.FrontendComponent>("web")!, options).RunAsync(TestSystems.Context(system, http) with { OutputDirectory = output }, CancellationToken.None);
        }
        finally
        {
            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }
        }
    }

    /// <summary>POST /login {username, password}: ann/demo gets a token; GET /me needs it (401 without).</summary>
    private static LocalHttpServer Api(out List<string> received, bool publishes = true, TimeSpan streamOpens = default)
    {
        var log = received = [];
        var streams = new List<Stream>();
        return new LocalHttpServer(async context =>
        {
            if (context.Request.Url!.AbsolutePath == "/events")
            {
                var signedIn = context.Request.QueryString["access_token"] == Token;
                await Task.Delay(streamOpens); // the headers go with the first write
                context.Response.StatusCode = signedIn ? 200 : 401;
                context.Response.ContentType = "text/event-stream";
                context.Response.Headers["Access-Control-Allow-Origin"] = "*";
                context.Response.SendChunked = true;
                await context.Response.OutputStream.WriteAsync(": open\n\n"u8.ToArray());
                await context.Response.OutputStream.FlushAsync();
                if (!signedIn)
                {
                    context.Response.Close();
                    return;
                }

                lock (streams)
                {
                    streams.Add(context.Response.OutputStream);
                }

                await Task.Delay(Timeout.Infinite); // open until the server stops
            }

            if (context.Request.HttpMethod == "POST" && context.Request.Url.AbsolutePath == "/things")
            {
                Stream[] open;
                lock (streams)
                {
                    open = [.. streams];
                }

                foreach (var stream in publishes ? open : [])
                {
                    // In the background: a write to the stream of a page that has gone may block.
                    _ = Task.Run(async () =>
                    {
                        try
                        {
                            await stream.WriteAsync("event: thing\ndata: {\"id\":7}\n\n"u8.ToArray());
                            await stream.FlushAsync();
                        }
                        catch (Exception ex) when (ex is IOException or ObjectDisposedException or System.Net.HttpListenerException)
                        {
                            // that page has gone
                        }
                    });
                }

                await BrowserCheckTests.Site.Json(context, 201, """{"id":7}""");
                return;
            }

            if (context.Request.HttpMethod == "OPTIONS")
            {
                await BrowserCheckTests.Site.Json(context, 204, string.Empty);
                return;
            }

            var request = await LocalHttpServer.ReadAsync(context);
            switch (request.PathAndQuery)
            {
                case "/login":
                    using (var body = JsonDocument.Parse(request.Body))
                    {
                        var (user, password) = (body.RootElement.GetProperty("username").GetString(), body.RootElement.GetProperty("password").GetString());
                        lock (log)
                        {
                            log.Add($"login {user}/{password}");
                        }

                        await (user == "ann" && password == "demo"
                            ? BrowserCheckTests.Site.Json(context, 200, $$"""{"accessToken":"{{Token}}"}""")
                            : BrowserCheckTests.Site.Json(context, 401, """{"title":"Wrong user or password"}"""));
                    }

                    break;
                case "/me":
                    await (request.Headers.GetValueOrDefault("Authorization") == $"Bearer {Token}"
                        ? BrowserCheckTests.Site.Json(context, 200, """{"username":"ann"}""")
                        : BrowserCheckTests.Site.Json(context, 401, """{"title":"Sign in first"}"""));
                    break;
                default:
                    await BrowserCheckTests.Site.Json(context, 404, "{}");
                    break;
            }
        }, concurrent: true);
    }

    /// <summary>/account: asks /me (401 until signed in); signed out it shows the login form, signed in the user.</summary>
    private static PageServer Web(LocalHttpServer api, bool keepForm = false, bool statusRole = true)
    {
        var url = api.Url.ToString().TrimEnd('/');
        const string Form = """
            <form id="f" hidden><label>User <input id="u" autocomplete="username"></label>
            <label>Password <input id="p" type="password"></label><button type="submit">Sign in</button></form>
            <p id="say" role="status"></p>
            """;
        var form = statusRole ? Form : Form.Replace(" role=\"status\"", string.Empty, StringComparison.Ordinal);
        var script = $$"""
            const api = '{{url}}';
            const headers = () => sessionStorage.token ? { Authorization: 'Bearer ' + sessionStorage.token } : {};
            async function show() {
              const me = await fetch(api + '/me', { headers: headers() });
              document.getElementById('f').hidden = me.ok && !{{(keepForm ? "true" : "false")}};
              if (!me.ok) return;
              document.getElementById('say').textContent = 'Hello ' + (await me.json()).username;
              const events = new EventSource(api + '/events?access_token=' + sessionStorage.token);
              events.addEventListener('thing', (e) => { document.getElementById('say').textContent = 'new thing ' + JSON.parse(e.data).id; });
            }
            document.getElementById('f').onsubmit = async (e) => {
              e.preventDefault();
              const r = await fetch(api + '/login', { method: 'POST', headers: { 'Content-Type': 'application/json' },
                body: JSON.stringify({ username: document.getElementById('u').value, password: document.getElementById('p').value }) });
              const body = await r.json();
              if (!r.ok) { document.getElementById('say').textContent = body.title; return; }
              sessionStorage.token = body.accessToken;
              await show();
            };
            show();
            """;
        var page = BrowserCheckTests.Site.Page(script).Replace("<body><h1>Shop</h1>", "<body><h1>Shop</h1>" + form, StringComparison.Ordinal);
        return new PageServer(new Dictionary<string, string> { ["/account"] = page });
    }
}

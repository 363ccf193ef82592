using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Archgate.Model;

namespace Archgate.Checks.Browser;

/// <summary>
/// Debian's WebKitGTK (Safari's engine) through <c>WebKitWebDriver</c>, a W3C WebDriver server, with its MiniBrowser.
/// WebKitGTK needs a display: when <c>DISPLAY</c> is unset, an Xvfb is started on a free display number and stopped
/// with the driver. One WebDriver session serves every page; a page's cookies and storage are cleared when it closes.
/// </summary>
internal sealed class WebKitDriver : IBrowserDriver
{
    /// <summary>The web element identifier of W3C WebDriver.</summary>
    private const string ElementKey = "element-6066-11e4-a52e-4f735466cecf";

    /// <summary>
    /// How long opening a session (WebKitWebDriver starting the MiniBrowser and reaching its inspector) may take; it takes
    /// about 1 s, 2 s on a busy machine. WebKitWebDriver never answers when its MiniBrowser dies or hangs: a death is seen
    /// in the process table within <see cref="BrowserGrace"/> and the start tried again, a browser that lives but never
    /// opens the session is given up after this bound; the failure it gives is transient for the check, which the
    /// protocol runner retries.
    /// </summary>
    private static readonly TimeSpan SessionBound = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long after a session is asked for WebKitWebDriver may run no MiniBrowser before the start counts as failed. It
    /// starts one at once; on a busy machine Debian's MiniBrowser sometimes dies in its first second (a segmentation fault,
    /// 5 of 12 starts with both cores taken), and WebKitWebDriver then waits for it without end.
    /// </summary>
    private static readonly TimeSpan BrowserGrace = TimeSpan.FromSeconds(3);

    /// <summary>How many starts are tried when the MiniBrowser dies before its session opens.</summary>
    private const int BrowserStarts = 3;

    private static readonly string[] LibraryFolders = ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib"];

    private readonly WebDriverClient _client;
    private readonly BrowserProcess _driver;
    private readonly XvfbDisplay? _xvfb;

    private WebKitDriver(WebDriverClient client, BrowserProcess driver, XvfbDisplay? xvfb, string version)
    {
        (_client, _driver, _xvfb) = (client, driver, xvfb);
        Version = version;
    }

    public BrowserEngine Engine => BrowserEngine.Webkit;

    public string Version { get; }

    /// <summary>Where Debian's WebKitGTK keeps its MiniBrowser (outside <c>PATH</c>); null when it is not installed.</summary>
    public static string? MiniBrowser() =>
        LibraryFolders
            .Where(Directory.Exists)
            .SelectMany(lib => Directory.GetDirectories(lib, "webkit2gtk-*").OrderDescending(StringComparer.Ordinal))
            .Select(d => Path.Combine(d, "MiniBrowser"))
            .FirstOrDefault(File.Exists);

    public static async Task<IBrowserDriver> StartAsync(IReadOnlyList<string> allowedHosts, TimeSpan timeout, CancellationToken cancellationToken, string? executable = null)
    {
        var webDriver = executable is null ? Prerequisites.Prerequisites.WebKitDriver.Locate() : File.Exists(executable) ? executable : null;
        var miniBrowser = MiniBrowser();
        if (webDriver is null || miniBrowser is null)
        {
            throw new FileNotFoundException($"WebKitWebDriver{(executable is null ? string.Empty : $" ({executable})")} or its MiniBrowser not found; {Prerequisites.Prerequisites.MissingHint(Prerequisites.Prerequisites.WebKitDriver)}");
        }

        XvfbDisplay? xvfb = null;
        try
        {
            var display = Environment.GetEnvironmentVariable("DISPLAY");
            if (string.IsNullOrEmpty(display))
            {
                xvfb = await XvfbDisplay.StartAsync(timeout, cancellationToken);
                display = xvfb.Display;
            }

            var capabilities = new JsonObject
            {
                ["webkitgtk:browserOptions"] = new JsonObject { ["binary"] = miniBrowser, ["args"] = new JsonArray("--automation") },
                ["proxy"] = new JsonObject
                {
                    ["proxyType"] = "manual",
                    ["httpProxy"] = "127.0.0.1:9",
                    ["sslProxy"] = "127.0.0.1:9",
                    ["noProxy"] = new JsonArray([.. allowedHosts.Select(h => (JsonNode)h)]),
                },
            };
            var sessionBound = timeout < SessionBound ? timeout : SessionBound;
            for (var start = 1; ; start++)
            {
                try
                {
                    var (client, driver, session) = await StartSessionAsync(webDriver, display, capabilities, timeout, sessionBound, cancellationToken);
                    return new WebKitDriver(client, driver, xvfb, $"WebKitGTK {(string?)session?["browserVersion"]}");
                }
                catch (BrowserDiedException died)
                {
                    if (start == BrowserStarts)
                    {
                        throw new BrowserActionException($"WebKitWebDriver's MiniBrowser exited before its session opened, {BrowserStarts} starts in a row{(died.Tail.Length > 0 ? $": {died.Tail}" : string.Empty)}", died);
                    }
                }
            }
        }
        catch
        {
            if (xvfb is not null)
            {
                await xvfb.DisposeAsync();
            }

            throw;
        }
    }

    public Task<IBrowserPage> NewPageAsync(CancellationToken cancellationToken) => Task.FromResult<IBrowserPage>(new Page(_client));

    public async ValueTask DisposeAsync()
    {
        await _client.EndSessionAsync();
        _client.Dispose();
        await _driver.DisposeAsync();
        if (_xvfb is not null)
        {
            await _xvfb.DisposeAsync();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// A WebKitWebDriver on a free port with one session, its MiniBrowser opened within <paramref name="sessionBound"/>;
    /// on failure the driver (and the MiniBrowser it started) is stopped.
    /// </summary>
    private static async Task<(WebDriverClient Client, BrowserProcess Driver, JsonNode? Session)> StartSessionAsync(
        string webDriver, string display, JsonObject capabilities, TimeSpan timeout, TimeSpan sessionBound, CancellationToken cancellationToken)
    {
        var port = FreePort();
        var driver = BrowserProcess.Start(webDriver, [$"--port={port}", "--host=127.0.0.1"], new Dictionary<string, string> { ["DISPLAY"] = display });
        var client = new WebDriverClient(new Uri($"http://127.0.0.1:{port}/"), timeout);
        try
        {
            await client.WaitReadyAsync(driver, cancellationToken);
            JsonNode? session;
            using (var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                bound.CancelAfter(sessionBound);
                var asked = System.Diagnostics.Stopwatch.StartNew();
                var opening = client.StartSessionAsync((JsonObject)capabilities.DeepClone(), bound.Token);
                var browserSeen = false;
                while (await Task.WhenAny(opening, Task.Delay(100, cancellationToken)) != opening)
                {
                    var browsers = driver.LiveChildren();
                    browserSeen |= browsers > 0;
                    if (browsers == 0 && (browserSeen || asked.Elapsed > BrowserGrace))
                    {
                        await bound.CancelAsync();
                        await opening.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

                        // What the browser said on its way out reaches the driver's output a moment later on a busy machine:
                        // up to 1 s for it to come.
                        var said = driver.Tail;
                        for (var waited = 0; driver.Tail == said && waited < 10; waited++)
                        {
                            await Task.Delay(100, cancellationToken);
                        }

                        throw new BrowserDiedException(driver.Tail);
                    }
                }

                try
                {
                    session = await opening;
                }
                catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new BrowserActionException($"WebKitWebDriver opened no session within {sessionBound.TotalSeconds:0} s{(driver.Tail.Length > 0 ? $": {driver.Tail}" : string.Empty)}", ex);
                }
            }

            await client.SendAsync(HttpMethod.Post, "timeouts", new JsonObject { ["pageLoad"] = (int)timeout.TotalMilliseconds, ["script"] = (int)timeout.TotalMilliseconds }, cancellationToken);
            await client.SendAsync(HttpMethod.Post, "window/rect", new JsonObject { ["width"] = 1280, ["height"] = 800 }, cancellationToken);
            return (client, driver, session);
        }
        catch
        {
            client.Dispose();
            await driver.DisposeAsync();
            throw;
        }
    }

    /// <summary>The MiniBrowser a session was being opened in exited first; <see cref="Tail"/> is what the driver printed.</summary>
    private sealed class BrowserDiedException(string tail) : Exception("WebKitWebDriver's MiniBrowser exited before its session opened")
    {
        public string Tail { get; } = tail;
    }

    /// <summary>A W3C WebDriver session over HTTP: JSON commands, errors as <c>{ value: { error, message } }</c>.</summary>
    private sealed class WebDriverClient(Uri server, TimeSpan timeout) : IDisposable
    {
        private readonly HttpClient _http = new() { BaseAddress = server, Timeout = timeout + TimeSpan.FromSeconds(10) };
        private string? _session;

        /// <summary>Waits until the server answers <c>/status</c>.</summary>
        public async Task WaitReadyAsync(BrowserProcess driver, CancellationToken cancellationToken)
        {
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    bound.CancelAfter(TimeSpan.FromSeconds(2));
                    using var status = await _http.GetAsync("status", bound.Token);
                    return;
                }
                catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
                {
                    if (driver.HasExited || waited.Elapsed > timeout)
                    {
                        throw new BrowserActionException($"WebKitWebDriver did not start: {driver.Tail}", ex);
                    }

                    await Task.Delay(100, cancellationToken);
                }
            }
        }

        public async Task<JsonNode?> StartSessionAsync(JsonObject capabilities, CancellationToken cancellationToken)
        {
            var started = await SendRawAsync(HttpMethod.Post, "session", new JsonObject { ["capabilities"] = new JsonObject { ["alwaysMatch"] = capabilities } }, cancellationToken);
            _session = (string?)started?["sessionId"] ?? throw new BrowserActionException("WebKitWebDriver started no session");
            return started?["capabilities"];
        }

        public Task<JsonNode?> SendAsync(HttpMethod method, string command, JsonObject? body, CancellationToken cancellationToken) =>
            SendRawAsync(method, $"session/{_session}/{command}", body, cancellationToken);

        public async Task EndSessionAsync()
        {
            if (_session is null)
            {
                return;
            }

            try
            {
                using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await SendRawAsync(HttpMethod.Delete, $"session/{_session}", null, bound.Token);
            }
            catch (Exception ex) when (ex is BrowserActionException or OperationCanceledException)
            {
                // the driver is stopped next anyway
            }
        }

        private async Task<JsonNode?> SendRawAsync(HttpMethod method, string path, JsonObject? body, CancellationToken cancellationToken)
        {
            using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, cancellationToken);
            }
            catch (HttpRequestException ex)
            {
                throw new BrowserActionException($"WebKitWebDriver did not answer: {ex.Message}", ex);
            }
            catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw new BrowserActionException($"WebKitWebDriver did not answer {path.Split('/').Last()} within {_http.Timeout.TotalSeconds:0} s", ex);
            }

            using (response)
            {
                var value = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken))?["value"];
                return response.IsSuccessStatusCode
                    ? value
                    : throw new BrowserActionException($"{(string?)value?["error"]}: {((string?)value?["message"])?.Split('\n')[0]}");
            }
        }

        public void Dispose() => _http.Dispose();
    }

    private sealed class Page(WebDriverClient client) : IBrowserPage
    {
        public bool HooksBeforeLoad => false;

        public Task GotoAsync(Uri url, TimeSpan timeout, CancellationToken cancellationToken) =>
            client.SendAsync(HttpMethod.Post, "url", new JsonObject { ["url"] = url.ToString() }, cancellationToken);

        public async Task ClickAsync(string selector, TimeSpan timeout, CancellationToken cancellationToken) =>
            await client.SendAsync(HttpMethod.Post, $"element/{await FindAsync(selector, cancellationToken)}/click", [], cancellationToken);

        public async Task FillAsync(string selector, string value, TimeSpan timeout, CancellationToken cancellationToken)
        {
            var element = await FindAsync(selector, cancellationToken);
            await client.SendAsync(HttpMethod.Post, $"element/{element}/clear", [], cancellationToken);
            if (value.Length > 0)
            {
                await client.SendAsync(HttpMethod.Post, $"element/{element}/value", new JsonObject { ["text"] = value }, cancellationToken);
            }
        }

        public async Task<string?> EvaluateAsync(string expression, CancellationToken cancellationToken)
        {
            try
            {
                var value = await client.SendAsync(HttpMethod.Post, "execute/sync", new JsonObject { ["script"] = $"return {expression};", ["args"] = new JsonArray() }, cancellationToken);
                return value?.GetValueKind() == System.Text.Json.JsonValueKind.String ? (string?)value : null;
            }
            catch (BrowserActionException)
            {
                return null; // the page navigated while the script ran: the caller polls again
            }
        }

        public async Task<byte[]> ScreenshotAsync(CancellationToken cancellationToken) =>
            Convert.FromBase64String((string?)await client.SendAsync(HttpMethod.Get, "screenshot", null, cancellationToken) ?? string.Empty);

        /// <summary>The next page starts clean: no cookies, nothing in the last origin's storage, a blank tab.</summary>
        public async ValueTask DisposeAsync()
        {
            try
            {
                await client.SendAsync(HttpMethod.Delete, "cookie", null, CancellationToken.None);
                await EvaluateAsync("(() => { try { localStorage.clear(); sessionStorage.clear(); } catch (e) { } return 'ok'; })()", CancellationToken.None);
                await client.SendAsync(HttpMethod.Post, "url", new JsonObject { ["url"] = "about:blank" }, CancellationToken.None);
            }
            catch (BrowserActionException)
            {
                // the session is gone; the next page fails on its own
            }
        }

        private async Task<string> FindAsync(string selector, CancellationToken cancellationToken)
        {
            var found = await client.SendAsync(HttpMethod.Post, "element", new JsonObject { ["using"] = "css selector", ["value"] = selector }, cancellationToken);
            return (string?)found?[ElementKey] ?? throw new BrowserActionException($"no element matches {selector}");
        }
    }
}

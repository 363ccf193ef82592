using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Archgate.Model;

namespace Archgate.Checks.Browser;

/// <summary>
/// Debian's Firefox ESR, headless, driven over its built-in WebDriver BiDi (Playwright cannot drive Debian's build): a
/// fresh profile per browser, a user context (its own cookies and storage) per page, the response hook as a preload script.
/// </summary>
internal sealed partial class FirefoxDriver : IBrowserDriver
{
    private readonly BrowserProcess _process;
    private readonly BiDiConnection _bidi;
    private readonly string _profile;
    private readonly TimeSpan _timeout;

    private FirefoxDriver(BrowserProcess process, BiDiConnection bidi, string profile, string version, TimeSpan timeout)
    {
        (_process, _bidi, _profile, _timeout) = (process, bidi, profile, timeout);
        Version = version;
    }

    public BrowserEngine Engine => BrowserEngine.Firefox;

    public string Version { get; }

    public static async Task<IBrowserDriver> StartAsync(IReadOnlyList<string> allowedHosts, TimeSpan timeout, CancellationToken cancellationToken, string? executable = null)
    {
        var path = (executable is null ? Prerequisites.Prerequisites.FirefoxEsr.Locate() : File.Exists(executable) ? executable : null)
            ?? throw new FileNotFoundException($"Firefox ESR not found{(executable is null ? string.Empty : $" at {executable}")}; {Prerequisites.Prerequisites.MissingHint(Prerequisites.Prerequisites.FirefoxEsr)}");
        var profile = Directory.CreateTempSubdirectory("archgate-firefox-").FullName;
        await File.WriteAllTextAsync(Path.Combine(profile, "user.js"), Preferences(allowedHosts), cancellationToken);
        var process = BrowserProcess.Start(path, ["--headless", "--no-remote", "--profile", profile, "--remote-debugging-port=0", "--window-size=1280,800", "about:blank"],
            new Dictionary<string, string> { ["MOZ_CRASHREPORTER_DISABLE"] = "1", ["MOZ_DISABLE_AUTO_SAFE_MODE"] = "1" });
        BiDiConnection? bidi = null;
        try
        {
            var listening = await process.WaitForLineAsync(Listening(), timeout, cancellationToken);
            bidi = await BiDiConnection.ConnectAsync(new Uri($"{listening.Groups[1].Value}/session"), cancellationToken);
            var session = await bidi.SendAsync("session.new", new JsonObject { ["capabilities"] = new JsonObject() }, timeout, cancellationToken);
            var capabilities = session?["capabilities"];
            var version = $"Firefox {(string?)capabilities?["browserVersion"]}";
            return new FirefoxDriver(process, bidi, profile, version, timeout);
        }
        catch
        {
            if (bidi is not null)
            {
                await bidi.DisposeAsync();
            }

            await process.DisposeAsync();
            TryDelete(profile);
            throw;
        }
    }

    public async Task<IBrowserPage> NewPageAsync(CancellationToken cancellationToken)
    {
        var userContext = (string)(await _bidi.SendAsync("browser.createUserContext", [], _timeout, cancellationToken))!["userContext"]!;
        var context = (string)(await _bidi.SendAsync("browsingContext.create", new JsonObject { ["type"] = "tab", ["userContext"] = userContext }, _timeout, cancellationToken))!["context"]!;
        await _bidi.SendAsync("browsingContext.setViewport", new JsonObject { ["context"] = context, ["viewport"] = new JsonObject { ["width"] = 1280, ["height"] = 800 } }, _timeout, cancellationToken);
        await _bidi.SendAsync("script.addPreloadScript", new JsonObject
        {
            ["functionDeclaration"] = $"() => {{ {PageScripts.Hook}; }}",
            ["contexts"] = new JsonArray(context),
        }, _timeout, cancellationToken);
        return new Page(_bidi, userContext, context, _timeout);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _bidi.SendAsync("browser.close", [], TimeSpan.FromSeconds(5), CancellationToken.None);
        }
        catch (BrowserActionException)
        {
            // it closes the connection as it goes; killed below if it did not
        }

        await _bidi.DisposeAsync();
        await _process.StopAsync(TimeSpan.FromSeconds(5));
        await _process.DisposeAsync();
        TryDelete(_profile);
    }

    /// <summary>Quiet, headless, offline but for the allowed hosts (the rest go to a dead proxy).</summary>
    private static string Preferences(IReadOnlyList<string> allowedHosts)
    {
        var prefs = new Dictionary<string, object>
        {
            ["browser.shell.checkDefaultBrowser"] = false,
            ["browser.startup.homepage_override.mstone"] = "ignore",
            ["browser.aboutwelcome.enabled"] = false,
            ["datareporting.policy.dataSubmissionEnabled"] = false,
            ["datareporting.healthreport.uploadEnabled"] = false,
            ["toolkit.telemetry.reportingpolicy.firstRun"] = false,
            ["app.update.auto"] = false,
            ["app.update.enabled"] = false,
            ["extensions.update.enabled"] = false,
            ["browser.safebrowsing.malware.enabled"] = false,
            ["browser.safebrowsing.phishing.enabled"] = false,
            ["network.captive-portal-service.enabled"] = false,
            ["network.connectivity-service.enabled"] = false,
            ["services.settings.server"] = "data:,",
            ["browser.region.network.url"] = string.Empty,
            ["network.proxy.type"] = 1,
            ["network.proxy.http"] = "127.0.0.1",
            ["network.proxy.http_port"] = 9,
            ["network.proxy.ssl"] = "127.0.0.1",
            ["network.proxy.ssl_port"] = 9,
            ["network.proxy.no_proxies_on"] = string.Join(", ", allowedHosts),
            ["network.proxy.allow_hijacking_localhost"] = true,
        };
        return string.Concat(prefs.Select(p => $"user_pref(\"{p.Key}\", {p.Value switch
        {
            bool b => b ? "true" : "false",
            int i => i.ToString(CultureInfo.InvariantCulture),
            _ => PageScripts.Literal((string)p.Value),
        }});\n"));
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // a file still held open; the temp folder is cleaned some other day
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    [GeneratedRegex(@"WebDriver BiDi listening on (ws://\S+)")]
    private static partial Regex Listening();

    private sealed class Page(BiDiConnection bidi, string userContext, string context, TimeSpan timeout) : IBrowserPage
    {
        public bool HooksBeforeLoad => true;

        public async Task GotoAsync(Uri url, TimeSpan navigationTimeout, CancellationToken cancellationToken) =>
            await bidi.SendAsync("browsingContext.navigate", new JsonObject { ["context"] = context, ["url"] = url.ToString(), ["wait"] = "complete" }, navigationTimeout, cancellationToken);

        public async Task ClickAsync(string selector, TimeSpan actionTimeout, CancellationToken cancellationToken)
        {
            var centre = await EvaluateAsync(PageScripts.Centre(selector), cancellationToken);
            if (string.IsNullOrEmpty(centre) || JsonNode.Parse(centre) is not { } point)
            {
                throw new BrowserActionException($"{selector} is gone");
            }

            await Actions(new JsonObject
            {
                ["type"] = "pointer",
                ["id"] = "mouse",
                ["parameters"] = new JsonObject { ["pointerType"] = "mouse" },
                ["actions"] = new JsonArray(
                    new JsonObject { ["type"] = "pointerMove", ["x"] = (int)point["x"]!, ["y"] = (int)point["y"]! },
                    new JsonObject { ["type"] = "pointerDown", ["button"] = 0 },
                    new JsonObject { ["type"] = "pointerUp", ["button"] = 0 }),
            }, actionTimeout, cancellationToken);
        }

        public async Task FillAsync(string selector, string value, TimeSpan actionTimeout, CancellationToken cancellationToken)
        {
            if (await EvaluateAsync(PageScripts.EmptyAndFocus(selector), cancellationToken) != "ok")
            {
                throw new BrowserActionException($"{selector} is gone");
            }

            // An empty value is typed as a Backspace, so the field still sees a key.
            var keys = new JsonArray();
            foreach (var key in value.Length == 0 ? ["\uE003"] : value.EnumerateRunes().Select(r => r.ToString()))
            {
                keys.Add(new JsonObject { ["type"] = "keyDown", ["value"] = key });
                keys.Add(new JsonObject { ["type"] = "keyUp", ["value"] = key });
            }

            await Actions(new JsonObject { ["type"] = "key", ["id"] = "keyboard", ["actions"] = keys }, actionTimeout, cancellationToken);
        }

        public async Task<string?> EvaluateAsync(string expression, CancellationToken cancellationToken)
        {
            JsonNode? result;
            try
            {
                result = await bidi.SendAsync("script.evaluate", new JsonObject
                {
                    ["expression"] = expression,
                    ["target"] = new JsonObject { ["context"] = context },
                    ["awaitPromise"] = false,
                    ["resultOwnership"] = "none",
                }, timeout, cancellationToken);
            }
            catch (BrowserActionException)
            {
                return null; // the page navigated while the script ran: the caller polls again
            }

            return (string?)result?["type"] == "success" && (string?)result["result"]?["type"] == "string" ? (string?)result["result"]!["value"] : null;
        }

        public async Task<byte[]> ScreenshotAsync(CancellationToken cancellationToken)
        {
            var shot = await bidi.SendAsync("browsingContext.captureScreenshot", new JsonObject { ["context"] = context }, timeout, cancellationToken);
            return Convert.FromBase64String((string?)shot?["data"] ?? string.Empty);
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await bidi.SendAsync("browser.removeUserContext", new JsonObject { ["userContext"] = userContext }, timeout, CancellationToken.None);
            }
            catch (BrowserActionException)
            {
                // the browser is closing anyway
            }
        }

        private Task<JsonNode?> Actions(JsonObject source, TimeSpan actionTimeout, CancellationToken cancellationToken) =>
            bidi.SendAsync("input.performActions", new JsonObject { ["context"] = context, ["actions"] = new JsonArray(source) }, actionTimeout, cancellationToken);
    }
}

using System.Globalization;
using System.Text;
using Archgate.Checks.Browser;
using Archgate.Checks.Http;
using Archgate.Model;
using Archgate.Protocol;
using Microsoft.Playwright;

namespace Archgate.Checks.Frontend;

/// <summary>
/// Step 5 in the browser: each page of a frontend opened in Debian's Chromium (signed in through the page's own login
/// form as the frontend's <c>auth</c> identity, when it names one), every request, console error and uncaught exception
/// recorded until the network is quiet, a screenshot kept in the run folder, and what was seen judged by
/// <see cref="PageJudge"/>; axe-core on each page (<see cref="Accessibility"/>); then each page reloaded with its API
/// slowed and stopped through the fault proxy (<see cref="StateProbe"/>).
/// </summary>
internal sealed class BrowserCheck(FrontendComponent frontend, BrowserCheckOptions options) : ICheck
{
    /// <summary>Where a check's screenshots go, under the run folder.</summary>
    public const string EvidenceFolder = "evidence";

    public string Id => $"frontend.browser:{frontend.Name}";

    public int Step => 5;

    public string Title => $"{frontend.Name} pages in Chromium: API calls to the declared backend, no console errors or failed requests";

    public Applicability AppliesTo(SystemModel system) => Applicability.Yes;

    public async Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        Chromium chromium;
        try
        {
            chromium = await Chromium.StartAsync(options.ChromiumPath ?? Chromium.DefaultPath, context.System.AllowedHosts, options.NavigationTimeout);
        }
        catch (FileNotFoundException ex)
        {
            return new CheckResult { Status = CheckStatus.Error, Reason = $"{ex.Message}; {Chromium.InstallHint}" };
        }
        catch (Exception ex) when (Chromium.FailedToStart(ex))
        {
            return Chromium.DidNotStart(ex);
        }

        await using (chromium)
        {
            await using var browserContext = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions
            {
                ViewportSize = new ViewportSize { Width = options.Viewport.Width, Height = options.Viewport.Height },
                ServiceWorkers = ServiceWorkerPolicy.Block,
            });
            await using var traffic = BrowserTraffic.Observe(browserContext, ProbeHttp.ObserverOf(context.Http)); // step 9's passive rules judge the pages too
            await browserContext.AddInitScriptAsync(LiveUpdates.Script(LiveUpdates.EventTypes(frontend, context.System)));
            var page = await browserContext.NewPageAsync();
            var session = new Session(page, new PageRecorder(page), context, frontend.Url!, Path.Combine(EvidenceFolder, "browser", Slug(frontend.Name)), options);
            var findings = new List<Finding>();
            var pages = frontend.Pages.Count > 0 ? frontend.Pages : ["/"];
            var signedIn = false;
            PageVisit? signInVisit = null;
            if (frontend.Auth is LoginAuth login)
            {
                var (visits, signInFinding) = await SignInAsync(session, pages[0], login, cancellationToken);
                signInVisit = visits.LastOrDefault();
                findings.AddRange(visits.SelectMany(v => PageJudge.Judge(v, frontend, context.System)));
                if (signInFinding is not null)
                {
                    findings.Add(signInFinding);
                }

                signedIn = signInFinding is null;
            }

            var loaded = 0;
            string? loadError = null;
            var opened = new List<PageVisit>();
            foreach (var path in pages)
            {
                var visit = await session.OpenAsync(path, path, !signedIn, cancellationToken);
                (loaded, loadError) = visit.LoadError is null ? (loaded + 1, loadError) : (loaded, loadError ?? visit.LoadError);
                opened.Add(visit);
                findings.AddRange(PageJudge.Judge(visit, frontend, context.System));
                if (visit.LoadError is null)
                {
                    findings.AddRange(await Accessibility.JudgeAsync(page, visit, frontend));
                }

                if (visit.LoadError is null && (signedIn || frontend.Auth is null))
                {
                    foreach (var (backend, endpoint) in LiveUpdates.Opened(visit, frontend, context.System))
                    {
                        context.Activity?.Report($"Chromium: {path} waits for {endpoint.Path} after {endpoint.Trigger.Method} {endpoint.Trigger.Path}");
                        try
                        {
                            findings.Add(await LiveUpdates.ProbeAsync(page, visit, frontend, backend, endpoint, context, cancellationToken));
                        }
                        catch (PlaywrightException ex)
                        {
                            findings.Add(SignInProblem(path, $"{path}: the page could not be watched for {endpoint.Path}: {Redact.Text(ex.Message.Split('\n')[0])}", visit.Screenshot)
                                with { Rule = FrontendRules.NotLive, Hint = "the page navigated away or crashed while its event stream was watched" });
                        }
                    }
                }
            }

            if (frontend.States.Enabled && (signedIn || frontend.Auth is null))
            {
                findings.AddRange(await StateProbe.RunAsync(page, opened, frontend, context, session.Folder, options, cancellationToken, signInVisit));
            }

            findings.Add(Findings.Create(
                FrontendRules.PageSeen,
                Severity.Info,
                frontend.Name,
                frontend.Url.ToString(),
                $"{pages.Count} pages opened in Chromium {chromium.Version}{(frontend.Auth is null ? ", signed out" : signedIn ? $", signed in as {frontend.Auth.Label}" : string.Empty)}",
                $"screenshots in {session.Folder}"));

            // No page loaded at all (connection refused, timeout): the frontend may still be starting; the runner retries.
            return CheckResult.From(findings) with { TransientCause = loaded == 0 ? loadError : null };
        }
    }

    /// <summary>
    /// Opens the first page signed out and signs in through its login form: the visible password field, the user field
    /// of its form (<c>autocomplete=username</c>, else an e-mail or text field), its submit button (else Enter).
    /// </summary>
    private async Task<(List<PageVisit> Visits, Finding? Problem)> SignInAsync(Session session, string firstPage, LoginAuth login, CancellationToken cancellationToken)
    {
        var visits = new List<PageVisit> { await session.OpenAsync(firstPage, $"{firstPage} (signed out)", unauthorizedExpected: true, cancellationToken) };
        if (visits[0].LoadError is not null)
        {
            return (visits, SignInProblem(firstPage, $"could not sign in as {login.Label}: {firstPage} did not load", null));
        }

        var page = session.Page;
        var password = page.Locator("input[type=password]:visible").First;
        if (await password.CountAsync() == 0)
        {
            return (visits, SignInProblem(firstPage, $"could not sign in as {login.Label}: {firstPage} shows no login form (no visible password field)", visits[0].Screenshot));
        }

        try
        {
            return await SubmitAsync(session, firstPage, login, password, visits, cancellationToken);
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException)
        {
            return (visits, SignInProblem(firstPage, $"could not sign in as {login.Label} through {firstPage}'s login form: {Redact.Text(ex.Message.Split('\n')[0])}", visits[^1].Screenshot));
        }
    }

    /// <summary>
    /// Fills the login form's user and password fields and submits it. Signed in when the password field is gone, or when
    /// the page's network shows it: its sign-in call answered 2xx and an API call after it to the same origin answered
    /// 2xx too (a page may keep its form in a header, or hide it only on some layouts).
    /// </summary>
    private async Task<(List<PageVisit> Visits, Finding? Problem)> SubmitAsync(
        Session session, string firstPage, LoginAuth login, ILocator password, List<PageVisit> visits, CancellationToken cancellationToken)
    {
        var page = session.Page;
        var form = password.Locator("xpath=ancestor::form[1]");
        var scope = await form.CountAsync() > 0 ? form : page.Locator("body");
        var user = scope.Locator("input[autocomplete=username]:visible, input[type=email]:visible, input[type=text]:visible, input:not([type]):visible").First;
        var timeout = new LocatorFillOptions { Timeout = (float)options.NavigationTimeout.TotalMilliseconds };
        if (await user.CountAsync() > 0)
        {
            await user.FillAsync(login.User, timeout);
        }

        await password.FillAsync(login.Password, timeout);
        var before = await BodyTextAsync(page);
        session.Recorder.Begin();
        var submit = scope.Locator("button[type=submit]:visible, input[type=submit]:visible, button:not([type]):visible").First;
        if (await submit.CountAsync() > 0)
        {
            await submit.ClickAsync(new LocatorClickOptions { Timeout = (float)options.NavigationTimeout.TotalMilliseconds });
        }
        else
        {
            await password.PressAsync("Enter", new LocatorPressOptions { Timeout = (float)options.NavigationTimeout.TotalMilliseconds });
        }

        var signIn = await session.SettleAsync(firstPage, $"sign-in on {firstPage}", unauthorizedExpected: true, documentStatus: null, loadError: null, cancellationToken);
        visits.Add(signIn);
        if (await page.Locator("input[type=password]:visible").CountAsync() == 0)
        {
            return (visits, null);
        }

        var (signedIn, network) = JudgeSignIn(signIn.Activity.Requests, login.Path);
        if (signedIn)
        {
            return (visits, null);
        }

        var said = await VisibleMessageAsync(page, before);
        return (visits, SignInProblem(firstPage, $"signing in as {login.Label} through {firstPage}'s login form did not complete: the form still shows and {network}{said}", signIn.Screenshot));
    }

    /// <summary>
    /// Whether the page's requests after submitting show a sign-in: its sign-in call (the first write to an API, one to
    /// the login's path first, or a form post of the document) answered 2xx (a form post 2xx or 3xx), then a call to an API
    /// of the same origin answered 2xx. Else what the network showed, for the message.
    /// </summary>
    internal static (bool SignedIn, string Network) JudgeSignIn(IReadOnlyList<PageRequest> requests, string loginPath)
    {
        static string PathOf(string url) => Uri.TryCreate(url, UriKind.Absolute, out var u) ? u.AbsolutePath.TrimEnd('/') : url;
        var login = loginPath.Split('?')[0].TrimEnd('/');
        var writes = requests.Select((r, i) => (Request: r, Index: i))
            .Where(x => x.Request.Method != "GET" && (x.Request.IsApiCall || x.Request.ResourceType == "document")).ToList();
        var call = writes.FirstOrDefault(x => login.Length > 0 && PathOf(x.Request.Url).EndsWith(login, StringComparison.Ordinal));
        if (call.Request is null)
        {
            call = writes.FirstOrDefault();
        }

        if (call.Request is not { } signIn)
        {
            return (false, "the page made no sign-in call (no POST, PUT or PATCH after submitting)");
        }

        var shown = $"{signIn.Method} {Redact.Url(signIn.Url)}";
        if (signIn.Failure is not null || signIn.Status is not { } status)
        {
            return (false, $"its sign-in call {shown} {(signIn.Failure is null ? "got no answer" : $"failed: {signIn.Failure}")}");
        }

        var accepted = status is >= 200 and < 300 || (signIn.ResourceType == "document" && status is >= 300 and < 400);
        if (!accepted)
        {
            return (false, $"its sign-in call {shown} answered {status}");
        }

        var origin = Uri.TryCreate(signIn.Url, UriKind.Absolute, out var o) ? o.GetLeftPart(UriPartial.Authority) : null;
        var after = requests.Skip(call.Index + 1)
            .Where(r => r.IsApiCall && (origin is null || r.Url.StartsWith(origin, StringComparison.OrdinalIgnoreCase))).ToList();
        if (after.FirstOrDefault(r => r.Status is >= 200 and < 300) is not null)
        {
            return (true, $"its sign-in call {shown} answered {status}");
        }

        return (false, after.Count == 0
            ? $"its sign-in call {shown} answered {status}, but the page called its API no more"
            : $"its sign-in call {shown} answered {status}, but no API call after it succeeded ({string.Join("; ", after.Take(3).Select(r => $"{r.Method} {Redact.Url(r.Url)} → {r.Status?.ToString(CultureInfo.InvariantCulture) ?? r.Failure ?? "no answer"}"))})");
    }

    private static async Task<string> BodyTextAsync(IPage page)
    {
        try
        {
            return await page.Locator("body").InnerTextAsync(new LocatorInnerTextOptions { Timeout = 5000 });
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException)
        {
            return string.Empty;
        }
    }

    /// <summary>
    /// What the page says after a failed sign-in: its alert, status or live regions, else the lines of its text that the
    /// submit brought; nothing when neither.
    /// </summary>
    private static async Task<string> VisibleMessageAsync(IPage page, string before)
    {
        var status = page.Locator("[role=alert]:visible, [role=status]:visible, [aria-live]:not([aria-live=off]):visible, output:visible");
        var texts = new List<string>();
        for (var i = 0; i < Math.Min(await status.CountAsync(), 3); i++)
        {
            var text = (await status.Nth(i).InnerTextAsync()).Trim();
            if (text.Length > 0 && !texts.Contains(text))
            {
                texts.Add(text.Length > 200 ? text[..200] + "…" : text);
            }
        }

        if (texts.Count == 0)
        {
            var seen = before.Split('\n').Select(l => l.Trim()).ToHashSet(StringComparer.Ordinal);
            texts.AddRange((await BodyTextAsync(page)).Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !seen.Contains(l))
                .Distinct(StringComparer.Ordinal).Take(3).Select(l => l.Length > 200 ? l[..200] + "…" : l));
        }

        return texts.Count == 0 ? "; the page shows no message" : $" (the page says: {Redact.Text(string.Join(" | ", texts))})";
    }

    private Finding SignInProblem(string page, string message, string? screenshot) => new()
    {
        Rule = FrontendRules.SignInFailed,
        Severity = Severity.High,
        Component = frontend.Name,
        Location = page,
        Message = message,
        Evidence = screenshot is null ? null : $"screenshot {screenshot}",
        Hint = "the check signs in as the frontend's auth identity through the first page's form (a visible password field, its form's user field and submit button); " +
            "see the other findings of this page for the login call",
    };

    /// <summary>A path's file-name form: <c>/</c> is <c>index</c>, <c>/orders/open</c> is <c>orders-open</c>.</summary>
    internal static string Slug(string path)
    {
        var s = new StringBuilder();
        foreach (var c in path.ToLowerInvariant())
        {
            s.Append(char.IsAsciiLetterOrDigit(c) ? c : '-');
        }

        var slug = s.ToString().Trim('-');
        while (slug.Contains("--", StringComparison.Ordinal))
        {
            slug = slug.Replace("--", "-", StringComparison.Ordinal);
        }

        return slug.Length == 0 ? "index" : slug.Length > 60 ? slug[..60] : slug;
    }

    /// <summary>One tab of the browser and where its screenshots go.</summary>
    private sealed class Session(IPage page, PageRecorder recorder, CheckContext context, Uri baseUrl, string folder, BrowserCheckOptions options)
    {
        private int _shots;

        public IPage Page => page;

        public PageRecorder Recorder => recorder;

        /// <summary>The screenshots' folder, relative to the run folder.</summary>
        public string Folder => folder;

        /// <summary>Navigates to <paramref name="path"/>, waits for its load event and a quiet network, takes a screenshot.</summary>
        public async Task<PageVisit> OpenAsync(string path, string label, bool unauthorizedExpected, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var url = new Uri(baseUrl, path);
            context.Activity?.Report($"Chromium: {url}");
            recorder.Begin();
            int? status = null;
            string? error = null;
            try
            {
                var response = await page.GotoAsync(url.ToString(), new PageGotoOptions { WaitUntil = WaitUntilState.Load, Timeout = (float)options.NavigationTimeout.TotalMilliseconds });
                status = response?.Status;
            }
            catch (Exception ex) when (ex is PlaywrightException or TimeoutException)
            {
                error = Redact.Text(ex.Message.Split('\n')[0]);
            }

            return await SettleAsync(path, label, unauthorizedExpected, status, error, cancellationToken);
        }

        /// <summary>Waits for the network to be quiet, then takes the screenshot of this visit.</summary>
        public async Task<PageVisit> SettleAsync(string path, string label, bool unauthorizedExpected, int? documentStatus, string? loadError, CancellationToken cancellationToken)
        {
            var activity = await recorder.QuietAsync(options.Quiet, loadError is null ? options.SettleBound : TimeSpan.Zero, cancellationToken);
            var name = string.Create(CultureInfo.InvariantCulture, $"{++_shots}-{Slug(label)}.png");
            var relative = Path.Combine(folder, name);
            string? screenshot = relative;
            try
            {
                Directory.CreateDirectory(Path.Combine(context.OutputDirectory, folder));
                await page.ScreenshotAsync(new PageScreenshotOptions
                {
                    Path = Path.Combine(context.OutputDirectory, relative),
                    FullPage = true,
                    Timeout = (float)options.NavigationTimeout.TotalMilliseconds,
                });
            }
            catch (Exception ex) when (ex is PlaywrightException or TimeoutException or IOException or UnauthorizedAccessException)
            {
                screenshot = null;
            }

            return new PageVisit(path, label, unauthorizedExpected, documentStatus, loadError, activity, screenshot);
        }
    }
}

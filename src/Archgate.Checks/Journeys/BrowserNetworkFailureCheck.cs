using Archgate.Checks.Browser;
using Archgate.Checks.Faults;
using Archgate.Checks.Http;
using Archgate.Model;
using Archgate.Protocol;
using Microsoft.Playwright;

namespace Archgate.Checks.Journeys;

/// <summary>
/// Step 7, a network failure in the middle of a browser journey: the service's browser journey (a critical one first)
/// runs in Chromium with every request of the page to the service routed through Archgate's fault proxy. At the middle
/// step (the first click or goto from the middle on) the network goes down: connections refused and open ones (an event
/// stream) cut, and the steps from there run until one fails. With the network back the page must recover as a user
/// would make it: a retry (the steps from the interrupted one again, in the same tab), else a reload. After the reload,
/// a retry that failed at the interrupted step itself (its action did not happen) is done again with the form fields
/// filled since the last click or goto before the cut filled again, as a user would; a retry that got past it (the
/// order was placed, its status never came) goes on from the step it failed at, since doing the action again would
/// be a second order. A page that completes neither is stuck: a finding with a screenshot, unless the journey
/// fails with no fault at all in a new tab (a control run then): a plain failure, which the journey's own check reports,
/// not a page that did not recover.
/// </summary>
internal sealed class BrowserNetworkFailureCheck(ServiceComponent service, JourneyOptions options, JourneyCheckOptions settings) : ICheck
{
    public string Id => $"journeys.browser-network-failure:{service.Name}";

    public int Step => 7;

    public string Title => $"{service.Name}: a browser journey cut by a network failure halfway recovers by a retry or a reload";

    public Applicability AppliesTo(SystemModel system) => Pick(system) is null
        ? Applicability.No($"no journey with four or more browser steps in Chromium calls {service.Name}")
        : Applicability.Yes;

    private Journey? Pick(SystemModel system) => system.Journeys
        .Where(j => j.Service == service.Name && j.Browsers.Contains(BrowserEngine.Chromium) && options.Engines.Contains(BrowserEngine.Chromium)
            && j.Steps.Count(s => s.Browser is not null) >= 4 && j.Frontend is not null && system.Find<HttpComponent>(j.Frontend) is not null)
        .OrderByDescending(j => j.Critical)
        .FirstOrDefault();

    /// <summary>Where the network goes down: the first click or goto from the middle step on, else the last one before it.</summary>
    internal static int Cut(IReadOnlyList<JourneyStep> steps)
    {
        static bool Acts(JourneyStep s) => s.Browser?.Kind is BrowserActionKind.Click or BrowserActionKind.Goto;
        var middle = steps.Count / 2;
        for (var i = middle; i < steps.Count; i++)
        {
            if (Acts(steps[i]))
            {
                return i;
            }
        }

        for (var i = middle - 1; i > 0; i--)
        {
            if (Acts(steps[i]))
            {
                return i;
            }
        }

        return middle;
    }

    public async Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        var journey = await Performance.LoadScenario.WithContractLoginsAsync(context.System, Pick(context.System)!, cancellationToken);
        var frontendUrl = context.System.Find<HttpComponent>(journey.Frontend!)!.Url;
        IBrowserDriver driver;
        try
        {
            context.Activity?.Report($"'{journey.Name}': starting Chromium, its calls to {service.Name} through the fault proxy");
            driver = await BrowserDrivers.StartAsync(BrowserEngine.Chromium, context.System.AllowedHosts, settings.BrowserStartTimeout, cancellationToken,
                options.BrowserPrograms.GetValueOrDefault(BrowserEngine.Chromium));
        }
        catch (FileNotFoundException ex)
        {
            return NotRun(BrowserDrivers.DidNotStart("Chromium", ex), null);
        }
        catch (Exception ex) when (ex is BrowserActionException or PlaywrightException or TimeoutException or IOException)
        {
            // Installed but not started (a busy machine, a display gone): the runner tries the check again.
            var why = BrowserDrivers.DidNotStart("Chromium", ex);
            return NotRun(why, null) with { TransientCause = why };
        }

        await using (driver)
        await using (var page = await driver.NewPageAsync(cancellationToken))
        await using (var proxy = FaultProxy.Start($"{journey.Frontend} -> {service.Name}", service.Url.Host, service.Url.Port, ProxyMode.Http))
        {
            var inner = ChromiumDriver.PlaywrightPage(page)!;
            await inner.RouteAsync(url => Uri.TryCreate(url, UriKind.Absolute, out var u) && Frontend.PageJudge.Serves(service.Url, u), async route =>
            {
                var through = new UriBuilder(new Uri(route.Request.Url)) { Host = "127.0.0.1", Port = proxy.Port }.Uri;
                try
                {
                    await route.ContinueAsync(new RouteContinueOptions { Url = through.ToString() });
                }
                catch (PlaywrightException)
                {
                    // The page went on (a reload) while the request waited.
                }
            });
            return await RunJourneyAsync(context, journey, driver, page, proxy, frontendUrl, cancellationToken);
        }
    }

    /// <summary>
    /// The fill steps since the last click or goto before <paramref name="cut"/>: the form the user was filling in when
    /// the network went down, which a reload empties.
    /// </summary>
    internal static List<JourneyStep> FillsBefore(IReadOnlyList<JourneyStep> steps, int cut)
    {
        var from = cut;
        while (from > 0 && steps[from - 1].Browser?.Kind is not (BrowserActionKind.Click or BrowserActionKind.Goto))
        {
            from--;
        }

        return [.. steps.Skip(from).Take(cut - from).Where(s => s.Browser?.Kind == BrowserActionKind.Fill)];
    }

    private async Task<CheckResult> RunJourneyAsync(CheckContext context, Journey journey, IBrowserDriver driver, IBrowserPage page, FaultProxy proxy, Uri frontendUrl, CancellationToken cancellationToken)
    {
        var slug = Frontend.BrowserCheck.Slug(journey.Name);
        var steps = new BrowserSteps(page, frontendUrl, settings.BrowserStepTimeout, context.OutputDirectory, JourneyCheck.EvidenceFolder, $"{slug}-network-failure.png");
        var variables = new Dictionary<string, string>(journey.Variables, StringComparer.Ordinal);
        var setup = await JourneyRunner.RunAsync(context.Http, service.Url, journey.Setup, variables, cancellationToken, steps);
        if (!setup.Ok)
        {
            return NotRun($"'{journey.Name}''s setup failed at {setup.FailedStep} ({setup.Problem})", setup.Evidence);
        }

        var cut = Cut(journey.Steps);
        var run = JourneyRunner.Start(variables, 1);
        var before = await JourneyRunner.RunAsync(context.Http, service.Url, journey.Steps.Take(cut).ToList(), run, cancellationToken, steps);
        if (!before.Ok)
        {
            return NotRun($"'{journey.Name}' failed before the network failure, at {before.FailedStep} ({before.Problem})", before.Evidence);
        }

        var rest = journey.Steps.Skip(cut).ToList();
        JourneyRun Numbered(JourneyRun r) => r with { FailedStep = Absolute(r.FailedStep, cut) };
        var refills = FillsBefore(journey.Steps, cut);
        var cutStep = $"step {cut + 1} ({journey.Steps[cut].Browser!.Describe()})";
        context.Activity?.Report($"'{journey.Name}': the network to {service.Name} goes down at {cutStep}");
        JourneyRun during;
        string? downShot;
        using (proxy.Add(new RefusedToxic()))
        {
            steps.WaitAtMost(TimeSpan.FromTicks(Math.Min(settings.BrowserStepTimeout.Ticks, TimeSpan.FromSeconds(3).Ticks)));
            during = Numbered(await JourneyRunner.RunAsync(context.Http, service.Url, rest, new Dictionary<string, string>(run, StringComparer.Ordinal), cancellationToken, steps));
            downShot = await PageConsistency.ScreenshotAsync(context, page, $"{slug}-chromium-network-down.png", cancellationToken);
        }

        steps.WaitAtMost(settings.BrowserStepTimeout);
        var down = during.Ok ? "the steps from there completed (the failure did not reach them)" : $"{during.FailedStep} failed: {during.Problem}";
        context.Activity?.Report($"'{journey.Name}': the network is back; retrying from {cutStep}");
        var retry = Numbered(await JourneyRunner.RunAsync(context.Http, service.Url, rest, new Dictionary<string, string>(run, StringComparer.Ordinal), cancellationToken, steps));
        if (retry.Ok)
        {
            return Passed(journey, $"'{journey.Name}': the network went down at {cutStep} ({down}); with it back, a retry from there completed the journey", downShot);
        }

        var retryShot = await PageConsistency.ScreenshotAsync(context, page, $"{slug}-chromium-retry.png", cancellationToken);
        var url = await steps.UrlAsync(cancellationToken);
        JourneyRun reload;
        try
        {
            await page.GotoAsync(new Uri(url ?? frontendUrl.ToString()), settings.BrowserStepTimeout, cancellationToken);
            // Past the interrupted step, the retry's action happened (an order placed whose status never came): the reloaded
            // page goes on from the step the retry failed at. Else the form is filled again and the interrupted step done again.
            var from = Math.Max(cut, StepNumber(retry.FailedStep) - 1);
            var refilled = from > cut
                ? new JourneyRun(true, null, null, null, null, [])
                : await JourneyRunner.RunAsync(context.Http, service.Url, refills, new Dictionary<string, string>(run, StringComparer.Ordinal), cancellationToken, steps);
            if (refilled.Ok)
            {
                var again = await JourneyRunner.RunAsync(context.Http, service.Url, journey.Steps.Skip(from).ToList(), new Dictionary<string, string>(run, StringComparer.Ordinal), cancellationToken, steps);
                reload = again with { FailedStep = Absolute(again.FailedStep, from) };
            }
            else
            {
                reload = refilled with { FailedStep = "filling the form again" };
            }
        }
        catch (BrowserActionException ex)
        {
            reload = new JourneyRun(false, "the reload", Redact.Text(ex.Message), null, null, []);
        }

        if (reload.Ok)
        {
            return Passed(journey, $"'{journey.Name}': the network went down at {cutStep} ({down}); with it back, a retry failed at {retry.FailedStep} ({retry.Problem}), a reload and a retry completed the journey", downShot);
        }

        var reloadShot = await PageConsistency.ScreenshotAsync(context, page, $"{slug}-chromium-reload.png", cancellationToken);

        // Neither recovered: is it the failure, or does the journey fail with no fault at all? A control run in a new
        // tab, its calls straight to the service, decides.
        context.Activity?.Report($"'{journey.Name}': the page did not recover; running it with no fault in a new tab");
        var control = await ControlAsync(context, journey, driver, frontendUrl, slug, variables, cancellationToken);
        if (!control.Ok)
        {
            return CheckResult.From([Findings.Create(JourneyRules.PageRecoverySummary, Severity.Info, journey.Frontend!, journey.Name,
                $"recovery after a network failure at {cutStep} of '{journey.Name}' not determined: the journey fails with no fault too, at {control.FailedStep}: {control.Problem} " +
                $"(with the network back, a retry had failed at {retry.FailedStep}, a reload and a retry at {reload.FailedStep}); journeys.run judges the journey itself",
                $"page {url ?? "unknown"}; screenshots {string.Join(", ", new[] { downShot, retryShot, reloadShot, control.Screenshot }.OfType<string>())}",
                "make the journey pass with no fault first (journeys.run), then this check can tell whether the page recovers")]);
        }

        return CheckResult.From([Findings.Create(JourneyRules.PageNotRecovered, Severity.High, journey.Frontend!, cutStep,
            $"after a network failure at {cutStep} of '{journey.Name}' ({down}), the page did not recover with the network back: a retry from there failed at {retry.FailedStep}: {retry.Problem}; " +
            $"after a reload, at {reload.FailedStep}: {reload.Problem}",
            $"page {url ?? "unknown"}; screenshots {string.Join(", ", new[] { downShot, retryShot, reloadShot }.OfType<string>())}",
            "a page must come back after a network failure: retry or reconnect what it lost (an event stream), keep what the user did, and let a retry or a reload finish the task")]);
    }

    /// <summary>The journey from its start, as a new run, in a new tab of <paramref name="driver"/> with no fault.</summary>
    private async Task<JourneyRun> ControlAsync(CheckContext context, Journey journey, IBrowserDriver driver, Uri frontendUrl, string slug,
        IReadOnlyDictionary<string, string> variables, CancellationToken cancellationToken)
    {
        try
        {
            await using var tab = await driver.NewPageAsync(cancellationToken);
            var steps = new BrowserSteps(tab, frontendUrl, settings.BrowserStepTimeout, context.OutputDirectory, JourneyCheck.EvidenceFolder, $"{slug}-no-fault.png");
            var run = await JourneyRunner.RunAsync(context.Http, service.Url, journey.Steps, JourneyRunner.Start(variables, 2), cancellationToken, steps);
            return run with { Screenshot = run.Screenshot ?? steps.Screenshot };
        }
        catch (Exception ex) when (ex is BrowserActionException or PlaywrightException)
        {
            // The control tab did not open: nothing says the journey fails without the fault, so the finding stands.
            return new JourneyRun(true, null, Redact.Text(ex.Message), null, null, []);
        }
    }

    /// <summary>The number in "step 10 (…)"; 0 when there is none.</summary>
    internal static int StepNumber(string? failed) =>
        failed is not null && failed.StartsWith("step ", StringComparison.Ordinal) && failed.IndexOf(' ', 5) is > 5 and var end
            && int.TryParse(failed.AsSpan(5, end - 5), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : 0;

    /// <summary>"step 3 (…)" of the steps from the cut as the journey's own number, "step 10 (…)".</summary>
    internal static string? Absolute(string? failed, int offset) =>
        failed is { } f && StepNumber(f) is > 0 and var n
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"step {n + offset}{f[f.IndexOf(' ', 5)..]}")
            : failed;

    private static CheckResult Passed(Journey journey, string message, string? screenshot) =>
        CheckResult.From([Findings.Create(JourneyRules.PageRecoverySummary, Severity.Info, journey.Frontend!, journey.Name, message, screenshot is null ? null : $"screenshot while down {screenshot}", null)]);

    private CheckResult NotRun(string why, string? evidence) => new()
    {
        Status = CheckStatus.Error,
        Reason = why,
        Findings = [Findings.Create(JourneyRules.PageRecoverySummary, Severity.Info, service.Name, service.Name, $"the network failure was not tried in the browser: {why}", evidence, null)],
    };
}

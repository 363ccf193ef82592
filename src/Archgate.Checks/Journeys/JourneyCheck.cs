using System.Globalization;
using Archgate.Checks.Browser;
using Archgate.Checks.Http;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Journeys;

/// <summary>What this machine has for step 7's browser journeys (the manifest's options are <see cref="JourneyCheckOptions"/>).</summary>
public sealed record JourneyOptions
{
    /// <summary>
    /// An engine's program where it is not the one found on <c>PATH</c> or in Debian's places (Chromium's executable,
    /// <c>firefox-esr</c>, <c>WebKitWebDriver</c>); a path that does not exist makes that engine not installed. <value>None</value>.
    /// </summary>
    public IReadOnlyDictionary<BrowserEngine, string> BrowserPrograms { get; init; } = new Dictionary<BrowserEngine, string>();

    /// <summary>The engines a browser journey may run in, on top of its own <c>browsers</c> list (tests narrow it). <value>All three</value>.</summary>
    public IReadOnlyList<BrowserEngine> Engines { get; init; } = Journey.AllBrowsers;
}

/// <summary>
/// Step 7, one declarative journey of the manifest: its setup once, then its steps <see cref="Journey.Runs"/> times
/// (20 for a critical one), the success rate against 95 %, the first failure's step and answer as evidence; after the
/// first successful run, every write is checked for consistency (API read, stored row).
/// </summary>
/// <remarks>
/// A journey with browser steps is one check per engine (<c>journeys.run:NAME@firefox</c>): each run opens a fresh tab
/// (no cookies or storage of the last); an engine that is not installed is an error (its criterion not evaluated).
/// </remarks>
internal sealed class JourneyCheck(Journey journey, JourneyOptions options, JourneyCheckOptions settings, BrowserEngine? engine = null) : ICheck
{
    /// <summary>Where failed browser steps' screenshots go, under the run folder.</summary>
    public static readonly string EvidenceFolder = Path.Combine("evidence", "browser", "journeys");

    /// <summary>The checks of <paramref name="journey"/>: one, or one per engine when it has browser steps.</summary>
    public static IEnumerable<ICheck> For(Journey journey, JourneyOptions options, JourneyCheckOptions settings) => journey.HasBrowserSteps
        ? journey.Browsers.Where(options.Engines.Contains).Select(e => new JourneyCheck(journey, options, settings, e))
        : [new JourneyCheck(journey, options, settings)];

    public string Id => engine is { } e ? $"journeys.run:{journey.Name}@{BrowserDrivers.Name(e)}" : $"journeys.run:{journey.Name}";

    public int Step => 7;

    public string Title => $"{(journey.Critical ? "critical journey" : "journey")} '{journey.Name}' ({journey.Runs} run{(journey.Runs == 1 ? string.Empty : "s")}{(engine is { } e ? $" in {e}" : string.Empty)})";

    public Applicability AppliesTo(SystemModel system) => Applicability.Yes;

    public async Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        if (engine is not { } browserEngine)
        {
            return await RunAsync(context, null, cancellationToken);
        }

        IBrowserDriver driver;
        try
        {
            context.Activity?.Report($"journey '{journey.Name}': starting {browserEngine}");
            driver = await BrowserDrivers.StartAsync(browserEngine, context.System.AllowedHosts, settings.BrowserStartTimeout, cancellationToken,
                options.BrowserPrograms.GetValueOrDefault(browserEngine));
        }
        catch (FileNotFoundException ex)
        {
            return NotEvaluated($"{browserEngine} is not installed: {ex.Message}", BrowserDrivers.Prerequisite(browserEngine));
        }
        catch (Exception ex) when (ex is BrowserActionException or Microsoft.Playwright.PlaywrightException or TimeoutException or IOException)
        {
            // Installed but not started (a busy machine, a browser that died on its way up): the runner tries the check again.
            var why = BrowserDrivers.DidNotStart(browserEngine.ToString(), ex);
            return NotEvaluated(why, BrowserDrivers.Prerequisite(browserEngine)) with { TransientCause = why };
        }

        await using (driver)
        {
            return await RunInAsync(context, driver, cancellationToken);
        }
    }

    /// <summary>An error (the criterion is not evaluated, the matrix cell says why), never a pass.</summary>
    private CheckResult NotEvaluated(string reason, Prerequisites.Prerequisite prerequisite) => new()
    {
        Status = CheckStatus.Error,
        Reason = reason,
        Findings = [Finding(JourneyRules.BrowserNotEvaluated, Severity.Info, journey.Name, reason, null, Prerequisites.Prerequisites.MissingHint(prerequisite).Replace(" is not installed", string.Empty, StringComparison.Ordinal))],
    };

    /// <summary>The runs in a browser already started (tests start one per engine for several journeys).</summary>
    internal async Task<CheckResult> RunInAsync(CheckContext context, IBrowserDriver driver, CancellationToken cancellationToken)
    {
        var result = await RunAsync(context, driver, cancellationToken);
        return result with { Findings = [.. result.Findings.Select((f, i) => i == 0 ? f with { Message = $"{f.Message} in {driver.Version}" } : f)] };
    }

    private async Task<CheckResult> RunAsync(CheckContext context, IBrowserDriver? driver, CancellationToken cancellationToken)
    {
        var service = context.System.Find<ServiceComponent>(journey.Service)!;
        var frontendUrl = journey.Frontend is { } f ? context.System.Find<HttpComponent>(f)?.Url : null;
        var shared = new Dictionary<string, string>(journey.Variables, StringComparer.Ordinal);
        var ready = await Performance.LoadScenario.WithContractLoginsAsync(context.System, journey, cancellationToken);
        if (ready.Setup.Count > 0)
        {
            var setup = await RunOnceAsync(context, driver, service.Url, frontendUrl, ready.Setup, shared, "setup", cancellationToken);
            if (!setup.Ok)
            {
                return CheckResult.From([Finding(JourneyRules.SetupFailed, Severity.High, $"setup {setup.FailedStep}", $"the setup failed at {setup.FailedStep}: {setup.Problem}", setup.Evidence,
                    "the setup (a login) must succeed before the journey can run")]) with { TransientCause = setup.TransientCause };
            }
        }

        var succeeded = 0;
        JourneyRun? firstFailure = null;
        var firstFailedRun = 0;
        var findings = new List<Finding>();
        var consistencyChecked = false;
        var pageChecked = driver?.Engine != BrowserEngine.Chromium || frontendUrl is null || service.Resources.All(m => m.Page is null);
        for (var run = 1; run <= journey.Runs; run++)
        {
            context.Activity?.Report($"journey '{journey.Name}' run {run} of {journey.Runs}");
            var label = string.Create(CultureInfo.InvariantCulture, $"run{run}");

            // After the first successful run in Chromium, in its tab: the pages that list what it wrote (resources.*.page).
            Func<IBrowserPage, BrowserSteps, Task>? pages = pageChecked ? null : async (page, steps) =>
            {
                context.Activity?.Report($"journey '{journey.Name}': the pages that list what it wrote, reloaded");
                findings.AddRange(await PageConsistency.CheckAsync(context, page, steps, service, frontendUrl!, settings.BrowserStepTimeout,
                    $"{Frontend.BrowserCheck.Slug(journey.Name)}-{BrowserDrivers.Name(driver!.Engine)}", cancellationToken));
                pageChecked = true;
            };
            var variables = JourneyRunner.Start(shared, run);
            var result = await RunOnceAsync(context, driver, service.Url, frontendUrl, ready.Steps, variables, label, cancellationToken, pages);
            if (result.Ok)
            {
                succeeded++;
                if (!consistencyChecked && service.Resources.Count > 0)
                {
                    consistencyChecked = true;
                    var checkedItems = new List<string>();
                    foreach (var write in ConsistencyProbe.Latest(service, result.Writes))
                    {
                        var (item, found) = await ConsistencyProbe.CheckAsync(context.System, service, write, context.Http, context.Time, cancellationToken, variables);
                        findings.AddRange(found);
                        if (item is not null && found.Count == 0)
                        {
                            checkedItems.Add(item);
                        }
                    }

                    // A mapping no write reached is said, never left out silently: a path the journey does not write, or one that
                    // cannot name an item at all.
                    var unreached = service.Resources
                        .Where(m => !result.Writes.Any(w => ConsistencyProbe.ItemPath(m, w) is not null))
                        .Select(m => ConsistencyProbe.Unusable(m) ?? $"'{m.Path}' ({m.Table}): no write of run {run} named one of its items")
                        .ToList();
                    if (checkedItems.Count > 0 || unreached.Count > 0)
                    {
                        var agreed = checkedItems.Count > 0 ? $"the API's read and the stored row agree for {string.Join(", ", checkedItems)}" : "no item was compared";
                        findings.Add(Finding(JourneyRules.Summary, Severity.Info, "consistency",
                            $"after run {run}'s writes, {agreed}{(unreached.Count > 0 ? $"; not compared: {string.Join("; ", unreached)}" : string.Empty)}", null, null));
                    }
                }
            }
            else if (firstFailure is null)
            {
                firstFailure = result;
                firstFailedRun = run;
            }
        }

        var rate = (double)succeeded / journey.Runs;
        var summary = $"'{journey.Name}': {succeeded} of {journey.Runs} runs succeeded ({rate.ToString("P0", CultureInfo.InvariantCulture)})";
        findings.Insert(0, Finding(JourneyRules.Summary, Severity.Info, journey.Name, summary, null, null));
        if (firstFailure is not null)
        {
            var critical = journey.Critical && rate < settings.CriticalSuccessRate;
            findings.Add(Finding(
                critical ? JourneyRules.CriticalJourneyFailed : JourneyRules.JourneyFailed,
                critical ? Severity.Critical : journey.Critical ? Severity.Low : Severity.Medium,
                firstFailure.FailedStep!,
                $"{summary}{(journey.Critical ? $", {(critical ? "below" : "within")} the {settings.CriticalSuccessRate.ToString("P0", CultureInfo.InvariantCulture)} a critical path needs" : string.Empty)}; " +
                $"first failure in run {firstFailedRun} at {firstFailure.FailedStep}: {firstFailure.Problem}",
                firstFailure.Evidence,
                "run the journey's requests by hand (the evidence has the failing one) and mend the step that fails"));
        }

        var tags = new Dictionary<string, string> { ["journey"] = journey.Name, ["critical"] = journey.Critical ? "true" : "false" };
        if (engine is { } e)
        {
            tags["engine"] = BrowserDrivers.Name(e);
        }

        var judged = CheckResult.From(findings, [new Metric("journey_success_rate", tags, Math.Round(rate * 100, 1), "%"), new Metric("journey_runs", tags, journey.Runs, "count")]);
        return succeeded == 0 && firstFailure?.TransientCause is { } cause ? judged with { TransientCause = cause } : judged;
    }

    /// <summary>One run of <paramref name="steps"/>; with a browser, in a fresh tab closed afterwards.</summary>
    private async Task<JourneyRun> RunOnceAsync(
        CheckContext context, IBrowserDriver? driver, Uri serviceUrl, Uri? frontendUrl, IReadOnlyList<JourneyStep> steps, Dictionary<string, string> variables, string label,
        CancellationToken cancellationToken, Func<IBrowserPage, BrowserSteps, Task>? afterSuccess = null)
    {
        if (driver is null || frontendUrl is null || steps.All(s => s.Browser is null))
        {
            return await JourneyRunner.RunAsync(context.Http, serviceUrl, steps, variables, cancellationToken);
        }

        IBrowserPage page;
        try
        {
            page = await driver.NewPageAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is BrowserActionException or Microsoft.Playwright.PlaywrightException)
        {
            return new JourneyRun(false, "a new tab", $"{driver.Version} opened no tab: {Redact.Text(ex.Message.Split('\n')[0])}", null, null, []);
        }

        await using (page)
        {
            var shot = $"{Frontend.BrowserCheck.Slug(journey.Name)}-{BrowserDrivers.Name(driver.Engine)}-{label}.png";
            var browser = new BrowserSteps(page, frontendUrl, settings.BrowserStepTimeout, context.OutputDirectory, EvidenceFolder, shot);
            var run = await JourneyRunner.RunAsync(context.Http, serviceUrl, steps, variables, cancellationToken, browser);
            if (run.Ok && afterSuccess is not null)
            {
                await afterSuccess(page, browser);
            }

            return run;
        }
    }

    private Finding Finding(string rule, Severity severity, string location, string message, string? evidence, string? hint) =>
        Findings.Create(rule, severity, journey.Service, location, message, evidence, hint);
}

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Archgate.Checks.Browser;
using Archgate.Checks.Frontend;
using Archgate.Checks.Http;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Journeys;

/// <summary>
/// Step 7's data consistency in the browser: after a browser journey's successful run, in its tab (signed in as the
/// journey signed in), for each resource whose <c>resources</c> mapping names a <c>page</c>: the page's last write of
/// the resource is found in what the page itself sent and got; the page is reloaded and must show the item with the
/// values of <c>show</c> the API's read holds; then the same write is sent again through the API (as the service's
/// <c>auth</c> identity) and the page, reloaded once more, must show that new state too: a page that keeps an earlier
/// list (its own cache, or an HTTP cache a <c>Cache-Control</c> allows) is caught there. A page that does not show the
/// item, or shows other values, within the browser step timeout is a finding with a screenshot, the API's read and the row.
/// </summary>
internal static class PageConsistency
{
    public static async Task<List<Finding>> CheckAsync(
        CheckContext context, IBrowserPage page, BrowserSteps steps, ServiceComponent service, Uri frontendUrl, TimeSpan timeout, string shotPrefix, CancellationToken cancellationToken)
    {
        await steps.CollectWritesAsync(cancellationToken);
        var findings = new List<Finding>();
        foreach (var mapping in service.Resources.Where(m => m.Page is not null))
        {
            var resourcePage = mapping.Page!;
            var written = steps.Writes
                .Where(w => w.Status is >= 200 and < 300 && Uri.TryCreate(w.Url, UriKind.Absolute, out var u) && PageJudge.Serves(service.Url, u))
                .Select(w => (Page: w, Write: ToWrite(w)))
                .LastOrDefault(x => ConsistencyProbe.ItemPath(mapping, x.Write) is not null);
            if (written.Write is null)
            {
                findings.Add(Make(JourneyRules.PageSummary, Severity.Info, service, resourcePage.Path,
                    $"{resourcePage.Path} was not checked for {mapping.Path}: the journey's page wrote none (no 2xx write to {service.Name} whose answer names the item)", null, null));
                continue;
            }

            var credentials = await ApiSession.SignInAsync(service, context, cancellationToken);
            var item = ConsistencyProbe.ItemPath(mapping, written.Write)!.Value;
            var own = await CompareAsync(context, page, service, mapping, frontendUrl, item, credentials, timeout,
                $"after the journey's {written.Write.Method} {written.Write.Path}", $"{shotPrefix}-page-1.png", cancellationToken);
            findings.Add(own);
            if (own.Severity > Severity.Info)
            {
                continue;
            }

            // The same write again, behind the page's back: a page that keeps what it loaded before does not show it.
            var headers = credentials.RequestHeaders.ToList();
            var again = await ApiCall.SendAsync(context.Http, written.Write.Method, new Uri(written.Page.Url), headers, written.Page.RequestBody, ApiCall.DefaultTimeout, cancellationToken);
            var second = new JourneyWrite(written.Write.Method, written.Write.Path, headers, written.Page.RequestBody, again);
            if (!again.Ok || ConsistencyProbe.ItemPath(mapping, second) is not { } next)
            {
                findings.Add(Make(JourneyRules.PageSummary, Severity.Info, service, resourcePage.Path,
                    $"{resourcePage.Path} was checked once: the page's write sent again through the API {again.Summary.Split(" answered ")[^1]} without an item to look for", again.Evidence(), null));
                continue;
            }

            findings.Add(await CompareAsync(context, page, service, mapping, frontendUrl, next, credentials, timeout,
                $"after the same {written.Write.Method} {written.Write.Path} sent again through the API", $"{shotPrefix}-page-2.png", cancellationToken));
        }

        return findings;
    }

    /// <summary>The page's write as a journey's write, so <see cref="ConsistencyProbe.ItemPath"/> finds its item.</summary>
    private static JourneyWrite ToWrite(PageWrite w)
    {
        var url = new Uri(w.Url);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (w.Location is { Length: > 0 } location)
        {
            headers["Location"] = location;
        }

        return new JourneyWrite(w.Method, url.PathAndQuery, [], w.RequestBody, new ApiAnswer(w.Method, url, w.Status, headers, w.AnswerBody, TimeSpan.Zero, null));
    }

    /// <summary>Opens the page afresh and waits until it shows the item with the API's current values, or the timeout.</summary>
    private static async Task<Finding> CompareAsync(
        CheckContext context, IBrowserPage page, ServiceComponent service, ResourceMapping mapping, Uri frontendUrl, (string Path, string Key) item, Credentials credentials,
        TimeSpan timeout, string after, string shot, CancellationToken cancellationToken)
    {
        var resourcePage = mapping.Page!;
        var selector = resourcePage.Item.Replace("{id}", item.Key, StringComparison.Ordinal);
        var where = $"{resourcePage.Path} ({selector})";
        try
        {
            await page.GotoAsync(new Uri(frontendUrl, resourcePage.Path), timeout, cancellationToken);
        }
        catch (BrowserActionException ex)
        {
            return Make(JourneyRules.PageMissing, Severity.High, service, where, $"{after}, {resourcePage.Path} did not load: {Redact.Text(ex.Message)}", null,
                "the page that lists the resource must load for a signed-in user");
        }

        var waited = System.Diagnostics.Stopwatch.StartNew();
        JsonObject? api = null;
        Dictionary<string, string> wanted = [];
        JsonObject? shown = null;
        while (true)
        {
            var read = await ApiCall.SendAsync(context.Http, "GET", ApiCall.Resolve(service.Url, item.Path), credentials.RequestHeaders, null, ApiCall.DefaultTimeout, cancellationToken);
            api = read.Ok ? Parse(read.Body) ?? api : api;
            wanted = resourcePage.Show.Where(p => api?[p] is JsonValue).ToDictionary(p => p, p => JsonSubset.Text(api![p])!, StringComparer.Ordinal);
            shown = Parse(await page.EvaluateAsync(PageScripts.ItemShows(selector, wanted), cancellationToken) ?? string.Empty) ?? shown;
            var found = (bool?)shown?["found"] == true;
            if (api is not null && found && shown!["missing"] is JsonArray { Count: 0 })
            {
                var values = wanted.Count == 0 ? "the item" : string.Join(", ", wanted.Select(w => $"{w.Key} {w.Value}"));
                return Make(JourneyRules.PageSummary, Severity.Info, service, where,
                    string.Create(CultureInfo.InvariantCulture, $"{after}, {resourcePage.Path} reloaded shows {item.Path} as the API reads it ({values}) after {waited.Elapsed.TotalSeconds:0.#} s"), null, null);
            }

            if (waited.Elapsed >= timeout)
            {
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), context.Time, cancellationToken);
        }

        var screenshot = await ScreenshotAsync(context, page, shot, cancellationToken);
        var database = context.System.Find<DatabaseComponent>(mapping.Database);
        var row = database is null ? (Values: null, Problem: "no database") : await ConsistencyProbe.RowAsync(database, mapping, item.Key, cancellationToken);
        var rowText = row.Values is null ? $"no row ({row.Problem ?? $"none with {mapping.Key} = {item.Key}"})"
            : ProbeHttp.Excerpt(string.Join(", ", row.Values.Select(c => $"{c.Key}={(c.Value is null ? "null" : Database.DatabaseAccess.Text(c.Value))}")), 300);
        var evidence = $"row of {mapping.Table}: {rowText}; API's read: {(api is null ? "none" : ProbeHttp.Excerpt(api.ToJsonString(), 200))}; page {(screenshot is null ? "(no screenshot)" : $"screenshot {screenshot}")}";
        var seconds = string.Create(CultureInfo.InvariantCulture, $"{timeout.TotalSeconds:0.#} s");
        if ((bool?)shown?["found"] != true)
        {
            return Make(JourneyRules.PageMissing, Severity.High, service, where,
                $"{after}, {resourcePage.Path} reloaded does not show {item.Path} within {seconds}: nothing matches {selector}{((string?)shown?["invalid"] is { } invalid ? $" (invalid selector: {invalid})" : string.Empty)}", evidence,
                "a reload must show what the backend stores: do not serve the list from an earlier load (session storage, a cache) or let Cache-Control keep it; or mend resources.*.page.item");
        }

        var missing = (shown!["missing"] as JsonArray ?? []).Select(m => (string?)m).OfType<string>().ToList();
        return Make(JourneyRules.PageStale, Severity.High, service, where,
            $"{after}, {resourcePage.Path} reloaded shows {item.Path} with other values than the API's read within {seconds}: {string.Join(", ", missing.Select(m => $"{m} {wanted[m]} not shown"))}; it shows \"{(string?)shown["text"]}\"",
            evidence, "a reload must show the stored state: refresh the item after a write, and let live updates reach it");
    }

    /// <summary>Keeps a screenshot of the tab under the journeys' evidence folder; its path relative to the run folder, or null.</summary>
    internal static async Task<string?> ScreenshotAsync(CheckContext context, IBrowserPage page, string name, CancellationToken cancellationToken)
    {
        try
        {
            var relative = Path.Combine(JourneyCheck.EvidenceFolder, name);
            Directory.CreateDirectory(Path.Combine(context.OutputDirectory, JourneyCheck.EvidenceFolder));
            await File.WriteAllBytesAsync(Path.Combine(context.OutputDirectory, relative), await page.ScreenshotAsync(cancellationToken), cancellationToken);
            return relative;
        }
        catch (Exception ex) when (ex is BrowserActionException or IOException or UnauthorizedAccessException or Microsoft.Playwright.PlaywrightException)
        {
            return null;
        }
    }

    private static JsonObject? Parse(string text)
    {
        try
        {
            return text.Length == 0 ? null : JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static Finding Make(string rule, Severity severity, ServiceComponent service, string location, string message, string? evidence, string? hint) =>
        Findings.Create(rule, severity, service.Name, location, message, evidence, hint);
}

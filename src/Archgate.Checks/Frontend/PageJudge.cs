using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Frontend;

/// <summary>One page (or one sign-in) as the browser check saw it.</summary>
/// <param name="Page">The page's path as the manifest gives it.</param>
/// <param name="Label">How findings name this visit: the page, or <c>sign-in on /</c>.</param>
/// <param name="Unauthorized401Expected">Whether the user was not signed in yet: a 401 is then the page asking who it is, not a failure.</param>
/// <param name="DocumentStatus">The status of the page's document, null when the navigation failed (or there was none, for a sign-in).</param>
/// <param name="LoadError">Why the navigation failed, or null.</param>
/// <param name="Activity">What the page did.</param>
/// <param name="Screenshot">The screenshot's path relative to the run folder, or null when none could be taken.</param>
internal sealed record PageVisit(string Page, string Label, bool Unauthorized401Expected, int? DocumentStatus, string? LoadError, PageActivity Activity, string? Screenshot);

/// <summary>
/// Judges what the browser saw on a frontend's page: API calls go to a declared backend (a component in its
/// <c>dependsOn</c>), no console error or uncaught exception, no failed request, nothing insecure (mixed content) or
/// outside <c>targets.allow</c>. Pure: tests give it visits without a browser.
/// </summary>
internal static class PageJudge
{
    /// <summary>At most this many calls are listed in a finding's evidence.</summary>
    private const int ListedCalls = 12;

    public static IEnumerable<Finding> Judge(PageVisit visit, FrontendComponent frontend, SystemModel system)
    {
        ArgumentNullException.ThrowIfNull(visit);
        ArgumentNullException.ThrowIfNull(frontend);
        ArgumentNullException.ThrowIfNull(system);
        var backends = Backends(frontend, system);
        var allow = HostAllowList.Of(system.AllowedHosts);
        var shot = visit.Screenshot is null ? "no screenshot" : $"screenshot {visit.Screenshot}";
        if (visit.LoadError is not null || visit.DocumentStatus is < 200 or >= 400)
        {
            yield return Make(FrontendRules.PageNotLoaded, Severity.High, frontend, visit,
                $"{visit.Label} did not load: {visit.LoadError ?? $"the page answered {visit.DocumentStatus}"}", shot,
                $"serve {visit.Page} from {frontend.Url} (is {frontend.Name} running?)");
        }

        var judged = new HashSet<string>(StringComparer.Ordinal); // URLs already a finding: the browser's console line about them is not another
        foreach (var group in visit.Activity.Requests.GroupBy(r => Redact.Url(r.Url), StringComparer.Ordinal))
        {
            var request = group.Last();
            if (!Uri.TryCreate(request.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https" or "ws" or "wss"))
            {
                continue; // data:, blob:, about:
            }

            var shown = group.Key;
            if (!allow.Allows(url.Host))
            {
                judged.Add(request.Url);
                yield return Make(FrontendRules.HostNotAllowed, Severity.High, frontend, visit,
                    $"{visit.Label} {(request.IsApiCall ? "called" : "loaded")} {shown} on {url.Host}, which targets.allow does not list (the browser was not let through)",
                    $"{request.Method} {shown} ({request.ResourceType}); {shot}",
                    $"serve what the page needs from the system, or add {url.Host} to targets.allow if the page may use it");
                continue;
            }

            if (frontend.Url.Scheme == Uri.UriSchemeHttps && url.Scheme is "http" or "ws")
            {
                judged.Add(request.Url);
                yield return Make(FrontendRules.MixedContent, Severity.High, frontend, visit,
                    $"{visit.Label} is served over https but {(request.IsApiCall ? "calls" : "loads")} {shown} over {url.Scheme}: mixed content, which browsers block",
                    $"{request.Method} {shown} ({request.ResourceType}) → {Outcome(request)}; {shot}",
                    "use https (wss) for everything an https page loads or calls");
                continue;
            }

            if (request.IsApiCall && !SameOrigin(url, frontend.Url) && !backends.Any(b => Serves(b.Url, url)))
            {
                judged.Add(request.Url);
                var declared = backends.Count == 0
                    ? $"{frontend.Name} declares no backend with a url in dependsOn"
                    : "the declared backend is " + string.Join(" or ", backends.Select(b => $"{b.Name} at {b.Url}"));
                yield return Make(FrontendRules.UndeclaredBackend, Severity.High, frontend, visit,
                    $"{visit.Label} called {shown}, not a declared backend: {declared}",
                    $"{string.Join("; ", group.Take(ListedCalls).Select(r => $"{r.Method} {Redact.Url(r.Url)} ({r.ResourceType}) → {Outcome(r)}"))}; {shot}",
                    $"point {frontend.Name}'s API address (its served config or bundle) at {(backends.Count == 0 ? "the backend, and list it in dependsOn" : backends[0].Url.ToString())}");
                continue;
            }

            if (request.ResourceType == "document")
            {
                continue; // the page's own document: judged above (PageNotLoaded)
            }

            if (request.Failure is { } failure)
            {
                if (failure != "net::ERR_ABORTED") // the page (or its leaving) cancelled it
                {
                    judged.Add(request.Url);
                    yield return Make(FrontendRules.RequestFailed, Severity.High, frontend, visit,
                        $"{visit.Label}: {request.Method} {shown} failed: {failure}",
                        $"{request.ResourceType}; {shot}",
                        request.IsApiCall ? "the page's API call got no answer: is the backend running and reachable from the browser (CORS)?" : "serve what the page loads");
                }
            }
            else if (request.Status is >= 400 and var status && !(status == 401 && visit.Unauthorized401Expected))
            {
                judged.Add(request.Url);
                yield return Make(FrontendRules.RequestFailed, Severity.High, frontend, visit,
                    $"{visit.Label}: {request.Method} {shown} answered {status}",
                    $"{request.ResourceType}; {shot}",
                    request.IsApiCall ? "the page's API call failed: see the backend's log for this request" : "serve what the page loads");
            }
        }

        foreach (var error in visit.Activity.Errors)
        {
            if (error.SourceUrl is { } about && (judged.Contains(about) || Expected401(visit, about)))
            {
                continue; // the browser's own line about a request already judged
            }

            // A line about a URL the page never requested is about the browser's own request (the favicon): worth a look, no more.
            var byTheBrowser = error.SourceUrl is { } u && Uri.TryCreate(u, UriKind.Absolute, out var at) && at.Scheme is "http" or "https"
                && !visit.Activity.Requests.Any(r => r.Url == u);
            var where = error.Source is null ? string.Empty : $" at {Redact.Url(error.Source)}";
            yield return error.Uncaught
                ? Make(FrontendRules.UncaughtError, Severity.High, frontend, visit, $"{visit.Label}: uncaught {Redact.Text(error.Message)}{where}", shot,
                    "catch the error where the page's script throws it, and show the user what went wrong")
                : Make(FrontendRules.ConsoleError, byTheBrowser ? Severity.Low : Severity.High, frontend, visit, $"{visit.Label}: console error {Redact.Text(error.Message)}{where}", shot,
                    byTheBrowser ? "the browser fetched this by itself (a favicon?): serve it (a /favicon.ico file), or name the icon the page has (<link rel=\"icon\" href=\"/icon.svg\">)" : "fix what the page logs as an error");
        }

        foreach (var pending in visit.Activity.StillLoading)
        {
            yield return Make(FrontendRules.StillLoading, Severity.Medium, frontend, visit,
                $"{visit.Label}: {pending.Method} {Redact.Url(pending.Url)} was still loading when the page should have settled",
                $"{pending.ResourceType}; {shot}", "answer the page's requests promptly; stream with EventSource or a WebSocket rather than a request that never ends");
        }

        var calls = visit.Activity.Requests.Where(r => r.IsApiCall).ToList();
        yield return Make(FrontendRules.PageSeen, Severity.Info, frontend, visit,
            $"{visit.Label}: {visit.Activity.Requests.Count} requests, {calls.Count} API calls; {shot}",
            calls.Count == 0 ? "no API call" : string.Join("; ", calls.Take(ListedCalls).Select(r => $"{r.Method} {Redact.Url(r.Url)} ({r.ResourceType}) → {Outcome(r)}")),
            null);
    }

    /// <summary>The components the frontend depends on that have a url: where its page may send API calls.</summary>
    public static List<HttpComponent> Backends(FrontendComponent frontend, SystemModel system) =>
        [.. frontend.DependsOn.Select(system.Find).OfType<HttpComponent>()];

    /// <summary>Whether <paramref name="call"/> goes to <paramref name="backend"/>: same scheme (ws as http), host and port, under its base path.</summary>
    public static bool Serves(Uri backend, Uri call)
    {
        var scheme = call.Scheme switch { "ws" => "http", "wss" => "https", var s => s };
        var basePath = backend.AbsolutePath.TrimEnd('/');
        return scheme == backend.Scheme
            && string.Equals(call.Host, backend.Host, StringComparison.OrdinalIgnoreCase)
            && call.Port == backend.Port
            && (basePath.Length == 0 || call.AbsolutePath == basePath || call.AbsolutePath.StartsWith(basePath + "/", StringComparison.Ordinal));
    }

    private static bool SameOrigin(Uri call, Uri frontend) =>
        Serves(new Uri(frontend.GetLeftPart(UriPartial.Authority)), call);

    private static bool Expected401(PageVisit visit, string url) =>
        visit.Unauthorized401Expected && visit.Activity.Requests.Any(r => r.Url == url && r.Status == 401);

    private static string Outcome(PageRequest r) =>
        r.Failure ?? (r.Status is { } s ? s.ToString(System.Globalization.CultureInfo.InvariantCulture) : "no answer");

    /// <summary>A finding about <paramref name="visit"/>'s page of <paramref name="frontend"/>.</summary>
    internal static Finding Make(string rule, Severity severity, FrontendComponent frontend, PageVisit visit, string message, string? evidence, string? hint) =>
        Findings.Create(rule, severity, frontend.Name, visit.Page, message, evidence, hint);
}

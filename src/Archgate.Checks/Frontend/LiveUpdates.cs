using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Archgate.Checks.Http;
using Archgate.Model;
using Archgate.Protocol;
using Microsoft.Playwright;

namespace Archgate.Checks.Frontend;

/// <summary>
/// Whether a page is live: when a page holds open one of its backend's declared event streams (<c>realtime</c>), the
/// stream's <c>trigger</c> write is sent through the API as the same identity the page is signed in as, and the page's
/// own EventSource must receive the event within the endpoint's <c>within</c>. The page's EventSource is observed
/// through a script added before the page's own (it counts the declared event types and the DOM's changes).
/// </summary>
internal static class LiveUpdates
{
    /// <summary>The script that counts, per page, the events its EventSources receive and the changes of its DOM.</summary>
    public static string Script(IEnumerable<string> eventTypes) => $$"""
        (() => {
          const types = {{JsonSerializer.Serialize(eventTypes.Distinct().ToArray())}};
          window.__archgateEvents = [];
          window.__archgateMutations = 0;
          const Native = window.EventSource;
          if (Native) {
            const Observed = function (url, init) {
              const source = new Native(url, init);
              for (const t of types) source.addEventListener(t, () => window.__archgateEvents.push(t));
              return source;
            };
            Observed.prototype = Native.prototype;
            Object.assign(Observed, { CONNECTING: 0, OPEN: 1, CLOSED: 2 });
            window.EventSource = Observed;
          }
          document.addEventListener('DOMContentLoaded', () => new MutationObserver(list => { window.__archgateMutations += list.length; })
            .observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true }));
        })();
        """;

    /// <summary>The event types the pages of <paramref name="frontend"/> may receive: the declared ones, and unnamed messages.</summary>
    public static IEnumerable<string> EventTypes(FrontendComponent frontend, SystemModel system) =>
        PageJudge.Backends(frontend, system).OfType<ServiceComponent>().SelectMany(b => b.Realtime).Select(r => r.Event ?? "message").Append("message");

    /// <summary>The streams the page opened that a backend declares, and may be driven as the page's user.</summary>
    public static IEnumerable<(ServiceComponent Backend, RealtimeEndpoint Endpoint)> Opened(PageVisit visit, FrontendComponent frontend, SystemModel system) =>
        from backend in PageJudge.Backends(frontend, system).OfType<ServiceComponent>()
        where backend.Auth?.Name == frontend.Auth?.Name
        from endpoint in backend.Realtime
        let stream = ApiCall.Resolve(backend.Url, endpoint.Path)
        where visit.Activity.Requests.Any(r => r.ResourceType == "eventsource" && Uri.TryCreate(r.Url, UriKind.Absolute, out var u)
            && PageJudge.Serves(backend.Url!, u) && u.AbsolutePath == stream.AbsolutePath)
        select (backend, endpoint);

    /// <summary>Sends the endpoint's trigger and waits for the page's EventSource to receive the event.</summary>
    public static async Task<Finding> ProbeAsync(IPage page, PageVisit visit, FrontendComponent frontend, ServiceComponent backend, RealtimeEndpoint endpoint,
        CheckContext context, CancellationToken cancellationToken)
    {
        var type = endpoint.Event ?? "message";
        var before = await CountAsync(page, type);
        var mutations = await page.EvaluateAsync<int>("() => window.__archgateMutations || 0");
        var credentials = await ApiSession.SignInAsync(backend, context, cancellationToken);
        var trigger = endpoint.Trigger;
        var token = credentials.Headers.FirstOrDefault(h => h.Key == "Authorization").Value?.Replace("Bearer ", string.Empty, StringComparison.Ordinal) ?? string.Empty;
        var variables = TemplateVariables.ForTrigger(token);
        var headers = credentials.RequestHeaders.Concat(trigger.Headers.Select(h => new KeyValuePair<string, string>(h.Key, TemplateVariables.Fill(h.Value, variables, json: false))))
            .GroupBy(h => h.Key, StringComparer.OrdinalIgnoreCase).Select(g => g.Last()).ToList();
        var watch = Stopwatch.StartNew();
        var write = await ApiCall.SendAsync(context.Http, trigger.Method, ApiCall.Resolve(backend.Url!, trigger.Path), headers,
            trigger.Body is null ? null : TemplateVariables.Fill(trigger.Body, variables, json: true), ApiCall.DefaultTimeout, cancellationToken);
        var what = $"{(endpoint.Event is null ? "an event" : $"a '{endpoint.Event}' event")} on {endpoint.Path}";
        if (!write.Ok)
        {
            return PageJudge.Make(FrontendRules.NotLive, Severity.High, frontend, visit, $"{visit.Label}: could not cause {what}: the trigger {write.Summary}", null,
                $"the trigger of {backend.Name}'s realtime endpoint must succeed as {backend.Auth?.Label ?? "an anonymous user"}");
        }

        while (watch.Elapsed < endpoint.Within && await CountAsync(page, type) <= before)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
        }

        var received = await CountAsync(page, type) > before;
        var elapsed = watch.Elapsed.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture);
        if (!received)
        {
            return PageJudge.Make(FrontendRules.NotLive, Severity.High, frontend, visit,
                $"{visit.Label}: the page's EventSource received no {(endpoint.Event is null ? "event" : $"'{endpoint.Event}' event")} within {endpoint.Within.TotalSeconds:0.#} s of {trigger.Method} {trigger.Path} ({write.Status})",
                $"the page opened {endpoint.Path}; {visit.Screenshot}",
                endpoint.TokenQuery is null ? "the page's stream must carry the user's credentials" : $"the page's stream must carry the user's token in ?{endpoint.TokenQuery}=");
        }

        await Task.Delay(TimeSpan.FromMilliseconds(300), cancellationToken); // the page's handler renders the event
        var changes = await page.EvaluateAsync<int>("() => window.__archgateMutations || 0") - mutations;
        return PageJudge.Make(FrontendRules.LiveSeen, Severity.Info, frontend, visit,
            $"{visit.Label}: the page's EventSource received {what} {elapsed} ms after {trigger.Method} {trigger.Path} ({write.Status}); {changes} DOM changes followed",
            null, null);
    }

    private static Task<int> CountAsync(IPage page, string type) =>
        page.EvaluateAsync<int>("t => (window.__archgateEvents || []).filter(e => e === t).length", type);
}

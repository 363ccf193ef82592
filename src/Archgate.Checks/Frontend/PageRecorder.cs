using System.Diagnostics;
using Microsoft.Playwright;

namespace Archgate.Checks.Frontend;

/// <summary>One request a page made, as the browser saw it.</summary>
/// <param name="Method">HTTP method (<c>GET</c> for a WebSocket).</param>
/// <param name="Url">The full URL, not yet redacted.</param>
/// <param name="ResourceType">Playwright's resource type: <c>document</c>, <c>script</c>, <c>fetch</c>, <c>xhr</c>, <c>eventsource</c>, <c>websocket</c>...</param>
/// <param name="Status">The answer's status, null when none came (yet).</param>
/// <param name="Failure">The browser's network error (<c>net::ERR_CONNECTION_REFUSED</c>), or null.</param>
internal sealed record PageRequest(string Method, string Url, string ResourceType, int? Status, string? Failure)
{
    /// <summary>A call of the page's script to an API (fetch, XHR, EventSource, WebSocket), not a resource of the page.</summary>
    public bool IsApiCall => ResourceType is "fetch" or "xhr" or "eventsource" or "websocket";

    /// <summary>A stream that stays open while the page lives; it does not keep the network busy.</summary>
    public bool IsLongLived => ResourceType is "eventsource" or "websocket";
}

/// <summary>A console error or an uncaught exception of a page.</summary>
/// <param name="Uncaught">An exception nothing caught (<c>pageerror</c>), else a <c>console.error</c> or the browser's own error message.</param>
/// <param name="Message">Its text.</param>
/// <param name="Source">Where: <c>url:line:column</c>, or the first frame of the stack; null when unknown.</param>
/// <param name="SourceUrl">The URL the message is about, for a browser's network message; null otherwise.</param>
internal sealed record PageError(bool Uncaught, string Message, string? Source, string? SourceUrl);

/// <summary>What one phase of a page's life (a load, a sign-in) did in the browser.</summary>
internal sealed record PageActivity(IReadOnlyList<PageRequest> Requests, IReadOnlyList<PageError> Errors, IReadOnlyList<PageRequest> StillLoading);

/// <summary>
/// Records what a page does through Playwright's events: every request with its answer or failure, console errors and
/// uncaught exceptions. One recorder per tab; <see cref="Begin"/> starts a phase, <see cref="QuietAsync"/> ends it once
/// the network has been quiet as <see cref="Browser.NetworkQuiet"/> says (long-lived streams and answered API calls aside:
/// an open EventSource, or an answer whose body the page never read, never lets Playwright's <c>networkidle</c> happen)
/// and every EventSource the page opened has its answer (for a few seconds at most).
/// </summary>
internal sealed class PageRecorder
{
    private readonly Lock _gate = new();
    private readonly Dictionary<IRequest, int> _index = [];
    private List<Entry> _entries = [];
    private List<PageError> _errors = [];
    private readonly Stopwatch _sinceActivity = Stopwatch.StartNew();
    private bool _recording;

    public PageRecorder(IPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        page.Request += (_, r) => Change(() =>
        {
            _index[r] = _entries.Count;
            _entries.Add(new Entry(r.Method, r.Url, r.ResourceType));
        });
        page.Response += (_, r) => Change(() => At(r.Request)?.Status = r.Status);
        page.RequestFinished += (_, r) => Change(() => At(r)?.Done = true);
        page.RequestFailed += (_, r) => Change(() =>
        {
            if (At(r) is { } e)
            {
                e.Done = true;
                e.Failure = r.Failure ?? "failed";
            }
        });
        page.WebSocket += (_, ws) => Change(() => _entries.Add(new Entry("GET", ws.Url, "websocket")));
        page.Console += (_, m) =>
        {
            if (m.Type == "error")
            {
                var location = m.Location;
                Change(() => _errors.Add(new PageError(false, m.Text, location, SourceUrl(location))));
            }
        };
        page.PageError += (_, e) => Change(() => _errors.Add(new PageError(true, FirstLine(e), StackSource(e), null)));
    }

    /// <summary>Starts a phase: what happened before is forgotten.</summary>
    public void Begin()
    {
        lock (_gate)
        {
            _index.Clear();
            _entries = [];
            _errors = [];
            _recording = true;
            _sinceActivity.Restart();
        }
    }

    /// <summary>
    /// Waits until no request (long-lived streams aside) has been in flight for <paramref name="quiet"/>, at most
    /// <paramref name="bound"/>, then ends the phase: what the page does later (while the next page loads) is not its.
    /// </summary>
    public async Task<PageActivity> QuietAsync(TimeSpan quiet, TimeSpan bound, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < bound)
        {
            lock (_gate)
            {
                if (!_entries.Any(InFlight) && _sinceActivity.Elapsed >= quiet && !(waited.Elapsed < StreamOpening && _entries.Any(Opening)))
                {
                    break;
                }
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }

        lock (_gate)
        {
            _recording = false;
            return new PageActivity(
                [.. _entries.Select(e => e.ToRequest())],
                [.. _errors],
                [.. _entries.Where(InFlight).Select(e => e.ToRequest())]);
        }
    }

    /// <summary>
    /// How long the phase waits, beyond the quiet, for an EventSource's answer: a stream whose headers have not come yet
    /// (a busy machine) is shown with its status rather than as "no answer"; one whose server holds its headers back until
    /// the first event does not hold the page for the whole bound.
    /// </summary>
    private static readonly TimeSpan StreamOpening = TimeSpan.FromSeconds(5);

    private static bool Opening(Entry e) => e.ResourceType == "eventsource" && e.Status is null && !e.Done;

    private static bool InFlight(Entry e) => Browser.NetworkQuiet.Busy(e.ResourceType, e.Status is not null, e.Done);

    private Entry? At(IRequest request) => _index.TryGetValue(request, out var i) ? _entries[i] : null;

    private void Change(Action change)
    {
        lock (_gate)
        {
            if (_recording)
            {
                change();
                _sinceActivity.Restart();
            }
        }
    }

    /// <summary>The URL of a <c>url:line:column</c> location (the browser's network errors are located at the URL that failed).</summary>
    private static string? SourceUrl(string? location)
    {
        if (string.IsNullOrEmpty(location))
        {
            return null;
        }

        var end = location.Length;
        for (var i = 0; i < 2; i++)
        {
            var colon = location.LastIndexOf(':', end - 1);
            if (colon <= 0 || !int.TryParse(location.AsSpan(colon + 1, end - colon - 1), out _))
            {
                break;
            }

            end = colon;
        }

        return location[..end];
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();

    /// <summary>The first frame of a stack (<c>at f (http://…/app.js:3:9)</c>), when the error text carries one.</summary>
    private static string? StackSource(string text) =>
        text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("at ", StringComparison.Ordinal))?[3..];

    private sealed class Entry(string method, string url, string resourceType)
    {
        public string ResourceType { get; } = resourceType;

        public int? Status { get; set; }

        public string? Failure { get; set; }

        public bool Done { get; set; }

        public PageRequest ToRequest() => new(method, url, ResourceType, Status, Failure);
    }
}

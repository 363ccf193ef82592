using System.Diagnostics;
using Microsoft.Playwright;

namespace Archgate.Checks.Browser;

/// <summary>
/// Whether a page's network is quiet, as a person would say it: no request still waits for its answer. Long-lived
/// streams (EventSource, WebSocket) never count, and neither does a fetch or XHR whose answer has arrived: Chromium does
/// not finish a response whose body the page's script never reads when it was sent with <c>Cache-Control: no-store</c>
/// (the advice for API answers), so Playwright's <c>networkidle</c> never comes although the server has answered and
/// nothing loads; a streamed answer (NDJSON, a model's tokens) does not finish either. Documents, scripts, styles and
/// images count until their body has arrived. <see cref="Track"/> follows one page for a wait.
/// </summary>
internal sealed class NetworkQuiet
{
    private readonly Lock _gate = new();
    private readonly Dictionary<IRequest, (bool Answered, bool Done)> _requests = [];
    private readonly Stopwatch _sinceChange = Stopwatch.StartNew();

    private NetworkQuiet()
    {
    }

    /// <summary>Whether a request keeps the network busy: not ended, not a stream, and not an answered fetch or XHR.</summary>
    public static bool Busy(string resourceType, bool answered, bool done) =>
        !done && resourceType is not ("eventsource" or "websocket") && !(answered && resourceType is "fetch" or "xhr");

    /// <summary>Follows <paramref name="page"/>'s requests from now on.</summary>
    public static NetworkQuiet Track(IPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        var quiet = new NetworkQuiet();
        page.Request += (_, r) => quiet.Set(r, answered: false, done: false);
        page.Response += (_, r) => quiet.Set(r.Request, answered: true, done: false);
        page.RequestFinished += (_, r) => quiet.Set(r, answered: true, done: true);
        page.RequestFailed += (_, r) => quiet.Set(r, answered: true, done: true);
        return quiet;
    }

    /// <summary>
    /// Waits until no request has kept the network busy for <paramref name="quiet"/>, at most <paramref name="bound"/>;
    /// gives the requests still busy then (none when it became quiet).
    /// </summary>
    public async Task<IReadOnlyList<string>> WaitAsync(TimeSpan quiet, TimeSpan bound, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            IReadOnlyList<string> busy;
            lock (_gate)
            {
                busy = [.. _requests.Where(r => Busy(r.Key.ResourceType, r.Value.Answered, r.Value.Done)).Select(r => $"{r.Key.Method} {r.Key.Url}")];
                if (busy.Count == 0 && _sinceChange.Elapsed >= quiet)
                {
                    return [];
                }
            }

            if (waited.Elapsed >= bound)
            {
                return busy;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
        }
    }

    private void Set(IRequest request, bool answered, bool done)
    {
        lock (_gate)
        {
            var was = _requests.GetValueOrDefault(request);
            _requests[request] = (answered || was.Answered, done || was.Done);
            _sinceChange.Restart();
        }
    }
}

using System.Text;
using Archgate.Checks.Http;

namespace Archgate.Checks.LoadGenerator;

/// <summary>
/// Hands a sample of the load's responses to an exchange observer (step 9's passive rules), one per route and
/// status: every route's first responses until one is handed over, then one request in <see cref="Period"/> of
/// each virtual user is read in full (headers and body, as a capture does) so a status that appears only under
/// stress (a 500 with a stack trace) is seen too. The hot path costs a per-user counter and an array read.
/// </summary>
internal sealed class ResponseSampler(Uri target, IExchangeObserver observer, int routes)
{
    /// <summary>One request in this many of each virtual user is read in full once its route has a sample.</summary>
    public const int Period = 128;

    private readonly bool[] _routeSampled = new bool[Math.Max(1, routes)];
    private readonly HashSet<(int Route, int Status)> _seen = [];
    private readonly Lock _gate = new();

    /// <summary>Responses handed to the observer.</summary>
    public int Handed { get; private set; }

    /// <summary>Whether this request of the user is to be read in full.</summary>
    public bool Wants(CompiledRequest request, ref int tick) =>
        !Volatile.Read(ref _routeSampled[request.RouteIndex]) || (++tick & (Period - 1)) == 0;

    /// <summary>Hands the response over when its route and status have no sample yet.</summary>
    public void Offer(CompiledRequest request, VirtualUserVariables variables, int status, ResponseCapture capture)
    {
        lock (_gate)
        {
            if (!_seen.Add((request.RouteIndex, status)))
            {
                return;
            }

            Handed++;
        }

        Volatile.Write(ref _routeSampled[request.RouteIndex], true);
        var authenticated = !variables.Cookies.IsEmpty || request.Request.Headers.Any(h => h.Key.Equals("Authorization", StringComparison.OrdinalIgnoreCase) || h.Key.Equals("Cookie", StringComparison.OrdinalIgnoreCase));
        var written = capture.Body.WrittenSpan;
        var kept = written[..Math.Min(written.Length, ExchangeRecording.MaxBodyBytes)];
        var media = capture.Headers.FirstOrDefault(h => h.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)).Value;
        var body = Textual(media) ? Encoding.UTF8.GetString(kept) : string.Empty;
        var url = new Uri(target, request.RenderPath(variables));
        try
        {
            observer.Observe(new ObservedExchange(request.Method, url, authenticated, status, [.. capture.Headers], body, written.Length > kept.Length));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // An observer's failure must not stop the load (IExchangeObserver: exceptions are swallowed).
        }
    }

    private static bool Textual(string? contentType)
    {
        var media = contentType?.Split(';')[0].Trim().ToLowerInvariant();
        return media is null || media.StartsWith("text/", StringComparison.Ordinal) || media.Contains("json", StringComparison.Ordinal)
            || media.Contains("xml", StringComparison.Ordinal) || media.Contains("javascript", StringComparison.Ordinal);
    }
}

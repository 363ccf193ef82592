using System.Globalization;
using System.Text;

namespace Archgate.Checks.LoadGenerator;

/// <summary>
/// A request that captures, as its misses are reported: its journey, its place there, and the routes a miss leaves
/// unsent. <paramref name="First"/> is the index of its first capture among all the scenario's captures.
/// </summary>
internal sealed record CapturePoint(string Journey, string Request, string Route, IReadOnlyList<LoadCapture> Captures, IReadOnlyList<string> NotSent, int First);

/// <summary>
/// Counts, per capture, the iterations that stopped because it found nothing, and keeps one answer as a sample.
/// Only a miss comes here (a counter add; a lock and a string for the first sample), so a run whose captures all
/// find their values pays nothing.
/// </summary>
internal sealed class CaptureMisses
{
    /// <summary>How much of a sample answer's body is kept. <value>120 bytes</value>.</summary>
    internal const int SampleBytes = 120;

    private readonly IReadOnlyList<CapturePoint> _points;
    private readonly long[] _afterSuccess;
    private readonly long[] _afterFailure;
    private readonly string?[] _samples;
    private readonly bool[] _sampleSucceeded;
    private readonly Lock _lock = new();

    public CaptureMisses(IReadOnlyList<CapturePoint> points)
    {
        _points = points;
        var count = points.Count == 0 ? 0 : points[^1].First + points[^1].Captures.Count;
        _afterSuccess = new long[count];
        _afterFailure = new long[count];
        _samples = new string?[count];
        _sampleSucceeded = new bool[count];
    }

    /// <summary>
    /// Capture <paramref name="capture"/> of capture point <paramref name="point"/> found nothing in
    /// <paramref name="response"/> (or there was no answer: <paramref name="result"/> says so).
    /// </summary>
    public void Record(int point, int capture, in ExchangeResult result, ResponseCapture? response)
    {
        var slot = _points[point].First + capture;
        var succeeded = result.Status == ExchangeStatus.Response && result.StatusCode < 400;
        ref var counter = ref succeeded ? ref _afterSuccess[slot] : ref _afterFailure[slot];
        Interlocked.Increment(ref counter);
        lock (_lock)
        {
            // A successful answer without the value says most about the cause: it replaces a failed one.
            if (_samples[slot] is null || (succeeded && !_sampleSucceeded[slot]))
            {
                _samples[slot] = Describe(result, response);
                _sampleSucceeded[slot] = succeeded;
            }
        }
    }

    /// <summary>Every capture that missed at least once, in the scenario's order.</summary>
    public IReadOnlyList<CaptureMiss> Results()
    {
        var result = new List<CaptureMiss>();
        foreach (var point in _points)
        {
            for (var c = 0; c < point.Captures.Count; c++)
            {
                var slot = point.First + c;
                var (success, failure) = (Interlocked.Read(ref _afterSuccess[slot]), Interlocked.Read(ref _afterFailure[slot]));
                if (success + failure == 0)
                {
                    continue;
                }

                string sample;
                lock (_lock)
                {
                    sample = _samples[slot] ?? string.Empty;
                }

                var capture = point.Captures[c];
                var from = capture.Source == LoadCaptureSource.Header ? $"header '{capture.Name}'" : $"JSON property '{capture.Name}'";
                result.Add(new CaptureMiss(point.Journey, point.Request, point.Route, capture.Variable, from, success, failure, sample, point.NotSent));
            }
        }

        return result;
    }

    private static string Describe(in ExchangeResult result, ResponseCapture? response)
    {
        if (result.Status != ExchangeStatus.Response)
        {
            return result.Status == ExchangeStatus.Timeout ? "no answer (timeout)" : "no answer (connection error)";
        }

        var body = response is null ? [] : response.Body.WrittenSpan;
        if (body.IsEmpty)
        {
            return string.Create(CultureInfo.InvariantCulture, $"status {result.StatusCode}, empty body");
        }

        var kept = body[..Math.Min(body.Length, SampleBytes)];
        var text = Printable.Escape(Encoding.UTF8.GetString(kept));
        return body.Length > kept.Length
            ? string.Create(CultureInfo.InvariantCulture, $"status {result.StatusCode}, body ({body.Length} bytes, the first {kept.Length}): {text}")
            : string.Create(CultureInfo.InvariantCulture, $"status {result.StatusCode}, body: {text}");
    }
}

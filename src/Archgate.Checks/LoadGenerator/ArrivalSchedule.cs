namespace Archgate.Checks.LoadGenerator;

/// <summary>
/// Intended send times of the open model. Arrival <c>n</c> is due when the integral of the rate since
/// the start reaches <c>n</c>, so a constant 10/s over 1 s gives arrivals at 0, 0.1, ..., 0.9 s and a
/// ramp from 0 gives ever closer arrivals. Thread-safe and pure: no clock inside.
/// </summary>
internal sealed class ArrivalSchedule
{
    private readonly Segment[] _segments;
    private long _next;

    public ArrivalSchedule(StageTimeline timeline)
    {
        var segments = new List<Segment>();
        var area = 0.0;
        foreach (var (start, length, from, to) in timeline.Segments())
        {
            var seconds = length.TotalSeconds;
            var segmentArea = (from + to) / 2 * seconds;
            segments.Add(new Segment(start.TotalSeconds, seconds, from, to, area, area + segmentArea));
            area += segmentArea;
        }

        _segments = [.. segments];
        ExpectedArrivals = area;
    }

    /// <summary>How many arrivals the whole schedule holds (the area under the rate).</summary>
    public double ExpectedArrivals { get; }

    /// <summary>Claims the next arrival; false when the schedule is over.</summary>
    public bool TryNext(out TimeSpan intendedOffset)
    {
        var n = Interlocked.Increment(ref _next) - 1;
        return TryGetArrival(n, out intendedOffset);
    }

    /// <summary>The intended offset of arrival <paramref name="n"/> (0-based); false past the end.</summary>
    public bool TryGetArrival(long n, out TimeSpan intendedOffset)
    {
        foreach (var s in _segments)
        {
            if (n >= s.AreaEnd || s.AreaEnd <= s.AreaStart)
            {
                continue;
            }

            // Solve area(tau) = x with area(tau) = from*tau + k*tau^2, k = (to-from)/(2*length),
            // in the form that stays exact when k is 0 or from is 0.
            var x = n - s.AreaStart;
            var k = (s.To - s.From) / (2 * s.Length);
            var discriminant = (s.From * s.From) + (4 * k * x);
            var denominator = s.From + Math.Sqrt(Math.Max(0, discriminant));
            var tau = denominator <= 0 ? 0 : 2 * x / denominator;
            intendedOffset = TimeSpan.FromSeconds(s.Start + Math.Min(tau, s.Length));
            return true;
        }

        intendedOffset = default;
        return false;
    }

    private readonly record struct Segment(double Start, double Length, double From, double To, double AreaStart, double AreaEnd);
}

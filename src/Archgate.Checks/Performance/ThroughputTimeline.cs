using System.Globalization;
using Archgate.Checks.LoadGenerator;
using Archgate.Protocol;
using Archgate.Reporting;

namespace Archgate.Checks.Performance;

/// <summary>
/// Step 8's throughput over time: the load engine's progress, once a second, kept as the requests completed per
/// second in that second and the stage it fell in, and reported as the metric <c>http_reqs_timeline</c>
/// (<c>component</c>, <c>stage</c>, <c>t</c> = seconds since the load started). Each report is also passed on to
/// <paramref name="forward"/> (the live activity line). Synchronous: <see cref="Progress{T}"/> would post the
/// reports to the thread pool, out of order and possibly after the load ended.
/// </summary>
internal sealed class ThroughputTimeline(Action<LoadProgress>? forward) : IProgress<LoadProgress>
{
    /// <summary>At most this many points are kept (an hour at one a second); later ones are dropped.</summary>
    public const int MaxPoints = 3600;

    private readonly List<(int Second, string Stage, double Rate)> _points = [];

    public void Report(LoadProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        lock (_points)
        {
            var second = (int)Math.Round(value.Elapsed.TotalSeconds);
            if (_points.Count < MaxPoints && (_points.Count == 0 || _points[^1].Second < second))
            {
                _points.Add((second, value.Stage, value.RequestsPerSecond));
            }
        }

        forward?.Invoke(value);
    }

    /// <summary>The timeline as metrics of <paramref name="component"/>.</summary>
    public IReadOnlyList<Metric> Metrics(string component)
    {
        lock (_points)
        {
            return [.. _points.Select(p => new Metric(
                HtmlReporter.ThroughputMetric,
                LoadReport.Tags(component, null, p.Stage, ("t", p.Second.ToString(CultureInfo.InvariantCulture))),
                Math.Round(p.Rate, 1),
                "req/s"))];
        }
    }
}

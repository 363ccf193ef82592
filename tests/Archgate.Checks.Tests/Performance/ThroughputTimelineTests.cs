using Archgate.Checks.LoadGenerator;
using Archgate.Checks.Performance;

namespace Archgate.Checks.Tests.Performance;

public sealed class ThroughputTimelineTests
{
    private static LoadProgress At(double seconds, string stage, double rate) =>
        new(TimeSpan.FromSeconds(seconds), stage, 10, 3, 100, rate, 12, 0, 0);

    [Fact]
    public void Each_second_of_the_load_becomes_one_point_tagged_with_its_stage_and_every_report_is_passed_on()
    {
        var forwarded = new List<LoadProgress>();
        var timeline = new ThroughputTimeline(forwarded.Add);

        timeline.Report(At(1.02, "baseline", 95.44));
        timeline.Report(At(1.98, "baseline", 101));
        timeline.Report(At(2.3, "stress", 180)); // the same second again: kept once
        timeline.Report(At(3.01, "stress", 420.06));

        Assert.Equal(4, forwarded.Count);
        Assert.Equal(
            ["http_reqs_timeline{component=api,stage=baseline,t=1} 95.4 req/s", "http_reqs_timeline{component=api,stage=baseline,t=2} 101 req/s", "http_reqs_timeline{component=api,stage=stress,t=3} 420.1 req/s"],
            timeline.Metrics("api").Select(m => $"{m} {m.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)} {m.Unit}"));
    }
}

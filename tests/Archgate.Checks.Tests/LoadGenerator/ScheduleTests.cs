using Archgate.Checks.LoadGenerator;

namespace Archgate.Checks.Tests.LoadGenerator;

public class ScheduleTests
{
    private static readonly TimeSpan OneSecond = TimeSpan.FromSeconds(1);

    [Fact]
    public void The_timeline_holds_each_stage_target_and_ramps_linearly()
    {
        var timeline = new StageTimeline([new LoadStage("baseline", OneSecond, 100), new LoadStage("stress", OneSecond * 2, 500) { RampUp = OneSecond }]);

        Assert.Equal(100, timeline.TargetAt(TimeSpan.FromMilliseconds(500)));
        Assert.Equal(300, timeline.TargetAt(TimeSpan.FromMilliseconds(1500)), 6);
        Assert.Equal(500, timeline.TargetAt(TimeSpan.FromMilliseconds(2500)));
        Assert.Equal(0, timeline.TargetAt(TimeSpan.FromSeconds(3)));
        Assert.Equal(1, timeline.StageAt(TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void Target_changes_are_polled_while_ramping_and_jump_to_the_boundary_while_holding()
    {
        var timeline = new StageTimeline([new LoadStage("a", OneSecond, 10), new LoadStage("b", OneSecond, 20) { RampUp = TimeSpan.FromMilliseconds(250) }]);
        var tick = TimeSpan.FromMilliseconds(100);

        Assert.Equal(OneSecond, timeline.NextChange(TimeSpan.FromMilliseconds(300), tick));
        Assert.Equal(TimeSpan.FromMilliseconds(1100), timeline.NextChange(OneSecond, tick));
        Assert.Equal(TimeSpan.FromMilliseconds(1250), timeline.NextChange(TimeSpan.FromMilliseconds(1200), tick));
        Assert.Equal(TimeSpan.FromSeconds(2), timeline.NextChange(TimeSpan.FromMilliseconds(1250), tick));
    }

    [Fact]
    public void A_constant_rate_spaces_arrivals_evenly_and_stops_at_the_end()
    {
        var schedule = new ArrivalSchedule(new StageTimeline(LoadProfiles.Constant(10, OneSecond)));

        var arrivals = Drain(schedule);

        Assert.Equal(Enumerable.Range(0, 10).Select(i => i * 100.0), arrivals.Select(a => Math.Round(a.TotalMilliseconds, 6)));
    }

    [Fact]
    public void A_ramp_from_zero_sends_ever_closer_arrivals_totalling_the_area_under_the_rate()
    {
        // 0 -> 100/s over 2 s: 100 arrivals, the gaps shrink.
        var schedule = new ArrivalSchedule(new StageTimeline([new LoadStage("ramp", OneSecond * 2, 100) { RampUp = OneSecond * 2 }]));

        var arrivals = Drain(schedule);

        Assert.Equal(100, arrivals.Count);
        Assert.True(arrivals[2] - arrivals[1] > arrivals[^1] - arrivals[^2]);
        Assert.Equal(Math.Sqrt(50.0 / 25), arrivals[50].TotalSeconds, 6);
    }

    [Fact]
    public void Stages_of_different_rates_follow_each_other()
    {
        var schedule = new ArrivalSchedule(new StageTimeline([new LoadStage("a", OneSecond, 2), new LoadStage("b", OneSecond, 4)]));

        var arrivals = Drain(schedule).Select(a => a.TotalMilliseconds).ToArray();

        Assert.Equal([0, 500, 1000, 1250, 1500, 1750], arrivals.Select(a => Math.Round(a, 6)));
    }

    private static List<TimeSpan> Drain(ArrivalSchedule schedule)
    {
        var list = new List<TimeSpan>();
        while (schedule.TryNext(out var t) && list.Count < 10_000)
        {
            list.Add(t);
        }

        return list;
    }
}

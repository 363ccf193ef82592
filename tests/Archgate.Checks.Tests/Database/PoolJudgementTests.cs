using Archgate.Checks.Database;

namespace Archgate.Checks.Tests.Database;

public sealed class PoolJudgementTests
{
    private static PoolUsage Usage(int inUse, int open) => new(30, inUse, open, 0, 0, 0, 0, null);

    [Fact]
    public void Open_but_idle_connections_are_not_utilization()
    {
        // node-postgres' pool of 10 under the default probe load: 8 opened, 2 ever busy.
        var judged = PoolJudgement.Of(Usage(inUse: 2, open: 8), poolMax: 10, refused: 0, loadConcurrency: 8, target: 0.8);

        Assert.Equal((0.2, PoolVerdict.Below, false), (judged.Utilization, judged.Verdict, judged.Exhausted));
    }

    [Fact]
    public void A_peak_no_higher_than_the_probes_own_concurrency_is_load_bound_not_a_defect()
    {
        var judged = PoolJudgement.Of(Usage(inUse: 8, open: 10), poolMax: 10, refused: 0, loadConcurrency: 8, target: 0.8);

        Assert.Equal((0.8, PoolVerdict.LoadBound, false), (judged.Utilization, judged.Verdict, judged.Exhausted));
        Assert.Equal(8, PoolJudgement.JudgeableConcurrency(10, 0.8));
    }

    [Fact]
    public void More_connections_in_use_than_requests_in_flight_is_at_the_target_and_a_full_pool_is_exhausted()
    {
        var judged = PoolJudgement.Of(Usage(inUse: 6, open: 6), poolMax: 6, refused: 0, loadConcurrency: 4, target: 0.8);

        Assert.Equal((1.0, PoolVerdict.AtTarget, true), (judged.Utilization, judged.Verdict, judged.Exhausted));
    }

    [Fact]
    public void A_full_pool_that_refuses_callers_is_exhausted_even_when_its_connections_look_idle()
    {
        // Checked out but idle (a driver sends BEGIN with the first command): pg_stat_activity shows them idle.
        var judged = PoolJudgement.Of(Usage(inUse: 0, open: 2), poolMax: 2, refused: 3, loadConcurrency: 6, target: 0.8);

        Assert.Equal((1.0, PoolVerdict.AtTarget, true, true), (judged.Utilization, judged.Verdict, judged.Crowded, judged.Exhausted));
    }

    [Fact]
    public void A_pool_with_connections_it_has_not_opened_is_not_exhausted_by_refusals()
    {
        // node-postgres' pool of 10 keeping 8 open and idle, 1 ever busy, while callers were turned away: the pool had
        // connections to give, so whatever refused them, it was not the pool.
        var judged = PoolJudgement.Of(Usage(inUse: 1, open: 8), poolMax: 10, refused: 5224, loadConcurrency: 6, target: 0.8);

        Assert.Equal((0.1, PoolVerdict.Below, false, false), (judged.Utilization, judged.Verdict, judged.Crowded, judged.Exhausted));
    }

    [Fact]
    public void Refused_requests_with_connections_to_spare_are_not_pool_exhaustion()
    {
        var judged = PoolJudgement.Of(Usage(inUse: 1, open: 2), poolMax: 10, refused: 5, loadConcurrency: 8, target: 0.8);

        Assert.Equal((0.1, PoolVerdict.Below, false), (judged.Utilization, judged.Verdict, judged.Exhausted));
    }
}

namespace Archgate.Checks.Database;

/// <summary>How a pool's peak under the probe load is judged against the utilization target.</summary>
internal enum PoolVerdict
{
    /// <summary>Below the target.</summary>
    Below,

    /// <summary>At or above the target, and the probe load alone does not explain it (AG3020, high).</summary>
    AtTarget,

    /// <summary>At or above the target, but by no more connections than the probe has requests in flight (AG3020, info).</summary>
    LoadBound,
}

/// <summary>
/// The judgement of one pool's <see cref="PoolUsage"/> under the probe load. Utilization is the connections in use
/// (active or idle in transaction) against the pool's maximum: a pool keeps connections it has opened for the next
/// caller (Npgsql, node-postgres, HikariCP), so open but idle ones are spare capacity, not pressure. Open connections
/// count only where the pool shows it had none to spare: every connection was open while callers were refused (503) or
/// timed out; a 429 is the service's rate limiter and never counts as refused here. That covers a connection checked out but idle, which <c>pg_stat_activity</c> cannot tell from a pooled one (a
/// driver sends BEGIN only with the first command). A peak of no more connections in use than the probe has requests in
/// flight is what the probe itself asks for, and says nothing about the service; more than that means connections held
/// beyond their request (leaks, fan-out).
/// </summary>
internal sealed record PoolJudgement(double Utilization, PoolVerdict Verdict, bool Crowded, bool Exhausted)
{
    /// <param name="refused">Probe requests refused (503) or timed out: a pool's waiters. Not 429s.</param>
    public static PoolJudgement Of(PoolUsage usage, int poolMax, long refused, int loadConcurrency, double target)
    {
        if (poolMax <= 0)
        {
            return new PoolJudgement(0, PoolVerdict.Below, false, false);
        }

        // A pool with a connection it has not opened yet is not out of them, however many idle ones it keeps.
        var crowded = refused > 0 && usage.PeakOpen >= poolMax;
        var utilization = (double)(crowded ? Math.Max(usage.PeakOpen, usage.PeakInUse) : usage.PeakInUse) / poolMax;
        var beyondLoad = usage.PeakInUse > loadConcurrency;
        var verdict = utilization < target ? PoolVerdict.Below
            : crowded || beyondLoad ? PoolVerdict.AtTarget
            : PoolVerdict.LoadBound;
        var exhausted = crowded || (usage.PeakInUse >= poolMax && beyondLoad);
        return new PoolJudgement(utilization, verdict, crowded, exhausted);
    }

    /// <summary>The fewest concurrent requests that reach <paramref name="target"/> of a pool of <paramref name="poolMax"/> by themselves.</summary>
    public static int JudgeableConcurrency(int poolMax, double target) => (int)Math.Ceiling(target * poolMax);
}

namespace Archgate.Checks.Performance;

/// <summary>Rule ids of step 8 (performance and load); documented in docs/rules.md.</summary>
internal static class PerformanceRules
{
    /// <summary>The metric of a regression against the last GO baseline (fraction), step 8's escalation input.</summary>
    public const string RegressionMetric = "performance_regression";

    /// <summary>A route's latency is above its SLO or a latency threshold failed.</summary>
    public const string LatencyAboveSlo = "AG8001";

    /// <summary>The error rate is above the SLO or an error-rate threshold failed.</summary>
    public const string ErrorRateAboveSlo = "AG8002";

    /// <summary>Another threshold (throughput, late requests, data) failed.</summary>
    public const string ThresholdFailed = "AG8003";

    /// <summary>A threshold had nothing to judge (no such route or stage was measured).</summary>
    public const string ThresholdNoData = "AG8004";

    /// <summary>The load could not run: the target or the scenario's setup failed.</summary>
    public const string LoadNotRun = "AG8005";

    /// <summary>The load was stopped early by a threshold with abortOnFail.</summary>
    public const string Aborted = "AG8006";

    /// <summary>What the load measured, route by route (a readable summary of the metrics).</summary>
    public const string Summary = "AG8009";

    /// <summary>The slowest routes, with their share of the time.</summary>
    public const string SlowestRoutes = "AG8010";

    /// <summary>A latency or error knee between two stages.</summary>
    public const string Knee = "AG8011";

    /// <summary>Failed requests by cause.</summary>
    public const string ErrorCauses = "AG8012";

    /// <summary>The PostgreSQL statements that consumed the database's time during the load (pg_stat_statements delta).</summary>
    public const string Statements = "AG8013";

    /// <summary>pg_stat_statements could not be read, so the database's share is unknown.</summary>
    public const string StatementsUnavailable = "AG8014";

    /// <summary>A service's or frontend's SLO sets a p95 or an error rate, and step 8 loads another component.</summary>
    public const string SloNotJudged = "AG8015";

    /// <summary>A load request's capture found nothing: the iterations stopped there, the journey's later requests unsent.</summary>
    public const string CaptureMissed = "AG8016";

    /// <summary>One single-row statement ran many times per request of the load: an N+1 query pattern.</summary>
    public const string NPlusOne = "AG8017";

    /// <summary>p95 or throughput worse than the last GO run by more than 50 %.</summary>
    public const string Regression = "AG8020";

    /// <summary>No GO run of this system to compare with yet.</summary>
    public const string NoBaseline = "AG8021";

    /// <summary>A page's First Contentful Paint is above its SLO.</summary>
    public const string FcpAboveSlo = "AG8030";

    /// <summary>A page's Largest Contentful Paint is above its SLO.</summary>
    public const string LcpAboveSlo = "AG8031";

    /// <summary>A page could not be measured (did not load, answered an error, or painted nothing).</summary>
    public const string PageNotMeasured = "AG8032";

    /// <summary>A load agent process failed or sent nothing.</summary>
    public const string AgentFailed = "AG8040";
}

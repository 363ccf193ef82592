using Archgate.Judging;
using Archgate.Protocol;

namespace Archgate.Core.Tests.Judging;

public sealed class RunOutcomeTests
{
    private static RunRecord Run(Verdict verdict, params CheckResult[] checks) => new()
    {
        RunId = "r",
        System = "s",
        ManifestPath = "/m",
        ManifestSha256 = "x",
        StartedAt = DateTimeOffset.UnixEpoch,
        Verdict = verdict,
        Steps = [new StepResult { Number = 4, Name = "Service-to-service", Status = StepResult.Aggregate(checks), Checks = checks }],
    };

    private static CheckResult Probe(Reachability reachability, CheckStatus status = CheckStatus.Fail) =>
        new() { Id = "probe", Status = status, Reachability = reachability };

    [Fact]
    public void Every_reachability_probe_unreachable_is_an_infrastructure_error_exit_3()
    {
        var outcome = RunOutcomes.Of(Run(Verdict.NoGo, Probe(Reachability.Unreachable), Probe(Reachability.Unreachable)));

        Assert.Equal(RunOutcome.InfrastructureError, outcome);
        Assert.Equal(ExitCodes.Infrastructure, RunOutcomes.ExitCode(outcome));
    }

    [Fact]
    public void One_probe_that_reached_its_target_makes_it_a_verdict()
    {
        var outcome = RunOutcomes.Of(Run(Verdict.NoGo, Probe(Reachability.Unreachable), Probe(Reachability.Reached)));

        Assert.Equal(RunOutcome.NoGo, outcome);
        Assert.Equal(ExitCodes.NoGo, RunOutcomes.ExitCode(outcome));
    }

    [Theory]
    [InlineData(Verdict.Go, RunOutcome.Go, 0)]
    [InlineData(Verdict.NoGo, RunOutcome.NoGo, 4)]
    [InlineData(Verdict.Incomplete, RunOutcome.Incomplete, 5)]
    public void Without_probes_the_verdict_decides(Verdict verdict, RunOutcome expected, int exitCode)
    {
        var outcome = RunOutcomes.Of(Run(verdict, new CheckResult { Id = "x", Status = CheckStatus.Pass }));

        Assert.Equal(expected, outcome);
        Assert.Equal(exitCode, RunOutcomes.ExitCode(outcome));
    }
}

using Archgate.Protocol;

namespace Archgate.Judging;

/// <summary>What a finished run amounts to, for CI: a verdict, or an infrastructure error when there was nothing to judge.</summary>
public enum RunOutcome
{
    /// <summary>Every gating criterion passed (or does not apply).</summary>
    Go,

    /// <summary>At least one criterion failed.</summary>
    NoGo,

    /// <summary>No criterion failed; some were not evaluated.</summary>
    Incomplete,

    /// <summary>Not one database or service could be reached at all: the system was not there to judge.</summary>
    InfrastructureError,

    /// <summary>Every other criterion passed: the run waits for its reviews and sign-off (GO pending sign-off); exit code 6.</summary>
    AwaitingSignoff,
}

/// <summary>Decides a run's outcome from its typed results, and the exit code CI reads.</summary>
public static class RunOutcomes
{
    /// <summary>
    /// The outcome of a finished run: its verdict, except that a run in which every reachability probe found nothing
    /// (and there was at least one) is an infrastructure error.
    /// </summary>
    public static RunOutcome Of(RunRecord run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var probes = run.Steps.SelectMany(s => s.Checks).Where(c => c.Reachability is not null).ToList();
        if (probes.Count > 0 && probes.All(c => c.Reachability == Reachability.Unreachable))
        {
            return RunOutcome.InfrastructureError;
        }

        if (run.Verdict == Verdict.Incomplete && run.Awaiting is not null)
        {
            return RunOutcome.AwaitingSignoff;
        }

        return run.Verdict switch
        {
            Verdict.Go => RunOutcome.Go,
            Verdict.NoGo => RunOutcome.NoGo,
            _ => RunOutcome.Incomplete,
        };
    }

    /// <summary>The process exit code of an outcome.</summary>
    public static int ExitCode(RunOutcome outcome) => outcome switch
    {
        RunOutcome.Go => ExitCodes.Go,
        RunOutcome.NoGo => ExitCodes.NoGo,
        RunOutcome.InfrastructureError => ExitCodes.Infrastructure,
        RunOutcome.AwaitingSignoff => ExitCodes.AwaitingSignoff,
        _ => ExitCodes.Incomplete,
    };
}

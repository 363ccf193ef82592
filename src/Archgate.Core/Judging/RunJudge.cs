using Archgate.Protocol;

namespace Archgate.Judging;

/// <summary>
/// The last word on a finished run: waivers in force applied to its criteria, step 10's sign-off judged from the
/// run's records, the verdict, why it awaits people, the sign-off trail and the waivers. Called when a run
/// finishes and again after every review or sign-off, so run.json and the report always agree with the store.
/// </summary>
public static class RunJudge
{
    /// <summary>
    /// <paramref name="run"/> (completed, with steps and criteria) judged with its records and the system's at
    /// <paramref name="now"/>.
    /// </summary>
    public static RunRecord Judge(ProtocolDefinition protocol, RunRecord run, IReadOnlyList<SignoffRecord> runRecords, IReadOnlyList<SignoffRecord> systemRecords, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        ArgumentNullException.ThrowIfNull(run);
        var seen = Waivers.Statuses(systemRecords, now);
        var inForce = Waivers.InForce(seen);
        int? StepOf(string id) => protocol.Steps.FirstOrDefault(s => s.Criterion?.Id == id)?.Number;
        StepResult? Step(int? n) => run.Steps.FirstOrDefault(s => s.Number == n);

        var criteria = run.Criteria.Select(c => c.Id == SignoffJudge.CriterionId ? c : Waivers.Apply(c, Step(StepOf(c.Id)), inForce)).ToList();
        var used = criteria.Where(c => c.Status == CriterionStatus.Waived).SelectMany(c => c.WaivedRules ?? []).ToHashSet(StringComparer.Ordinal);
        var waivers = Waivers.Statuses(systemRecords, now, used);
        var steps = run.Steps.ToList();
        string? awaiting = null;

        var number = StepOf(SignoffJudge.CriterionId);
        var signoffStep = Step(number);
        var ran = signoffStep is not null && signoffStep.NotApplicable is null && signoffStep.Checks.All(c => c.Skip != SkipKind.NotSelected) && signoffStep.Checks.Count > 0;
        if (ran && run.SignoffPolicy is { } policy)
        {
            var assessment = SignoffJudge.Assess(criteria, policy, runRecords, waivers);
            var old = signoffStep!.Checks[0];
            var check = assessment.Result with { Id = old.Id, Title = old.Title, DurationMs = old.DurationMs };
            var step = signoffStep with { Checks = [check], Status = StepResult.Aggregate([check]) };
            steps[steps.IndexOf(signoffStep)] = step;
            var (status, observed) = CriteriaEvaluator.Judge(number!.Value, step);
            criteria = criteria.Select(c => c.Id == SignoffJudge.CriterionId ? c with { Status = status, Observed = check.Reason ?? observed } : c).ToList();
            awaiting = assessment.State == SignoffState.Awaiting ? assessment.Reason : null;
        }

        return run with
        {
            Steps = steps,
            Criteria = criteria,
            Verdict = CriteriaEvaluator.Decide(criteria),
            Awaiting = awaiting,
            Signoffs = runRecords,
            Waivers = waivers,
        };
    }
}

using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Judging;

/// <summary>
/// Judges the protocol's validation criteria from the step results, then the verdict. Measuring is done by
/// checks; this class only judges. A step that checked nothing never passes: with no evaluated check it is
/// not-evaluated, unless the step table says the manifest has nothing for it (not-applicable, with the reason).
/// </summary>
public static class CriteriaEvaluator
{
    /// <summary>
    /// Evaluates the criterion of every step that has one, with targets computed from the model; a failed criterion
    /// whose failing rules are all covered by <paramref name="waivers"/> (those in force) is waived.
    /// </summary>
    public static IReadOnlyList<Criterion> Evaluate(ProtocolDefinition protocol, SystemModel system, IReadOnlyList<StepResult> steps, IReadOnlyCollection<string>? waivers = null) =>
        protocol.Steps.Where(d => d.Criterion is not null)
            .Select(d =>
            {
                var step = steps.FirstOrDefault(s => s.Number == d.Number);
                var (status, observed) = Judge(d.Number, step);
                var criterion = new Criterion(d.Criterion!.Id, d.Criterion.Description, status, observed, d.Criterion.Target(system)) { GatesVerdict = d.Criterion.GatesVerdict };
                return Waivers.Apply(criterion, step, waivers ?? []);
            })
            .ToList();

    /// <summary>A criterion's status and what was observed, from its step's result alone.</summary>
    public static (CriterionStatus Status, string Observed) Judge(int number, StepResult? step)
    {
        static (CriterionStatus, string) Make(CriterionStatus status, string observed) => (status, observed);

        if (step is null)
        {
            return Make(CriterionStatus.NotEvaluated, $"step {number} did not run");
        }

        if (step.NotApplicable is { } reason)
        {
            return Make(CriterionStatus.NotApplicable, reason);
        }

        var checks = step.Checks;
        var failed = checks.Where(c => c.Status == CheckStatus.Fail).ToList();
        var evaluated = checks.Count(c => c.Status is CheckStatus.Pass or CheckStatus.Warn or CheckStatus.Fail);
        if (failed.Count > 0)
        {
            return Make(CriterionStatus.Fail, $"{failed.Count} of {evaluated} checks failed: {string.Join(", ", failed.Select(c => c.Id))}");
        }

        var errored = checks.Where(c => c.Status == CheckStatus.Error).ToList();
        if (errored.Count > 0)
        {
            return Make(CriterionStatus.NotEvaluated, $"{errored.Count} checks could not complete: {string.Join(", ", errored.Select(c => c.Id))}");
        }

        if (checks.FirstOrDefault(c => c.Skip == SkipKind.Awaiting) is { } awaiting)
        {
            return Make(CriterionStatus.NotEvaluated, awaiting.Reason ?? "awaiting people");
        }

        var pending = checks.Where(c => c.Skip is SkipKind.NotImplemented or SkipKind.NotSelected).ToList();
        if (pending.Count > 0 && pending.All(c => c.Skip == SkipKind.NotSelected) && evaluated == 0)
        {
            return Make(CriterionStatus.NotSelected, "step not selected (--steps)");
        }

        if (pending.Count > 0)
        {
            var why = pending.Any(c => c.Skip == SkipKind.NotSelected) ? "not selected" : "not implemented yet";
            return Make(CriterionStatus.NotEvaluated, $"{evaluated} checks passed; {pending.Count} {why}: {string.Join(", ", pending.Select(c => c.Id))}");
        }

        if (evaluated == 0)
        {
            var reasons = string.Join("; ", checks.Select(c => c.Reason).Where(r => r is not null).Distinct());
            return Make(CriterionStatus.NotEvaluated, reasons.Length == 0 ? "no check evaluated" : $"no check evaluated: {reasons}");
        }

        return Make(CriterionStatus.Pass, $"{evaluated} of {evaluated} checks passed");
    }

    /// <summary>
    /// NO-GO on any failed criterion; GO when every criterion that gates the verdict passed, was waived or does not
    /// apply, at least one passed (or was waived), and the sign-off (criterion <see cref="SignoffJudge.CriterionId"/>) passed; a step
    /// left out with <c>--steps</c> holds back GO until the approver signed the run off with that scope.
    /// INCOMPLETE otherwise.
    /// </summary>
    public static Verdict Decide(IReadOnlyList<Criterion> criteria)
    {
        ArgumentNullException.ThrowIfNull(criteria);
        var signed = criteria.Any(c => c.Id == SignoffJudge.CriterionId && c.Status == CriterionStatus.Pass);
        return Decide(criteria, acceptNotSelected: signed);
    }

    /// <summary>
    /// The verdict of the evidence alone: every criterion but the sign-off, a step left out with <c>--steps</c> not
    /// holding it back (the approver accepts that scope by signing). GO here means "GO pending sign-off".
    /// </summary>
    public static Verdict DecideEvidence(IReadOnlyList<Criterion> criteria)
    {
        ArgumentNullException.ThrowIfNull(criteria);
        return Decide(criteria.Where(c => c.Id != SignoffJudge.CriterionId).ToList(), acceptNotSelected: true);
    }

    private static Verdict Decide(IReadOnlyList<Criterion> criteria, bool acceptNotSelected)
    {
        var gating = criteria.Where(c => c.GatesVerdict).ToList();
        if (gating.Any(c => c.Status == CriterionStatus.Fail))
        {
            return Verdict.NoGo;
        }

        bool Accepted(Criterion c) =>
            c.Status is CriterionStatus.Pass or CriterionStatus.NotApplicable or CriterionStatus.Waived
            || (acceptNotSelected && c.Status == CriterionStatus.NotSelected);

        return gating.All(Accepted) && gating.Any(c => c.Status is CriterionStatus.Pass or CriterionStatus.Waived && c.Id != SignoffJudge.CriterionId)
            ? Verdict.Go
            : Verdict.Incomplete;
    }
}

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
    /// <summary>Evaluates the criterion of every step that has one, with targets computed from the model.</summary>
    public static IReadOnlyList<Criterion> Evaluate(ProtocolDefinition protocol, SystemModel system, IReadOnlyList<StepResult> steps) =>
        protocol.Steps.Where(d => d.Criterion is not null)
            .Select(d => Evaluate(d.Number, d.Criterion!, system, steps.FirstOrDefault(s => s.Number == d.Number)))
            .ToList();

    private static Criterion Evaluate(int number, CriterionDefinition d, SystemModel system, StepResult? step)
    {
        Criterion Make(CriterionStatus status, string observed) =>
            new(d.Id, d.Description, status, observed, d.Target(system)) { GatesVerdict = d.GatesVerdict };

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

        var pending = checks.Where(c => c.Skip is SkipKind.NotImplemented or SkipKind.NotSelected).ToList();
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
    /// NO-GO on any failed criterion; GO when every criterion that gates the verdict passed or does not apply and at
    /// least one passed; INCOMPLETE otherwise.
    /// </summary>
    public static Verdict Decide(IReadOnlyList<Criterion> criteria)
    {
        var gating = criteria.Where(c => c.GatesVerdict).ToList();
        if (gating.Any(c => c.Status == CriterionStatus.Fail))
        {
            return Verdict.NoGo;
        }

        return gating.All(c => c.Status is CriterionStatus.Pass or CriterionStatus.NotApplicable) && gating.Any(c => c.Status == CriterionStatus.Pass)
            ? Verdict.Go
            : Verdict.Incomplete;
    }
}

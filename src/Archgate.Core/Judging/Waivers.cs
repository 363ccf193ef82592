using Archgate.Protocol;

namespace Archgate.Judging;

/// <summary>
/// Waivers: failing rules the approver accepted with a reason until an expiry date. A waiver covers a rule id for
/// every run of the same system (any manifest hash) until it expires; an expired waiver waives nothing.
/// </summary>
public static class Waivers
{
    /// <summary>
    /// The rules that make a failed check fail: the rules of its high and critical findings, or of all its findings
    /// when none is high; empty when it failed without a finding (such a failure cannot be waived).
    /// </summary>
    public static IReadOnlyList<string> FailingRules(CheckResult check)
    {
        ArgumentNullException.ThrowIfNull(check);
        if (check.Status != CheckStatus.Fail)
        {
            return [];
        }

        var high = check.Findings.Where(f => f.Severity >= Severity.High).Select(f => f.Rule).ToList();
        return (high.Count > 0 ? high : check.Findings.Select(f => f.Rule)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>The failing rules of every failed check of a step, and whether some failed check has none (cannot be waived).</summary>
    public static (IReadOnlyList<string> Rules, IReadOnlyList<string> Unwaivable) FailingRules(StepResult step)
    {
        ArgumentNullException.ThrowIfNull(step);
        var failed = step.Checks.Where(c => c.Status == CheckStatus.Fail).ToList();
        return (failed.SelectMany(FailingRules).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(),
            failed.Where(c => FailingRules(c).Count == 0).Select(c => c.Id).ToList());
    }

    /// <summary>
    /// <paramref name="criterion"/> as judged with the rules in <paramref name="waived"/> in force: a failed (or
    /// formerly waived) criterion whose step's failing rules are all covered is waived, else failed.
    /// </summary>
    public static Criterion Apply(Criterion criterion, StepResult? step, IReadOnlyCollection<string> waived)
    {
        ArgumentNullException.ThrowIfNull(criterion);
        ArgumentNullException.ThrowIfNull(waived);
        if (step is null || !(criterion.Status is CriterionStatus.Fail or CriterionStatus.Waived || criterion.WaivedRules is not null))
        {
            return criterion;
        }

        var (rules, unwaivable) = FailingRules(step);
        if (rules.Count == 0 || unwaivable.Count > 0 || !rules.All(waived.Contains))
        {
            return criterion with { Status = CriterionStatus.Fail, WaivedRules = null };
        }

        // A waiver answers failures; it does not evaluate what did not run (a check not implemented yet, or one that errored).
        var open = step.Checks.Where(c => c.Status == CheckStatus.Error || c.Skip == SkipKind.NotImplemented).Select(c => c.Id).ToList();
        return open.Count == 0
            ? criterion with { Status = CriterionStatus.Waived, WaivedRules = rules }
            : criterion with { Status = CriterionStatus.NotEvaluated, WaivedRules = rules };
    }

    /// <summary>
    /// Every waiver granted on the system's runs (<paramref name="records"/>: approvals by the approver), as seen at
    /// <paramref name="now"/>: in force or expired; <paramref name="used"/> marks the rules the judged run needed.
    /// </summary>
    public static IReadOnlyList<WaiverStatus> Statuses(IEnumerable<SignoffRecord> records, DateTimeOffset now, IReadOnlyCollection<string>? used = null)
    {
        ArgumentNullException.ThrowIfNull(records);
        return records
            .Where(r => r.Kind == SignoffJudge.SignoffKind && r.Decision == SignoffDecision.Approve && r.At <= now)
            .SelectMany(r => r.Waivers.Select(w => new WaiverStatus(w, r.Identity, r.Role, r.RunId, r.At, Expired: w.Expires <= now,
                Used: w.Expires > now && (used?.Contains(w.Rule) ?? false))))
            .OrderBy(w => w.Waiver.Rule, StringComparer.Ordinal).ThenBy(w => w.At)
            .ToList();
    }

    /// <summary>The rules waived by at least one waiver in force.</summary>
    public static IReadOnlySet<string> InForce(IEnumerable<WaiverStatus> statuses) =>
        statuses.Where(s => !s.Expired).Select(s => s.Waiver.Rule).ToHashSet(StringComparer.Ordinal);
}

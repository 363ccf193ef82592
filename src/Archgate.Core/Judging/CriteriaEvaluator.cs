using Archgate.Protocol;

namespace Archgate.Judging;

/// <summary>
/// Judges the protocol's validation criteria from the step results, then the verdict. Measuring is done by
/// checks; this class only judges.
/// </summary>
public static class CriteriaEvaluator
{
    private sealed record Definition(string Id, int Step, string Description, string Target);

    private static readonly Definition[] Definitions =
    [
        new("contracts", 2, "API contract tests pass", "100 % of contract checks pass"),
        new("database", 3, "Database connectivity verified", "every database reachable and sound"),
        new("services", 4, "Service-to-service communication operational", "every service healthy and reachable"),
        new("frontend", 5, "Frontend-backend integration complete", "CORS, auth flow, CRUD and real-time work"),
        new("third-party", 6, "Third-party integrations functional", "timeouts <= 10 s, retries, fallback"),
        new("critical-paths", 7, "Critical user paths succeed", ">= 95 % journey success"),
        new("slo", 8, "Performance SLOs met", "API p95 < 200 ms, FCP < 1.8 s, LCP < 2.5 s"),
        new("security", 9, "Zero critical vulnerabilities", "0 critical findings"),
        new("signoff", 10, "Sign-off obtained", "every required approver signed"),
    ];

    /// <summary>The id of the sign-off criterion, which does not hold back GO in this version.</summary>
    public const string SignoffId = "signoff";

    /// <summary>Evaluates every criterion from the step results that exist.</summary>
    public static IReadOnlyList<Criterion> Evaluate(IReadOnlyList<StepResult> steps) =>
        Definitions.Select(d => Evaluate(d, steps.FirstOrDefault(s => s.Number == d.Step))).ToList();

    private static Criterion Evaluate(Definition d, StepResult? step)
    {
        Criterion Make(CriterionStatus status, string observed) => new(d.Id, d.Description, status, observed, d.Target);

        if (step is null)
        {
            return Make(CriterionStatus.NotEvaluated, $"step {d.Step} did not run");
        }

        var checks = step.Checks;
        var failed = checks.Where(c => c.Status == CheckStatus.Fail).ToList();
        if (failed.Count > 0)
        {
            var ran = checks.Count(c => c.Status != CheckStatus.Skipped);
            return Make(CriterionStatus.Fail, $"{failed.Count} of {ran} checks failed: {string.Join(", ", failed.Select(c => c.Id))}");
        }

        var errored = checks.Where(c => c.Status == CheckStatus.Error).ToList();
        if (errored.Count > 0)
        {
            return Make(CriterionStatus.NotEvaluated, $"{errored.Count} checks could not complete: {string.Join(", ", errored.Select(c => c.Id))}");
        }

        var pending = checks.Where(c => c.Skip is SkipKind.NotImplemented or SkipKind.NotSelected).ToList();
        var passed = checks.Count(c => c.Status is CheckStatus.Pass or CheckStatus.Warn);
        if (pending.Count > 0)
        {
            var why = pending.Any(c => c.Skip == SkipKind.NotSelected) ? "not selected" : "not implemented yet";
            return Make(CriterionStatus.NotEvaluated, $"{passed} checks passed; {pending.Count} {why}: {string.Join(", ", pending.Select(c => c.Id))}");
        }

        if (passed == 0)
        {
            var reasons = string.Join("; ", checks.Select(c => c.Reason).Where(r => r is not null).Distinct());
            return Make(CriterionStatus.Pass, $"nothing to check: {reasons}");
        }

        return Make(CriterionStatus.Pass, $"{passed} of {passed} checks passed");
    }

    /// <summary>GO when every criterion but sign-off passes; NO-GO on any failure; INCOMPLETE otherwise.</summary>
    public static Verdict Decide(IReadOnlyList<Criterion> criteria)
    {
        var gating = criteria.Where(c => c.Id != SignoffId).ToList();
        if (gating.Any(c => c.Status == CriterionStatus.Fail))
        {
            return Verdict.NoGo;
        }

        return gating.All(c => c.Status == CriterionStatus.Pass) ? Verdict.Go : Verdict.Incomplete;
    }
}

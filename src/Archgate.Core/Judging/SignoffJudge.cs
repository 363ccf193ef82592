using System.Globalization;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Judging;

/// <summary>Where a run's sign-off stands.</summary>
public enum SignoffState
{
    /// <summary>Some criterion was not evaluated: there is nothing complete to sign.</summary>
    EvidenceIncomplete,

    /// <summary>The evidence is NO-GO and no sign-off waived its failing rules.</summary>
    EvidenceNoGo,

    /// <summary>The evidence is GO (pending sign-off); reviews or the approver's sign-off are missing.</summary>
    Awaiting,

    /// <summary>The approver signed the run off.</summary>
    SignedOff,

    /// <summary>The approver rejected the run.</summary>
    Rejected,
}

/// <summary>Step 10's judgement: the evidence verdict, where the sign-off stands, why, and the step's check result.</summary>
/// <param name="Evidence">The verdict of every other criterion (GO: pending sign-off).</param>
/// <param name="State">Where the sign-off stands.</param>
/// <param name="Reason">One line saying so (<c>awaiting sign-off: ...</c>).</param>
/// <param name="Missing">The roles whose review or sign-off is still needed, reviewers first.</param>
/// <param name="Result">Step 10's check result: pass when signed, fail when rejected, otherwise skipped as awaiting.</param>
public sealed record SignoffAssessment(Verdict Evidence, SignoffState State, string Reason, IReadOnlyList<string> Missing, CheckResult Result);

/// <summary>
/// Step 10, sign-off: compiles the validation criteria (already judged, waivers applied) and decides what is still
/// needed: the reviews of the policy's reviewer roles, then the approver's sign-off. Pure: the same inputs give
/// the same judgement, at the end of a run and after each <c>archgate signoff</c>.
/// </summary>
public static class SignoffJudge
{
    /// <summary>The sign-off criterion's id.</summary>
    public const string CriterionId = "signoff";

    /// <summary>Record kind of a reviewer's decision.</summary>
    public const string ReviewKind = "review";

    /// <summary>Record kind of the approver's decision.</summary>
    public const string SignoffKind = "signoff";

    /// <summary>A required review is missing.</summary>
    public const string ReviewAwaited = "AG1050";

    /// <summary>The approver's sign-off is missing.</summary>
    public const string SignoffAwaited = "AG1051";

    /// <summary>The approver rejected the run.</summary>
    public const string SignoffRejected = "AG1052";

    /// <summary>A required reviewer rejected the run (changes requested).</summary>
    public const string ReviewRejected = "AG1053";

    /// <summary>A failing rule is waived by a waiver in force.</summary>
    public const string WaiverInForce = "AG1054";

    /// <summary>A waiver of the system has expired and waives nothing.</summary>
    public const string WaiverExpired = "AG1055";

    /// <summary>Judges the sign-off of a run.</summary>
    /// <param name="criteria">The run's criteria (the sign-off's own is ignored), waivers in force applied.</param>
    /// <param name="policy">Who reviews and who signs off.</param>
    /// <param name="records">The run's records, in chain order.</param>
    /// <param name="waivers">The system's waivers as seen now.</param>
    public static SignoffAssessment Assess(IReadOnlyList<Criterion> criteria, SignoffPolicy policy, IReadOnlyList<SignoffRecord> records, IReadOnlyList<WaiverStatus> waivers)
    {
        ArgumentNullException.ThrowIfNull(criteria);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(waivers);
        var evidence = criteria.Where(c => c.Id != CriterionId).ToList();
        var verdict = CriteriaEvaluator.DecideEvidence(evidence);
        var compiled = Compiled(evidence);
        var findings = new List<Finding>();
        foreach (var w in waivers.Where(w => w.Used))
        {
            findings.Add(Findings.Create(WaiverInForce, Severity.Info,
                component: null,
                location: w.Waiver.Rule,
                message: $"{w.Waiver.Rule} waived until {Day(w.Waiver.Expires)} by {w.By} ({w.Role}) on run {w.RunId}: {w.Waiver.Reason}"));
        }

        foreach (var w in waivers.Where(w => w.Expired))
        {
            findings.Add(Findings.Create(WaiverExpired, Severity.Medium,
                component: null,
                location: w.Waiver.Rule,
                message: $"the waiver of {w.Waiver.Rule} by {w.By} ({w.Role}) expired on {Day(w.Waiver.Expires)}: it waives nothing",
                hint: "fix the rule's findings, or have the approver waive it again with a new expiry date"));
        }

        var approver = records.LastOrDefault(r => r.Kind == SignoffKind);
        if (approver?.Decision == SignoffDecision.Reject)
        {
            findings.Add(Findings.Create(SignoffRejected, Severity.High,
                component: null,
                location: approver.Role,
                message: $"{approver.Identity} ({approver.Role}) rejected the run{Comment(approver)}"));
            var reason = $"rejected by {approver.Identity} ({approver.Role}){Comment(approver)}";
            return new(verdict, SignoffState.Rejected, reason, [], new CheckResult { Status = CheckStatus.Fail, Reason = reason, Findings = findings });
        }

        if (approver?.Decision == SignoffDecision.Approve && verdict == Verdict.Go)
        {
            var reviewers = records.Where(r => r.Kind == ReviewKind).Select(r => $"{r.Identity} ({r.Role}, {Decision(r.Decision)})").Distinct().ToList();
            var reason = $"signed off by {approver.Identity} ({approver.Role}) at {approver.At.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC" +
                (reviewers.Count > 0 ? $" after reviews by {string.Join(", ", reviewers)}" : string.Empty) + $"; {compiled}";
            return new(verdict, SignoffState.SignedOff, reason, [], new CheckResult { Status = CheckStatus.Pass, Reason = reason, Findings = findings });
        }

        if (verdict == Verdict.Incomplete)
        {
            var open = evidence.Where(c => c.GatesVerdict && c.Status == CriterionStatus.NotEvaluated).Select(c => c.Id).ToList();
            var reason = $"no sign-off possible: {(open.Count > 0 ? $"not evaluated: {string.Join(", ", open)}" : "no criterion passed")}; {compiled}";
            return Awaiting(verdict, SignoffState.EvidenceIncomplete, reason, [], findings);
        }

        if (verdict == Verdict.NoGo)
        {
            var failing = evidence.Where(c => c.Status == CriterionStatus.Fail).Select(c => c.Id).ToList();
            var reason = $"no sign-off: the evidence is NO-GO (failed: {string.Join(", ", failing)}); the approver may sign off only with a waiver of every failing rule; {compiled}";
            return Awaiting(verdict, SignoffState.EvidenceNoGo, reason, [], findings);
        }

        var missing = new List<string>();
        var waits = new List<string>();
        foreach (var reviewer in policy.Reviewers)
        {
            var review = records.LastOrDefault(r => r.Kind == ReviewKind && string.Equals(r.Role, reviewer.Role, StringComparison.OrdinalIgnoreCase));
            if (review?.Decision == SignoffDecision.Approve)
            {
                continue;
            }

            missing.Add(reviewer.Role);
            if (review is null)
            {
                waits.Add($"review by {reviewer}");
                findings.Add(Findings.Create(ReviewAwaited, Severity.Info, component: null, location: reviewer.Role, message: $"review by {reviewer} awaited"));
            }
            else
            {
                waits.Add($"review by {reviewer}: rejected by {review.Identity}{Comment(review)}");
                findings.Add(Findings.Create(ReviewRejected, Severity.Medium,
                    component: null,
                    location: reviewer.Role,
                    message: $"{review.Identity} ({review.Role}) rejected the run in review{Comment(review)}",
                    hint: "a new approving review of the role lets the sign-off go ahead"));
            }
        }

        missing.Add(policy.Approver.Role);
        waits.Add($"{(waits.Count > 0 ? "then " : string.Empty)}sign-off by {policy.Approver}");
        findings.Add(Findings.Create(SignoffAwaited, Severity.Info, component: null, location: policy.Approver.Role, message: $"sign-off by {policy.Approver} awaited"));
        return Awaiting(verdict, SignoffState.Awaiting, $"awaiting sign-off (GO pending sign-off): {string.Join("; ", waits)}", missing, findings);
    }

    private static SignoffAssessment Awaiting(Verdict verdict, SignoffState state, string reason, IReadOnlyList<string> missing, List<Finding> findings) =>
        new(verdict, state, reason, missing, CheckResult.Skipped(reason, SkipKind.Awaiting) with { Findings = findings });

    /// <summary>The criteria in one phrase: <c>criteria: 4 pass, 1 waived, 3 not-selected</c>.</summary>
    private static string Compiled(IReadOnlyList<Criterion> criteria) =>
        "criteria: " + string.Join(", ", criteria.GroupBy(c => c.Status).OrderBy(g => g.Key).Select(g => $"{g.Count()} {StatusText(g.Key)}"));

    /// <summary>A criterion status as run.json writes it.</summary>
    public static string StatusText(CriterionStatus status) => status switch
    {
        CriterionStatus.NotEvaluated => "not-evaluated",
        CriterionStatus.NotApplicable => "not-applicable",
        CriterionStatus.NotSelected => "not-selected",
        _ => status.ToString().ToLowerInvariant(),
    };

    private static string Comment(SignoffRecord r) => string.IsNullOrWhiteSpace(r.Comment) ? string.Empty : $": {r.Comment}";

    private static string Decision(SignoffDecision d) => d == SignoffDecision.Approve ? "approved" : "rejected";

    private static string Day(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

using System.Globalization;
using Archgate.Protocol;
using Archgate.Store;

namespace Archgate.Judging;

/// <summary>A review or sign-off as asked for (<c>archgate signoff</c>).</summary>
/// <param name="Identity">Who.</param>
/// <param name="Source">Where the identity came from.</param>
/// <param name="Role">The role signed as.</param>
/// <param name="Decision">Approve or reject.</param>
/// <param name="Comment">Free text, or null.</param>
/// <param name="Waivers">Failing rules the approver waives.</param>
public sealed record SignoffRequest(string Identity, IdentitySource Source, string Role, SignoffDecision Decision, string? Comment, IReadOnlyList<Waiver> Waivers);

/// <summary>What came of a request: the stored record and the run judged again, or why it was refused.</summary>
public sealed record SigningResult(RunRecord? Run, SignoffRecord? Record, string? Error = null, string? Hint = null)
{
    /// <summary>A refusal.</summary>
    public static SigningResult Refused(string error, string hint) => new(null, null, error, hint);
}

/// <summary>
/// Records reviews and sign-offs: checks that the request may be made on the run (who, when, what it waives),
/// appends it to the run's chain, and judges the run again.
/// </summary>
public static class Signing
{
    /// <summary>Records <paramref name="request"/> on run <paramref name="runId"/> at <paramref name="now"/>, or refuses it.</summary>
    public static SigningResult Sign(IRunStore store, ProtocolDefinition protocol, string runId, SignoffRequest request, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(request);
        var run = store.Load(runId);
        if (run is null)
        {
            return SigningResult.Refused($"no run '{runId}'", "'archgate runs' lists the runs");
        }

        if (run.State != RunState.Completed)
        {
            return SigningResult.Refused($"run {runId} is not finished ({run.State.ToString().ToLowerInvariant()})", $"finish it first: archgate resume {runId}");
        }

        var signoffStep = run.Steps.FirstOrDefault(s => s.Number == protocol.Steps.First(d => d.Criterion?.Id == SignoffJudge.CriterionId).Number);
        if (run.SignoffPolicy is not { } policy || signoffStep is null || signoffStep.Checks.Any(c => c.Skip is SkipKind.NotSelected or SkipKind.NotImplemented))
        {
            return SigningResult.Refused($"step 10 (sign-off) did not run in {runId}", "run the protocol again with step 10 selected (--steps ...,10)");
        }

        var isApprover = policy.IsApprover(request.Role);
        var role = isApprover ? policy.Approver.Role : policy.Reviewer(request.Role)?.Role;
        if (role is null)
        {
            var reviewers = policy.Reviewers.Count == 0 ? "no reviewer" : $"reviewers {string.Join(", ", policy.Reviewers.Select(r => r.Role))}";
            return SigningResult.Refused($"'{request.Role}' is not a role of this run's sign-off ({reviewers}; approver {policy.Approver.Role})",
                $"sign as one of them with --role; the manifest's 'signoff' section (and system.owners) sets them");
        }

        var existing = store.Signoffs(runId);
        if (existing.FirstOrDefault(r => r.Kind == SignoffJudge.SignoffKind && r.Decision == SignoffDecision.Approve) is { } signed)
        {
            return SigningResult.Refused($"run {runId} is already signed off by {signed.Identity} ({signed.Role}) at {signed.At:yyyy-MM-dd HH:mm} UTC",
                "a signed run is final; start a new run for a new decision");
        }

        if (request.Waivers.Count > 0 && !(isApprover && request.Decision == SignoffDecision.Approve))
        {
            return SigningResult.Refused($"only the approver ({policy.Approver.Role}) may waive a rule, and only with --approve",
                $"drop --waive, or sign as --role {policy.Approver.Role} --approve");
        }

        foreach (var w in request.Waivers)
        {
            if (w.Expires <= now)
            {
                return SigningResult.Refused($"the waiver of {w.Rule} expires {w.Expires.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}, which is not in the future",
                    "give an expiry date after today (YYYY-MM-DD, UTC)");
            }
        }

        var judged = RunJudge.Judge(protocol, run, existing, store.SystemSignoffs(run.System), now);
        var failing = new SortedDictionary<string, string>(StringComparer.Ordinal); // rule -> criteria it fails
        var unwaivable = new List<string>();
        foreach (var c in judged.Criteria.Where(c => c.Status == CriterionStatus.Fail))
        {
            var number = protocol.Steps.First(d => d.Criterion?.Id == c.Id).Number;
            var (rules, without) = Waivers.FailingRules(judged.Steps.First(s => s.Number == number));
            foreach (var rule in rules)
            {
                failing[rule] = failing.TryGetValue(rule, out var ids) ? $"{ids}, {c.Id}" : c.Id;
            }

            unwaivable.AddRange(without);
        }

        foreach (var w in request.Waivers.Where(w => !failing.ContainsKey(w.Rule)))
        {
            return SigningResult.Refused($"{w.Rule} does not fail in run {runId}; a waiver answers a failing rule",
                failing.Count == 0 ? "this run has no failing rule: drop --waive" : $"failing rules: {string.Join(", ", failing.Keys)}");
        }

        var evidence = CriteriaEvaluator.DecideEvidence(judged.Criteria);
        if (evidence == Verdict.Incomplete)
        {
            var open = judged.Criteria.Where(c => c.Id != SignoffJudge.CriterionId && c.GatesVerdict && c.Status == CriterionStatus.NotEvaluated).Select(c => c.Id).ToList();
            return SigningResult.Refused($"run {runId} is INCOMPLETE (not evaluated: {string.Join(", ", open)}): there is nothing complete to review or sign",
                "make those steps evaluate, or leave them out with --steps, and run again");
        }

        if (isApprover && request.Decision == SignoffDecision.Approve)
        {
            if (evidence == Verdict.NoGo)
            {
                var waived = request.Waivers.Select(w => w.Rule).ToHashSet(StringComparer.Ordinal);
                var open = failing.Where(f => !waived.Contains(f.Key)).Select(f => $"{f.Key} ({f.Value})").ToList();
                if (unwaivable.Count > 0)
                {
                    return SigningResult.Refused($"run {runId} is NO-GO and {string.Join(", ", unwaivable)} failed without a rule to waive",
                        "fix it and run again");
                }

                if (open.Count > 0)
                {
                    return SigningResult.Refused($"run {runId} is NO-GO: failing rules not waived: {string.Join(", ", open)}",
                        "fix them and run again, or sign off with --waive RULE:REASON:YYYY-MM-DD for each (the approver only)");
                }
            }

            var missing = policy.Reviewers.Where(r => existing.LastOrDefault(x => x.Kind == SignoffJudge.ReviewKind &&
                string.Equals(x.Role, r.Role, StringComparison.OrdinalIgnoreCase))?.Decision != SignoffDecision.Approve).ToList();
            if (missing.Count > 0)
            {
                return SigningResult.Refused($"the reviews come first: no approving review yet by {string.Join(", ", missing)}",
                    $"each reviewer records one: archgate signoff {runId} --role ROLE --approve");
            }
        }

        var record = store.AppendSignoff(new SignoffRecord
        {
            Seq = 0,
            RunId = runId,
            System = run.System,
            ManifestSha256 = run.ManifestSha256,
            Kind = isApprover ? SignoffJudge.SignoffKind : SignoffJudge.ReviewKind,
            Role = role,
            Identity = request.Identity,
            IdentitySource = request.Source,
            Decision = request.Decision,
            At = now,
            Comment = string.IsNullOrWhiteSpace(request.Comment) ? null : request.Comment,
            Waivers = request.Waivers,
            PreviousHash = existing.Count == 0 ? RunStore.GenesisHash : existing[^1].Hash!,
        });
        if (record is null)
        {
            return SigningResult.Refused($"another review or sign-off of run {runId} was recorded meanwhile", "run the command again: it is judged against the new record");
        }

        var after = RunJudge.Judge(protocol, run, store.Signoffs(runId), store.SystemSignoffs(run.System), now);
        foreach (var step in after.Steps.Where(s => !run.Steps.Contains(s)))
        {
            store.SaveStep(runId, step);
        }

        store.SaveRun(after);
        return new SigningResult(after, record);
    }
}

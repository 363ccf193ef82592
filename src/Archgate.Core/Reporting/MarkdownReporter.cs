using System.Globalization;
using System.Text;
using Archgate.Protocol;

namespace Archgate.Reporting;

/// <summary>integration-validation-report.md: the protocol's report, sections in step order.</summary>
public sealed class MarkdownReporter : IReporter
{
    /// <inheritdoc />
    public string Name => "md";

    /// <inheritdoc />
    public string FileName => "integration-validation-report.md";

    /// <inheritdoc />
    public async Task WriteAsync(RunRecord run, Stream output, CancellationToken cancellationToken)
    {
        var text = Render(run);
        await output.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken);
    }

    /// <summary>The report as text.</summary>
    public static string Render(RunRecord run)
    {
        var md = new StringBuilder();
        md.AppendLine($"# Integration validation report: {Inline(run.System)}").AppendLine();
        md.AppendLine($"**Verdict: {VerdictText(run)}**").AppendLine();
        if (run.Awaiting is { } awaiting)
        {
            md.AppendLine($"Awaiting sign-off: {Inline(awaiting)}.").AppendLine();
        }
        md.AppendLine("| | |").AppendLine("|---|---|");
        md.AppendLine($"| run | `{run.RunId}` |");
        md.AppendLine($"| started | {run.StartedAt:yyyy-MM-dd HH:mm:ss} UTC |");
        md.AppendLine($"| duration | {(run.Duration is { } d ? $"{d.TotalSeconds:0.0} s" : "not finished")} |");
        md.AppendLine($"| manifest | `{Path.GetFileName(run.ManifestPath)}` sha256 `{run.ManifestSha256[..Math.Min(12, run.ManifestSha256.Length)]}` |");
        if (run.Resumes > 0)
        {
            md.AppendLine($"| resumed | {run.Resumes} time(s) |");
        }

        md.AppendLine().AppendLine("## Summary").AppendLine();
        md.AppendLine("| step | status | checks | findings | duration |").AppendLine("|---|---|---|---|---|");
        foreach (var step in run.Steps)
        {
            md.AppendLine($"| {step.Number}. {step.Name} | {StepStatus(step)} | {step.Checks.Count} | {step.Checks.Sum(c => c.Findings.Count)} | {step.DurationMs} ms |");
        }

        foreach (var step in run.Steps.OrderBy(s => s.Number))
        {
            md.AppendLine().AppendLine($"## {step.Number}. {step.Title ?? step.Name}").AppendLine();
            WriteStep(md, step);
            if (step.Number == 7 && BrowserCell.Matrix([step]) is { Count: > 0 } cells)
            {
                md.AppendLine().AppendLine("### Browser journeys: journey × engine").AppendLine();
                md.AppendLine($"| journey | {string.Join(" | ", BrowserCell.Engines)} |").AppendLine($"|---|{string.Concat(BrowserCell.Engines.Select(_ => "---|"))}");
                foreach (var journey in cells.GroupBy(c => c.Journey))
                {
                    md.AppendLine($"| {Cell(journey.Key)} | {string.Join(" | ", BrowserCell.Engines.Select(e => journey.FirstOrDefault(c => c.Engine == e) is { } c ? Cell(c.Text) : "not run (browsers)"))} |");
                }
            }
        }

        var notRun = Enumerable.Range(1, ProtocolSteps.Count).Except(run.Steps.Select(s => s.Number)).ToList();
        if (notRun.Count > 0)
        {
            md.AppendLine().AppendLine("## Steps not run").AppendLine();
            md.AppendLine($"Steps {string.Join(", ", notRun)} did not run.");
        }

        md.AppendLine().AppendLine("## Validation criteria").AppendLine();
        if (run.Criteria.Count == 0)
        {
            md.AppendLine("Not evaluated: the run did not finish.");
        }
        else
        {
            md.AppendLine("| criterion | status | observed | target |").AppendLine("|---|---|---|---|");
            foreach (var c in run.Criteria)
            {
                var observed = c.WaivedRules is { Count: > 0 } rules ? $"{c.Observed} (waived: {string.Join(", ", rules)})" : c.Observed;
                md.AppendLine($"| {Cell(c.Description)} | {CriterionText(c.Status)} | {Cell(observed)} | {Cell(c.Target)} |");
            }
        }

        md.AppendLine().AppendLine("## Escalations").AppendLine();
        if (run.Escalations.Count == 0)
        {
            md.AppendLine("None.");
        }
        else
        {
            md.AppendLine("| level | trigger | message |").AppendLine("|---|---|---|");
            foreach (var e in run.Escalations)
            {
                md.AppendLine($"| {e.Level} | {e.Trigger}{(e.Id is null ? string.Empty : $" (`{e.Id}`)")} | {Cell(e.Message)} |");
            }

            if (run.Escalations.Any(e => e.Id is not null))
            {
                md.AppendLine().AppendLine($"Levels are where each started; `archgate escalations {run.RunId}` shows where they stand, `archgate ack ID` acknowledges one.");
            }
        }

        md.AppendLine().AppendLine("## Rollback").AppendLine();
        if (run.Rollbacks.Count == 0)
        {
            md.AppendLine(run.RollbackFor.Count > 0
                ? $"Step {string.Join(", ", run.RollbackFor)} failed, but the manifest declares no rollback command (recovery.rollback)."
                : "Not needed: no step in the rollback scope (5-10) failed.");
        }
        else
        {
            md.AppendLine("| command | exit code | duration | output |").AppendLine("|---|---|---|---|");
            foreach (var r in run.Rollbacks)
            {
                md.AppendLine($"| {Code(r.Command)} | {(r.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? Cell(r.Error ?? "-"))} | {r.DurationMs} ms | {Cell(r.Output)} |");
            }
        }

        if (run.Snapshots.Count > 0)
        {
            md.AppendLine().AppendLine("### Database state (P-RECOVERY snapshots)").AppendLine()
                .AppendLine("| database | state | rows when snapshotted | rows the run left | rows after restore | note |").AppendLine("|---|---|---|---|---|---|");
            foreach (var snap in run.Snapshots)
            {
                md.AppendLine($"| {Cell(snap.Component)} | {SnapshotStateText(snap)} | {Cell(StateRecovery.Rows(snap.Rows))} | {Cell(snap.RowsBeforeRestore is { } b ? StateRecovery.Rows(b) : "-")} | " +
                    $"{Cell(snap.RowsAfterRestore is { } a ? StateRecovery.Rows(a) : "-")} | {Cell(StateRecovery.Describe(snap))} |");
            }
        }

        WriteSignoff(md, run);
        WriteWaivers(md, run);

        // Control characters from a target would drive the terminal of whoever cats the report.
        return Printable.EscapeLines(md.ToString());
    }

    /// <summary>A snapshot's state as the reports name it.</summary>
    public static string SnapshotStateText(StateSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return snapshot.State switch
        {
            SnapshotState.Restored when !snapshot.RestoredExactly => "restored (differs)",
            _ => snapshot.State.ToString().ToLowerInvariant(),
        };
    }

    private static void WriteSignoff(StringBuilder md, RunRecord run)
    {
        md.AppendLine().AppendLine("## Sign-off").AppendLine();
        if (run.SignoffPolicy is { } policy)
        {
            var reviewers = policy.Reviewers.Count == 0 ? "none required" : string.Join(", ", policy.Reviewers.Select(r => r.ToString()));
            md.AppendLine($"Reviewers: {Inline(reviewers)}. Approver: {Inline(policy.Approver.ToString())}.").AppendLine();
        }

        var notSelected = run.Criteria.Where(c => c.Status == CriterionStatus.NotSelected).Select(c => c.Id).ToList();
        if (notSelected.Count > 0)
        {
            md.AppendLine($"Left out of this run (--steps): {string.Join(", ", notSelected)}; a sign-off accepts the run with that scope.").AppendLine();
        }

        if (run.Signoffs.Count == 0)
        {
            md.AppendLine("No review or sign-off recorded.");
            return;
        }

        md.AppendLine("| # | kind | role | identity | source | decision | at | comment | waivers | hash |").AppendLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var s in run.Signoffs)
        {
            var waivers = s.Waivers.Count == 0 ? "-" : string.Join("; ", s.Waivers.Select(w => $"{w.Rule} until {w.Expires:yyyy-MM-dd}"));
            md.AppendLine($"| {s.Seq} | {s.Kind} | {Cell(s.Role)} | {Cell(s.Identity)} | {Source(s.IdentitySource)} | {s.Decision.ToString().ToLowerInvariant()} | " +
                $"{s.At:yyyy-MM-dd HH:mm} UTC | {Cell(s.Comment ?? "-")} | {Cell(waivers)} | `{(s.Hash ?? string.Empty)[..Math.Min(12, s.Hash?.Length ?? 0)]}` |");
        }
    }

    private static void WriteWaivers(StringBuilder md, RunRecord run)
    {
        md.AppendLine().AppendLine("## Waivers").AppendLine();
        if (run.Waivers.Count == 0)
        {
            md.AppendLine("None.");
            return;
        }

        md.AppendLine("| rule | reason | expires | by | granted on run | state |").AppendLine("|---|---|---|---|---|---|");
        foreach (var w in run.Waivers)
        {
            var state = WaiverState(w);
            md.AppendLine($"| {Cell(w.Waiver.Rule)} | {Cell(w.Waiver.Reason)} | {w.Waiver.Expires:yyyy-MM-dd} | {Cell(w.By)} ({Cell(w.Role)}) | `{w.RunId}` | {state} |");
        }
    }

    /// <summary>Whether a waiver still waives, and whether this run used it (every report words it the same).</summary>
    internal static string WaiverState(WaiverStatus w) => w.Expired ? "expired: waives nothing" : w.Used ? "in force, used by this run" : "in force";

    private static string Source(IdentitySource source) => source switch
    {
        IdentitySource.Flag => "--as",
        IdentitySource.Environment => "ARCHGATE_USER",
        _ => "git config",
    };

    private static void WriteStep(StringBuilder md, StepResult step)
    {
        if (step.NotApplicable is { } reason)
        {
            md.AppendLine($"Not applicable: {Inline(reason)}.");
            return;
        }

        md.AppendLine($"Status: **{Status(step.Status)}** ({step.DurationMs} ms)").AppendLine();
        md.AppendLine("| check | status | duration | note |").AppendLine("|---|---|---|---|");
        foreach (var check in step.Checks)
        {
            var note = check.Reason ?? (check.Findings.Count > 0 ? $"{check.Findings.Count} finding(s)" : string.Empty);
            if (check.Attempts.Count > 1)
            {
                note = $"{note} {check.Attempts.Count} attempts ({string.Join(", ", check.Attempts.Select(a => a.TransientCause ?? Status(a.Status)))})".Trim();
            }

            md.AppendLine($"| {Code(check.Id)} | {Status(check.Status)} | {check.DurationMs} ms | {Cell(note)} |");
        }

        var findings = step.Checks.SelectMany(c => c.Findings).OrderByDescending(f => f.Severity).ToList();
        if (findings.Count > 0)
        {
            md.AppendLine().AppendLine("Findings:").AppendLine();
            foreach (var f in findings)
            {
                var where = string.Join(" ", new[] { f.Component, f.Location }.Where(s => !string.IsNullOrEmpty(s)));
                md.AppendLine($"- **{f.Rule}** {f.Severity.ToString().ToLowerInvariant()}{(where.Length > 0 ? $" {Code(where)}" : string.Empty)}: {Inline(f.Message)}");
                if (f.Evidence is not null)
                {
                    md.AppendLine($"  - evidence: {Inline(f.Evidence)}");
                }

                if (f.Hint is not null)
                {
                    md.AppendLine($"  - hint: {Inline(f.Hint)}");
                }
            }
        }

        var metrics = step.Checks.SelectMany(c => c.Metrics).ToList();
        if (metrics.Count > 0)
        {
            md.AppendLine().AppendLine("| metric | value |").AppendLine("|---|---|");
            foreach (var m in metrics)
            {
                md.AppendLine($"| {Code(m.ToString())} | {m.Value.ToString("0.###", CultureInfo.InvariantCulture)} {m.Unit} |");
            }
        }
    }

    internal static string VerdictText(RunRecord run) => run.Verdict switch
    {
        Protocol.Verdict.Go => "GO",
        Protocol.Verdict.NoGo => "NO-GO",
        Protocol.Verdict.Incomplete when run.Awaiting is not null => "INCOMPLETE, awaiting sign-off (GO pending sign-off)",
        Protocol.Verdict.Incomplete => "INCOMPLETE",
        _ => run.State == RunState.Cancelled ? "none (run cancelled)" : "none (run not finished)",
    };

    private static string Status(CheckStatus status) => status.ToString().ToLowerInvariant();

    private static string StepStatus(StepResult step) => step.NotApplicable is null ? Status(step.Status) : "not-applicable";

    private static string CriterionText(CriterionStatus status) => Judging.SignoffJudge.StatusText(status);

    /// <summary>Text from a target must not break the table or inject markup.</summary>
    private static string Cell(string text) => Inline(text).Replace("|", "\\|", StringComparison.Ordinal);

    private static string Inline(string text) => text.Replace("\r", " ", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    /// <summary>A code span of target text: a backtick in it would end the span, so it shows as a quote.</summary>
    private static string Code(string text) => $"`{Cell(text).Replace('`', '\'')}`";
}

using Archgate.Judging;
using Archgate.Protocol;
using Spectre.Console;

namespace Archgate.Cli.Rendering;

/// <summary>The tables printed at the end of a run: steps, criteria, escalations, rollbacks, verdict, reports.</summary>
internal static class RunSummary
{
    public static void Print(IAnsiConsole console, RunRecord run, RunOutcome outcome, IReadOnlyList<string> reports)
    {
        var steps = new Table().Border(TableBorder.Rounded).Title("Steps");
        steps.AddColumns("step", "status", "checks", "findings", "time");
        foreach (var s in run.Steps)
        {
            steps.AddRow(
                ArchgateApp.Safe($"{s.Number}. {s.Name}"),
                s.NotApplicable is null ? Colour(s.Status) : "[grey]n/a[/]",
                s.Checks.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                s.Checks.Sum(c => c.Findings.Count).ToString(System.Globalization.CultureInfo.InvariantCulture),
                $"{s.DurationMs} ms");
        }

        console.Write(steps);
        if (run.Criteria.Count > 0)
        {
            var criteria = new Table().Border(TableBorder.Rounded).Title("Validation criteria");
            criteria.AddColumns("criterion", "status", "observed");
            foreach (var c in run.Criteria)
            {
                var status = c.Status switch
                {
                    CriterionStatus.Pass => "[green]pass[/]",
                    CriterionStatus.Fail => "[red]fail[/]",
                    CriterionStatus.NotApplicable => "[grey]not-applicable[/]",
                    CriterionStatus.NotSelected => "[grey]not-selected[/]",
                    CriterionStatus.Waived => "[yellow]waived[/]",
                    _ => "[grey]not-evaluated[/]",
                };
                criteria.AddRow(ArchgateApp.Safe(c.Description), status, ArchgateApp.Safe(c.Observed));
            }

            console.Write(criteria);
        }

        foreach (var e in run.Escalations)
        {
            console.MarkupLine($"[red]escalation level {e.Level}[/] {ArchgateApp.Safe(e.Trigger)}: {ArchgateApp.Safe(e.Message)}" +
                (e.Id is null || e.Level <= 1 ? string.Empty : $" [grey](archgate ack {e.Id})[/]"));
        }

        foreach (var r in run.Rollbacks)
        {
            var result = r.ExitCode is { } code ? $"exit code {code}" : r.Error ?? "no exit code";
            console.MarkupLine($"[yellow]rollback[/] {ArchgateApp.Safe(r.Command)}: {ArchgateApp.Safe(result)} in {r.DurationMs} ms");
        }

        foreach (var snapshot in run.Snapshots)
        {
            var color = snapshot.State is SnapshotState.Failed ? "red" : snapshot.State is SnapshotState.Restored or SnapshotState.Kept ? "yellow" : "grey";
            console.MarkupLine($"[{color}]state[/] {ArchgateApp.Safe(StateRecovery.Describe(snapshot))}");
        }

        var verdict = run.Verdict switch
        {
            Verdict.Go => "[green bold]GO[/]",
            Verdict.NoGo => "[red bold]NO-GO[/]",
            Verdict.Incomplete => "[yellow bold]INCOMPLETE[/]",
            _ => "[grey]none[/]",
        };
        console.MarkupLine($"verdict: {verdict}  run {ArchgateApp.Safe(run.RunId)} in {run.Duration?.TotalSeconds ?? 0:0.0} s");
        if (run.Awaiting is { } awaiting)
        {
            console.MarkupLine($"[yellow]{ArchgateApp.Safe(awaiting)}[/]");
            var role = run.SignoffPolicy is { Reviewers.Count: 0 } policy ? policy.Approver.Role : "ROLE";
            console.MarkupLine($"  sign with: archgate signoff {ArchgateApp.Safe(run.RunId)} --role {ArchgateApp.Safe(role)} --approve");
        }

        foreach (var w in run.Waivers)
        {
            console.MarkupLine($"waiver {ArchgateApp.Safe(w.Waiver.Rule)} ({ArchgateApp.Safe(w.Waiver.Reason)}) by {ArchgateApp.Safe(w.By)}, " +
                (w.Expired ? $"[red]expired {w.Waiver.Expires:yyyy-MM-dd}[/]" : $"until {w.Waiver.Expires:yyyy-MM-dd}{(w.Used ? ", used by this run" : string.Empty)}"));
        }

        if (outcome == RunOutcome.InfrastructureError)
        {
            console.MarkupLine("[red]infrastructure error:[/] not one database or service could be reached; is the system running? ('archgate run --up' starts it)");
        }

        foreach (var path in reports)
        {
            console.MarkupLine($"  report: {ArchgateApp.Safe(path)}");
        }
    }

    private static string Colour(CheckStatus status) => status switch
    {
        CheckStatus.Pass => "[green]pass[/]",
        CheckStatus.Warn => "[yellow]warn[/]",
        CheckStatus.Fail => "[red]fail[/]",
        CheckStatus.Error => "[red]error[/]",
        _ => "[grey]skipped[/]",
    };
}

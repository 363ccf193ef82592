using Archgate.Checks.Database;
using Archgate.Checks.Services;
using Archgate.Protocol;
using Spectre.Console;

namespace Archgate.Cli.Rendering;

/// <summary>The table printed at the end of a run, and the exit code of its verdict.</summary>
internal static class RunSummary
{
    public static void Print(IAnsiConsole console, RunRecord run, IReadOnlyList<string> reports)
    {
        var steps = new Table().Border(TableBorder.Rounded).Title("Steps");
        steps.AddColumns("step", "status", "checks", "findings", "time");
        foreach (var s in run.Steps)
        {
            steps.AddRow(
                ArchgateApp.Safe($"{s.Number}. {s.Name}"),
                Colour(s.Status),
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
                    _ => "[grey]not-evaluated[/]",
                };
                criteria.AddRow(ArchgateApp.Safe(c.Description), status, ArchgateApp.Safe(c.Observed));
            }

            console.Write(criteria);
        }

        foreach (var e in run.Escalations)
        {
            console.MarkupLine($"[red]escalation level {e.Level}[/] {ArchgateApp.Safe(e.Trigger)}: {ArchgateApp.Safe(e.Message)}");
        }

        foreach (var r in run.Rollbacks)
        {
            var outcome = r.ExitCode is { } code ? $"exit code {code}" : r.Error ?? "no exit code";
            console.MarkupLine($"[yellow]rollback[/] {ArchgateApp.Safe(r.Command)}: {ArchgateApp.Safe(outcome)} in {r.DurationMs} ms");
        }

        var verdict = run.Verdict switch
        {
            Verdict.Go => "[green bold]GO[/]",
            Verdict.NoGo => "[red bold]NO-GO[/]",
            Verdict.Incomplete => "[yellow bold]INCOMPLETE[/]",
            _ => "[grey]none[/]",
        };
        console.MarkupLine($"verdict: {verdict}  run {ArchgateApp.Safe(run.RunId)} in {run.Duration?.TotalSeconds ?? 0:0.0} s");
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

    /// <summary>
    /// The exit code of a finished run: the verdict's, except that a run in which not one database or service
    /// could be reached at all is an infrastructure error (3): the system was not there to judge.
    /// </summary>
    public static int ExitCode(RunRecord run)
    {
        var reachability = run.Steps.Where(s => s.Number is 3 or 4)
            .SelectMany(s => s.Checks)
            .Where(c => c.Id.StartsWith("database.connect:", StringComparison.Ordinal) || c.Id.StartsWith("services.health:", StringComparison.Ordinal))
            .ToList();
        if (reachability.Count > 0 && reachability.All(c => c.Findings.Any(f => f.Rule is DatabaseRules.Unreachable or ServiceRules.Unreachable)))
        {
            return ExitCodes.Infrastructure;
        }

        return run.Verdict switch
        {
            Verdict.Go => ExitCodes.Go,
            Verdict.NoGo => ExitCodes.NoGo,
            _ => ExitCodes.Incomplete,
        };
    }
}

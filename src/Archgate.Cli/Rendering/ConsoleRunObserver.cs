using System.Diagnostics;
using Archgate.Protocol;
using Spectre.Console;

namespace Archgate.Cli.Rendering;

/// <summary>
/// Live progress of a run: one line per step and per finished check, retries as they happen; on an
/// interactive terminal also a spinner with the current check, its activity and the elapsed time.
/// </summary>
internal sealed class ConsoleRunObserver(IAnsiConsole console) : IRunObserver
{
    private readonly Stopwatch _run = Stopwatch.StartNew();
    private readonly Stopwatch _check = new();
    private string _current = string.Empty;

    /// <summary>The spinner's text right now (read by the live display loop).</summary>
    public string Status => _current.Length == 0
        ? $"{_run.Elapsed.TotalSeconds:0} s"
        : $"{ArchgateApp.Safe(_current)} [grey]({_check.Elapsed.TotalSeconds:0.0} s, run {_run.Elapsed.TotalSeconds:0} s)[/]";

    public void RunStarted(RunRecord run) =>
        console.MarkupLine(run.Resumes == 0
            ? $"run [bold]{ArchgateApp.Safe(run.RunId)}[/] started; if it is interrupted: archgate resume {ArchgateApp.Safe(run.RunId)}"
            : $"run [bold]{ArchgateApp.Safe(run.RunId)}[/] resumed ({run.Resumes}) after step {run.Steps.Select(s => s.Number).DefaultIfEmpty(0).Max()}");

    public void StepStarted(int number, string name) =>
        console.MarkupLine($"[bold]step {number}/{ProtocolSteps.Count}[/] {ArchgateApp.Safe(name)}");

    public void CheckStarted(ICheck check)
    {
        _current = check.Id;
        _check.Restart();
    }

    public void CheckActivity(ICheck check, string activity) => _current = $"{check.Id}: {activity}";

    public void CheckRetrying(ICheck check, int nextAttempt, TimeSpan delay, string cause) =>
        console.MarkupLine($"  [yellow]~[/] {ArchgateApp.Safe(check.Id)} {ArchgateApp.Safe(cause)}; retrying in {delay.TotalSeconds:0.0} s (attempt {nextAttempt})");

    public void CheckFinished(ICheck check, CheckResult result)
    {
        _current = string.Empty;
        var (mark, colour) = result.Status switch
        {
            CheckStatus.Pass => ("ok", "green"),
            CheckStatus.Warn => ("warn", "yellow"),
            CheckStatus.Fail => ("FAIL", "red"),
            CheckStatus.Error => ("ERROR", "red"),
            _ => ("skip", "grey"),
        };
        var note = result.Reason ?? (result.Findings.Count > 0 ? $"{result.Findings.Count} finding(s)" : string.Empty);
        console.MarkupLine($"  [{colour}]{mark,-5}[/] {ArchgateApp.Safe(result.Id)} [grey]{result.DurationMs} ms[/] {ArchgateApp.Safe(note)}");
        foreach (var f in result.Findings.Where(f => f.Severity >= Severity.Medium).Take(5))
        {
            console.MarkupLine($"        [grey]{f.Rule}[/] {ArchgateApp.Safe(f.Message)}");
        }
    }

    public void StepFinished(StepResult step)
    {
        if (step.NotApplicable is { } reason)
        {
            console.MarkupLine($"  [grey]n/a  [/] {ArchgateApp.Safe(reason)}");
        }
    }
}

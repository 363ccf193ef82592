using Archgate.Judging;
using Archgate.Launch;
using Archgate.Model;
using Archgate.Protocol;
using Archgate.Session;
using Archgate.Store;
using Spectre.Console;

namespace Archgate.Cli.Rendering;

/// <summary>Renders a session's events on the console: start-up, live progress, the summary, escalation deliveries.</summary>
internal sealed class ConsoleSessionObserver(IAnsiConsole console) : IRunSessionObserver
{
    private readonly ConsoleLaunchObserver _launch = new(console);
    private readonly ConsoleRunObserver _run = new(console);

    /// <summary>The spinner's text right now.</summary>
    public string Status => _run.Status;

    public void Starting(Component component, int wave) => _launch.Starting(component, wave);

    public void Ready(Component component, TimeSpan elapsed) => _launch.Ready(component, elapsed);

    public void LogLine(string component, string line) => _launch.LogLine(component, line);

    public void RunBusy(string runId, RunLease holder)
    {
        Console.Error.WriteLine($"archgate: {holder.Describe(runId)}");
        Console.Error.WriteLine($"  hint: wait for it to finish, or stop it; a lease not renewed for {RunLease.Expiry.TotalSeconds:0} s (or whose process died on this host) is taken over");
    }

    public void LeftoversStopped(IReadOnlyList<StartedComponent> leftovers)
    {
        foreach (var c in leftovers)
        {
            console.MarkupLine($"stopped {ArchgateApp.Safe(c.Component)} (pid {c.Pid}), left running by an earlier execution of this run");
        }
    }

    public void LaunchFailed(LaunchFailure failure) => ConsoleLaunchObserver.PrintFailure(console, failure);

    public void RunStarting(SystemModel system, RunOptions options) =>
        console.MarkupLine($"archgate: system [bold]{ArchgateApp.Safe(system.Name)}[/], {system.Components.Count} components, steps {string.Join(",", options.Steps.Order())}");

    public void RunStarted(RunRecord run) => _run.RunStarted(run);

    public void StepStarted(int number, string name) => _run.StepStarted(number, name);

    public void CheckStarted(ICheck check) => _run.CheckStarted(check);

    public void CheckActivity(ICheck check, string activity) => _run.CheckActivity(check, activity);

    public void CheckRetrying(ICheck check, int nextAttempt, TimeSpan delay, string cause) => _run.CheckRetrying(check, nextAttempt, delay, cause);

    public void CheckFinished(ICheck check, CheckResult result) => _run.CheckFinished(check, result);

    public void StepFinished(StepResult step) => _run.StepFinished(step);

    public void SnapshotsTaken(IReadOnlyList<StateSnapshot> snapshots)
    {
        foreach (var snapshot in snapshots)
        {
            console.MarkupLine($"[grey]state[/] {ArchgateApp.Safe(StateRecovery.Describe(snapshot))}");
        }
    }

    public void RunCancelled(RunRecord? partial)
    {
        if (partial is not null)
        {
            console.MarkupLine($"[yellow]cancelled[/] run {ArchgateApp.Safe(partial.RunId)} after {partial.Steps.Count} step(s); continue with: archgate resume {ArchgateApp.Safe(partial.RunId)}");
        }
    }

    public void RunFinished(RunRecord run, RunOutcome outcome, IReadOnlyList<string> reports) => RunSummary.Print(console, run, outcome, reports);

    public void EscalationsDelivered(EscalationDelivery delivery) =>
        console.MarkupLine(delivery.Delivered
            ? $"  escalations sent to {delivery.Channel} {ArchgateApp.Safe(delivery.Target)}"
            : $"  [yellow]escalations not delivered[/] to {delivery.Channel} {ArchgateApp.Safe(delivery.Target)} after {delivery.Attempts} attempt(s): {ArchgateApp.Safe(delivery.Error ?? "unknown")}" +
              " (recorded; 'archgate escalations --tick' retries)");

    public void SystemStopped() => console.MarkupLine("[grey]stopped the components Archgate started.[/]");
}

using Archgate.Judging;
using Archgate.Manifest;
using Archgate.Protocol;
using Archgate.Store;
using Spectre.Console;

namespace Archgate.Cli.Commands;

/// <summary>What the escalation commands share: the manifest of a run (for routing and channels) and how deliveries print.</summary>
internal static class EscalationConsole
{
    /// <summary>The manifest the run was made with, loaded again; or why it cannot be.</summary>
    public static EscalationContext ContextOf(IRunStore store, string runId)
    {
        var run = store.Load(runId);
        if (run is null)
        {
            return new EscalationContext(null, $"run {runId} is not in the store");
        }

        var loaded = ManifestLoader.Load(run.ManifestPath);
        return loaded.Succeeded
            ? new EscalationContext(loaded.Model, null)
            : new EscalationContext(null, $"cannot load {run.ManifestPath}: {(loaded.Errors.Count > 0 ? loaded.Errors[0].ToString() : "unknown problem")}");
    }

    public static EscalationDesk Desk(IRunStore store, HttpClient http) =>
        new(store, new EscalationNotifier(http, TimeProvider.System), TimeProvider.System);

    public static void Print(EscalationDelivery d) =>
        AnsiConsole.MarkupLine(d.Delivered
            ? $"  sent {string.Join(", ", d.EscalationIds)} to {d.Channel} {ArchgateApp.Safe(d.Target)}"
            : $"  [yellow]not delivered[/] {string.Join(", ", d.EscalationIds)} to {d.Channel} {ArchgateApp.Safe(d.Target)} after {d.Attempts} attempt(s): {ArchgateApp.Safe(d.Error ?? "unknown")}");

    public static string State(EscalationRecord e) => e.State switch
    {
        EscalationState.Acknowledged => $"acknowledged by {e.AckedBy}",
        EscalationState.Recorded => "recorded",
        _ => "open",
    };
}

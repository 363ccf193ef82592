using System.ComponentModel;
using Archgate.Cli.Rendering;
using Archgate.Protocol;
using Archgate.Store;
using Spectre.Console.Cli;

namespace Archgate.Cli.Commands;

internal sealed class ResumeCommand : AsyncCommand<ResumeCommand.Settings>
{
    public sealed class Settings : RunSettings
    {
        [CommandOption("--out <DIR>")]
        [Description("Folder for the reports. Default: .archgate/runs/<run-id>")]
        public string? Out { get; init; }

        [CommandOption("--keep-state")]
        [Description("When a step of 5-10 fails: run the rollback commands but leave the databases as the run left them (their snapshots stay in the run folder), for debugging")]
        public bool KeepState { get; init; }

        [CommandOption("--up")]
        [Description("Start the components that have a 'run' section first, and stop them afterwards")]
        public bool Up { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        RunRecord? previous;
        using (var store = RunStore.Open(settings.Store))
        {
            var id = settings.ResolveRun(store);
            previous = id is null ? null : store.Load(id);
        }

        if (previous is null)
        {
            return ExitCodes.Usage;
        }

        if (previous.State == RunState.Completed)
        {
            Console.Error.WriteLine($"archgate: run {previous.RunId} is already complete (verdict {previous.Verdict}); nothing to resume");
            Console.Error.WriteLine($"  hint: 'archgate report {previous.RunId}' shows its report");
            return ExitCodes.Usage;
        }

        var model = ManifestErrors.LoadOrReport(previous.ManifestPath, Console.Error);
        if (model is null)
        {
            return ExitCodes.InvalidManifest;
        }

        if (model.ManifestSha256 != previous.ManifestSha256)
        {
            Console.Error.WriteLine($"archgate: warning: {previous.ManifestPath} changed since run {previous.RunId} started; resuming with the current version");
        }

        var options = new RunOptions { KeepState = settings.KeepState };
        if (settings.Out is not null)
        {
            options = options with { OutputDirectory = settings.Out };
        }

        return await RunSessionCommand.ExecuteAsync(model, settings.Store, options, previous, settings.Up, follow: false, cancellationToken);
    }
}

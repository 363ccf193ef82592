using System.ComponentModel;
using Archgate.Checks;
using Archgate.Store;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Archgate.Cli.Commands;

internal sealed class ReportCommand : AsyncCommand<ReportCommand.Settings>
{
    public sealed class Settings : RunSettings
    {
        [CommandOption("-f|--format <FORMAT>")]
        [Description("md, html, json, junit or sarif (step 9's findings). Default: md")]
        public string Format { get; init; } = "md";

        [CommandOption("-o|--output <FILE>")]
        [Description("Write to a file instead of standard output")]
        public string? Output { get; init; }

        public override ValidationResult Validate() => ArchgateReports.Find(Format) is null
            ? ValidationResult.Error($"--format: unknown format '{Format}'; use {string.Join(", ", ArchgateReports.All.Select(r => r.Name))}")
            : ValidationResult.Success();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var store = RunStore.Open(settings.Store);
        var id = settings.ResolveRun(store);
        var run = id is null ? null : store.Load(id);
        if (run is null)
        {
            return ExitCodes.Usage;
        }

        await Rendering.ReportOutput.WriteAsync(ArchgateReports.Find(settings.Format)!, run, settings.Output, cancellationToken);

        // The run's outcome as it stands now (after its sign-offs): CI can gate on 'archgate report' once people signed.
        return run.State == Protocol.RunState.Completed ? Judging.RunOutcomes.ExitCode(Judging.RunOutcomes.Of(run)) : ExitCodes.Incomplete;
    }
}

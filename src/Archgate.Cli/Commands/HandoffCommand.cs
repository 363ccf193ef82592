using System.ComponentModel;
using Archgate.Checks;
using Archgate.Judging;
using Archgate.Reporting;
using Archgate.Store;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Archgate.Cli.Commands;

internal sealed class HandoffCommand : AsyncCommand<HandoffCommand.Settings>
{
    public sealed class Settings : RunSettings
    {
        [CommandOption("--to <ROLE>")]
        [Description("Who receives it. Default: qa")]
        public string To { get; init; } = "qa";

        [CommandOption("-o|--output <FILE>")]
        [Description("The archive. Default: handoff-RUN_ID-TO.tar.gz in the run's folder")]
        public string? Output { get; init; }
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

        var outcome = RunOutcomes.Of(run);
        if (outcome != RunOutcome.Go)
        {
            Console.Error.WriteLine($"archgate: handoff refused: run {run.RunId} is not GO ({Printable.EscapeLines(run.Awaiting ?? run.Verdict?.ToString() ?? "not finished")})");
            Console.Error.WriteLine($"  hint: a run is handed off once it is signed off: archgate signoff {run.RunId} --role ROLE --approve");
            return RunOutcomes.ExitCode(outcome);
        }

        var folder = store.OutputDirectory(run.RunId) ?? Path.GetFullPath(Path.Combine(".archgate", "runs", run.RunId));
        if (!Directory.Exists(folder))
        {
            Console.Error.WriteLine($"archgate: the run's folder {folder} is gone");
            Console.Error.WriteLine($"  hint: 'archgate report {run.RunId} -f json -o FILE' re-renders a report; the folder's evidence files cannot be");
            return ExitCodes.Usage;
        }

        // The reports as the run stands now (signed), then the bundle.
        await Reporters.WriteAllAsync(run, folder, ArchgateReports.All, cancellationToken);
        var to = string.Concat(settings.To.Where(char.IsLetterOrDigit));
        var archive = settings.Output ?? Path.Combine(folder, $"handoff-{run.RunId}-{(to.Length == 0 ? "qa" : to)}.tar.gz");
        var files = await HandoffBundle.WriteAsync(run, folder, archive, cancellationToken);
        AnsiConsole.MarkupLine($"handoff to {ArchgateApp.Safe(settings.To)}: {ArchgateApp.Safe(archive)} ({files.Count} files, checksums in {HandoffBundle.ChecksumFile})");
        return ExitCodes.Go;
    }
}

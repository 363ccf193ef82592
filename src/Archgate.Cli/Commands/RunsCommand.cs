using System.ComponentModel;
using Archgate.Store;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Archgate.Cli.Commands;

internal sealed class RunsCommand : Command<RunsCommand.Settings>
{
    public sealed class Settings : StoreSettings
    {
        [CommandOption("--system <NAME>")]
        [Description("Only runs of this system")]
        public string? System { get; init; }

        [CommandOption("--verify")]
        [Description("Check every run's chain of reviews and sign-offs; name the first broken record of each (exit 4 when one is)")]
        public bool Verify { get; init; }

        [CommandOption("-n|--limit <N>")]
        [Description("How many runs to list. Default: 20")]
        public int Limit { get; init; } = 20;
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (!File.Exists(settings.Store))
        {
            Console.WriteLine($"no runs yet ({settings.Store} does not exist)");
            return ExitCodes.Go;
        }

        using var store = RunStore.Open(settings.Store);
        if (settings.Verify)
        {
            var breaks = store.VerifySignoffs();
            foreach (var b in breaks)
            {
                Console.WriteLine($"BROKEN run {b.RunId}: record {b.Seq}: {b.Problem}");
            }

            Console.WriteLine(breaks.Count == 0 ? "every sign-off chain holds" : $"{breaks.Count} broken chain(s)");
            return breaks.Count == 0 ? ExitCodes.Go : ExitCodes.NoGo;
        }

        var runs = store.List(settings.Limit, settings.System);
        var table = new Table().Border(TableBorder.Simple);
        table.AddColumns("run", "system", "started (UTC)", "state", "verdict", "steps", "duration");
        foreach (var r in runs)
        {
            var duration = r.FinishedAt is { } f ? $"{(f - r.StartedAt).TotalSeconds:0.0} s" : "-";
            var verdict = r.Verdict switch
            {
                Protocol.Verdict.Go => "GO",
                Protocol.Verdict.NoGo => "NO-GO",
                Protocol.Verdict.Incomplete when r.AwaitingSignoff => "INCOMPLETE (awaiting sign-off)",
                Protocol.Verdict.Incomplete => "INCOMPLETE",
                _ => "-",
            };
            table.AddRow(r.RunId, ArchgateApp.Safe(r.System), r.StartedAt.ToString("yyyy-MM-dd HH:mm:ss"), r.State, verdict, r.StepsDone.ToString(System.Globalization.CultureInfo.InvariantCulture), duration);
        }

        AnsiConsole.Write(table);
        return ExitCodes.Go;
    }
}

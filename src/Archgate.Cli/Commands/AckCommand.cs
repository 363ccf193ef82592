using System.ComponentModel;
using Archgate.Judging;
using Archgate.Store;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Archgate.Cli.Commands;

internal sealed class AckCommand : Command<AckCommand.Settings>
{
    public sealed class Settings : StoreSettings
    {
        [CommandArgument(0, "<ESCALATION_ID>")]
        [Description("The escalation: its id (e-...) or a unique prefix, as 'archgate escalations' lists them")]
        public string Id { get; init; } = string.Empty;

        [CommandOption("--as <NAME>")]
        [Description("Who acknowledges. Default: $ARCHGATE_USER, else git config user.name / user.email")]
        public string? As { get; init; }

        [CommandOption("--note <TEXT>")]
        [Description("What is being done about it")]
        public string? Note { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (SignerIdentity.Resolve(settings.As, Environment.GetEnvironmentVariable, SignoffCommand.GitConfig) is not { } who)
        {
            Console.Error.WriteLine("archgate: no identity to acknowledge with");
            Console.Error.WriteLine($"  hint: pass --as NAME, set {SignerIdentity.EnvironmentVariable}, or set git config user.name");
            return ExitCodes.Usage;
        }

        using var store = RunStore.Open(settings.Store);
        using var http = new HttpClient();
        var (record, error) = EscalationConsole.Desk(store, http).Acknowledge(settings.Id, who.Identity, settings.Note);
        if (error is not null)
        {
            Console.Error.WriteLine($"archgate: ack refused: {Printable.EscapeLines(error)}");
            Console.Error.WriteLine("  hint: 'archgate escalations' lists the escalations with their ids and states");
            return ExitCodes.Usage;
        }

        AnsiConsole.MarkupLine($"acknowledged {record!.Id} (level {record.Level}, {ArchgateApp.Safe(record.Trigger)}, run {record.RunId}) as {ArchgateApp.Safe(who.Identity)}; it will not rise further");
        return ExitCodes.Go;
    }
}

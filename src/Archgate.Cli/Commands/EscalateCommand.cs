using System.ComponentModel;
using Archgate.Judging;
using Archgate.Protocol;
using Archgate.Store;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Archgate.Cli.Commands;

internal sealed class EscalateCommand : AsyncCommand<EscalateCommand.Settings>
{
    public sealed class Settings : RunSettings
    {
        [CommandOption("--reason <REASON>")]
        [Description("architectural-conflict, coordination-deadlock, stack-incompatibility, compliance, priority-change or vendor")]
        public string Reason { get; init; } = string.Empty;

        [CommandOption("--note <TEXT>")]
        [Description("What is wrong and what is needed")]
        public string Note { get; init; } = string.Empty;

        [CommandOption("--level <N>")]
        [Description("Start level 1-4. Default: the reason's (docs/escalation.md)")]
        public int? Level { get; init; }

        [CommandOption("--component <NAME>")]
        [Description("A component it concerns (its owner is notified at level 2). Repeatable")]
        public string[] Components { get; init; } = [];

        [CommandOption("--as <NAME>")]
        [Description("Who raises it. Default: $ARCHGATE_USER, else git config user.name / user.email")]
        public string? As { get; init; }

        public override ValidationResult Validate()
        {
            if (!ManualTriggers.Levels.ContainsKey(Reason))
            {
                return ValidationResult.Error($"--reason must be one of {ManualTriggers.Names}");
            }

            if (string.IsNullOrWhiteSpace(Note))
            {
                return ValidationResult.Error("--note is required: say what is wrong and what is needed");
            }

            return Level is < 1 or > 4 ? ValidationResult.Error("--level is 1 to 4") : ValidationResult.Success();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var who = SignerIdentity.Resolve(settings.As, Environment.GetEnvironmentVariable, SignoffCommand.GitConfig)?.Identity;
        using var store = RunStore.Open(settings.Store);
        if (settings.ResolveRun(store) is not { } id || store.Load(id) is not { } run)
        {
            return ExitCodes.Usage;
        }

        var routing = EscalationConsole.ContextOf(store, id);
        if (routing.System is not { } system)
        {
            Console.Error.WriteLine($"archgate: {Printable.EscapeLines(routing.Problem ?? "cannot load the run's manifest")}");
            Console.Error.WriteLine("  hint: the escalation is routed with the run's manifest; restore it at that path, then try again");
            return ExitCodes.InvalidManifest;
        }

        var unknown = settings.Components.Where(c => system.Find(c) is null).ToList();
        if (unknown.Count > 0)
        {
            Console.Error.WriteLine($"archgate: --component {string.Join(", ", unknown)}: not a component of {system.Name}");
            Console.Error.WriteLine($"  hint: the components are {string.Join(", ", system.Components.Select(c => c.Name))}");
            return ExitCodes.Usage;
        }

        var level = settings.Level ?? ManualTriggers.Levels[settings.Reason];
        var escalation = new Escalation(settings.Reason, level, settings.Note.Trim()) { Components = settings.Components };
        var report = store.OutputDirectory(id) is { } output ? Path.Combine(output, "integration-validation-report.md") : null;
        using var http = new HttpClient();
        var outcome = await EscalationConsole.Desk(store, http).RaiseAsync(system, run, [escalation], EscalationDesk.Manual, who, report, cancellationToken);
        var raised = outcome.Escalations[0];
        AnsiConsole.MarkupLine($"raised {raised.Id}: level {raised.Level} ({EscalationRouting.LevelName(raised.Level)}) {ArchgateApp.Safe(raised.Trigger)} on run {id}" +
            (who is null ? string.Empty : $" by {ArchgateApp.Safe(who)}"));
        var recipients = EscalationRouting.Recipients(system, raised.Level, raised.Components);
        AnsiConsole.MarkupLine(raised.Level == 1
            ? "  level 1 (self-recovery): recorded, nobody notified"
            : $"  routed to {ArchgateApp.Safe(recipients.Count == 0 ? "nobody named in the manifest" : string.Join(", ", recipients))}");
        foreach (var d in outcome.Deliveries)
        {
            EscalationConsole.Print(d);
        }

        AnsiConsole.MarkupLine($"  acknowledge with: archgate ack {raised.Id}");
        return outcome.Deliveries.All(d => d.Delivered) ? ExitCodes.Go : ExitCodes.Infrastructure;
    }
}

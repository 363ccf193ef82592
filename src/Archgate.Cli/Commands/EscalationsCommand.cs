using System.ComponentModel;
using System.Globalization;
using Archgate.Judging;
using Archgate.Protocol;
using Archgate.Store;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Archgate.Cli.Commands;

internal sealed class EscalationsCommand : AsyncCommand<EscalationsCommand.Settings>
{
    public sealed class Settings : StoreSettings
    {
        [CommandArgument(0, "[RUN_ID]")]
        [Description("Only the escalations of this run (its id, a unique prefix, or 'last'). Default: every run")]
        public string? RunId { get; init; }

        [CommandOption("--tick")]
        [Description("First rise every escalation not acknowledged within its level's ackWithin, and retry failed deliveries (for a cron or CI schedule)")]
        public bool Tick { get; init; }

        [CommandOption("--open")]
        [Description("Only escalations not acknowledged")]
        public bool Open { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (!File.Exists(settings.Store))
        {
            Console.WriteLine($"no escalations yet ({settings.Store} does not exist)");
            return ExitCodes.Go;
        }

        using var store = RunStore.Open(settings.Store);
        string? runId = null;
        if (settings.RunId is { } text && (runId = store.ResolveId(text)) is null)
        {
            Console.Error.WriteLine($"archgate: no run '{text}' in {settings.Store}");
            Console.Error.WriteLine("  hint: 'archgate runs' lists the runs");
            return ExitCodes.Usage;
        }

        var exit = ExitCodes.Go;
        if (settings.Tick)
        {
            using var http = new HttpClient();
            var contexts = new Dictionary<string, EscalationContext>();
            var tick = await EscalationConsole.Desk(store, http).TickAsync(
                e => contexts.TryGetValue(e.RunId, out var c) ? c : contexts[e.RunId] = EscalationConsole.ContextOf(store, e.RunId), null, cancellationToken);
            foreach (var e in tick.Escalations)
            {
                AnsiConsole.MarkupLine($"[yellow]{e.Id}[/] level {e.Level} ({EscalationRouting.LevelName(e.Level)}): {ArchgateApp.Safe(e.Trigger)} on run {e.RunId}");
            }

            foreach (var d in tick.Deliveries)
            {
                EscalationConsole.Print(d);
            }

            AnsiConsole.MarkupLine($"tick: {tick.Escalations.Count} escalation(s) risen or retried, {tick.Deliveries.Count(d => !d.Delivered)} delivery(ies) failed");
            exit = tick.Deliveries.All(d => d.Delivered) ? ExitCodes.Go : ExitCodes.Infrastructure;
        }

        var list = store.Escalations(runId).Where(e => !settings.Open || e.State != EscalationState.Acknowledged).ToList();
        if (list.Count == 0)
        {
            Console.WriteLine(runId is null ? "no escalations" : $"no escalations on run {runId}");
            return exit;
        }

        var table = new Table().Border(TableBorder.Simple);
        table.AddColumns("escalation", "run", "trigger", "level", "state", "raised (UTC)", "delivered");
        foreach (var e in list)
        {
            var level = e.StartLevel == e.Level ? $"{e.Level}" : $"{e.StartLevel} -> {e.Level}";
            var delivered = e.Notices.Count == 0 ? "-" : $"{e.Notices.Count(n => n.Delivered)}/{e.Notices.Count}";
            table.AddRow(e.Id, e.RunId, ArchgateApp.Safe(e.Trigger), level, ArchgateApp.Safe(EscalationConsole.State(e)),
                e.RaisedAt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), e.Undelivered.Any() ? $"[red]{delivered}[/]" : delivered);
        }

        AnsiConsole.Write(table);
        foreach (var e in list.Where(e => e.Undelivered.Any()))
        {
            foreach (var n in e.Undelivered)
            {
                AnsiConsole.MarkupLine($"[red]undelivered[/] {e.Id} level {n.Level} to {n.Channel} {ArchgateApp.Safe(n.Target)} after {n.Attempts} attempt(s): {ArchgateApp.Safe(n.Error ?? "unknown")}");
            }
        }

        if (list.Any(e => e.Undelivered.Any()))
        {
            AnsiConsole.MarkupLine("  hint: 'archgate escalations --tick' delivers them again");
        }

        return exit;
    }
}

using System.ComponentModel;
using Archgate.Launch;
using Spectre.Console.Cli;

namespace Archgate.Cli.Commands;

/// <summary>Hidden: <c>archgate __watchdog PARENT_PID PARENT_START STATE_FILE</c>, started by the launcher (see <see cref="Watchdog"/>).</summary>
internal sealed class WatchdogCommand : AsyncCommand<WatchdogCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<PARENT_PID>")]
        [Description("The Archgate process to watch")]
        public int ParentPid { get; init; }

        [CommandArgument(1, "<PARENT_START>")]
        [Description("Its start time in clock ticks since boot")]
        public long ParentStart { get; init; }

        [CommandArgument(2, "<STATE_FILE>")]
        [Description("The system.json whose processes to stop")]
        public string StateFile { get; init; } = string.Empty;
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        try
        {
            await Watchdog.RunAsync(settings.ParentPid, settings.ParentStart, settings.StateFile, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Stopped by the launcher after it stopped the system itself.
        }

        return ExitCodes.Go;
    }
}

using Archgate.Cli.Rendering;
using Archgate.Launch;
using Spectre.Console.Cli;

namespace Archgate.Cli.Commands;

internal sealed class DownCommand : AsyncCommand<StoreSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, StoreSettings settings, CancellationToken cancellationToken)
    {
        var stopped = await SystemLauncher.StopFromStateAsync(RunSessionCommand.StateDirectory(settings.Store));
        if (stopped.Count == 0)
        {
            Console.WriteLine("nothing to stop: no system started with 'archgate up --detach' is recorded");
            return ExitCodes.Go;
        }

        foreach (var c in stopped)
        {
            Console.WriteLine($"stopped {c.Component} (pid {c.Pid})");
        }

        return ExitCodes.Go;
    }
}

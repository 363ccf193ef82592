using System.ComponentModel;
using Archgate.Checks.Faults;
using Archgate.Checks.Http;
using Archgate.Cli.Rendering;
using Archgate.Launch;
using Archgate.Planning;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Archgate.Cli.Commands;

internal sealed class UpCommand : AsyncCommand<UpCommand.Settings>
{
    public sealed class Settings : StoreSettings
    {
        [CommandArgument(0, "[MANIFEST]")]
        [Description("The manifest. Default: archgate.yaml")]
        public string Manifest { get; init; } = "archgate.yaml";

        [CommandOption("-d|--detach")]
        [Description("Start and return, leaving the system running; stop it with 'archgate down'")]
        public bool Detach { get; init; }

        [CommandOption("--follow")]
        [Description("Show the components' logs, prefixed with their names")]
        public bool Follow { get; init; }

        public override ValidationResult Validate() =>
            Detach && Follow ? ValidationResult.Error("--follow cannot be combined with --detach") : ValidationResult.Success();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var model = ManifestErrors.LoadOrReport(settings.Manifest, Console.Error);
        if (model is null)
        {
            return ExitCodes.InvalidManifest;
        }

        var stateDirectory = RunSessionCommand.StateDirectory(settings.Store);
        if (File.Exists(SystemLauncher.StatePath(stateDirectory)))
        {
            Console.Error.WriteLine($"archgate: a system started by 'archgate up --detach' is still recorded in {SystemLauncher.StatePath(stateDirectory)}");
            Console.Error.WriteLine("  hint: stop it first with 'archgate down'");
            return ExitCodes.Usage;
        }

        var console = AnsiConsole.Console;
        using var http = ProbeHttp.CreateClient(model.AllowedHosts);
        // The proxies of ${url:NAME} live in this process: with --detach, callers get their dependencies' own addresses.
        await using var edges = new EdgeProxies();
        using var launcher = new SystemLauncher(Planner.Plan(model), stateDirectory, new ConsoleLaunchObserver(console), settings.Follow)
        {
            // Without --detach the system lives as long as this process, even if it is killed with SIGKILL.
            WatchdogCommand = settings.Detach ? null : RunSessionCommand.WatchdogCommandLine(),
            Edges = settings.Detach ? null : edges,
        };
        try
        {
            var failure = await launcher.StartAsync(http, cancellationToken);
            if (failure is not null)
            {
                ConsoleLaunchObserver.PrintFailure(console, failure);
                return ExitCodes.Infrastructure;
            }

            console.MarkupLine($"[green]system {ArchgateApp.Safe(model.Name)} is up[/]: {launcher.Started.Count} component(s) started; logs in {ArchgateApp.Safe(Path.Combine(stateDirectory, "logs"))}");
            foreach (var (edge, proxy) in edges.All)
            {
                console.MarkupLine($"edge {ArchgateApp.Safe(edge.ToString())} through a passthrough proxy at {ArchgateApp.Safe(proxy.Address.ToString())}");
            }

            if (settings.Detach)
            {
                console.MarkupLine("stop it with: archgate down");
                return ExitCodes.Go;
            }

            console.MarkupLine("press Ctrl+C to stop it");
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return ExitCodes.Go;
        }
        catch (OperationCanceledException)
        {
            await launcher.StopAsync();
            console.MarkupLine("stopped.");
            return ExitCodes.Cancelled;
        }
    }
}

using Archgate.Checks;
using Archgate.Checks.Http;
using Archgate.Checks.Performance;
using Archgate.Judging;
using Archgate.Launch;
using Archgate.Model;
using Archgate.Planning;
using Archgate.Protocol;
using Archgate.Reporting;
using Archgate.Store;
using Spectre.Console;

namespace Archgate.Cli.Rendering;

/// <summary>
/// One run as the CLI does it: optionally start the system, run (or resume) the protocol with live progress,
/// write the reports, print the summary, stop what was started, and map the outcome to an exit code.
/// </summary>
internal static class RunSession
{
    public static async Task<int> ExecuteAsync(
        SystemModel model,
        string storePath,
        RunOptions options,
        RunRecord? resume,
        bool up,
        bool follow,
        CancellationToken cancellationToken,
        int? agents = null)
    {
        var console = AnsiConsole.Console;
        using var store = RunStore.Open(storePath);
        using var http = ProbeHttp.CreateClient(model.AllowedHosts);
        using var launcher = up ? new SystemLauncher(Planner.Plan(model), StateDirectory(storePath), new ConsoleLaunchObserver(console), follow) : null;
        try
        {
            if (launcher is not null)
            {
                var failure = await launcher.StartAsync(http, cancellationToken);
                if (failure is not null)
                {
                    ConsoleLaunchObserver.PrintFailure(console, failure);
                    return ExitCodes.Infrastructure;
                }
            }

            var observer = new ConsoleRunObserver(console);
            var load = new LoadCheckOptions { Agents = agents, AgentCommand = AgentCommandLine() };
            var runner = new ProtocolRunner(store, m => ProtocolCatalog.ChecksFor(m, load), http, observer);
            RunRecord? record = null;
            if (resume is null)
            {
                console.MarkupLine($"archgate: system [bold]{ArchgateApp.Safe(model.Name)}[/], {model.Components.Count} components, steps {string.Join(",", options.Steps.Order())}");
            }

            var work = resume is null
                ? runner.StartAsync(model, options, cancellationToken)
                : runner.ResumeAsync(model, resume, options, cancellationToken);
            try
            {
                if (console.Profile.Capabilities.Interactive)
                {
                    await console.Status().StartAsync("starting", async ctx =>
                    {
                        while (!work.IsCompleted)
                        {
                            ctx.Status(observer.Status);
                            await Task.WhenAny(work, Task.Delay(200, CancellationToken.None));
                        }
                    });
                }

                record = await work;
            }
            catch (OperationCanceledException)
            {
                var partial = runner.RunId is null ? null : store.Load(runner.RunId);
                if (partial is not null)
                {
                    var directory = ProtocolRunner.OutputFor(options, partial.RunId);
                    await Reporters.WriteAllAsync(partial, directory, CancellationToken.None);
                    console.MarkupLine($"[yellow]cancelled[/] run {ArchgateApp.Safe(partial.RunId)} after {partial.Steps.Count} step(s); continue with: archgate resume {ArchgateApp.Safe(partial.RunId)}");
                }

                return ExitCodes.Cancelled;
            }

            var output = ProtocolRunner.OutputFor(options, record.RunId);
            var reports = await Reporters.WriteAllAsync(record, output, CancellationToken.None);
            RunSummary.Print(console, record, [.. reports, Path.Combine(output, "integration-plan.md")]);
            using (var notifyHttp = new HttpClient())
            {
                foreach (var d in await EscalationNotifier.NotifyAsync(record, model.Escalation, notifyHttp, CancellationToken.None))
                {
                    console.MarkupLine(d.Delivered
                        ? $"  escalations sent to {d.Channel} {ArchgateApp.Safe(d.Target)}"
                        : $"  [yellow]escalations not delivered[/] to {d.Channel} {ArchgateApp.Safe(d.Target)}: {ArchgateApp.Safe(d.Error ?? "unknown")}");
                }
            }

            return RunSummary.ExitCode(record);
        }
        finally
        {
            if (launcher is not null)
            {
                await launcher.StopAsync();
                console.MarkupLine("[grey]stopped the components Archgate started.[/]");
            }
        }
    }

    /// <summary>How this very program starts a load agent: <c>archgate agent</c> (or <c>dotnet archgate.dll agent</c>).</summary>
    public static IReadOnlyList<string> AgentCommandLine()
    {
        var host = Environment.ProcessPath ?? "dotnet";
        return Path.GetFileNameWithoutExtension(host) == "dotnet"
            ? [host, typeof(RunSession).Assembly.Location, "agent"]
            : [host, "agent"];
    }

    /// <summary>Logs and the launch state live next to the run store.</summary>
    public static string StateDirectory(string storePath) =>
        Path.GetDirectoryName(Path.GetFullPath(storePath)) ?? ".archgate";
}

using Archgate.Checks;
using Archgate.Checks.Faults;
using Archgate.Checks.Http;
using Archgate.Checks.Performance;
using Archgate.Checks.Security;
using Archgate.Model;
using Archgate.Protocol;
using Archgate.Session;
using Archgate.Store;
using Spectre.Console;

namespace Archgate.Cli.Rendering;

/// <summary>
/// How the CLI runs a session: composes Core's <see cref="Archgate.Session.RunSession"/> with the real step table,
/// the run store and the console observer, shows a spinner on a terminal, and returns the session's exit code.
/// </summary>
internal static class RunSessionCommand
{
    public static async Task<int> ExecuteAsync(
        SystemModel model,
        string storePath,
        RunOptions options,
        RunRecord? resume,
        bool up,
        bool follow,
        CancellationToken cancellationToken,
        int? agents = null,
        string? osvDatabase = null) =>
        (await RunAsync(model, storePath, options, resume, up, follow, cancellationToken, agents, osvDatabase)).ExitCode;

    /// <summary>As <see cref="ExecuteAsync"/>, with the session's whole result (the run record, for commands that judge one step).</summary>
    public static async Task<Archgate.Session.RunSessionResult> RunAsync(
        SystemModel model,
        string storePath,
        RunOptions options,
        RunRecord? resume,
        bool up,
        bool follow,
        CancellationToken cancellationToken,
        int? agents = null,
        string? osvDatabase = null)
    {
        var console = AnsiConsole.Console;
        using var store = RunStore.Open(storePath);
        using var http = ProbeHttp.CreateClient(model.AllowedHosts, PassiveSecurity.Recorder()); // step 9 judges every response of the run
        var observer = new ConsoleSessionObserver(console);
        var protocol = ArchgateProtocol.Create(
            new LoadCheckOptions { Agents = agents, AgentCommand = AgentCommandLine() },
            new Archgate.Checks.Security.Audit.DependencyAuditOptions { OsvDatabase = osvDatabase });
        var session = new Archgate.Session.RunSession(protocol, store, http, observer);
        await using var edges = new EdgeProxies(); // the passthrough proxies of ${url:NAME}; they stop after the system
        var sessionOptions = new RunSessionOptions
        {
            Run = options, Reporters = ArchgateReports.All, Up = up, Follow = follow, StateDirectory = StateDirectory(storePath), WatchdogCommand = WatchdogCommandLine(), Edges = edges,
        };
        var work = session.ExecuteAsync(model, sessionOptions, resume, cancellationToken);
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

        return await work;
    }

    /// <summary>How this very program starts a load agent: <c>archgate agent</c> (or <c>dotnet archgate.dll agent</c>).</summary>
    public static IReadOnlyList<string> AgentCommandLine()
    {
        var host = Environment.ProcessPath ?? "dotnet";
        return Path.GetFileNameWithoutExtension(host) == "dotnet"
            ? [host, typeof(RunSessionCommand).Assembly.Location, "agent"]
            : [host, "agent"];
    }

    /// <summary>How this very program starts its watchdog: <c>archgate __watchdog</c> (or <c>dotnet archgate.dll __watchdog</c>).</summary>
    public static IReadOnlyList<string> WatchdogCommandLine() => [.. AgentCommandLine().SkipLast(1), "__watchdog"];

    /// <summary>Logs and the launch state live next to the run store.</summary>
    public static string StateDirectory(string storePath) =>
        Path.GetDirectoryName(Path.GetFullPath(storePath)) ?? ".archgate";
}

using System.ComponentModel;
using System.Diagnostics;
using Archgate.Cli.Rendering;
using Archgate.Protocol;
using Spectre.Console.Cli;

namespace Archgate.Cli.Commands;

internal sealed class DemoCommand : AsyncCommand<DemoCommand.Settings>
{
    /// <summary>The bundled sample the demo runs, relative to the repository root.</summary>
    public const string SampleManifest = "samples/minimal/archgate.yaml";

    public sealed class Settings : StoreSettings
    {
        [CommandOption("--follow")]
        [Description("Show the sample's logs while it runs")]
        public bool Follow { get; init; }

        [CommandOption("--rebuild")]
        [Description("Build the sample even if it was built before")]
        public bool Rebuild { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var root = FindRepositoryRoot();
        if (root is null)
        {
            Console.Error.WriteLine($"archgate: cannot find {SampleManifest}");
            Console.Error.WriteLine("  hint: run 'archgate demo' inside a clone of the Archgate repository");
            return ExitCodes.Usage;
        }

        var manifest = Path.Combine(root, SampleManifest);
        var project = Path.Combine(root, "samples", "minimal", "service", "Minimal.Service.csproj");
        var dll = Path.Combine(root, "samples", "minimal", ".build", "service", "Minimal.Service.dll");
        if (settings.Rebuild || !File.Exists(dll))
        {
            Console.WriteLine($"building the sample ({Path.GetRelativePath(root, project)}) ...");
            var build = await BuildAsync(project, cancellationToken);
            if (build != 0)
            {
                Console.Error.WriteLine($"archgate: building the sample failed (dotnet build exit code {build})");
                return ExitCodes.Infrastructure;
            }
        }

        var model = ManifestErrors.LoadOrReport(manifest, Console.Error);
        if (model is null)
        {
            return ExitCodes.InvalidManifest;
        }

        var code = await RunSession.ExecuteAsync(model, settings.Store, new RunOptions(), resume: null, up: true, settings.Follow, cancellationToken);
        Console.WriteLine("demo done: 'archgate runs' lists the run, 'archgate report last' prints its report.");
        return code;
    }

    private static async Task<int> BuildAsync(string project, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false };
        foreach (var arg in new[] { "build", project, "-c", "Release", "-nologo", "-v", "quiet" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        await process.WaitForExitAsync(cancellationToken);
        return process.ExitCode;
    }

    private static string? FindRepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, SampleManifest)))
                {
                    return dir.FullName;
                }
            }
        }

        return null;
    }
}

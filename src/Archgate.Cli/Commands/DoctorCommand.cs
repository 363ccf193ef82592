using System.ComponentModel;
using System.Diagnostics;
using Archgate.Checks.Prerequisites;
using Archgate.Cli.Rendering;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Archgate.Cli.Commands;

/// <summary>
/// <c>archgate doctor [MANIFEST] [--tests] [--install]</c>: every external program Archgate, its tests and benchmarks
/// may start, found (path and version) or missing, and what needs it; exit 0 when everything required is there
/// (what a run of MANIFEST needs, or every program checks use; with <c>--tests</c> the test suite's too), else 3.
/// <c>--install</c> installs the missing required ones with apt-get (as root, or through sudo).
/// </summary>
internal sealed class DoctorCommand : AsyncCommand<DoctorCommand.Settings>
{
    public sealed class Settings : ArchgateSettings
    {
        [CommandArgument(0, "[MANIFEST]")]
        [Description("Judge what a run of this manifest needs. Default: every program a check may use.")]
        public string? Manifest { get; init; }

        [CommandOption("--tests")]
        [Description("Also require what the test suite uses (PostgreSQL server binaries, sqlite3, npm).")]
        public bool Tests { get; init; }

        [CommandOption("--install")]
        [Description("Install the missing required programs with apt-get (as root, or through sudo); elsewhere print the command to run.")]
        public bool Install { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        IReadOnlyList<Prerequisite> required;
        if (settings.Manifest is not null)
        {
            var model = ManifestErrors.LoadOrReport(settings.Manifest, Console.Error);
            if (model is null)
            {
                return ExitCodes.InvalidManifest;
            }

            required = Prerequisites.For(model);
        }
        else
        {
            required = [.. Prerequisites.All.Where(p => p.Use == PrerequisiteUse.Run)];
        }

        if (settings.Tests)
        {
            required = [.. required.Union(Prerequisites.All.Where(p => p.Use == PrerequisiteUse.Tests))];
        }

        var missing = await ReportAsync(required, cancellationToken);
        if (missing.Count == 0)
        {
            Console.WriteLine(settings.Manifest is null ? "everything a check may start is installed" : $"everything a run of {settings.Manifest} starts is installed");
            return ExitCodes.Go;
        }

        var packages = missing.Select(p => p.Package).Distinct(StringComparer.Ordinal).ToList();
        if (!settings.Install)
        {
            Console.Error.WriteLine($"archgate: missing {string.Join(", ", missing.Select(p => p.Name))}");
            Console.Error.WriteLine($"  hint: 'archgate doctor{(settings.Manifest is null ? string.Empty : " " + settings.Manifest)}{(settings.Tests ? " --tests" : string.Empty)} --install', or: {InstallCommand(packages)}");
            return ExitCodes.Infrastructure;
        }

        if (!await InstallAsync(packages, cancellationToken))
        {
            return ExitCodes.Infrastructure;
        }

        var still = await ReportAsync(required, cancellationToken);
        if (still.Count > 0)
        {
            Console.Error.WriteLine($"archgate: still missing after the install: {string.Join(", ", still.Select(p => p.Name))}");
            return ExitCodes.Infrastructure;
        }

        return ExitCodes.Go;
    }

    /// <summary>Prints one row per program; returns the required ones that are missing.</summary>
    private static async Task<List<Prerequisite>> ReportAsync(IReadOnlyList<Prerequisite> required, CancellationToken cancellationToken)
    {
        var table = new Table().AddColumns("program", "status", "needed by", "package");
        var missing = new List<Prerequisite>();
        foreach (var prerequisite in Prerequisites.All)
        {
            var isRequired = required.Contains(prerequisite);
            var path = prerequisite.Locate();
            string status;
            if (path is null)
            {
                status = isRequired ? "[red]missing[/]" : "missing (not required)";
                if (isRequired)
                {
                    missing.Add(prerequisite);
                }
            }
            else
            {
                var version = await prerequisite.VersionAsync(path, cancellationToken);
                status = $"[green]found[/] {ArchgateApp.Safe(path)}{(version is null ? string.Empty : " (" + ArchgateApp.Safe(version) + ")")}";
            }

            var use = prerequisite.Use switch
            {
                PrerequisiteUse.Run => prerequisite.NeededBy,
                PrerequisiteUse.Tests => "tests: " + prerequisite.NeededBy,
                _ => "bench: " + prerequisite.NeededBy,
            };
            table.AddRow(ArchgateApp.Safe(prerequisite.Name), status, ArchgateApp.Safe(use), prerequisite.Package);
        }

        AnsiConsole.Write(table);
        return missing;
    }

    private static string InstallCommand(IReadOnlyList<string> packages) =>
        $"{(Environment.UserName == "root" ? string.Empty : "sudo ")}apt-get install -y {string.Join(' ', packages)}";

    private static async Task<bool> InstallAsync(IReadOnlyList<string> packages, CancellationToken cancellationToken)
    {
        if (!File.Exists("/usr/bin/apt-get"))
        {
            Console.Error.WriteLine($"archgate: no apt-get on this system; install the packages named {string.Join(", ", packages)} with its package manager");
            return false;
        }

        var root = Environment.UserName == "root";
        if (!root && !File.Exists("/usr/bin/sudo"))
        {
            Console.Error.WriteLine($"archgate: installing needs root; run as root: apt-get install -y {string.Join(' ', packages)}");
            return false;
        }

        Console.WriteLine($"installing {string.Join(", ", packages)}");
        return await AptAsync(root, ["update", "-qq"], cancellationToken)
            && await AptAsync(root, ["install", "-y", "-qq", .. packages], cancellationToken);
    }

    private static async Task<bool> AptAsync(bool root, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(root ? "/usr/bin/apt-get" : "/usr/bin/sudo") { UseShellExecute = false };
        if (!root)
        {
            start.ArgumentList.Add("-n"); // never prompt: fail and say so
            start.ArgumentList.Add("/usr/bin/apt-get");
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using var process = Process.Start(start)!;
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            Console.Error.WriteLine($"archgate: apt-get {string.Join(' ', arguments)} exited with {process.ExitCode}");
        }

        return process.ExitCode == 0;
    }
}

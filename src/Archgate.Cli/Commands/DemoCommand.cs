using System.ComponentModel;
using System.Diagnostics;
using Archgate.Cli.Rendering;
using Archgate.Protocol;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Archgate.Cli.Commands;

internal sealed class DemoCommand : AsyncCommand<DemoCommand.Settings>
{
    /// <summary>A bundled sample: its manifest, what builds it, and the files that show it is built.</summary>
    private sealed record Sample(string Manifest, string Build, string[] Outputs);

    private static readonly Dictionary<string, Sample> Samples = new(StringComparer.Ordinal)
    {
        ["shop"] = new(
            "samples/shop/archgate.yaml",
            "samples/shop/Shop.slnx",
            ["samples/shop/bin/Shop.Api/Shop.Api.dll", "samples/shop/bin/Shop.Payments/Shop.Payments.dll", "samples/shop/bin/Shop.ThirdParty/Shop.ThirdParty.dll", "samples/shop/bin/Shop.Web/Shop.Web.dll"]),
        ["minimal"] = new(
            "samples/minimal/archgate.yaml",
            "samples/minimal/service/Minimal.Service.csproj",
            ["samples/minimal/.build/service/Minimal.Service.dll"]),
    };

    public sealed class Settings : StoreSettings
    {
        [CommandOption("--sample <NAME>")]
        [Description("shop (default): the reference system; minimal: one service and one database")]
        public string Sample { get; init; } = "shop";

        public override ValidationResult Validate() => Samples.ContainsKey(Sample)
            ? ValidationResult.Success()
            : ValidationResult.Error($"--sample: unknown sample '{Sample}'; use {string.Join(" or ", Samples.Keys)}");

        [CommandOption("--follow")]
        [Description("Show the sample's logs while it runs")]
        public bool Follow { get; init; }

        [CommandOption("--rebuild")]
        [Description("Build the sample even if it was built before")]
        public bool Rebuild { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var sample = Samples[settings.Sample];
        var root = FindRepositoryRoot(sample.Manifest);
        if (root is null)
        {
            Console.Error.WriteLine($"archgate: cannot find {sample.Manifest}");
            Console.Error.WriteLine("  hint: run 'archgate demo' inside a clone of the Archgate repository");
            return ExitCodes.Usage;
        }

        var manifest = Path.Combine(root, sample.Manifest);
        var project = Path.Combine(root, sample.Build);
        if (settings.Rebuild || !sample.Outputs.All(o => File.Exists(Path.Combine(root, o))))
        {
            Console.WriteLine($"building the sample ({sample.Build}), once ...");
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

        var code = await RunSessionCommand.ExecuteAsync(model, settings.Store, new RunOptions(), resume: null, up: true, settings.Follow, cancellationToken);
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

    private static string? FindRepositoryRoot(string sampleManifest)
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, sampleManifest)))
                {
                    return dir.FullName;
                }
            }
        }

        return null;
    }
}

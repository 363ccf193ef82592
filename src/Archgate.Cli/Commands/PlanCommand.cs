using System.ComponentModel;
using Archgate.Cli.Rendering;
using Archgate.Manifest;
using Archgate.Planning;
using Spectre.Console.Cli;

namespace Archgate.Cli.Commands;

internal sealed class PlanCommand : AsyncCommand<PlanCommand.Settings>
{
    public sealed class Settings : ArchgateSettings
    {
        [CommandArgument(0, "[MANIFEST]")]
        [Description("The manifest. Default: archgate.yaml")]
        public string Manifest { get; init; } = "archgate.yaml";

        [CommandOption("-o|--output <FILE>")]
        [Description("Where to write the plan. Default: integration-plan.md")]
        public string Output { get; init; } = "integration-plan.md";

        [CommandOption("--print")]
        [Description("Print the plan instead of writing a file")]
        public bool Print { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        // Planning needs no value from the environment and no secret store: a job without the secrets can plan (unset
        // variables and unread secret references are warnings).
        var model = ManifestErrors.LoadOrReport(settings.Manifest, Console.Error, ManifestLoadOptions.WithoutSystem, out var loaded);
        if (model is null)
        {
            return ExitCodes.InvalidManifest;
        }

        foreach (var note in ManifestErrors.UncheckedNotes(loaded, "planned"))
        {
            Console.Error.WriteLine($"archgate: {note}");
        }

        var plan = Planner.Plan(model);
        var markdown = PlanWriter.ToMarkdown(plan);
        if (settings.Print || settings.Output == "-")
        {
            Console.Write(markdown);
            return ExitCodes.Go;
        }

        // The folder of the output is made when missing, as 'run --out' makes its own.
        if (Path.GetDirectoryName(Path.GetFullPath(settings.Output)) is { } folder)
        {
            Directory.CreateDirectory(folder);
        }

        await File.WriteAllTextAsync(settings.Output, markdown, cancellationToken);
        Console.WriteLine($"wrote {settings.Output}: {plan.Waves.Count} waves, {plan.Points.Count} integration points, {plan.Risks.Count} risks");
        foreach (var wave in plan.Waves)
        {
            Console.WriteLine($"  wave {wave[0].Wave}: {string.Join(", ", wave.Select(p => p.Component.Name))}");
        }

        foreach (var risk in plan.Risks)
        {
            Console.WriteLine($"  risk {risk.Rule} {risk.Severity.ToString().ToLowerInvariant()}: {risk.Message}");
        }

        return ExitCodes.Go;
    }
}

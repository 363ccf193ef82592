using System.ComponentModel;
using Archgate.Cli.Rendering;
using Spectre.Console.Cli;

namespace Archgate.Cli.Commands;

internal sealed class ValidateCommand : Command<ValidateCommand.Settings>
{
    public sealed class Settings : ArchgateSettings
    {
        [CommandArgument(0, "[MANIFEST]")]
        [Description("The manifest. Default: archgate.yaml")]
        public string Manifest { get; init; } = "archgate.yaml";
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var model = ManifestErrors.LoadOrReport(settings.Manifest, Console.Error);
        if (model is null)
        {
            return ExitCodes.InvalidManifest;
        }

        Console.WriteLine($"{settings.Manifest}: valid ({model.Components.Count} components, system '{model.Name}')");
        return ExitCodes.Go;
    }
}

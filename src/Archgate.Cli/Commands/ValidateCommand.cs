using System.ComponentModel;
using Archgate.Cli.Rendering;
using Archgate.Manifest;
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
        // Validation contacts nothing, not even a secret store, and needs no secret: unset variables and secret references are
        // warnings, the values that use them unchecked.
        var model = ManifestErrors.LoadOrReport(settings.Manifest, Console.Error, ManifestLoadOptions.WithoutSystem, out var loaded);
        if (model is null)
        {
            return ExitCodes.InvalidManifest;
        }

        Console.WriteLine($"{settings.Manifest}: valid ({model.Components.Count} components, system '{model.Name}')");
        foreach (var note in ManifestErrors.UncheckedNotes(loaded, "validated"))
        {
            Console.Error.WriteLine($"archgate: {note}");
        }
        return ExitCodes.Go;
    }
}

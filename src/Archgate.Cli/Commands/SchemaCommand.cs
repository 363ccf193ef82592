using System.ComponentModel;
using Archgate.Manifest;
using Spectre.Console.Cli;

namespace Archgate.Cli.Commands;

/// <summary>'archgate schema': the manifest's JSON Schema (2020-12) for editors, from the loader's own key lists.</summary>
internal sealed class SchemaCommand : Command<SchemaCommand.Settings>
{
    public sealed class Settings : ArchgateSettings
    {
        [CommandOption("-o|--output <FILE>")]
        [Description("Write the schema to FILE instead of standard output")]
        public string? Output { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var schema = ManifestLoader.JsonSchema() + "\n";
        if (settings.Output is null)
        {
            Console.Out.Write(schema);
        }
        else
        {
            File.WriteAllText(settings.Output, schema);
            Console.Error.WriteLine($"wrote {settings.Output}; point your editor at it with '# yaml-language-server: $schema={settings.Output}' on the manifest's first line");
        }

        return ExitCodes.Go;
    }
}

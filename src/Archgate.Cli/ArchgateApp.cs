using Archgate.Cli.Commands;
using Spectre.Console.Cli;

namespace Archgate.Cli;

/// <summary>Builds the command tree. Each command is one class under <c>Commands/</c>.</summary>
internal static class ArchgateApp
{
    public static async Task<int> RunAsync(string[] args)
    {
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("archgate");
            config.AddCommand<VersionCommand>("version").WithDescription("Print the Archgate version.");
            config.AddCommand<DiffCommand>("diff").WithDescription("Report breaking changes between two versions of an OpenAPI contract.");
        });
        return await app.RunAsync(args);
    }
}

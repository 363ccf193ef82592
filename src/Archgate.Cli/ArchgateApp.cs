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
            config.AddCommand<LoadCommand>("load").WithDescription("Load one URL (closed or open model) and print latency percentiles, throughput and errors.").WithExample("load", "http://127.0.0.1:8080/", "--users", "50", "--duration", "10s");
        });
        return await app.RunAsync(args);
    }
}

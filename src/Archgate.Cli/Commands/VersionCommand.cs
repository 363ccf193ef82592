using System.Reflection;
using Spectre.Console.Cli;

namespace Archgate.Cli.Commands;

internal sealed class VersionCommand : Command
{
    public override int Execute(CommandContext context, CancellationToken cancellationToken)
    {
        var version = typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        Console.WriteLine($"archgate {version}");
        return ExitCodes.Go;
    }
}

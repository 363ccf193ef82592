using Archgate.Launch;
using Archgate.Model;
using Spectre.Console;

namespace Archgate.Cli.Rendering;

/// <summary>Prints start-up progress and, with <c>--follow</c>, every component's log prefixed and coloured.</summary>
internal sealed class ConsoleLaunchObserver(IAnsiConsole console) : ILaunchObserver
{
    private static readonly string[] Colours = ["cyan", "magenta", "blue", "green", "yellow", "aqua", "fuchsia", "lime"];
    private readonly Dictionary<string, string> _colours = [];

    public void Starting(Component component, int wave) =>
        console.MarkupLine($"[grey]wave {wave}[/] starting [bold]{ArchgateApp.Safe(component.Name)}[/]: {ArchgateApp.Safe(Redact.Text(component.Run!.Command))}");

    public void Ready(Component component, TimeSpan elapsed) =>
        console.MarkupLine($"  [green]ready[/] {ArchgateApp.Safe(component.Name)} in {elapsed.TotalSeconds:0.0} s");

    public void LogLine(string component, string line)
    {
        string colour;
        lock (_colours)
        {
            if (!_colours.TryGetValue(component, out colour!))
            {
                colour = _colours[component] = Colours[_colours.Count % Colours.Length];
            }
        }

        console.MarkupLine($"[{colour}]{ArchgateApp.Safe(component),-10}|[/] {ArchgateApp.Safe(line)}");
    }

    public static void PrintFailure(IAnsiConsole console, LaunchFailure failure)
    {
        var code = failure.ExitCode is { } c ? $" (exit code {c})" : string.Empty;
        console.MarkupLine($"[red]start-up failed:[/] {ArchgateApp.Safe(failure.Component)} {ArchgateApp.Safe(failure.Reason)}{code}");
        if (failure.LastLogLines.Count > 0)
        {
            console.MarkupLine($"[grey]last {failure.LastLogLines.Count} lines of its log:[/]");
            foreach (var line in failure.LastLogLines)
            {
                console.MarkupLine($"  [grey]|[/] {ArchgateApp.Safe(line)}");
            }
        }

        console.MarkupLine("[grey]everything Archgate started has been stopped.[/]");
    }
}

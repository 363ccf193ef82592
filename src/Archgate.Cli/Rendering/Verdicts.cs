using Archgate.Protocol;

namespace Archgate.Cli;

/// <summary>A run's verdict as one line of text, with the reason it waits for people.</summary>
internal static class Verdicts
{
    public static string Text(RunRecord run) => run.Verdict switch
    {
        Verdict.Go => "[green bold]GO[/]",
        Verdict.NoGo => "[red bold]NO-GO[/]",
        Verdict.Incomplete when run.Awaiting is not null => $"[yellow bold]INCOMPLETE[/] ({ArchgateApp.Safe(run.Awaiting)})",
        Verdict.Incomplete => "[yellow bold]INCOMPLETE[/]",
        _ => "[grey]none[/]",
    };
}

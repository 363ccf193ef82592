using System.Globalization;

namespace Archgate.Launch;

/// <summary>
/// An exit of a component Archgate started, as the launcher noticed it: which process, how it ended, when, and the
/// end of its log (redacted).
/// </summary>
/// <param name="Component">The component.</param>
/// <param name="Pid">Its process id.</param>
/// <param name="ExitCode">The exit code; above 128 when a signal ended it (128 + the signal, as a shell reports it).</param>
/// <param name="NoticedAt">When the launcher noticed the exit.</param>
/// <param name="LogFile">The component's log.</param>
/// <param name="LastLogLines">The log's last lines at that moment, redacted.</param>
public sealed record ComponentExit(string Component, int Pid, int ExitCode, DateTimeOffset NoticedAt, string LogFile, IReadOnlyList<string> LastLogLines)
{
    /// <summary>Archgate stopped it on purpose (the end of the run, or a check that said so first): not a finding.</summary>
    public bool Expected { get; init; }

    /// <summary>The signal that ended it when the exit code says one did (129-159), else null.</summary>
    public int? Signal => ExitCode is > 128 and < 160 ? ExitCode - 128 : null;

    /// <summary>The exit in words: <c>code 3</c>, <c>code 137 (SIGKILL: killed, often by the kernel's out-of-memory killer)</c>.</summary>
    public string Describe()
    {
        var code = $"code {ExitCode.ToString(CultureInfo.InvariantCulture)}";
        return Signal switch
        {
            null => code,
            1 => $"{code} (SIGHUP)",
            2 => $"{code} (SIGINT)",
            3 => $"{code} (SIGQUIT)",
            4 => $"{code} (SIGILL)",
            6 => $"{code} (SIGABRT: aborted, for example an unhandled exception or a failed assertion)",
            7 => $"{code} (SIGBUS)",
            8 => $"{code} (SIGFPE)",
            9 => $"{code} (SIGKILL: killed, often by the kernel's out-of-memory killer)",
            11 => $"{code} (SIGSEGV: segmentation fault)",
            13 => $"{code} (SIGPIPE)",
            15 => $"{code} (SIGTERM)",
            { } other => $"{code} (signal {other.ToString(CultureInfo.InvariantCulture)})",
        };
    }
}

/// <summary>
/// The processes of a system Archgate started, watched for exits while the run goes on. The launcher implements it;
/// the protocol runner reads it after every check and reports each unexpected exit once (AG4003).
/// </summary>
public interface IComponentProcesses
{
    /// <summary>Every exit noticed so far, oldest first. The list only grows: a reader remembers how many it has seen.</summary>
    IReadOnlyList<ComponentExit> Exits();

    /// <summary>
    /// Archgate is about to stop <paramref name="component"/> on purpose (a check that takes it down): the exit of its
    /// running process is recorded as <see cref="ComponentExit.Expected"/>.
    /// </summary>
    void ExpectExit(string component);
}

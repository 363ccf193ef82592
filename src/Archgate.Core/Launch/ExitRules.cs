using System.Globalization;
using Archgate.Protocol;

namespace Archgate.Launch;

/// <summary>
/// The rule of a component Archgate started that exited during the run. It is step 4's family (a service's health,
/// AG40xx; Archgate.Checks' ServiceRules names it too), raised by the protocol runner on whichever check was running.
/// </summary>
public static class ExitRules
{
    /// <summary>A component Archgate started exited during the run, without Archgate stopping it.</summary>
    public const string ComponentExited = "AG4003";

    private static readonly RuleDescriptor Exited = new(ComponentExited, Severity.High)
    {
        Title = "component exited during the run",
        Hint = "read the component's log; Archgate does not restart it, so later checks against it fail too",
    };

    /// <summary>
    /// The finding for <paramref name="exit"/>, seen by the check that started at <paramref name="checkStartedAt"/>
    /// (or in the <paramref name="window"/> that opened then: <c>after the last check</c>): critical for a critical
    /// component, else high; the log's last line in the message, its tail as evidence.
    /// </summary>
    public static Finding Finding(ComponentExit exit, DateTimeOffset checkStartedAt, bool critical, string window = "during this check")
    {
        ArgumentNullException.ThrowIfNull(exit);
        var offset = (exit.NoticedAt - checkStartedAt).TotalSeconds;
        var when = offset >= 0
            ? $"{window}, at t+{offset.ToString("0.0", CultureInfo.InvariantCulture)} s"
            : $"before this check started (noticed {(-offset).ToString("0.0", CultureInfo.InvariantCulture)} s before it)";
        var last = exit.LastLogLines.Count == 0
            ? $"{exit.LogFile} is empty"
            : $"last line of {exit.LogFile}: {exit.LastLogLines[^1]}";
        var evidence = exit.LastLogLines.Count == 0
            ? null
            : $"last {exit.LastLogLines.Count} lines of {exit.LogFile}:\n{string.Join('\n', exit.LastLogLines)}";
        return Findings.Create(Exited, exit.Component, $"pid {exit.Pid.ToString(CultureInfo.InvariantCulture)}",
            $"{exit.Component} (pid {exit.Pid.ToString(CultureInfo.InvariantCulture)}) exited with {exit.Describe()} {when}; {last}",
            evidence, severity: critical ? Severity.Critical : Severity.High);
    }
}

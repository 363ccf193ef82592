namespace Archgate.Judging;

/// <summary>
/// The protocol's manual escalation triggers (<c>archgate escalate --reason</c>), each with the level it starts at
/// when <c>--level</c> is not given.
/// </summary>
public static class ManualTriggers
{
    /// <summary>Reason to start level, in the order the help lists them.</summary>
    public static IReadOnlyDictionary<string, int> Levels { get; } = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["architectural-conflict"] = 3, // the System-Architect arbitrates
        ["coordination-deadlock"] = 2, // the team leads untie it
        ["stack-incompatibility"] = 3,
        ["compliance"] = 4, // legal and regulatory exposure goes to leadership
        ["priority-change"] = 4,
        ["vendor"] = 2, // vendor relationship: the owners of the third party first
    };

    /// <summary>The reasons, comma-separated, for help and errors.</summary>
    public static string Names => string.Join(", ", Levels.Keys);
}

using Archgate.Model;

namespace Archgate.Judging;

/// <summary>
/// Who an escalation goes to at each level: 1 self-recovery (recorded, nobody), 2 technical coordination (the owners of
/// the components it concerns, or of every component when it names none), 3 human in the loop (the approver of
/// <c>signoff</c>, by default the System-Architect), 4 executive review (<c>escalation.executive</c>); each level
/// adds the people of <c>escalation.owners</c> at that level.
/// </summary>
public static class EscalationRouting
{
    /// <summary>The highest level.</summary>
    public const int TopLevel = 4;

    /// <summary>What each level is called in the reports and notices.</summary>
    public static string LevelName(int level) => level switch
    {
        1 => "self-recovery",
        2 => "technical coordination",
        3 => "human in the loop",
        _ => "executive review",
    };

    /// <summary>The people an escalation concerning <paramref name="components"/> is routed to at <paramref name="level"/>.</summary>
    public static IReadOnlyList<string> Recipients(SystemModel system, int level, IReadOnlyList<string> components)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(components);
        IEnumerable<string> routed = level switch
        {
            <= 1 => [],
            2 => (components.Count == 0 ? system.Components : components.Select(system.Find).OfType<Component>()).Select(c => c.Owner).OfType<string>(),
            3 => [system.Signoff.Approver.Person ?? system.Signoff.Approver.Role],
            _ => system.Escalation.Executive,
        };
        return [.. routed.Concat(level <= 1 ? [] : system.Escalation.Owners.GetValueOrDefault(level) ?? []).Where(p => p.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase)];
    }
}

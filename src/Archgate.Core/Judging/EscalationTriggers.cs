using System.Globalization;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Judging;

/// <summary>
/// The shapes of escalation trigger a step table uses: a metric over a threshold, critical findings, findings of
/// given rules, failing components. Each firing names the components it concerns (their owners are notified at
/// level 2) and its evidence.
/// </summary>
public static class EscalationTriggers
{
    /// <summary>How many findings or measurements an escalation quotes as evidence.</summary>
    public const int EvidenceLimit = 5;

    /// <summary>
    /// Fires once per value of <paramref name="groupTag"/> (for example per provider) whose worst
    /// <paramref name="metric"/> in the step is above <paramref name="threshold"/>.
    /// </summary>
    public static EscalationTrigger MetricAbove(
        string id, int level, string metric, double threshold, string groupTag, Func<string, double, int, string> message) =>
        new(id, level, $"{metric} above {threshold.ToString(CultureInfo.InvariantCulture)} (per {groupTag})", (_, step) =>
            step.Checks.SelectMany(c => c.Metrics)
                .Where(m => m.Name == metric)
                .GroupBy(m => m.Tags.GetValueOrDefault(groupTag, "?"))
                .Where(g => g.Max(m => m.Value) > threshold)
                .Select(g => new EscalationHit(
                    message(g.Key, g.Max(m => m.Value), g.Count()),
                    g.Key == "?" ? [] : [g.Key],
                    [.. g.OrderByDescending(m => m.Value).Take(EvidenceLimit).Select(Measured)])));

    /// <summary>Fires once for every <paramref name="metric"/> in the step above <paramref name="threshold"/>.</summary>
    public static EscalationTrigger EachMetricAbove(string id, int level, string metric, double threshold, Func<Metric, string> message) =>
        new(id, level, $"{metric} above {threshold.ToString(CultureInfo.InvariantCulture)}", (_, step) =>
            step.Checks.SelectMany(c => c.Metrics).Where(m => m.Name == metric && m.Value > threshold)
                .Select(m => new EscalationHit(message(m), m.Tags.TryGetValue("component", out var c) ? [c] : [], [Measured(m)])));

    /// <summary>Fires once when the step has at least one critical finding.</summary>
    public static EscalationTrigger CriticalFindings(string id, int level, string what) =>
        new(id, level, "any critical finding in the step", (_, step) =>
        {
            var critical = step.Checks.SelectMany(c => c.Findings).Where(f => f.Severity == Severity.Critical).ToList();
            return critical.Count == 0
                ? []
                : [Hit($"{what}: {critical.Count} critical finding(s), first: {critical[0].Rule} {critical[0].Message}", critical)];
        });

    /// <summary>Fires once when the step has findings of any of <paramref name="rules"/> at medium severity or worse (not information).</summary>
    public static EscalationTrigger Findings(string id, int level, IReadOnlyCollection<string> rules, string what) =>
        new(id, level, $"any finding of {string.Join(", ", rules)} in the step", (_, step) =>
        {
            var found = step.Checks.SelectMany(c => c.Findings).Where(f => rules.Contains(f.Rule) && f.Severity >= Severity.Medium).ToList();
            return found.Count == 0
                ? []
                : [Hit($"{what}: {found.Count} finding(s) of {string.Join(", ", found.Select(f => f.Rule).Distinct())}, first: {found[0].Rule} {found[0].Message}", found)];
        });

    /// <summary>Fires once when more than <paramref name="limit"/> distinct components have findings in failed checks of the step.</summary>
    public static EscalationTrigger FailingComponents(string id, int level, int limit, string what) =>
        new(id, level, $"more than {limit} components failing", (_, step) =>
        {
            var findings = step.Checks.Where(c => c.Status == CheckStatus.Fail).SelectMany(c => c.Findings).Where(f => f.Component is not null).ToList();
            var failing = findings.Select(f => f.Component!).Distinct().ToList();
            return failing.Count > limit
                ? [new EscalationHit($"{what}: {failing.Count} services failing ({string.Join(", ", failing)}), more than {limit}", failing,
                    [.. findings.DistinctBy(f => f.Component).Take(EvidenceLimit).Select(Quoted)])]
                : [];
        });

    /// <summary>A finding as evidence: <c>AG3046 orders: 3 orphaned rows</c>.</summary>
    public static string Quoted(Finding finding)
    {
        ArgumentNullException.ThrowIfNull(finding);
        return $"{finding.Rule}{(finding.Component is { } c ? $" {c}" : string.Empty)}: {finding.Message}";
    }

    private static EscalationHit Hit(string message, IReadOnlyList<Finding> findings) =>
        new(message, [.. findings.Select(f => f.Component).OfType<string>().Distinct()], [.. findings.Take(EvidenceLimit).Select(Quoted)]);

    private static string Measured(Metric m) => $"{m} = {m.Value.ToString("0.###", CultureInfo.InvariantCulture)} {m.Unit}".TrimEnd();
}

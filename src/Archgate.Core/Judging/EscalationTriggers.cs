using System.Globalization;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Judging;

/// <summary>The shapes of escalation trigger a step table uses: a metric over a threshold, critical findings, failing components.</summary>
public static class EscalationTriggers
{
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
                .Select(g => message(g.Key, g.Max(m => m.Value), g.Count())));

    /// <summary>Fires once for every <paramref name="metric"/> in the step above <paramref name="threshold"/>.</summary>
    public static EscalationTrigger EachMetricAbove(string id, int level, string metric, double threshold, Func<Metric, string> message) =>
        new(id, level, $"{metric} above {threshold.ToString(CultureInfo.InvariantCulture)}", (_, step) =>
            step.Checks.SelectMany(c => c.Metrics).Where(m => m.Name == metric && m.Value > threshold).Select(message));

    /// <summary>Fires once when the step has at least one critical finding.</summary>
    public static EscalationTrigger CriticalFindings(string id, int level, string what) =>
        new(id, level, $"any critical finding in the step", (_, step) =>
        {
            var critical = step.Checks.SelectMany(c => c.Findings).Where(f => f.Severity == Severity.Critical).ToList();
            return critical.Count == 0
                ? []
                : [$"{what}: {critical.Count} critical finding(s), first: {critical[0].Rule} {critical[0].Message}"];
        });

    /// <summary>Fires once when more than <paramref name="limit"/> distinct components have findings in failed checks of the step.</summary>
    public static EscalationTrigger FailingComponents(string id, int level, int limit, string what) =>
        new(id, level, $"more than {limit} components failing", (_, step) =>
        {
            var failing = step.Checks.Where(c => c.Status == CheckStatus.Fail)
                .SelectMany(c => c.Findings.Select(f => f.Component))
                .OfType<string>()
                .Distinct()
                .ToList();
            return failing.Count > limit
                ? [$"{what}: {failing.Count} services failing ({string.Join(", ", failing)}), more than {limit}"]
                : [];
        });
}

using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Security;

/// <summary>
/// The manifest's per-rule gate (<c>security.rules: { AG9001: ignore|warn|fail }</c>, as ZAP baseline's config):
/// an ignored rule's findings become one info finding (AG9041) each, naming where the manifest set it; warn caps a
/// finding at medium, so it never fails the step; fail raises it to at least high. Every step 9 check passes its
/// findings through here before it judges them.
/// </summary>
public static class SecurityGate
{
    /// <summary>The findings as the manifest's <paramref name="policy"/> wants them judged.</summary>
    public static IReadOnlyList<Finding> Apply(IReadOnlyList<Finding> findings, SecurityPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(findings);
        ArgumentNullException.ThrowIfNull(policy);
        if (policy.Rules.Count == 0)
        {
            return findings;
        }

        return findings.Select(f => policy.Rules.TryGetValue(f.Rule, out var rule) ? Apply(f, rule) : f).ToList();
    }

    /// <summary>A check result from findings after the gate: fails at high, warns at low.</summary>
    public static CheckResult Judge(IReadOnlyList<Finding> findings, SecurityPolicy policy, IReadOnlyList<Metric> metrics) =>
        CheckResult.From(Apply(findings, policy), metrics);

    private static Finding Apply(Finding finding, RuleOverride rule) => rule.Action switch
    {
        RuleAction.Ignore => finding with
        {
            Rule = SecurityRules.Ignored,
            Severity = Severity.Info,
            Message = $"{finding.Rule} ({finding.Severity.ToString().ToLowerInvariant()}) ignored by security.rules at {rule.Location}: {finding.Message}",
            Hint = SecurityRules.Hint(SecurityRules.Ignored),
        },
        RuleAction.Warn when finding.Severity > Severity.Medium => finding with
        {
            Severity = Severity.Medium,
            Message = $"{finding.Message} (warn only: security.rules at {rule.Location})",
        },
        RuleAction.Fail when finding.Severity is > Severity.Info and < Severity.High => finding with
        {
            Severity = Severity.High,
            Message = $"{finding.Message} (fails the gate: security.rules at {rule.Location})",
        },
        _ => finding,
    };
}

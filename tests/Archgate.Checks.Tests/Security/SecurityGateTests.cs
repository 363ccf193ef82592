using Archgate.Checks.Security;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Tests.Security;

public sealed class SecurityGateTests
{
    private static readonly SourceLocation Where = new("archgate.yaml", 40, 5);

    private static Finding Of(string rule, Severity severity) => new() { Rule = rule, Severity = severity, Message = "m" };

    private static SecurityPolicy Policy(RuleAction action) =>
        new() { Rules = new Dictionary<string, RuleOverride> { ["AG9030"] = new(action, Where) } };

    [Fact]
    public void Warn_caps_at_medium_so_the_check_warns_instead_of_failing()
    {
        var result = SecurityGate.Judge([Of("AG9030", Severity.High)], Policy(RuleAction.Warn), []);
        Assert.Equal(CheckStatus.Warn, result.Status);
        Assert.Equal(Severity.Medium, result.Findings[0].Severity);
        Assert.Contains("warn only: security.rules at archgate.yaml:40:5", result.Findings[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fail_raises_a_medium_finding_to_high_and_fails()
    {
        var result = SecurityGate.Judge([Of("AG9030", Severity.Medium)], Policy(RuleAction.Fail), []);
        Assert.Equal(CheckStatus.Fail, result.Status);
        Assert.Equal(Severity.High, result.Findings[0].Severity);
    }

    [Fact]
    public void Ignore_lists_the_finding_as_info_and_other_rules_are_untouched()
    {
        var result = SecurityGate.Judge([Of("AG9030", Severity.High), Of("AG9031", Severity.High)], Policy(RuleAction.Ignore), []);
        Assert.Equal(CheckStatus.Fail, result.Status); // AG9031 still fails
        Assert.Equal(SecurityRules.Ignored, result.Findings[0].Rule);
        Assert.Equal("AG9030 (high) ignored by security.rules at archgate.yaml:40:5: m", result.Findings[0].Message);
        Assert.Equal(Severity.High, result.Findings[1].Severity);
    }
}

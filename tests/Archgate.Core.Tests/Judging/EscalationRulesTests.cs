using Archgate.Judging;
using Archgate.Protocol;
using Archgate.Tests;

namespace Archgate.Core.Tests.Judging;

/// <summary>The mechanism: each step's triggers read that step's results. The real triggers are tested with the real table in Archgate.Checks.Tests.</summary>
public sealed class EscalationRulesTests
{
    private static StepResult Step(int number, params CheckResult[] checks) => new()
    {
        Number = number,
        Name = TestProtocol.Name(number),
        Status = StepResult.Aggregate(checks),
        Checks = checks,
    };

    private static Metric Rate(string component, double value) =>
        new("mismatch", new Dictionary<string, string> { ["component"] = component }, value, "ratio");

    [Fact]
    public void A_metric_trigger_fires_once_per_group_with_the_worst_value_and_only_over_its_own_step()
    {
        var trigger = EscalationTriggers.MetricAbove("mismatch-rate", 2, "mismatch", 0.2, "component", (who, worst, n) => $"{who} {worst:0.00} of {n}");
        var protocol = TestProtocol.With(escalations: new Dictionary<int, EscalationTrigger[]> { [2] = [trigger] });
        var steps = new[]
        {
            Step(2,
                new CheckResult { Id = "a", Status = CheckStatus.Fail, Metrics = [Rate("api", 0.26), Rate("payments", 0.1)] },
                new CheckResult { Id = "b", Status = CheckStatus.Fail, Metrics = [Rate("api", 0.5)] }),
            Step(3, new CheckResult { Id = "c", Status = CheckStatus.Fail, Metrics = [Rate("db", 0.9)] }),
        };

        var escalation = Assert.Single(EscalationRules.Evaluate(protocol, TestSystems.Load(TestSystems.Shop), steps));

        Assert.Equal(("mismatch-rate", 2, "api 0.50 of 2"), (escalation.Trigger, escalation.Level, escalation.Message));
        Assert.Equal(["api"], escalation.Components);
        Assert.Equal(["mismatch{component=api} = 0.5 ratio", "mismatch{component=api} = 0.26 ratio"], escalation.Evidence);
    }

    [Fact]
    public void Failing_components_and_critical_findings_fire_past_their_limits()
    {
        var failing = Enumerable.Range(1, 4).Select(i => new CheckResult
        {
            Id = $"services.health:s{i}",
            Status = CheckStatus.Fail,
            Findings = [new Finding { Rule = "AG4002", Severity = i == 1 ? Severity.Critical : Severity.High, Component = $"s{i}", Message = "down" }],
        }).ToArray();
        var protocol = TestProtocol.With(escalations: new Dictionary<int, EscalationTrigger[]>
        {
            [4] = [EscalationTriggers.FailingComponents("failing", 3, 3, "Services"), EscalationTriggers.CriticalFindings("critical", 4, "Critical")],
        });
        var system = TestSystems.Load(TestSystems.Shop);

        var escalations = EscalationRules.Evaluate(protocol, system, [Step(4, failing)]);

        Assert.Equal(["failing", "critical"], escalations.Select(e => e.Trigger));
        Assert.Equal("Services: 4 services failing (s1, s2, s3, s4), more than 3", escalations[0].Message);
        Assert.Equal("Critical: 1 critical finding(s), first: AG4002 down", escalations[1].Message);
        Assert.Equal(["s1", "s2", "s3", "s4"], escalations[0].Components);
        Assert.Equal("AG4002 s1: down", escalations[1].Evidence[0]);
        Assert.Equal(["critical"], EscalationRules.Evaluate(protocol, system, [Step(4, failing[..3])]).Select(e => e.Trigger));
    }
}

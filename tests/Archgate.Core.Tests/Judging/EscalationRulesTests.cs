using Archgate.Judging;
using Archgate.Protocol;
using Archgate.Tests;

namespace Archgate.Core.Tests.Judging;

public sealed class EscalationRulesTests
{
    private static StepResult Step(int number, params CheckResult[] checks) => new()
    {
        Number = number,
        Name = ProtocolSteps.Name(number),
        Status = StepResult.Aggregate(checks),
        Checks = checks,
    };

    private static Metric Rate(string component, double value, string? consumer = null)
    {
        var tags = new Dictionary<string, string> { ["component"] = component };
        if (consumer is not null)
        {
            tags["consumer"] = consumer;
        }

        return new Metric(EscalationRules.ContractMismatchMetric, tags, value, "ratio");
    }

    [Fact]
    public void Contract_mismatch_above_20_percent_escalates_once_per_provider_with_the_worst_rate()
    {
        var steps = new[]
        {
            Step(2,
                new CheckResult { Id = "contracts.conformance:api", Status = CheckStatus.Fail, Metrics = [Rate("api", 0.26)] },
                new CheckResult { Id = "contracts.pact:web-api", Status = CheckStatus.Fail, Metrics = [Rate("api", 0.5, "web")] },
                new CheckResult { Id = "contracts.conformance:payments", Status = CheckStatus.Pass, Metrics = [Rate("payments", 0.1)] }),
        };

        var escalation = Assert.Single(EscalationRules.Evaluate(TestSystems.Load(TestSystems.Shop), steps));

        Assert.Equal("contract-mismatch-rate", escalation.Trigger);
        Assert.Equal(2, escalation.Level);
        Assert.Contains("50 % of what api's contracts promise mismatches", escalation.Message, StringComparison.Ordinal);
        Assert.Contains("worst of 2 measurements", escalation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void More_than_three_failing_services_escalate_at_level_3()
    {
        var failing = Enumerable.Range(1, 4).Select(i => new CheckResult
        {
            Id = $"services.health:s{i}",
            Status = CheckStatus.Fail,
            Findings = [new Finding { Rule = "AG4002", Severity = Severity.High, Component = $"s{i}", Message = "down" }],
        }).ToArray();

        var escalation = Assert.Single(EscalationRules.Evaluate(TestSystems.Load(TestSystems.Shop), [Step(4, failing)]));

        Assert.Equal(3, escalation.Level);
        Assert.Equal("dependent-services-failing", escalation.Trigger);
        Assert.Empty(EscalationRules.Evaluate(TestSystems.Load(TestSystems.Shop), [Step(4, failing[..3])]));
    }
}

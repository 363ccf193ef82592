using Archgate.Judging;
using Archgate.Protocol;

namespace Archgate.Core.Tests.Judging;

public sealed class CriteriaEvaluatorTests
{
    private static StepResult Step(int number, params CheckResult[] checks) => new()
    {
        Number = number,
        Name = ProtocolSteps.Name(number),
        Status = StepResult.Aggregate(checks),
        Checks = checks,
    };

    private static CheckResult Pass(string id) => new() { Id = id, Status = CheckStatus.Pass };

    private static IReadOnlyList<StepResult> AllPassing() =>
        Enumerable.Range(1, 10).Select(n => Step(n, Pass($"check{n}"))).ToList();

    [Fact]
    public void Every_criterion_passing_except_signoff_is_GO()
    {
        var steps = AllPassing().Where(s => s.Number != 10).Append(Step(10, CheckResult.NotImplemented() with { Id = "signoff" })).ToList();

        var criteria = CriteriaEvaluator.Evaluate(steps);

        Assert.Equal(9, criteria.Count);
        Assert.Equal(CriterionStatus.NotEvaluated, criteria.Single(c => c.Id == "signoff").Status);
        Assert.Equal(Verdict.Go, CriteriaEvaluator.Decide(criteria));
    }

    [Fact]
    public void One_failed_check_is_NO_GO_and_the_observation_names_it()
    {
        var steps = AllPassing().Select(s => s.Number == 3 ? Step(3, Pass("a"), new CheckResult { Id = "database.connect:db", Status = CheckStatus.Fail }) : s).ToList();

        var criteria = CriteriaEvaluator.Evaluate(steps);

        var database = criteria.Single(c => c.Id == "database");
        Assert.Equal(CriterionStatus.Fail, database.Status);
        Assert.Equal("1 of 2 checks failed: database.connect:db", database.Observed);
        Assert.Equal(Verdict.NoGo, CriteriaEvaluator.Decide(criteria));
    }

    [Fact]
    public void A_check_not_implemented_yet_is_never_a_pass()
    {
        var steps = AllPassing().Select(s => s.Number == 8 ? Step(8, CheckResult.NotImplemented() with { Id = "load" }) : s).ToList();

        var criteria = CriteriaEvaluator.Evaluate(steps);

        Assert.Equal(CriterionStatus.NotEvaluated, criteria.Single(c => c.Id == "slo").Status);
        Assert.Equal(Verdict.Incomplete, CriteriaEvaluator.Decide(criteria));
    }

    [Fact]
    public void Nothing_to_check_passes_with_the_reason_as_observation()
    {
        var steps = AllPassing().Select(s => s.Number == 5 ? Step(5, CheckResult.Skipped("no frontend component declared") with { Id = "frontend" }) : s).ToList();

        var frontend = CriteriaEvaluator.Evaluate(steps).Single(c => c.Id == "frontend");

        Assert.Equal(CriterionStatus.Pass, frontend.Status);
        Assert.Equal("nothing to check: no frontend component declared", frontend.Observed);
    }

    [Fact]
    public void A_step_that_did_not_run_is_not_evaluated()
    {
        var criteria = CriteriaEvaluator.Evaluate(AllPassing().Where(s => s.Number != 9).ToList());

        Assert.Equal("step 9 did not run", criteria.Single(c => c.Id == "security").Observed);
        Assert.Equal(Verdict.Incomplete, CriteriaEvaluator.Decide(criteria));
    }
}

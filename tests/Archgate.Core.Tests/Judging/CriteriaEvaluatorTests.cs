using Archgate.Judging;
using Archgate.Protocol;
using Archgate.Tests;

namespace Archgate.Core.Tests.Judging;

public sealed class CriteriaEvaluatorTests
{
    private static readonly Archgate.Model.SystemModel System = TestSystems.Load(TestSystems.Shop);

    private static StepResult Step(int number, params CheckResult[] checks) => new()
    {
        Number = number,
        Name = TestProtocol.Name(number),
        Status = StepResult.Aggregate(checks),
        Checks = checks,
    };

    private static StepResult NotApplicable(int number, string reason) => new()
    {
        Number = number,
        Name = TestProtocol.Name(number),
        Status = CheckStatus.Skipped,
        NotApplicable = reason,
        Checks = [],
    };

    private static CheckResult Pass(string id) => new() { Id = id, Status = CheckStatus.Pass };

    private static IReadOnlyList<StepResult> AllPassing() =>
        Enumerable.Range(1, 10).Select(n => Step(n, Pass($"check{n}"))).ToList();

    private static IReadOnlyList<Criterion> Evaluate(IReadOnlyList<StepResult> steps) =>
        CriteriaEvaluator.Evaluate(TestProtocol.With(), System, steps);

    [Fact]
    public void Every_criterion_passing_except_signoff_is_GO()
    {
        var steps = AllPassing().Where(s => s.Number != 10).Append(Step(10, CheckResult.NotImplemented() with { Id = "signoff" })).ToList();

        var criteria = Evaluate(steps);

        Assert.Equal(9, criteria.Count);
        Assert.Equal(CriterionStatus.NotEvaluated, criteria.Single(c => c.Id == "signoff").Status);
        Assert.False(criteria.Single(c => c.Id == "signoff").GatesVerdict);
        Assert.Equal(Verdict.Go, CriteriaEvaluator.Decide(criteria));
    }

    [Fact]
    public void One_failed_check_is_NO_GO_and_the_observation_names_it()
    {
        var steps = AllPassing().Select(s => s.Number == 3 ? Step(3, Pass("a"), new CheckResult { Id = "database.connect:db", Status = CheckStatus.Fail }) : s).ToList();

        var criteria = Evaluate(steps);

        var database = criteria.Single(c => c.Id == "database");
        Assert.Equal(CriterionStatus.Fail, database.Status);
        Assert.Equal("1 of 2 checks failed: database.connect:db", database.Observed);
        Assert.Equal(Verdict.NoGo, CriteriaEvaluator.Decide(criteria));
    }

    [Fact]
    public void A_check_not_implemented_yet_is_never_a_pass()
    {
        var steps = AllPassing().Select(s => s.Number == 8 ? Step(8, CheckResult.NotImplemented() with { Id = "load" }) : s).ToList();

        var criteria = Evaluate(steps);

        Assert.Equal(CriterionStatus.NotEvaluated, criteria.Single(c => c.Id == "slo").Status);
        Assert.Equal(Verdict.Incomplete, CriteriaEvaluator.Decide(criteria));
    }

    [Fact]
    public void A_step_whose_checks_all_skipped_themselves_is_not_evaluated_never_a_pass()
    {
        // Real checks that happen not to apply: the step checked nothing, so it cannot pass.
        var steps = AllPassing().Select(s => s.Number == 4
            ? Step(4, CheckResult.Skipped("no dependant on loopback declares a health endpoint") with { Id = "services.health:api" })
            : s).ToList();

        var criteria = Evaluate(steps);

        var services = criteria.Single(c => c.Id == "services");
        Assert.Equal(CriterionStatus.NotEvaluated, services.Status);
        Assert.Equal("no check evaluated: no dependant on loopback declares a health endpoint", services.Observed);
        Assert.Equal(Verdict.Incomplete, CriteriaEvaluator.Decide(criteria));
    }

    [Fact]
    public void A_step_with_no_check_at_all_is_not_evaluated()
    {
        var steps = AllPassing().Select(s => s.Number == 6 ? Step(6) : s).ToList();

        var thirdParty = Evaluate(steps).Single(c => c.Id == "third-party");

        Assert.Equal(CriterionStatus.NotEvaluated, thirdParty.Status);
        Assert.Equal("no check evaluated", thirdParty.Observed);
    }

    [Fact]
    public void A_step_the_manifest_has_nothing_for_is_not_applicable_with_the_reason_and_does_not_hold_back_GO()
    {
        var steps = AllPassing().Select(s => s.Number == 5 ? NotApplicable(5, "no frontend component declared") : s).ToList();

        var criteria = Evaluate(steps);

        var frontend = criteria.Single(c => c.Id == "frontend");
        Assert.Equal(CriterionStatus.NotApplicable, frontend.Status);
        Assert.Equal("no frontend component declared", frontend.Observed);
        Assert.Equal(Verdict.Go, CriteriaEvaluator.Decide(criteria));
    }

    [Fact]
    public void Nothing_evaluated_anywhere_is_never_GO()
    {
        var steps = Enumerable.Range(1, 10).Select(n => NotApplicable(n, "nothing declared")).ToList();

        Assert.Equal(Verdict.Incomplete, CriteriaEvaluator.Decide(Evaluate(steps)));
    }

    [Fact]
    public void Targets_are_computed_from_the_manifest()
    {
        var relaxed = TestSystems.Load(TestSystems.Shop + "\nslo:\n  api: { p95: 350ms }\n");

        var slo = CriteriaEvaluator.Evaluate(TestProtocol.With(), relaxed, AllPassing()).Single(c => c.Id == "slo");

        Assert.Contains("api p95 < 350 ms", slo.Target, StringComparison.Ordinal);
    }

    [Fact]
    public void A_step_that_did_not_run_is_not_evaluated()
    {
        var criteria = Evaluate(AllPassing().Where(s => s.Number != 9).ToList());

        Assert.Equal("step 9 did not run", criteria.Single(c => c.Id == "security").Observed);
        Assert.Equal(Verdict.Incomplete, CriteriaEvaluator.Decide(criteria));
    }
}

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
    public void Every_criterion_passing_while_the_signoff_awaits_is_INCOMPLETE_and_its_evidence_GO()
    {
        var steps = AllPassing().Where(s => s.Number != 10)
            .Append(Step(10, CheckResult.Skipped("awaiting sign-off (GO pending sign-off): sign-off by System-Architect", SkipKind.Awaiting) with { Id = "signoff" })).ToList();

        var criteria = Evaluate(steps);

        var signoff = criteria.Single(c => c.Id == "signoff");
        Assert.Equal(CriterionStatus.NotEvaluated, signoff.Status);
        Assert.Equal("awaiting sign-off (GO pending sign-off): sign-off by System-Architect", signoff.Observed);
        Assert.True(signoff.GatesVerdict);
        Assert.Equal(Verdict.Incomplete, CriteriaEvaluator.Decide(criteria));
        Assert.Equal(Verdict.Go, CriteriaEvaluator.DecideEvidence(criteria));
    }

    [Fact]
    public void Steps_left_out_hold_back_GO_until_the_signoff_passes()
    {
        static StepResult Left(int n) => Step(n, CheckResult.Skipped("step not selected (--steps)", SkipKind.NotSelected) with { Id = $"step{n}" });
        var awaiting = AllPassing().Select(s => s.Number is 4 or 8 ? Left(s.Number)
            : s.Number == 10 ? Step(10, CheckResult.Skipped("awaiting", SkipKind.Awaiting) with { Id = "signoff" }) : s).ToList();
        var signed = awaiting.Select(s => s.Number == 10 ? Step(10, Pass("signoff")) : s).ToList();

        var before = Evaluate(awaiting);
        var after = Evaluate(signed);

        Assert.Equal(CriterionStatus.NotSelected, before.Single(c => c.Id == "services").Status);
        Assert.Equal(Verdict.Incomplete, CriteriaEvaluator.Decide(before));
        Assert.Equal(Verdict.Go, CriteriaEvaluator.DecideEvidence(before));
        Assert.Equal(Verdict.Go, CriteriaEvaluator.Decide(after));
    }

    [Fact]
    public void A_failed_criterion_whose_failing_rules_are_all_waived_is_waived_and_does_not_hold_back_GO()
    {
        var failed = new CheckResult
        {
            Id = "services.health:api", Status = CheckStatus.Fail,
            Findings = [new Finding { Rule = "AG4001", Severity = Severity.High, Message = "503" }, new Finding { Rule = "AG4009", Severity = Severity.Low, Message = "slow" }],
        };
        var steps = AllPassing().Select(s => s.Number == 4 ? Step(4, failed) : s).ToList();

        var waived = CriteriaEvaluator.Evaluate(TestProtocol.With(), System, steps, ["AG4001"]);
        var other = CriteriaEvaluator.Evaluate(TestProtocol.With(), System, steps, ["AG4009"]);

        Assert.Equal(CriterionStatus.Waived, waived.Single(c => c.Id == "services").Status);
        Assert.Equal(["AG4001"], waived.Single(c => c.Id == "services").WaivedRules);
        Assert.Equal(Verdict.Go, CriteriaEvaluator.Decide(waived));
        Assert.Equal(CriterionStatus.Fail, other.Single(c => c.Id == "services").Status); // a low finding does not make it fail: waiving it waives nothing
        Assert.Equal(Verdict.NoGo, CriteriaEvaluator.Decide(other));
    }

    [Fact]
    public void A_check_that_failed_without_a_finding_cannot_be_waived()
    {
        var steps = AllPassing().Select(s => s.Number == 4 ? Step(4, new CheckResult { Id = "services.health:api", Status = CheckStatus.Fail }) : s).ToList();

        var criteria = CriteriaEvaluator.Evaluate(TestProtocol.With(), System, steps, ["AG4001"]);

        Assert.Equal(CriterionStatus.Fail, criteria.Single(c => c.Id == "services").Status);
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

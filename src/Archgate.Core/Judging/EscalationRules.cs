using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Judging;

/// <summary>
/// The protocol's escalation triggers, evaluated over a run's results. Each rule reads metrics and findings
/// that checks recorded; a rule whose evidence is absent (its step did not run) raises nothing.
/// </summary>
public static class EscalationRules
{
    /// <summary>Contract mismatch rate (failed/tested operations) above which step 2 escalates.</summary>
    public const double ContractMismatchRate = 0.20;

    /// <summary>Dependent services failing above which step 4 escalates.</summary>
    public const int FailingServices = 3;

    /// <summary>The metric checks record for a provider's contract mismatch rate.</summary>
    public const string ContractMismatchMetric = "contract_mismatch_rate";

    /// <summary>The metric checks record for a regression against the last baseline (fraction).</summary>
    public const string PerformanceRegressionMetric = "performance_regression";

    /// <summary>Evaluates every rule.</summary>
    public static IReadOnlyList<Escalation> Evaluate(SystemModel system, IReadOnlyList<StepResult> steps)
    {
        var result = new List<Escalation>();
        var checks = steps.SelectMany(s => s.Checks.Select(c => (Step: s.Number, Check: c))).ToList();

        // One escalation per provider, however many checks (conformance, each consumer's pact) measured it.
        foreach (var provider in checks.SelectMany(c => c.Check.Metrics)
            .Where(m => m.Name == ContractMismatchMetric)
            .GroupBy(m => m.Tags.GetValueOrDefault("component", "a provider"))
            .Where(g => g.Max(m => m.Value) > ContractMismatchRate))
        {
            var worst = provider.Max(m => m.Value);
            var sources = provider.Count() == 1 ? string.Empty : $", worst of {provider.Count()} measurements";
            result.Add(new Escalation("contract-mismatch-rate", 2,
                $"API contract incompatibility: {worst:P0} of what {provider.Key}'s contracts promise mismatches (threshold {ContractMismatchRate:P0}{sources})"));
        }

        foreach (var m in checks.SelectMany(c => c.Check.Metrics).Where(m => m.Name == PerformanceRegressionMetric && m.Value > 0.5))
        {
            result.Add(new Escalation("performance-regression", 2,
                $"Performance integration regression: {m.Value:P0} worse than the last GO baseline on {m} (threshold 50 %)"));
        }

        var failingServices = checks
            .Where(c => c.Step == 4 && c.Check.Status == CheckStatus.Fail)
            .SelectMany(c => c.Check.Findings.Select(f => f.Component))
            .Where(c => c is not null)
            .Distinct()
            .ToList();
        if (failingServices.Count > FailingServices)
        {
            result.Add(new Escalation("dependent-services-failing", 3,
                $"Service integration failure: {failingServices.Count} services failing ({string.Join(", ", failingServices)}), more than {FailingServices}"));
        }

        var critical = checks.Where(c => c.Step == 9).SelectMany(c => c.Check.Findings).Where(f => f.Severity == Severity.Critical).ToList();
        if (critical.Count > 0)
        {
            result.Add(new Escalation("critical-vulnerability", 4,
                $"Security integration vulnerability: {critical.Count} critical finding(s), first: {critical[0].Rule} {critical[0].Message}"));
        }

        var dbCritical = checks.Where(c => c.Step == 3).SelectMany(c => c.Check.Findings).Where(f => f.Severity == Severity.Critical).ToList();
        if (dbCritical.Count > 0)
        {
            result.Add(new Escalation("database-integration-crisis", 3,
                $"Database integration crisis: {dbCritical.Count} critical finding(s), first: {dbCritical[0].Rule} {dbCritical[0].Message}"));
        }

        return result;
    }
}

using Archgate.Model;
using Archgate.Planning;
using Archgate.Protocol;

namespace Archgate.Checks.Planning;

/// <summary>
/// Step 1: writes integration-plan.md into the run folder and reports the plan's risks as findings. Cycles and
/// dangling references never reach a run: the manifest loader refuses them (exit code 2).
/// </summary>
internal sealed class PlanCheck : ICheck
{
    public string Id => "plan.graph";

    public int Step => 1;

    public string Title => "Dependency graph, integration order and risks";

    public Applicability AppliesTo(SystemModel system) => Applicability.Yes;

    public async Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        var plan = context.Plan;
        var path = Path.Combine(context.OutputDirectory, "integration-plan.md");
        await File.WriteAllTextAsync(path, PlanWriter.ToMarkdown(plan), cancellationToken);

        var findings = plan.Risks.Select(r => Findings.Create(r.Rule, r.Severity,
            component: r.Component,
            location: "archgate.yaml",
            message: r.Message,
            hint: r.Hint)).ToList();
        var metrics = new List<Metric>
        {
            new("plan_components", new Dictionary<string, string>(), plan.System.Components.Count, "count"),
            new("plan_waves", new Dictionary<string, string>(), plan.Waves.Count, "count"),
            new("plan_integration_points", new Dictionary<string, string>(), plan.Points.Count, "count"),
        };

        // Risks are warnings: they do not fail the gate by themselves; later steps measure the consequences.
        return CheckResult.From(findings, metrics, failAt: Severity.Critical);
    }
}

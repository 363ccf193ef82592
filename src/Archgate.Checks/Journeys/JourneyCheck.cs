using System.Globalization;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Journeys;

/// <summary>Options of step 7's journeys and concurrency checks.</summary>
public sealed record JourneyOptions
{
    /// <summary>The share of runs a critical journey must succeed in. <value>0.95</value>.</summary>
    public double CriticalSuccessRate { get; init; } = 0.95;

    /// <summary>Parallel updates (and creates) of the concurrency check. <value>10</value>.</summary>
    public int Parallel { get; init; } = 10;
}

/// <summary>
/// Step 7, one declarative journey of the manifest: its setup once, then its steps <see cref="Journey.Runs"/> times
/// (20 for a critical one), the success rate against 95 %, the first failure's step and answer as evidence; after the
/// first successful run, every write is checked for consistency (API read, stored row).
/// </summary>
internal sealed class JourneyCheck(Journey journey, JourneyOptions options) : ICheck
{
    public string Id => $"journeys.run:{journey.Name}";

    public int Step => 7;

    public string Title => $"{(journey.Critical ? "critical journey" : "journey")} '{journey.Name}' ({journey.Runs} run{(journey.Runs == 1 ? string.Empty : "s")})";

    public Applicability AppliesTo(SystemModel system) => Applicability.Yes;

    public async Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        var service = context.System.Find(journey.Service)!;
        var shared = new Dictionary<string, string>(journey.Variables, StringComparer.Ordinal);
        if (journey.Setup.Count > 0)
        {
            var setup = await JourneyRunner.RunAsync(context.Http, service.Url!, journey.Setup, shared, cancellationToken);
            if (!setup.Ok)
            {
                return CheckResult.From([Finding(JourneyRules.SetupFailed, Severity.High, $"setup {setup.FailedStep}", $"the setup failed at {setup.FailedStep}: {setup.Problem}", setup.Evidence,
                    "the setup (a login) must succeed before the journey can run")]) with { TransientCause = setup.TransientCause };
            }
        }

        var succeeded = 0;
        JourneyRun? firstFailure = null;
        var firstFailedRun = 0;
        var findings = new List<Finding>();
        var consistencyChecked = false;
        for (var run = 1; run <= journey.Runs; run++)
        {
            context.Activity?.Report($"journey '{journey.Name}' run {run} of {journey.Runs}");
            var result = await JourneyRunner.RunAsync(context.Http, service.Url!, journey.Steps, JourneyRunner.Start(shared, run), cancellationToken);
            if (result.Ok)
            {
                succeeded++;
                if (!consistencyChecked && service.Resources.Count > 0)
                {
                    consistencyChecked = true;
                    var checkedItems = new List<string>();
                    foreach (var write in result.Writes)
                    {
                        var (item, found) = await ConsistencyProbe.CheckAsync(context.System, service, write, context.Http, context.Time, cancellationToken);
                        findings.AddRange(found);
                        if (item is not null && found.Count == 0)
                        {
                            checkedItems.Add(item);
                        }
                    }

                    if (checkedItems.Count > 0)
                    {
                        findings.Add(Finding(JourneyRules.Summary, Severity.Info, "consistency",
                            $"after run {run}'s writes, the API's read and the stored row agree for {string.Join(", ", checkedItems)}", null, null));
                    }
                }
            }
            else if (firstFailure is null)
            {
                firstFailure = result;
                firstFailedRun = run;
            }
        }

        var rate = (double)succeeded / journey.Runs;
        var summary = $"'{journey.Name}': {succeeded} of {journey.Runs} runs succeeded ({rate.ToString("P0", CultureInfo.InvariantCulture)})";
        findings.Insert(0, Finding(JourneyRules.Summary, Severity.Info, journey.Name, summary, null, null));
        if (firstFailure is not null)
        {
            var critical = journey.Critical && rate < options.CriticalSuccessRate;
            findings.Add(Finding(
                critical ? JourneyRules.CriticalJourneyFailed : JourneyRules.JourneyFailed,
                critical ? Severity.Critical : journey.Critical ? Severity.Low : Severity.Medium,
                firstFailure.FailedStep!,
                $"{summary}{(journey.Critical ? $", {(critical ? "below" : "within")} the {options.CriticalSuccessRate.ToString("P0", CultureInfo.InvariantCulture)} a critical path needs" : string.Empty)}; " +
                $"first failure in run {firstFailedRun} at {firstFailure.FailedStep}: {firstFailure.Problem}",
                firstFailure.Evidence,
                "run the journey's requests by hand (the evidence has the failing one) and mend the step that fails"));
        }

        var tags = new Dictionary<string, string> { ["journey"] = journey.Name, ["critical"] = journey.Critical ? "true" : "false" };
        var judged = CheckResult.From(findings, [new Metric("journey_success_rate", tags, Math.Round(rate * 100, 1), "%"), new Metric("journey_runs", tags, journey.Runs, "count")]);
        return succeeded == 0 && firstFailure?.TransientCause is { } cause ? judged with { TransientCause = cause } : judged;
    }

    private Finding Finding(string rule, Severity severity, string location, string message, string? evidence, string? hint) => new()
    {
        Rule = rule,
        Severity = severity,
        Component = journey.Service,
        Location = location,
        Message = message,
        Evidence = evidence,
        Hint = hint,
    };
}

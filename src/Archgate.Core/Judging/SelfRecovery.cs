using Archgate.Protocol;

namespace Archgate.Judging;

/// <summary>
/// Level 1 of the protocol's escalation, self-recovery: a check that failed on a transient cause and passed on one of
/// the runner's retries (exponential backoff) recovered without anyone. That is recorded, <c>self-recovered</c>, one
/// per step, with each attempt's error: nobody is notified (level 1 goes to no channel), but a flaky dependency shows
/// up in the store and the report before it becomes a failure. A check that still fails after its retries is
/// <see cref="NotifyHuman"/>'s instead.
/// </summary>
public static class SelfRecovery
{
    /// <summary>The trigger id.</summary>
    public const string Trigger = "self-recovered";

    /// <summary>The level it starts at: self-recovery, recorded. <value>1</value>.</summary>
    public const int Level = 1;

    /// <summary>One escalation per step with a check that passed (or warned) after failed attempts.</summary>
    public static IReadOnlyList<Escalation> Evaluate(IReadOnlyList<StepResult> steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        var escalations = new List<Escalation>();
        foreach (var step in steps.OrderBy(s => s.Number))
        {
            var recovered = step.Checks
                .Where(c => c.Status is CheckStatus.Pass or CheckStatus.Warn && c.Attempts.Any(a => a.Status is CheckStatus.Fail or CheckStatus.Error))
                .ToList();
            if (recovered.Count == 0)
            {
                continue;
            }

            var evidence = recovered.Select(c =>
            {
                var failed = c.Attempts.Where(a => a.Status is CheckStatus.Fail or CheckStatus.Error).ToList();
                return $"{c.Id}: passed on attempt {c.Attempts.Count} after {failed.Count} failed ({string.Join("; ", failed.Select(a => $"attempt {a.Number}: {NotifyHuman.Describe(a)}"))})";
            }).ToList();
            escalations.Add(new Escalation(Trigger, Level,
                $"step {step.Number} ({step.Name}): {recovered.Count} check(s) recovered on a retry with backoff: {string.Join(", ", recovered.Select(c => c.Id))}")
            {
                Components = [.. recovered.SelectMany(c => c.Findings).Select(f => f.Component).OfType<string>().Distinct()],
                Evidence = [.. evidence.Take(EscalationTriggers.EvidenceLimit)],
            });
        }

        return escalations;
    }
}

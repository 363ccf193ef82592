using System.Globalization;
using Archgate.Protocol;

namespace Archgate.Judging;

/// <summary>
/// P-RECOVERY's NotifyHuman: a step whose checks still fail after all their retries (the runner's retries with
/// exponential backoff, <c>recovery.retries</c>, 3 by default) raises a level 3 escalation, <c>notify-human</c>,
/// carrying every attempt's time and error.
/// </summary>
public static class NotifyHuman
{
    /// <summary>The trigger id.</summary>
    public const string Trigger = "notify-human";

    /// <summary>The level it starts at: a person must look. <value>3</value>.</summary>
    public const int Level = 3;

    /// <summary>One escalation per step with a check that failed on its last retry.</summary>
    public static IReadOnlyList<Escalation> Evaluate(IReadOnlyList<StepResult> steps, int retries)
    {
        ArgumentNullException.ThrowIfNull(steps);
        if (retries <= 0)
        {
            return [];
        }

        var escalations = new List<Escalation>();
        foreach (var step in steps.OrderBy(s => s.Number))
        {
            var exhausted = step.Checks.Where(c => c.Status is CheckStatus.Fail or CheckStatus.Error && c.Attempts.Count > retries).ToList();
            if (exhausted.Count == 0)
            {
                continue;
            }

            var checks = exhausted.Select(c =>
                $"{c.Id}: {string.Join("; ", c.Attempts.Select(a => $"attempt {a.Number}{At(a)} {a.Status.ToString().ToLowerInvariant()}: {Describe(a)}"))}");
            escalations.Add(new Escalation(Trigger, Level,
                $"step {step.Number} ({step.Name}) still fails after {retries} retries with backoff; a person must look: {string.Join(" | ", checks)}"));
        }

        return escalations;
    }

    /// <summary>
    /// A try's error, with the transient cause that made the runner retry it when the error does not already say it:
    /// the reader must see why the check was repeated, not only its worst finding.
    /// </summary>
    internal static string Describe(CheckAttempt attempt)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        var error = attempt.Error ?? attempt.TransientCause ?? "no error recorded";
        return attempt.TransientCause is { } cause && !error.Contains(cause, StringComparison.OrdinalIgnoreCase)
            ? $"{error} (retried for: {cause})"
            : error;
    }

    private static string At(CheckAttempt attempt) =>
        attempt.StartedAt is { } at ? " at " + at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) : string.Empty;
}

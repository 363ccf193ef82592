using Archgate.Model;

namespace Archgate.Checks.Services;

/// <summary>Whether a caller answered with its fallback while its dependency was away: one judgement for both breaker checks.</summary>
internal static class FallbackAnswers
{
    /// <summary>The edge's declared fallback status (<c>fallback</c>), else any answer below 500.</summary>
    public static bool IsFallback(EdgeSpec spec, CallerAnswer answer) =>
        answer.Status is { } s && (spec.FallbackStatus.Count > 0 ? spec.FallbackStatus.Contains(s) : s < 500);

    /// <summary>
    /// The no-fallback finding's message when some of <paramref name="answers"/> were not the fallback, else null.
    /// </summary>
    /// <param name="spec">The edge.</param>
    /// <param name="caller">The caller's name.</param>
    /// <param name="answers">The caller's answers to the drive while the dependency was away.</param>
    /// <param name="condition">How the dependency was away ("failing", "held by the timeout toxic").</param>
    /// <param name="describe">How an answer is told in the message.</param>
    public static string? Problem(EdgeSpec spec, string caller, IReadOnlyList<CallerAnswer> answers, string condition, Func<CallerAnswer, string> describe)
    {
        var bad = answers.Where(a => !IsFallback(spec, a)).ToList();
        if (bad.Count == 0)
        {
            return null;
        }

        var drive = spec.Drive!;
        return $"{spec.Edge}: with {spec.Edge.Dependency} {condition}, {caller} answered {drive.Method} {drive.Path} {bad.Count} of {answers.Count} time(s) with {describe(bad[0])}" +
            (spec.FallbackStatus.Count > 0 ? $", not its declared fallback ({string.Join(", ", spec.FallbackStatus)})" : ", not a degraded answer");
    }
}

using System.Text.Json.Serialization;

namespace Archgate.Protocol;

/// <summary>The outcome of a check or a step.</summary>
public enum CheckStatus
{
    /// <summary>Everything checked is as expected.</summary>
    Pass,

    /// <summary>Passed with findings worth a look.</summary>
    Warn,

    /// <summary>The target failed the check.</summary>
    Fail,

    /// <summary>Not run; <see cref="CheckResult.Reason"/> says why.</summary>
    Skipped,

    /// <summary>The check itself could not complete (an unexpected exception).</summary>
    Error,
}

/// <summary>Why a check was skipped: nothing to check, or the check does not exist yet.</summary>
public enum SkipKind
{
    /// <summary>The system has nothing this check applies to.</summary>
    NotApplicable,

    /// <summary>The check comes in a later version; its criterion cannot be evaluated.</summary>
    NotImplemented,

    /// <summary>The user left the step out (<c>--steps</c>).</summary>
    NotSelected,

    /// <summary>The check waits for people (step 10: reviews and the sign-off); its reason says for whom.</summary>
    Awaiting,
}

/// <summary>What a reachability probe (a database connection, a health endpoint) found of its target.</summary>
public enum Reachability
{
    /// <summary>The target answered (whatever it said).</summary>
    Reached,

    /// <summary>Nothing answered: connection refused, no such host or file, timeout.</summary>
    Unreachable,
}

/// <summary>One try of a check, recorded when transient failures made the runner retry.</summary>
public sealed record CheckAttempt(int Number, CheckStatus Status, string? TransientCause, long DurationMs)
{
    /// <summary>When the try started; null in runs recorded before it was kept.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>What went wrong in this try (the check's reason or its first finding), redacted; null when it passed.</summary>
    public string? Error { get; init; }
}

/// <summary>
/// What a check reports: status, findings and metrics. A failed target is a value here, never an exception.
/// </summary>
public sealed record CheckResult
{
    /// <summary>The check's id, for example <c>services.health:api</c>.</summary>
    public string Id { get; init; } = string.Empty;

    /// <summary>A short human title.</summary>
    public string Title { get; init; } = string.Empty;

    /// <summary>The outcome.</summary>
    public required CheckStatus Status { get; init; }

    /// <summary>Why it was skipped or errored.</summary>
    public string? Reason { get; init; }

    /// <summary>For a skipped check: why, as a kind.</summary>
    public SkipKind? Skip { get; init; }

    /// <summary>
    /// Set when the failure may go away by itself (connection refused, timeout, 5xx): the runner then retries
    /// with exponential backoff before the result counts.
    /// </summary>
    [JsonIgnore]
    public string? TransientCause { get; init; }

    /// <summary>
    /// Set by checks that probe whether their target is there at all. When every such probe of a run found nothing,
    /// the run is an infrastructure error rather than a verdict: the system was not there to judge.
    /// </summary>
    public Reachability? Reachability { get; init; }

    /// <summary>What the check found.</summary>
    public IReadOnlyList<Finding> Findings { get; init; } = [];

    /// <summary>What the check measured.</summary>
    public IReadOnlyList<Metric> Metrics { get; init; } = [];

    /// <summary>Every try, when there was more than one.</summary>
    public IReadOnlyList<CheckAttempt> Attempts { get; init; } = [];

    /// <summary>Wall time of the last try.</summary>
    public long DurationMs { get; init; }

    /// <summary>A passing result; warns when a finding is at least medium.</summary>
    public static CheckResult From(IReadOnlyList<Finding> findings, IReadOnlyList<Metric>? metrics = null, Severity failAt = Severity.High) => new()
    {
        Status = findings.Any(f => f.Severity >= failAt) ? CheckStatus.Fail
            : findings.Any(f => f.Severity >= Severity.Low) ? CheckStatus.Warn
            : CheckStatus.Pass,
        Findings = findings,
        Metrics = metrics ?? [],
    };

    /// <summary>A skipped result with its reason.</summary>
    public static CheckResult Skipped(string reason, SkipKind kind = SkipKind.NotApplicable) =>
        new() { Status = CheckStatus.Skipped, Reason = reason, Skip = kind };

    /// <summary>A check that comes in a later version.</summary>
    public static CheckResult NotImplemented() => Skipped("not implemented yet", SkipKind.NotImplemented);
}

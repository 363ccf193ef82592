using System.Collections.Concurrent;

namespace Archgate.Checks.Database;

/// <summary>The kinds of evidence that make up the protocol's "database integration catastrophic failure".</summary>
internal enum FailureSignal
{
    /// <summary>A dependant's pool ran out of connections (utilization 100 %, or requests refused waiting for one).</summary>
    PoolExhaustion,

    /// <summary>A query ran longer than the protocol's query timeout (10 s).</summary>
    QueryTimeout,

    /// <summary>Data violates a constraint (orphaned rows).</summary>
    ConsistencyViolation,

    /// <summary>Not a signal by itself, but part of the remedy: a foreign key without an index, a pending migration, a pool setting.</summary>
    Contributing,
}

/// <summary>One piece of evidence a check recorded for the failure scenario.</summary>
/// <param name="Signal">What it is evidence of.</param>
/// <param name="Database">The database it is about.</param>
/// <param name="Text">What was seen (already redacted).</param>
/// <param name="Remedy">What to do about it, or null.</param>
internal sealed record FailureEvidenceItem(FailureSignal Signal, string Database, string Text, string? Remedy);

/// <summary>
/// The evidence step 3's checks collect for <see cref="FailureScenarioCheck"/>, shared by the checks of one run.
/// Each check replaces its own entry on every attempt, so retries never count twice.
/// </summary>
internal sealed class FailureEvidence
{
    private readonly ConcurrentDictionary<string, IReadOnlyList<FailureEvidenceItem>> _byCheck = new(StringComparer.Ordinal);

    /// <summary>Records what the check <paramref name="checkId"/> saw in its latest attempt.</summary>
    public void Record(string checkId, IReadOnlyList<FailureEvidenceItem> items) => _byCheck[checkId] = items;

    /// <summary>Everything recorded, in check id order.</summary>
    public IReadOnlyList<FailureEvidenceItem> All =>
        _byCheck.OrderBy(e => e.Key, StringComparer.Ordinal).SelectMany(e => e.Value).ToList();
}

namespace Archgate.Checks.Contracts.Diff;

/// <summary>The differences between two versions of a contract, in a stable order (by operation as they appear in the documents).</summary>
/// <param name="Changes">Every change found; empty when the contracts are equivalent.</param>
public sealed record DiffReport(IReadOnlyList<ApiChange> Changes)
{
    /// <summary>
    /// Problems of validity in either document (a response without a description, an unknown property...): the diff reads
    /// such documents as they are, and says what it read past.
    /// </summary>
    /// <value>None by default.</value>
    public IReadOnlyList<ContractLoadError> Warnings { get; init; } = [];

    /// <summary>How many changes are at exactly <paramref name="level"/>.</summary>
    public int Count(ChangeLevel level) => Changes.Count(c => c.Level == level);

    /// <summary>True when any change is at <paramref name="level"/> or above (the <c>--fail-on</c> gate).</summary>
    public bool HasAtOrAbove(ChangeLevel level) => Changes.Any(c => c.Level >= level);
}

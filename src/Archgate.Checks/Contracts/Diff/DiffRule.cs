namespace Archgate.Checks.Contracts.Diff;

/// <summary>One rule of the breaking-change catalogue.</summary>
/// <param name="Id">Stable kebab-case id (named after oasdiff's where one exists).</param>
/// <param name="Code">Archgate code, <c>AG21xx</c> to <c>AG29xx</c>.</param>
/// <param name="Level">The level every change of this rule has.</param>
/// <param name="Summary">What the rule detects, in a sentence.</param>
public sealed record DiffRule(string Id, string Code, ChangeLevel Level, string Summary)
{
    /// <summary>
    /// The name oasdiff gives the same finding (<c>response-required-property-removed</c>), so that reports can be
    /// mapped onto each other; <see langword="null"/> when oasdiff has no such rule.
    /// </summary>
    /// <value>No alias by default.</value>
    public string? Alias { get; init; }

    /// <summary>
    /// oasdiff's name when the change is at the root of a request or response body (<c>request-body-…</c>) rather
    /// than at a property inside it; <see langword="null"/> when it is <see cref="Alias"/>.
    /// </summary>
    /// <value>No separate root alias by default.</value>
    public string? RootAlias { get; init; }
}

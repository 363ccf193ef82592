namespace Archgate.Checks.Contracts.Diff;

/// <summary>One rule of the breaking-change catalogue.</summary>
/// <param name="Id">Stable kebab-case id (named after oasdiff's where one exists).</param>
/// <param name="Code">Archgate code, <c>AG21xx</c> to <c>AG29xx</c>.</param>
/// <param name="Level">The level every change of this rule has.</param>
/// <param name="Summary">What the rule detects, in a sentence.</param>
public sealed record DiffRule(string Id, string Code, ChangeLevel Level, string Summary);

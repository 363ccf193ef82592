namespace Archgate.Checks.Contracts.Diff;

/// <summary>One difference between two versions of a contract, judged by a rule of the catalogue (docs/contract-diff.md).</summary>
/// <param name="RuleId">Stable kebab-case id, such as <c>response-property-removed</c>.</param>
/// <param name="Code">Archgate code of the rule, such as <c>AG2851</c>.</param>
/// <param name="Level">How much it matters to existing clients.</param>
/// <param name="Operation">The operation it is in, such as <c>GET /orders/{id}</c>.</param>
/// <param name="Location">Where in the operation, such as <c>response 200 application/json $.total</c> or <c>parameter query:limit</c>.</param>
/// <param name="Message">What changed, in a sentence.</param>
/// <param name="OldValue">The value in the old contract, when there is one to show.</param>
/// <param name="NewValue">The value in the new contract, when there is one to show.</param>
/// <param name="Alias">oasdiff's name for this finding, when it has one.</param>
public sealed record ApiChange(
    string RuleId,
    string Code,
    ChangeLevel Level,
    string Operation,
    string Location,
    string Message,
    string? OldValue,
    string? NewValue,
    string? Alias = null);

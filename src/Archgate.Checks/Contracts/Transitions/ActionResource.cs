using Archgate.Checks.Contracts.Conformance;
using Archgate.Checks.Frontend;
using Microsoft.OpenApi;

namespace Archgate.Checks.Contracts.Transitions;

/// <summary>
/// A resource of a contract (<see cref="ContractResource"/>) whose item has action operations: a <c>POST</c> on
/// <c>{item}/{verb}</c> with no further path parameter (<c>POST /claims/{id}/submit</c>). The actions move the object
/// from one state to another; which of them the object's state allows is what <see cref="TransitionExplorer"/> finds out.
/// </summary>
/// <param name="Resource">The resource: its create, read and, where the contract has it, its delete.</param>
/// <param name="Actions">Its actions, in path order.</param>
internal sealed record ActionResource(ContractResource Resource, IReadOnlyList<OperationInfo> Actions)
{
    /// <summary>The resources of <paramref name="document"/> that have at least one action.</summary>
    public static IReadOnlyList<ActionResource> Find(OpenApiDocument document)
    {
        var operations = OperationInfo.All(document);
        return [.. ContractResource.Find(document)
            .Select(r => new ActionResource(r, [.. operations.Where(o => IsActionOf(o, r.Item)).OrderBy(o => o.Template, StringComparer.Ordinal)]))
            .Where(r => r.Actions.Count > 0)];
    }

    /// <summary>The action's verb, the last segment of its path: <c>submit</c>.</summary>
    public static string Verb(OperationInfo action) => action.Template[(action.Template.LastIndexOf('/') + 1)..];

    /// <summary>The action's path for the object at <paramref name="itemPath"/>: <c>/claims/12/submit</c>.</summary>
    public static string PathFor(OperationInfo action, string itemPath) => $"{itemPath.TrimEnd('/')}/{Verb(action)}";

    private static bool IsActionOf(OperationInfo operation, string item) =>
        operation.Method == "POST"
        && operation.Template.StartsWith(item + "/", StringComparison.Ordinal)
        && operation.Template[(item.Length + 1)..] is { Length: > 0 } verb
        && !verb.Contains('/', StringComparison.Ordinal) && !verb.Contains('{', StringComparison.Ordinal);
}

using System.Text.Json.Nodes;
using Archgate.Checks.Contracts.Conformance;
using Archgate.Checks.Contracts.Diff;
using Archgate.Checks.Frontend;
using Microsoft.OpenApi;

namespace Archgate.Checks.Contracts.Transitions;

/// <summary>
/// One action of a resource's item: its operation, its name (<c>submit</c>, or <c>status=approved</c> for one value of
/// a status operation's enum) and the body it is sent with (the contract's example, the enum value set in it).
/// </summary>
/// <param name="Operation">The contract operation: <c>POST /claims/{id}/submit</c>, <c>PATCH /claims/{id}/status</c>.</param>
/// <param name="Name">How sequences and messages name it: <c>submit</c>, <c>status=approved</c>.</param>
/// <param name="Body">The body to send (before references in it are filled), or null for none.</param>
internal sealed record ResourceAction(OperationInfo Operation, string Name, JsonNode? Body)
{
    /// <summary>A status operation's enum property and the value this action sets (<c>status</c>, <c>"approved"</c>); null for a verb's action.</summary>
    public (string Property, JsonNode Value)? Sets { get; init; }

    /// <summary>
    /// <paramref name="planned"/> (a body another planner made for the operation) with this action's enum value set in
    /// it; <paramref name="planned"/> itself for a verb's action.
    /// </summary>
    public string? Apply(string? planned)
    {
        if (Sets is not { } sets)
        {
            return planned;
        }

        var body = (planned is null ? null : JsonNode.Parse(planned)) as JsonObject ?? new JsonObject();
        body[sets.Property] = sets.Value.DeepClone();
        return body.ToJsonString();
    }

    /// <summary>The action's path for the object at <paramref name="itemPath"/>: <c>/claims/12/submit</c>.</summary>
    public string PathFor(string itemPath) => ActionResource.PathFor(Operation, itemPath);

    /// <summary>A fresh copy of <see cref="Body"/>, so that filling one send's references does not change the next.</summary>
    public JsonNode? FreshBody() => Body?.DeepClone();
}

/// <summary>
/// A resource of a contract (<see cref="ContractResource"/>) whose item has action operations: a <c>POST</c>, <c>PUT</c>
/// or <c>PATCH</c> on <c>{item}/{verb}</c> with no further path parameter (<c>POST /claims/{id}/submit</c>,
/// <c>PUT /orders/{id}/cancel</c>), and a <c>PUT</c> or <c>PATCH</c> on <c>{item}/status</c> (or <c>/state</c>) whose
/// body has a single required enum property, one action per value (<c>status=approved</c>). The actions move the object
/// from one state to another; which of them the object's state allows is what <see cref="TransitionExplorer"/> finds out.
/// </summary>
/// <param name="Resource">The resource: its create, read and, where the contract has it, its delete.</param>
/// <param name="Actions">Its actions, in path order (a status operation's in its enum's order).</param>
internal sealed record ActionResource(ContractResource Resource, IReadOnlyList<ResourceAction> Actions)
{
    private static readonly string[] StatusSegments = ["status", "state"];

    /// <summary>The distinct operations of <see cref="Actions"/>.</summary>
    public IEnumerable<OperationInfo> Operations => Actions.Select(a => a.Operation).Distinct();

    /// <summary>The resources of <paramref name="document"/> that have at least one action.</summary>
    public static IReadOnlyList<ActionResource> Find(OpenApiDocument document)
    {
        var operations = OperationInfo.All(document);
        return [.. ContractResource.Find(document)
            .Select(r => new ActionResource(r, ActionsOf(r.Item, operations)))
            .Where(r => r.Actions.Count > 0)];
    }

    /// <summary>The actions of the item at <paramref name="item"/> among <paramref name="operations"/>, in path order, each with one name.</summary>
    public static IReadOnlyList<ResourceAction> ActionsOf(string item, IReadOnlyList<OperationInfo> operations) =>
        Distinct([.. operations.Where(o => IsActionOf(o, item) && !IsSubresourceWrite(o, operations)).OrderBy(o => o.Template, StringComparer.Ordinal).ThenBy(o => o.Method, StringComparer.Ordinal)
            .SelectMany(OperationActions)]);

    /// <summary>
    /// <paramref name="actions"/> with one name each: a verb that two methods carry (<c>POST</c> and <c>PUT</c> on
    /// <c>/orders/{id}/cancel</c>) is named with its method (<c>POST cancel</c>, <c>PUT cancel</c>), so neither hides the other.
    /// </summary>
    private static List<ResourceAction> Distinct(List<ResourceAction> actions) =>
        [.. actions.Select(a => actions.Count(o => o.Name == a.Name) > 1 ? a with { Name = $"{a.Operation.Method} {a.Name}" } : a)];

    /// <summary>The action's verb, the last segment of its path: <c>submit</c>.</summary>
    public static string Verb(OperationInfo action) => PathTemplates.Last(action.Template);

    /// <summary>
    /// The action's path for the object at <paramref name="itemPath"/>, in the action template's shape: <c>/claims/12/submit</c>,
    /// <c>/orders/12/cancel/</c> for <c>/orders/{id}/cancel/</c>.
    /// </summary>
    public static string PathFor(OperationInfo action, string itemPath) => PathTemplates.Child(itemPath, Verb(action), action.Template);

    /// <summary>
    /// The actions of one operation: a verb's one, with the contract's example body; a status operation's one per value
    /// of its body's single required enum property, that property set to the value in the example (or alone).
    /// </summary>
    private static IEnumerable<ResourceAction> OperationActions(OperationInfo operation)
    {
        var verb = Verb(operation);
        var example = BodyReferences.Example(operation);
        if (operation.Method == "POST" || !StatusSegments.Contains(verb, StringComparer.OrdinalIgnoreCase))
        {
            return [new ResourceAction(operation, verb, example)];
        }

        if (EnumProperty(operation) is not { } status)
        {
            return [];
        }

        return status.Values.Select(value => new ResourceAction(operation, $"{status.Name}={Text(value)}", With(example, status.Name, value)) { Sets = (status.Name, value) });
    }

    /// <summary>The single required property of the body whose schema is an enum, with its values; null when there is not exactly one.</summary>
    private static (string Name, IReadOnlyList<JsonNode> Values)? EnumProperty(OperationInfo operation)
    {
        if (BodyReferences.Schema(operation) is not { } schema)
        {
            return null;
        }

        var view = SchemaView.Of(schema);
        var enums = view.Required
            .Select(name => (Name: name, Values: view.Properties.TryGetValue(name, out var property)
                ? SchemaView.Of(property).Enum.Select(e => JsonNode.Parse(e)).OfType<JsonNode>().ToList()
                : []))
            .Where(p => p.Values.Count > 0)
            .ToList();
        return enums is [var only] ? (only.Name, only.Values) : null;
    }

    private static JsonObject With(JsonNode? example, string property, JsonNode value)
    {
        var body = example?.DeepClone() as JsonObject ?? new JsonObject();
        body[property] = value.DeepClone();
        return body;
    }

    private static string Text(JsonNode value) => value is JsonValue v && v.TryGetValue<string>(out var text) ? text : value.ToJsonString();

    /// <summary>
    /// A <c>PUT</c>/<c>PATCH</c> on <c>{item}/{segment}</c> that the contract also reads (<c>GET /users/{id}/avatar</c>,
    /// <c>/orders/{id}/address</c>): the write of a part of the item, not a transition; nobody reads <c>/orders/{id}/cancel</c>.
    /// A status operation stays an action, read or not. And a <c>POST</c> on <c>{item}/{segment}</c> that has items of its
    /// own (<c>POST /parcels/{id}/notes</c> beside <c>/parcels/{id}/notes/{noteId}</c>): a create in a collection beneath the
    /// item, not a transition of it.
    /// </summary>
    private static bool IsSubresourceWrite(OperationInfo operation, IReadOnlyList<OperationInfo> operations) =>
        (operation.Method is "PUT" or "PATCH"
            && !StatusSegments.Contains(Verb(operation), StringComparer.OrdinalIgnoreCase)
            && operations.Any(o => o.Method == "GET" && o.Template == operation.Template))
        || (operation.Method == "POST" && operations.Any(o => PathTemplates.IsItemOf(o.Template, operation.Template)));

    private static bool IsActionOf(OperationInfo operation, string item) =>
        operation.Method is "POST" or "PUT" or "PATCH"
        && PathTemplates.ActionOf(operation.Template, item) is not null;
}

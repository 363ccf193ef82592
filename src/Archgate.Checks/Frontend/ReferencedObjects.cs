using System.Text.Json.Nodes;
using Archgate.Checks.Contracts;
using Archgate.Checks.Contracts.Conformance;

namespace Archgate.Checks.Frontend;

/// <summary>
/// The objects a check creates so that its own create names them (<see cref="BodyReferences"/>): before an order
/// with <c>{"holdId": 1}</c> is created, a fresh hold from its own contract example (itself filled the same way, at most
/// <see cref="MaxDepth"/> levels deep), and its id goes in place of the example's 1. A prerequisite that cannot be
/// created falls back to a manifest fixture, else to the example's value, and <see cref="Unfilled"/> says so, for a
/// finding that does not blame the create for it. Everything made is deleted afterwards, newest first (an order's hold
/// after the order). Shared by steps 5, 7 and 9.
/// </summary>
/// <param name="resources">The contract's resources (<see cref="ContractResource.Find"/>).</param>
/// <param name="templates">The contract's path templates.</param>
/// <param name="fixtures">The manifest's fixture ids, per item template and parameter.</param>
/// <param name="send">Sends a method to a contract path with a JSON body (null: none) and extra headers, as the check's identity.</param>
/// <param name="basePath">The host's path the contract's paths are under, for a Location header.</param>
internal sealed class ReferencedObjects(
    IReadOnlyList<ContractResource> resources,
    IReadOnlyCollection<string> templates,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> fixtures,
    Func<string, string, JsonNode?, IReadOnlyList<KeyValuePair<string, string>>, OperationInfo?, Task<ApiAnswer>> send,
    string basePath = "")
{
    /// <summary>How deep a prerequisite's own prerequisites go.</summary>
    public const int MaxDepth = 3;

    private readonly List<(ContractResource Resource, string ItemPath)> _made = [];

    /// <summary>What was filled from what (<c>holdId = 12, the hold this check created</c>), for evidence.</summary>
    public List<string> Filled { get; } = [];

    /// <summary>The references that kept the contract's example, and why (<c>holdId 1 from the contract's example: no hold could be created to reference (POST /holds answered 409)</c>).</summary>
    public List<string> Unfilled { get; } = [];

    /// <summary>
    /// <paramref name="body"/>, a create's of <paramref name="resource"/>, with each reference to another resource set to
    /// one this object created for it.
    /// </summary>
    public Task<JsonNode?> FillAsync(JsonNode? body, ContractResource resource) => FillAsync(body, BodyReferences.Schema(resource.Create), resource.Collection, MaxDepth, true);

    /// <summary>
    /// <paramref name="body"/>, one of <paramref name="operation"/> on an object of <paramref name="resource"/> (an action's:
    /// <c>{"approverId": 1}</c>), with each reference to another resource set to one this object created for it.
    /// </summary>
    public Task<JsonNode?> FillAsync(JsonNode? body, OperationInfo operation, ContractResource resource) =>
        FillAsync(body, BodyReferences.Schema(operation), resource.Collection, MaxDepth, true);

    /// <summary>Deletes what <see cref="FillAsync(JsonNode?, ContractResource)"/> created, newest first (one that names another before it); gives the deletes that failed.</summary>
    public async Task<IReadOnlyList<ApiAnswer>> CleanUpAsync()
    {
        var failed = new List<ApiAnswer>();
        for (var i = _made.Count - 1; i >= 0; i--)
        {
            var (resource, itemPath) = _made[i];
            if (await CrudCheck.CleanUpAsync(resource, itemPath, send) is { Ok: false } answer)
            {
                failed.Add(answer);
            }
        }

        _made.Clear();
        return failed;
    }

    /// <summary>What was filled and what not, as lines for a finding's evidence; empty when the body named nothing.</summary>
    public string Evidence() =>
        string.Concat(Filled.Select(f => $"\nfilled: {f}").Concat(Unfilled.Select(u => $"\nnot filled: {u}")));

    private async Task<JsonNode?> FillAsync(JsonNode? body, Microsoft.OpenApi.IOpenApiSchema? schema, string self, int depth, bool top)
    {
        foreach (var reference in BodyReferences.Find(body, schema, templates, self))
        {
            var why = "the contract has no create for it";
            if (depth > 0 && resources.FirstOrDefault(r => PathTemplates.Same(r.Item, reference.Item) || PathTemplates.Same(r.Collection, reference.Collection)) is { } target)
            {
                var example = await FillAsync(ContractResource.ExampleBody(target.Create), BodyReferences.Schema(target.Create), target.Collection, depth - 1, false);
                var (created, _) = await ContractResource.SendUniqueAsync(example, target.Create, b => send("POST", target.Collection, b, [], target.Create));
                if (created.Ok && target.ItemPath(created, basePath) is { } itemPath)
                {
                    _made.Add((target, itemPath));
                    var id = Uri.UnescapeDataString(PathTemplates.Last(itemPath)); // 62 of /orders/62/ too
                    body = BodyReferences.Fill(body, reference, id);
                    if (top)
                    {
                        Filled.Add($"{reference.Property} = {id}, the {reference.Noun} this check created");
                    }

                    continue;
                }

                why = created.Ok ? $"{created.Summary} with neither a Location nor an id" : created.Summary;
            }
            else if (depth == 0)
            {
                why = "prerequisites nest too deep";
            }

            if (fixtures.GetValueOrDefault(reference.Item)?.GetValueOrDefault(reference.Parameter) is { } fixture)
            {
                body = BodyReferences.Fill(body, reference, fixture);
                if (top)
                {
                    Filled.Add($"{reference.Property} = {fixture}, the manifest's fixture (no {reference.Noun} could be created: {why})");
                }

                continue;
            }

            if (top)
            {
                // A prerequisite's own unfilled reference is said by its failed create (the why above), not twice.
                Unfilled.Add($"{reference.Property} {reference.Current(body)} from the contract's example: no {reference.Noun} could be created to reference ({why})");
            }
        }

        return body;
    }
}

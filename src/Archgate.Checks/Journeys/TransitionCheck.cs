using System.Globalization;
using System.Text.Json.Nodes;
using Archgate.Checks.Contracts;
using Archgate.Checks.Contracts.Conformance;
using Archgate.Checks.Contracts.Transitions;
using Archgate.Checks.Frontend;
using Archgate.Checks.Http;
using Archgate.Checks.Security;
using Archgate.Model;
using Archgate.Protocol;
using Microsoft.OpenApi;

namespace Archgate.Checks.Journeys;

/// <summary>
/// Step 7, state transitions: for each resource of the service's contract with actions (<see cref="ActionResource"/>,
/// <c>POST /claims/{id}/submit</c>, <c>PUT /orders/{id}/cancel</c>, <c>PATCH /claims/{id}/status</c> with each value of
/// its enum), <see cref="TransitionExplorer"/> walks action sequences on fresh objects (created
/// as step 5's CRUD check creates them, an operation only some roles may call as an identity that holds one, <see cref="RoleRestriction"/>). A transition the object's state does not
/// allow must be refused with 4xx and a problem a person can read, never answered 5xx. A repeated action accepted is
/// not judged: it may be idempotent by design. Every object it creates is deleted afterwards where the contract has a
/// DELETE on the item. Which moves are illegal only the service's declared <c>transitions</c> can say: where the manifest
/// declares them for a resource, <see cref="DeclaredTransitionJudge"/> judges every explored step against them.
/// </summary>
internal sealed class TransitionCheck(ServiceComponent service, ContractDocuments documents, TransitionBudget? budget = null) : ICheck
{
    private readonly TransitionBudget _budget = budget ?? new TransitionBudget();

    public string Id => $"journeys.transitions:{service.Name}";

    public int Step => 7;

    public string Title => $"{service.Name}: action sequences on fresh objects, each illegal transition refused with 4xx, never 5xx";

    public Applicability AppliesTo(SystemModel system) => ContractDocuments.Declared(service);

    public async Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        var loaded = await documents.LoadAsync(service.OpenApi!.Path, cancellationToken);
        if (loaded.Document is null)
        {
            return CheckResult.Skipped($"{service.Name}'s contract could not be read (step 2 says why)");
        }

        var resources = ActionResource.Find(loaded.Document);
        if (resources.Count == 0)
        {
            var plain = ContractResource.Find(loaded.Document);
            var considered = plain.Count == 0 ? string.Empty : $"; considered: {string.Join(", ", plain.Select(r => r.Item))} (no action beneath)";
            var aside = ContractResource.SetAside(loaded.Document) is { Length: > 0 } a ? $"; set aside as no resource: {a}" : string.Empty;
            var declared = string.Concat(DeclaredTransitionJudge.Unmatched(service, resources).Select(u => $"; {u}"));
            return CheckResult.Skipped($"{service.Name}'s contract has no resource with actions (a POST, PUT or PATCH on an item's path and a verb: /claims/{{id}}/submit, or on its status with an enum body){considered}{aside}{declared}");
        }

        var credentials = await ApiSession.SignInAsync(service, context, cancellationToken);
        if (!credentials.Ok)
        {
            return new CheckResult
            {
                Status = CheckStatus.Error,
                Reason = $"could not sign in to {service.Name} to explore its transitions: {credentials.Problem}",
                TransientCause = credentials.TransientCause,
            };
        }

        var contractBase = ContractBase.Of(service.Url, loaded.Document);
        var templates = loaded.Document.Paths?.Keys.ToList() ?? [];
        var all = ContractResource.Find(loaded.Document);
        var findings = new List<Finding>();
        var sequences = 0;
        foreach (var resource in resources)
        {
            context.Activity?.Report($"transitions of {resource.Resource.Item}");
            var notExplored = new List<string>();
            // Each operation only some roles may call goes as an identity that holds one (the token source signs each in once).
            async Task<(IReadOnlyList<KeyValuePair<string, string>>? Auth, string? WhyNot)> AsAsync(OperationInfo operation)
            {
                if (RoleRestriction.Of(context.System, operation) is not { } restriction)
                {
                    return (credentials.RequestHeaders, null);
                }

                var (signedIn, whyNot) = await ApiSession.SignInAsync(restriction, service, context, cancellationToken);
                return (signedIn?.RequestHeaders, whyNot is null ? null : $"{restriction.Kind}, and {whyNot}");
            }

            var create = await AsAsync(resource.Resource.Create);
            if (create.Auth is not { } createAuth)
            {
                findings.Add(Finding(JourneyRules.TransitionSummary, resource.Resource.Item,
                    $"{resource.Resource.Item}: not explored: its create {resource.Resource.Create.Name} is {create.WhyNot}", null));
                continue;
            }

            var actions = new Dictionary<string, (ResourceAction Action, IReadOnlyList<KeyValuePair<string, string>> Auth)>(StringComparer.Ordinal);
            foreach (var action in resource.Actions)
            {
                var caller = await AsAsync(action.Operation);
                if (caller.Auth is not { } auth)
                {
                    notExplored.Add($"{Label(action)} ({caller.WhyNot})");
                }
                else if (action.Operation.Operation.RequestBody is { Required: true } && !Json(action.Operation))
                {
                    notExplored.Add($"{Label(action)} (its required body is not JSON)");
                }
                else
                {
                    actions[action.Name] = (action, auth);
                }
            }

            if (actions.Count == 0)
            {
                findings.Add(Finding(JourneyRules.TransitionSummary, resource.Resource.Item, $"{resource.Resource.Item}: not explored: {string.Join("; ", notExplored)}", null));
                continue;
            }

            var explored = await ExploreAsync(context.Http, resource, createAuth, actions, contractBase, templates, all, cancellationToken);
            sequences += explored.Map.Runs.Count;
            Judge(resource, explored.Map, actions, notExplored, explored.Cleanup, explored.Prerequisites, findings);
        }

        foreach (var unmatched in DeclaredTransitionJudge.Unmatched(service, resources))
        {
            findings.Add(Finding(JourneyRules.TransitionSummary, service.Name, unmatched, null));
        }

        return CheckResult.From(findings, [Metric.ForComponent("transition_sequences", service.Name, sequences, "count")]);
    }

    private async Task<(TransitionMap Map, List<string> Cleanup, string Prerequisites)> ExploreAsync(
        HttpClient http, ActionResource resource, IReadOnlyList<KeyValuePair<string, string>> createAuth,
        Dictionary<string, (ResourceAction Action, IReadOnlyList<KeyValuePair<string, string>> Auth)> actions, Uri contractBase,
        IReadOnlyCollection<string> templates, IReadOnlyList<ContractResource> all, CancellationToken cancellationToken)
    {
        var basePath = contractBase.AbsolutePath.TrimEnd('/');
        Task<ApiAnswer> Send(string method, string path, IEnumerable<KeyValuePair<string, string>> headers, JsonNode? body, OperationInfo? operation) =>
            ApiCall.SendAsync(http, method, ApiCall.Resolve(contractBase, path), headers, body?.ToJsonString(), ApiCall.DefaultTimeout, cancellationToken,
                operation?.JsonMediaType ?? "application/json");

        // The objects the create names (a claim's policy) are made once for the resource and shared by its sequences.
        var prerequisites = new ReferencedObjects(all, templates, service.OpenApi!.Fixtures,
            (method, path, body, headers, operation) => Send(method, path, [.. createAuth, .. headers], body, operation), basePath);
        var cleanup = new List<string>();
        try
        {
            var example = await prerequisites.FillAsync(ContractResource.ExampleBody(resource.Resource.Create), resource.Resource);

            // An action's body that names another resource (an approver's id) takes one made for it, once for the resource.
            var bodies = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
            foreach (var (name, (action, _)) in actions)
            {
                bodies[name] = Json(action.Operation) ? await prerequisites.FillAsync(action.FreshBody(), action.Operation, resource.Resource) : null;
            }

            async Task<TransitionRun> RunAsync(IReadOnlyList<string> sequence)
            {
                var (created, _) = await ContractResource.SendUniqueAsync(example, resource.Resource.Create,
                    body => Send("POST", resource.Resource.Collection, createAuth, body, resource.Resource.Create));
                var requests = created.Status == 409 ? 2 : 1;
                if ((created.Ok ? resource.Resource.ItemPath(created, basePath) : null) is not { } itemPath)
                {
                    return new TransitionRun(sequence, [], requests,
                        created.Ok ? $"{created.Summary} with neither a Location nor an id" : $"creating from the contract's example failed: {created.Evidence()}{prerequisites.Evidence()}");
                }

                var steps = new List<TransitionStep>();
                try
                {
                    foreach (var verb in sequence)
                    {
                        var (action, auth) = actions[verb];
                        var headers = auth.ToList();
                        if (TakesIfMatch(action.Operation))
                        {
                            requests++;
                            if ((await Send("GET", itemPath, auth, null, null)).Header("ETag") is { } etag)
                            {
                                headers.Add(new("If-Match", etag));
                            }
                        }

                        var answer = await Send(action.Operation.Method, action.PathFor(itemPath), headers, bodies[verb]?.DeepClone(), action.Operation);
                        requests++;
                        steps.Add(new TransitionStep(verb, answer.Status, answer.Evidence(200)) { Answer = answer });
                        if (!answer.Ok)
                        {
                            break;
                        }
                    }
                }
                finally
                {
                    // An object its sequence released already (cancelled) holds nothing: no second cancel to be refused.
                    var released = resource.Resource.Release is { } release && steps.LastOrDefault(s => s.Accepted)?.Action == release.Name;
                    var deleted = released ? null : await CrudCheck.CleanUpAsync(resource.Resource, itemPath, (method, path, body, headers, operation) => Send(method, path, [.. createAuth, .. headers], body, operation));
                    if (deleted is { Ok: false })
                    {
                        cleanup.Add($"{itemPath} after [{string.Join(", ", steps.Select(s => s.Action))}]: {deleted.Summary}");
                    }
                }

                return new TransitionRun(sequence, steps, requests);
            }

            var map = await TransitionExplorer.ExploreAsync([.. actions.Keys], _budget, RunAsync, cancellationToken);
            return (map, cleanup, string.Join("; ", prerequisites.Filled));
        }
        finally
        {
            foreach (var failed in await prerequisites.CleanUpAsync())
            {
                cleanup.Add(failed.Summary);
            }
        }
    }

    private void Judge(
        ActionResource resource, TransitionMap map, Dictionary<string, (ResourceAction Action, IReadOnlyList<KeyValuePair<string, string>> Auth)> actions,
        List<string> notExplored, List<string> cleanup, string prerequisites, List<Finding> findings)
    {
        // Each step of a run is judged where it stands: after the steps before it in that run.
        var answered = map.Runs.SelectMany(r => r.Steps.Select((s, i) => (Run: r, Step: s, After: r.Sequence.Take(i).ToList()))).ToList();
        foreach (var crashes in answered.Where(a => a.Step.Status >= 500).GroupBy(a => a.Step.Action))
        {
            var action = actions[crashes.Key].Action;
            findings.Add(Findings.Create(JourneyRules.TransitionServerError, Severity.High, service.Name, action.Operation.Name,
                $"{Label(action)} answered {string.Join("/", crashes.Select(c => c.Step.Status).Distinct())} {Where(crashes.Select(c => c.After))}: a transition crashed the server",
                string.Join("\n\n", crashes.Select(c => $"[{string.Join(", ", c.Run.Sequence.Take(c.After.Count + 1))}]:\n{string.Join('\n', c.Run.Steps.Take(c.After.Count + 1).Select(s => s.Evidence))}")),
                "refuse a transition the object's state does not allow with 409 Conflict (or 422) and a problem+json body naming the state; never let it reach the database or an unchecked switch"));
        }

        // A refusal for the caller (401, 403), the path (404, 405) or the pace (429) is in the map, but says nothing of the state.
        var refusals = answered.Where(a => a.Step.Status is >= 400 and < 500).ToList();
        foreach (var unreadable in refusals.Where(a => a.Step.RefusedForState).Select(a => (a.Step, a.After, Why: a.Step.Answer is { } answer ? EdgeCaseJudge.Unreadable(answer) : null))
            .Where(a => a.Why is not null).GroupBy(a => a.Step.Action))
        {
            var action = actions[unreadable.Key].Action;
            var first = unreadable.First();
            findings.Add(Findings.Create(JourneyRules.TransitionUnreadable, first.Why!.Value.Severity, service.Name, action.Operation.Name,
                $"{Label(action)} was refused ({first.Step.Status}) {Where(unreadable.Select(u => u.After))}, but {first.Why.Value.Why}",
                string.Join('\n', unreadable.Select(u => u.Step.Evidence)),
                "answer a refused transition with application/problem+json (RFC 9457): a 'title' a person can read and the state that refuses it in 'detail'; no stack trace or type names"));
        }

        var accepted = map.Runs.Where(r => r.Accepted).Select(r => $"[{string.Join(", ", r.Sequence)}]").ToList();
        var refused = refusals.Select(a => $"{Sequence(a.After, a.Step.Action)} ({a.Step.Status})").ToList();
        var crashed = answered.Where(a => a.Step.Status >= 500).Select(a => $"{Sequence(a.After, a.Step.Action)} ({a.Step.Status})").ToList();
        var notes = new List<string>();
        if (crashed.Count > 0)
        {
            notes.Add($"5xx: {string.Join(", ", crashed)}");
        }

        if (DeclaredTransitionJudge.For(service, resource) is { } declared)
        {
            notes.AddRange(DeclaredTransitionJudge.Judge(service.Name, resource, map, declared, name => resource.Actions.FirstOrDefault(a => a.Name == name), findings));
        }

        if (prerequisites.Length > 0)
        {
            notes.Add($"references filled: {prerequisites}");
        }

        if (map.Cut is not null)
        {
            notes.Add($"not explored: {map.Cut}");
        }

        if (notExplored.Count > 0)
        {
            notes.Add($"actions left out: {string.Join("; ", notExplored)}");
        }

        if (cleanup.Count > 0)
        {
            notes.Add($"not cleaned up: {string.Join("; ", cleanup)}");
        }

        var evidence = string.Join('\n', map.Runs.Select(r => r.NotRun is not null
            ? $"[{string.Join(", ", r.Sequence)}]: not run: {r.NotRun}"
            : $"[{string.Join(", ", r.Sequence)}]: {string.Join(", ", r.Steps.Select(s => $"{s.Action} {(s.Status == 0 ? "no answer" : s.Status.ToString(CultureInfo.InvariantCulture))}"))}"));
        findings.Add(Finding(JourneyRules.TransitionSummary, resource.Resource.Item,
            string.Create(CultureInfo.InvariantCulture,
                $"{resource.Resource.Item}: {actions.Count} action(s) ({string.Join(", ", actions.Keys)}), {map.Runs.Count} sequence(s) on fresh objects, {map.Requests} request(s); accepted: {(accepted.Count == 0 ? "none" : string.Join(", ", accepted))}; refused: {(refused.Count == 0 ? "none" : string.Join(", ", refused))}{(notes.Count == 0 ? string.Empty : "; " + string.Join("; ", notes))}"),
            evidence));
    }

    /// <summary><c>after [submit]</c> or <c>on a fresh object</c>, for the places an action answered.</summary>
    private static string Where(IEnumerable<List<string>> prefixes) =>
        string.Join("; ", prefixes.Select(p => p.Count == 0 ? "on a fresh object" : $"after [{string.Join(", ", p)}]").Distinct(StringComparer.Ordinal));

    private static string Sequence(List<string> after, string action) => after.Count == 0 ? $"{action} on a fresh object" : $"{action} after [{string.Join(", ", after)}]";

    /// <summary><c>POST /claims/{id}/submit</c>, or <c>PATCH /claims/{id}/status with status=approved</c> for one value of a status operation.</summary>
    private static string Label(ResourceAction action) =>
        action.Sets is null ? action.Operation.Name : $"{action.Operation.Name} with {action.Name}";

    private static bool Json(OperationInfo operation) =>
        operation.Operation.RequestBody?.Content?.Keys.Any(k => k.Contains("json", StringComparison.OrdinalIgnoreCase)) == true;

    private static bool TakesIfMatch(OperationInfo operation) =>
        operation.Parameters.Any(p => p.In == ParameterLocation.Header && p.Name!.Equals("If-Match", StringComparison.OrdinalIgnoreCase));

    private Finding Finding(string rule, string location, string message, string? evidence) =>
        Findings.Create(rule, Severity.Info, service.Name, location, message, evidence);
}

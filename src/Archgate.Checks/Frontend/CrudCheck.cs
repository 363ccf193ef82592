using System.Text.Json.Nodes;
using Archgate.Checks.Contracts;
using Archgate.Checks.Contracts.Conformance;
using Archgate.Checks.Http;
using Archgate.Checks.Security;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Frontend;

/// <summary>
/// Step 5, CRUD as a frontend does it, for every resource the service's contract has (<see cref="ContractResource"/>):
/// create from the contract's example, read it back equal to what was sent, update with the ETag in If-Match, a
/// stale ETag refused with 412, delete, and the deleted resource answers 404. Steps the contract has no operation
/// for are named in the summary, not guessed. A resource with an admin-only operation
/// (<see cref="AdminOperations.IsAdminOnly"/>) runs as an identity with an admin role, or is left out, and said so,
/// when the manifest has none: the service's identity is refused there by design.
/// </summary>
internal sealed class CrudCheck(ServiceComponent service, ContractDocuments documents) : ICheck
{
    /// <summary>Where the contract's operations live (<see cref="ContractBase"/>).</summary>
    private Uri _base = service.Url!;

    private IReadOnlyList<ContractResource> _resources = [];

    private IReadOnlyCollection<string> _templates = [];

    public string Id => $"frontend.crud:{service.Name}";

    public int Step => 5;

    public string Title => $"{service.Name} CRUD from its contract: create, read back, update with If-Match, stale 412, delete";

    public Applicability AppliesTo(SystemModel system) =>
        ContractDocuments.Declared(service);

    public async Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        var loaded = await documents.LoadAsync(service.OpenApi!.Path, cancellationToken);
        if (loaded.Document is null)
        {
            return CheckResult.Skipped($"{service.Name}'s contract could not be read (step 2 says why)");
        }

        _base = ContractBase.Of(service.Url!, loaded.Document);
        var resources = ContractResource.Find(loaded.Document);
        (_resources, _templates) = (resources, [.. loaded.Document.Paths?.Keys ?? Enumerable.Empty<string>()]);
        if (resources.Count == 0)
        {
            return CheckResult.Skipped(ContractResource.SetAside(loaded.Document) is { Length: > 0 } aside
                ? $"{service.Name}'s contract has no create Archgate could pair with an item read: a JSON POST on a collection and a GET one parameter deeper; set aside: {aside}"
                : $"{service.Name}'s contract has no resource with a JSON create (POST) and an item read (GET)");
        }

        var credentials = await ApiSession.SignInAsync(service, context, cancellationToken);
        if (!credentials.Ok)
        {
            return new CheckResult
            {
                Status = CheckStatus.Fail,
                Findings = [Finding(FrontendRules.CreateFailed, Severity.High, "auth", $"could not sign in for CRUD: {credentials.Problem}", null, "fix the service's auth in the manifest")],
                TransientCause = credentials.TransientCause,
            };
        }

        var findings = new List<Finding>();
        var done = 0;
        var notTried = 0;
        foreach (var resource in resources)
        {
            context.Activity?.Report($"CRUD {resource.Collection}");
            var auth = credentials.RequestHeaders;
            var restriction = RoleRestriction.Of(context.System, resource.Create, resource.Read, resource.Update, resource.Delete);
            if (restriction is not null)
            {
                var (callerCredentials, whyNot) = await ApiSession.SignInAsync(restriction, service, context, cancellationToken);
                if (restriction.Caller is not { } caller)
                {
                    notTried++;
                    findings.Add(Finding(FrontendRules.CrudSummary, Severity.Info, resource.Collection,
                        $"{restriction.What} and {whyNot}: not tried", null,
                        $"{restriction.Hint} (auth: {{ ada: {{ login: ..., roles: [{restriction.Roles[0]}] }} }})"));
                    continue;
                }

                if (callerCredentials is null)
                {
                    findings.Add(Finding(FrontendRules.CreateFailed, Severity.High, $"auth.{caller.Label}",
                        $"{restriction.What}, and {whyNot} (roles: [{string.Join(", ", caller.Roles)}]): CRUD not tried", null,
                        $"fix the auth of '{caller.Label}' in the manifest"));
                    continue;
                }

                auth = callerCredentials.RequestHeaders;
            }

            if (await RunAsync(context.Http, resource, auth, restriction is null ? null : $"{restriction.Caller!.Label} ({restriction.What})", findings, cancellationToken))
            {
                done++;
            }
        }

        if (notTried == resources.Count)
        {
            return CheckResult.Skipped($"every resource of {service.Name}'s contract has an operation only some roles may call and no identity holds them") with { Findings = findings };
        }

        return CheckResult.From(findings, [Metric.ForComponent("crud_resources_passed", service.Name, done, "count"), Metric.ForComponent("crud_resources", service.Name, resources.Count, "count")]);
    }

    /// <summary>
    /// A conditional read of the item as a browser or a cache sends it: <c>If-None-Match</c> with the ETag just read.
    /// True when the service answered 304 (it supports conditional reads, so a stale 304 after the update is judged);
    /// a 200 where the contract documents 304 for the read is AG5016. Nothing to try without an ETag.
    /// </summary>
    private async Task<bool> ConditionalReadAsync(
        HttpClient http, ContractResource resource, string itemPath, IReadOnlyList<KeyValuePair<string, string>> auth, string? etag, List<Finding> findings, CancellationToken cancellationToken)
    {
        if (etag is null)
        {
            return false;
        }

        // A resource may move on by itself after the read (a payment worker): a 200 with another ETag is right, and the
        // read is tried again with that one.
        var answer = await Send(http, "GET", itemPath, [.. auth, new("If-None-Match", etag)], null, cancellationToken);
        for (var retry = 0; retry < 3 && answer.Status == 200 && answer.Header("ETag") is { } moved && moved != etag; retry++)
        {
            etag = moved;
            answer = await Send(http, "GET", itemPath, [.. auth, new("If-None-Match", etag)], null, cancellationToken);
        }

        if (answer.Status == 304)
        {
            return true;
        }

        if (answer.Status == 200 && (answer.Header("ETag") ?? etag) == etag && resource.Read.Operation.Responses?.ContainsKey("304") == true)
        {
            findings.Add(Finding(FrontendRules.NoConditionalRead, Severity.Medium, $"GET {resource.Item}",
                $"a read with If-None-Match {etag}, the current ETag, answered 200, not the 304 the contract documents: clients download again what they have",
                answer.Evidence(), "answer 304 Not Modified, with no body, when If-None-Match names the current ETag"));
        }

        return false;
    }

    /// <summary>One resource's round, as <paramref name="identity"/> when it is not the service's; true when every step the contract has passed.</summary>
    private async Task<bool> RunAsync(
        HttpClient http, ContractResource resource, IReadOnlyList<KeyValuePair<string, string>> auth, string? identity, List<Finding> findings, CancellationToken cancellationToken)
    {
        var before = findings.Count;
        var prerequisites = new ReferencedObjects(_resources, _templates, service.OpenApi!.Fixtures,
            (method, path, body, headers, operation) => Send(http, method, path, [.. auth, .. headers], body, cancellationToken, operation), _base.AbsolutePath.TrimEnd('/'));
        try
        {
            return await RoundAsync(http, resource, auth, identity, prerequisites, findings, cancellationToken) && findings.Skip(before).All(f => f.Severity == Severity.Info);
        }
        finally
        {
            await prerequisites.CleanUpAsync();
        }
    }

    /// <summary>Create (with what its body names made first: <see cref="ReferencedObjects"/>), read, update, delete; false when the create failed.</summary>
    private async Task<bool> RoundAsync(
        HttpClient http, ContractResource resource, IReadOnlyList<KeyValuePair<string, string>> auth, string? identity, ReferencedObjects prerequisites, List<Finding> findings, CancellationToken cancellationToken)
    {
        var example = await prerequisites.FillAsync(ContractResource.ExampleBody(resource.Create), resource);
        var (created, sent) = await ContractResource.SendUniqueAsync(example, resource.Create,
            body => Send(http, "POST", resource.Collection, auth, body, cancellationToken, resource.Create));
        var itemPath = created.Ok ? resource.ItemPath(created, _base.AbsolutePath.TrimEnd('/')) : null;
        if (itemPath is null)
        {
            // A create that names a resource none could be made of fails for that: said so, not blamed on the create.
            var unfilled = !created.Ok && prerequisites.Unfilled.Count > 0;
            findings.Add(Finding(FrontendRules.CreateFailed, unfilled ? Severity.Low : Severity.High, resource.Create.Name,
                created.Ok ? "the created resource names neither a Location nor an id"
                : unfilled ? $"{created.Summary} with {string.Join("; ", prerequisites.Unfilled)}"
                : $"creating from the contract's example failed: {created.Summary}",
                created.Evidence() + prerequisites.Evidence(), created.Ok ? "answer 201 with a Location header (or the id in the body)"
                : unfilled ? "make the referenced resource creatable from its contract example, or give its id as a fixture in the manifest (openapi.fixtures)"
                : "the contract's example request must be accepted"));
            return false;
        }

        var read = await Send(http, "GET", itemPath, auth, null, cancellationToken);
        if (Mismatch(read, sent) is { } readProblem)
        {
            findings.Add(Finding(FrontendRules.ReadMismatch, Severity.High, $"GET {resource.Item}", $"the created resource read back differs from what was sent: {readProblem}",
                read.Evidence(), "a read right after a create must show what was stored"));
        }

        var skipped = new List<string>();
        var etag = read.Header("ETag") ?? created.Header("ETag");
        var conditional = await ConditionalReadAsync(http, resource, itemPath, auth, etag, findings, cancellationToken);
        var updateOutcome = string.Empty;
        if (resource.Update is { } update)
        {
            var ifMatch = resource.UpdateTakesIfMatch && etag is not null ? new[] { new KeyValuePair<string, string>("If-Match", etag) } : [];
            // Read, modify, write: the update's example names another resource (book 1's ISBN), so what identifies the
            // resource keeps the value read back; its free text may still name a value another resource holds (a unique title).
            var (updated, change) = await ContractResource.SendUniqueAsync(ContractResource.UpdateBody(ContractResource.ExampleBody(update), Json(read), update), update,
                body => Send(http, update.Method, itemPath, [.. auth, .. ifMatch], body, cancellationToken, update));

            // A resource may move on by itself between the read and the update (a payment worker): read again and retry.
            for (var retry = 0; retry < 3 && updated.Status == 412 && ifMatch.Length > 0; retry++)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(300), cancellationToken);
                etag = (await Send(http, "GET", itemPath, auth, null, cancellationToken)).Header("ETag") ?? etag;
                ifMatch = [new("If-Match", etag!)];
                updated = await Send(http, update.Method, itemPath, [.. auth, .. ifMatch], change, cancellationToken, update);
            }

            updateOutcome = updated.Ok ? ", updated" : $", the update {updated.Outcome}";
            if (!updated.Ok)
            {
                findings.Add(Finding(FrontendRules.UpdateFailed, Severity.High, update.Name, $"the update{(ifMatch.Length > 0 ? " with the current ETag in If-Match" : string.Empty)} failed: {updated.Summary}",
                    $"{updated.Evidence()}\nsent: {ProbeHttp.Excerpt(change?.ToJsonString() ?? string.Empty, 300)}", "the contract's example update, applied to the resource as read, with the current ETag must be accepted"));
            }
            else
            {
                var reread = await Send(http, "GET", itemPath, auth, null, cancellationToken);
                if (Mismatch(reread, change) is { } updateProblem)
                {
                    findings.Add(Finding(FrontendRules.ReadMismatch, Severity.High, $"GET {resource.Item}", $"the updated resource read back differs from the update: {updateProblem}",
                        reread.Evidence(), "a read right after an update must show it"));
                }

                // A service that answers 304 to the current ETag must not answer it to the one from before the update.
                if (conditional && etag is not null && reread.Header("ETag") != etag)
                {
                    var old = await Send(http, "GET", itemPath, [.. auth, new("If-None-Match", etag)], null, cancellationToken);
                    if (old.Status == 304)
                    {
                        findings.Add(Finding(FrontendRules.StaleNotModified, Severity.High, $"GET {resource.Item}",
                            $"a read with If-None-Match {etag}, the ETag from before the update, answered 304 Not Modified: a client that cached the old version keeps showing it",
                            old.Evidence(), "compare If-None-Match with the current ETag, and answer 200 with the new version when they differ"));
                    }
                }

                if (resource.UpdateTakesIfMatch && etag is not null)
                {
                    var stale = await Send(http, update.Method, itemPath, [.. auth, new("If-Match", etag)], change, cancellationToken, update);
                    if (stale.Status != 412)
                    {
                        findings.Add(Finding(FrontendRules.StaleNotRefused, Severity.High, update.Name,
                            $"an update with the stale ETag {etag} {stale.Outcome}, not 412: concurrent edits overwrite each other",
                            stale.Evidence(), "compare If-Match with the current version and answer 412 Precondition Failed when they differ"));
                    }
                }
                else
                {
                    skipped.Add(etag is null ? "stale ETag (no ETag answered)" : "stale ETag (the update declares no If-Match)");
                }
            }
        }
        else
        {
            skipped.Add("update (no PUT or PATCH with a JSON body)");
        }

        if (resource.Delete is { } delete)
        {
            var deleted = await Send(http, "DELETE", itemPath, [.. auth, .. EtagFor(delete, await Send(http, "GET", itemPath, auth, null, cancellationToken))], null, cancellationToken);
            var gone = await Send(http, "GET", itemPath, auth, null, cancellationToken);
            if (!deleted.Ok || gone.Status is not (404 or 410))
            {
                findings.Add(Finding(FrontendRules.DeleteFailed, Severity.High, delete.Name,
                    deleted.Ok ? $"after the delete, the read {gone.Outcome}, not 404" : $"the delete failed: {deleted.Summary}",
                    deleted.Ok ? gone.Evidence() : deleted.Evidence(), "a deleted resource answers 404 (or 410)"));
            }
        }
        else
        {
            skipped.Add("delete (no DELETE on the item)");
        }

        findings.Add(Finding(FrontendRules.CrudSummary, Severity.Info, resource.Collection,
            $"{resource.Collection}: {(identity is null ? string.Empty : $"as {identity}, ")}created {itemPath}{(prerequisites.Filled.Count == 0 ? string.Empty : $" ({string.Join("; ", prerequisites.Filled)})")}, read back{updateOutcome}{(skipped.Count == 0 ? string.Empty : "; not in the contract: " + string.Join(", ", skipped))}",
            null, null));
        return true;
    }

    /// <summary>
    /// The resource's ETag once it has stopped changing by itself: two reads <paramref name="pause"/> apart agree
    /// (at most 10 reads), so concurrent writers all start from one version.
    /// </summary>
    internal static async Task<ApiAnswer> SettledReadAsync(Func<Task<ApiAnswer>> read, TimeSpan pause, CancellationToken cancellationToken)
    {
        var last = await read();
        for (var i = 0; i < 10 && last.Ok; i++)
        {
            await Task.Delay(pause, cancellationToken);
            var next = await read();
            if (next.Header("ETag") == last.Header("ETag"))
            {
                return next;
            }

            last = next;
        }

        return last;
    }

    /// <summary>An answer's body as JSON, or null.</summary>
    internal static JsonNode? Json(ApiAnswer answer)
    {
        try
        {
            return answer.Ok ? JsonNode.Parse(answer.Body) : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Undoes an item a check created for its own purposes, as this check's delete does: a read for the ETag, then the
    /// DELETE (with If-Match where the contract takes it); where the contract has no DELETE on the item, its
    /// <see cref="ContractResource.Release"/> action (a booking cancelled frees its room for the checks after this one).
    /// Sent through <paramref name="send"/> (a method, a contract path, a JSON body and extra headers, as the identity
    /// that created the item). Null when there is nothing to report: the item is gone (404, 410) or the contract has
    /// neither. A release refused for the item's state (409, 422: past cancelling) is an answer that is not Ok, as a
    /// refused delete is: the item is left behind.
    /// </summary>
    internal static async Task<ApiAnswer?> CleanUpAsync(
        ContractResource resource, string itemPath, Func<string, string, JsonNode?, IReadOnlyList<KeyValuePair<string, string>>, OperationInfo?, Task<ApiAnswer>> send)
    {
        if (resource.Delete is { } delete)
        {
            var deleted = await send("DELETE", itemPath, null, EtagFor(delete, await send("GET", itemPath, null, [], null)), delete);
            return deleted.Status is 404 or 410 ? null : deleted;
        }

        if (resource.Release is not { } release)
        {
            return null;
        }

        var read = await send("GET", itemPath, null, [], null);
        if (read.Status is 404 or 410)
        {
            return null;
        }

        var body = release.Apply(release.FreshBody()?.ToJsonString());
        var released = await send(release.Operation.Method, release.PathFor(itemPath), body is null ? null : JsonNode.Parse(body), EtagFor(release.Operation, read), release.Operation);
        return released.Status is 404 or 410 ? null : released;
    }

    private static KeyValuePair<string, string>[] EtagFor(OperationInfo operation, ApiAnswer read) =>
        read.Header("ETag") is { } etag && operation.Parameters.Any(p => p.Name!.Equals("If-Match", StringComparison.OrdinalIgnoreCase)) ? [new("If-Match", etag)] : [];

    /// <summary>Why <paramref name="read"/> does not hold <paramref name="sent"/>, or null.</summary>
    private static string? Mismatch(ApiAnswer read, JsonNode? sent)
    {
        if (!read.Ok)
        {
            return $"the read {read.Summary.Split(" answered ")[^1]}";
        }

        try
        {
            return sent is null ? null : JsonSubset.Difference(sent, JsonNode.Parse(read.Body));
        }
        catch (System.Text.Json.JsonException)
        {
            return "the read is not JSON";
        }
    }

    private Task<ApiAnswer> Send(
        HttpClient http, string method, string path, IEnumerable<KeyValuePair<string, string>> headers, JsonNode? body, CancellationToken cancellationToken,
        OperationInfo? operation = null) =>
        ApiCall.SendAsync(http, method, ApiCall.Resolve(_base, path), headers, body?.ToJsonString(), ApiCall.DefaultTimeout, cancellationToken,
            operation?.JsonMediaType ?? "application/json");

    private Finding Finding(string rule, Severity severity, string location, string message, string? evidence, string? hint) =>
        Findings.Create(rule, severity, service.Name, location, message, evidence, hint);
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Archgate.Checks.Contracts;
using Archgate.Checks.Contracts.Conformance;
using Archgate.Checks.Frontend;
using Archgate.Checks.Http;
using Archgate.Checks.Security;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Journeys;

/// <summary>
/// Step 7, concurrent access with optimistic locking, for each resource of the service's contract whose update takes
/// If-Match: one resource is created, then N updates (default 10) with the same ETag and each a different value are
/// sent at once. Exactly one may succeed, the others must get 409 or 412, and the stored state must be the winner's
/// (no lost update). Where the create takes an <c>Idempotency-Key</c>, N parallel creates with one key must create one
/// resource. Where the create documents 409, N parallel identical creates without a key, on warm connections, may
/// create at most one resource when the same create sent alone afterwards is refused 409 (a uniqueness rule checked
/// and then inserted without a constraint lets several through: <see cref="IdenticalCreatesAsync"/>).
/// </summary>
internal sealed partial class ConcurrencyCheck(ServiceComponent service, ContractDocuments documents, JourneyCheckOptions options) : ICheck
{
    /// <summary>Where the contract's operations live (<see cref="ContractBase"/>).</summary>
    private Uri _base = service.Url!;

    /// <summary>Every resource of the contract and its paths, for what a create's body names (<see cref="Frontend.ReferencedObjects"/>).</summary>
    private IReadOnlyList<ContractResource> _all = [];

    private IReadOnlyCollection<string> _templates = [];

    /// <summary>Pause between the reads that decide the resource has stopped changing by itself.</summary>
    private static readonly TimeSpan SettlePause = TimeSpan.FromMilliseconds(400);

    /// <summary>Rounds taken again when the system itself changed the resource between the read and the updates. <value>2</value>.</summary>
    private const int MaxRetakes = 2;

    public string Id => $"journeys.concurrency:{service.Name}";

    public int Step => 7;

    public string Title => $"{service.Name}: {options.Parallel} concurrent updates with one ETag and duplicate creates, exactly one wins";

    public Applicability AppliesTo(SystemModel system) =>
        ContractDocuments.Declared(service);

    public async Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        var loaded = await documents.LoadAsync(service.OpenApi!.Path, cancellationToken);
        _base = ContractBase.Of(service.Url!, loaded.Document);
        var all = loaded.Document is null ? [] : ContractResource.Find(loaded.Document);
        (_all, _templates) = (all, [.. loaded.Document?.Paths?.Keys ?? Enumerable.Empty<string>()]);
        var resources = all.Where(r => r.UpdateTakesIfMatch || r.CreateTakesIdempotencyKey || r.CreateRefusesDuplicates).ToList();
        if (resources.Count == 0)
        {
            var considered = all.Count == 0 ? string.Empty : $"; its resources {string.Join(", ", all.Select(r => r.Collection))} take none of these";
            var aside = loaded.Document is null ? string.Empty : ContractResource.SetAside(loaded.Document) is { Length: > 0 } a ? $"; set aside as no resource: {a}" : string.Empty;
            return CheckResult.Skipped($"{service.Name}'s contract has no resource whose update takes If-Match or whose create takes an Idempotency-Key or documents 409{considered}{aside}");
        }

        var credentials = await ApiSession.SignInAsync(service, context, cancellationToken);
        if (!credentials.Ok)
        {
            return CheckResult.From([Finding(JourneyRules.ConcurrencySummary, Severity.High, "auth", $"could not sign in: {credentials.Problem}", null)]) with
            {
                TransientCause = credentials.TransientCause,
            };
        }

        var findings = new List<Finding>();
        foreach (var resource in resources)
        {
            context.Activity?.Report($"{options.Parallel} concurrent writes of {resource.Item}");
            // A resource only some roles may create or change is written as an identity that holds them, as step 5's CRUD does.
            var auth = credentials.RequestHeaders;
            var writer = service.Auth;
            if (RoleRestriction.Of(context.System, resource.Create, resource.Read, resource.Update) is { } restriction)
            {
                var (callerCredentials, whyNot) = await ApiSession.SignInAsync(restriction, service, context, cancellationToken);
                if (callerCredentials is null)
                {
                    findings.Add(Finding(JourneyRules.ConcurrencySummary, Severity.Info, resource.Item,
                        $"{restriction.What} and {whyNot}: concurrent writes of {resource.Item} not tried", null,
                        restriction.Caller is null ? restriction.Hint : $"fix the auth of '{restriction.Caller.Label}' in the manifest"));
                    continue;
                }

                auth = callerCredentials.RequestHeaders;
                writer = restriction.Caller;
            }

            // What each race made is deleted after it, so it keeps no unique value (a doctor's slot, an ISBN) from the race
            // after it: the update race's resource is made from the same example as the keyed creates (ex9: 10 x 409).
            // What the create's body names (an order's hold) is made fresh for each race, and deleted after what named it.
            var made = new List<string>();
            var prerequisites = Referenced(context.Http, auth, cancellationToken);
            try
            {
                if (resource.UpdateTakesIfMatch)
                {
                    await UpdatesAsync(context.Http, resource, auth, prerequisites, made, findings, cancellationToken);
                    await CleanUpAsync(context.Http, resource, auth, made, findings, cancellationToken);
                    made.Clear();
                }

                if (resource.CreateTakesIdempotencyKey)
                {
                    await CreatesAsync(context.Http, resource, auth, prerequisites, made, findings, cancellationToken);
                }
            }
            finally
            {
                await CleanUpAsync(context.Http, resource, auth, made, findings, cancellationToken);
                await CleanUpAsync(prerequisites, resource, findings, cancellationToken);
            }

            if (resource.CreateRefusesDuplicates)
            {
                await IdenticalCreatesAsync(context, resource, writer, auth, findings, cancellationToken);
                await OverlappingCreatesAsync(context, resource, auth, findings, cancellationToken);
            }
            else if (!resource.CreateTakesIdempotencyKey)
            {
                findings.Add(Finding(JourneyRules.ConcurrencySummary, Severity.Info, resource.Create.Name,
                    $"{resource.Create.Name} takes no Idempotency-Key and documents no 409 in the contract: parallel duplicate creates were not checked", null));
            }
        }

        return CheckResult.From(findings);
    }

    /// <summary>
    /// The objects a race's create names (<see cref="Frontend.ReferencedObjects"/>), made as <paramref name="auth"/>'s identity.
    /// </summary>
    private ReferencedObjects Referenced(HttpClient http, IReadOnlyList<KeyValuePair<string, string>> auth, CancellationToken cancellationToken) =>
        new(_all, _templates, service.OpenApi!.Fixtures,
            (method, path, body, headers, operation) => Send(http, method, path, [.. auth, .. headers], body?.ToJsonString(), cancellationToken, operation), _base.AbsolutePath.TrimEnd('/'));

    /// <summary>Deletes, best effort, what a race's create named and was made for it, after what named it; a refused delete is only said.</summary>
    private async Task CleanUpAsync(ReferencedObjects prerequisites, ContractResource resource, List<Finding> findings, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return;
        }

        if (await prerequisites.CleanUpAsync() is { Count: > 0 } refused)
        {
            findings.Add(Finding(JourneyRules.ConcurrencySummary, Severity.Info, resource.Item,
                $"{refused.Count} of the resources made for {resource.Create.Name} to name could not be deleted afterwards: {string.Join("; ", refused.Take(3).Select(r => r.Summary))}", null));
        }
    }

    /// <summary>Deletes, best effort, what the races made (where the contract has a DELETE on the item); a refused delete is only said.</summary>
    private async Task CleanUpAsync(HttpClient http, ContractResource resource, IReadOnlyList<KeyValuePair<string, string>> auth, List<string> made, List<Finding> findings, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return; // the run is ending: no cleanup to wait for
        }

        var refused = new List<string>();
        foreach (var item in made.Distinct(StringComparer.Ordinal))
        {
            if (await CrudCheck.CleanUpAsync(resource, item, (method, path, body, headers, operation) => Send(http, method, path, [.. auth, .. headers], body?.ToJsonString(), cancellationToken, operation)) is { Ok: false } answer)
            {
                refused.Add(answer.Summary);
            }
        }

        if (refused.Count > 0)
        {
            findings.Add(Finding(JourneyRules.ConcurrencySummary, Severity.Info, resource.Item,
                $"{refused.Count} of the {made.Distinct(StringComparer.Ordinal).Count()} resources the concurrent writes created could not be deleted afterwards: {string.Join("; ", refused.Take(3))}", null));
        }
    }

    private async Task UpdatesAsync(
        HttpClient http, ContractResource resource, IReadOnlyList<KeyValuePair<string, string>> auth, ReferencedObjects prerequisites, List<string> made, List<Finding> findings, CancellationToken cancellationToken)
    {
        var unfilled = prerequisites.Unfilled.Count;
        var createBody = await prerequisites.FillAsync(ContractResource.ExampleBody(resource.Create), resource);
        var firstSent = createBody?.ToJsonString();
        var (created, createSent) = await ContractResource.SendUniqueAsync(createBody, resource.Create,
            body => Send(http, "POST", resource.Collection, auth, body?.ToJsonString(), cancellationToken, resource.Create));
        var item = created.Ok ? resource.ItemPath(created, _base.AbsolutePath.TrimEnd('/')) : null;
        if (item is not null)
        {
            made.Add(item);
        }

        var read = item is null ? null : await CrudCheck.SettledReadAsync(() => Send(http, "GET", item, auth, null, cancellationToken), SettlePause, cancellationToken);
        var etag = read?.Header("ETag");
        // Read, modify, write, as step 5's CRUD does: the example names another resource's identifying values (a unique ISBN).
        var example = ContractResource.UpdateBody(ContractResource.ExampleBody(resource.Update!), read is null ? null : CrudCheck.Json(read), resource.Update!) as JsonObject;
        var variants = example is null ? null : ContractResource.Variants(example, resource.Update!, options.Parallel);
        if (item is null || etag is null || example is null || variants is not var (field, sent))
        {
            var named = prerequisites.Unfilled.Skip(unfilled).ToList();
            // A create refused 409 (the example's unique slot is taken, by an earlier run or check) leaves the race untried,
            // not failed: not determined, as the identical creates' race says of the same 409. Another failure is the service's.
            var conflict = item is null && named.Count == 0 && created.Status == 409;
            var retried = createSent?.ToJsonString() != firstSent;
            var why = conflict ? $"the create was refused 409{(retried ? " (sent once more with unique free text, refused 409 again)" : string.Empty)}: {ExistsAlready} whether concurrent updates with If-Match lose one was not determined"
                : item is null ? $"the create failed: {created.Summary}{(named.Count > 0 ? " with " + string.Join("; ", named) : string.Empty)}" : etag is null ? "the read answered no ETag" : "the update's example has no property to set otherwise in each update";
            findings.Add(Finding(JourneyRules.ConcurrencySummary, (item is null && named.Count > 0) || conflict ? Severity.Low : item is null || etag is null ? Severity.High : Severity.Medium, resource.Update!.Name,
                $"concurrent updates of {resource.Item} could not be tried: {why}", item is null ? $"{created.Evidence()}\nsent: {ProbeHttp.Excerpt(createSent?.ToJsonString() ?? string.Empty, 300)}" : read?.Evidence(),
                conflict ? ExistsAlreadyHint : item is null || etag is null ? null : "give the update's request body an example with a property (text, number, enum or boolean) the test can vary"));
            return;
        }

        var values = sent.Select(v => JsonSubset.Text(v)!).ToList();
        var bodies = sent.Select(value =>
        {
            var body = (JsonObject)example.DeepClone();
            body[field] = value.DeepClone();
            return body.ToJsonString();
        }).ToList();
        ApiAnswer[] answers;
        List<(ApiAnswer Answer, string Value)> winners;
        List<ApiAnswer> others;
        ApiAnswer final;
        var movedOn = new List<string>();
        while (true)
        {
            var current = etag;
            answers = await Task.WhenAll(bodies.Select(body => Send(http, resource.Update!.Method, item, [.. auth, new("If-Match", current)], body, cancellationToken, resource.Update)));
            winners = answers.Select((a, i) => (Answer: a, Value: values[i])).Where(x => x.Answer.Ok).ToList();
            others = answers.Where(a => !a.Ok && a.Status is not (409 or 412)).ToList();
            final = await Send(http, "GET", item, auth, null, cancellationToken);

            // Every update refused, and the resource has another ETag though none of them won: the system itself moved
            // it on between the read and the updates (a worker settling it late on a loaded machine). The round's
            // premise, a current ETag, did not hold: take it again with the new one, at most twice more.
            if (winners.Count == 0 && others.Count == 0 && movedOn.Count < MaxRetakes && final.Header("ETag") is { } now && now != etag)
            {
                movedOn.Add($"{etag} -> {now}");
                etag = now;
                continue;
            }

            break;
        }

        var stored = FieldOf(final, field);
        var statuses = Statuses(answers);
        string Evidence(ApiAnswer answer) => $"{answer.Evidence()}\nsent: {ProbeHttp.Excerpt(bodies[Array.FindIndex(answers, a => ReferenceEquals(a, answer))], 300)}";

        // Every update refused as invalid: the service's validation refused the body (a rule its schema does not state),
        // so concurrency control was never reached. Not a pass, and not its fault.
        if (winners.Count == 0 && answers.All(a => a.Status is 400 or 422))
        {
            findings.Add(Finding(JourneyRules.ConcurrencySummary, Severity.Medium, resource.Update!.Name,
                $"concurrent updates of {resource.Item} could not be tried: the update itself was refused as invalid ({statuses}), each setting {field} otherwise",
                Evidence(answers[0]), $"state in the update's schema what {field} accepts (maxLength, pattern, enum), or give the example another property the test can vary"));
            return;
        }
        if (winners.Count > 1)
        {
            var lost = winners.Where(w => w.Value != stored).Select(w => $"'{w.Value}'").ToList();
            findings.Add(Finding(JourneyRules.LostUpdate, Severity.Critical, resource.Update!.Name,
                $"{winners.Count} of {options.Parallel} updates of {item} with the same ETag {etag} succeeded ({statuses}); {field} is now '{stored}', so {lost.Count} acknowledged update(s) were lost: {string.Join(", ", lost.Take(3))}",
                final.Evidence(), "compare If-Match with the stored version in the same statement that writes (UPDATE ... WHERE version = @expected) and answer 412 when no row changed"));
        }
        else if (winners.Count == 0)
        {
            findings.Add(Finding(JourneyRules.UnexpectedConcurrentAnswer, Severity.High, resource.Update!.Name,
                $"none of {options.Parallel} updates of {item} with the current ETag {etag} succeeded ({statuses})" +
                    (movedOn.Count > 0 ? $"; the resource changed under {movedOn.Count + 1} rounds ({string.Join(", ", movedOn)})" : string.Empty), Evidence(answers[0]),
                "the first update with the current ETag must succeed"));
        }
        else if (stored != winners[0].Value)
        {
            findings.Add(Finding(JourneyRules.LostUpdate, Severity.Critical, resource.Update!.Name,
                $"the one successful update set {field} to '{winners[0].Value}', but {item} now has '{stored}'", final.Evidence(), "a refused update must change nothing"));
        }

        if (others.Count > 0)
        {
            findings.Add(Finding(JourneyRules.UnexpectedConcurrentAnswer, Severity.High, resource.Update!.Name,
                $"{others.Count} of {options.Parallel} concurrent updates with a stale ETag were answered otherwise than 409 or 412 ({statuses})", Evidence(others[0]),
                "a concurrent update that lost answers 412 Precondition Failed (or 409 Conflict), never 5xx"));
        }

        if (winners.Count == 1 && others.Count == 0 && stored == winners[0].Value)
        {
            findings.Add(Finding(JourneyRules.ConcurrencySummary, Severity.Info, resource.Update!.Name,
                $"{options.Parallel} concurrent updates of {item} with one ETag: one succeeded, the others were refused ({statuses}); the stored value is the winner's", null));
        }
    }

    private async Task CreatesAsync(
        HttpClient http, ContractResource resource, IReadOnlyList<KeyValuePair<string, string>> auth, ReferencedObjects prerequisites, List<string> made, List<Finding> findings, CancellationToken cancellationToken)
    {
        var body = (await prerequisites.FillAsync(ContractResource.ExampleBody(resource.Create), resource))?.ToJsonString();
        var answers = await CreateAllAsync(http, resource, auth, body, cancellationToken);

        // Nothing created and a 409 among the answers: the example exists already (an earlier step or run made it, and the
        // service keeps a field unique). Once more with its free text made unique, and a new key, as step 5's create does.
        var retried = false;
        if (!answers.Any(a => a.Ok) && answers.Any(a => a.Status == 409) && body is not null && ContractResource.Unique(body, resource.Create) is { } unique)
        {
            (answers, body, retried) = (await CreateAllAsync(http, resource, auth, unique, cancellationToken), unique, true);
        }

        var items = Created(resource, answers);
        made.AddRange(items);
        var statuses = Statuses(answers);
        var serverErrors = items.Count > 0 && ServerErrors($"{options.Parallel} parallel creates with one Idempotency-Key", resource, answers, body, findings);
        if (items.Count > 1)
        {
            findings.Add(Finding(JourneyRules.DuplicateCreate, Severity.Critical, resource.Create.Name,
                $"{options.Parallel} parallel creates with one Idempotency-Key created {items.Count} resources: {string.Join(", ", items.Take(5))}",
                answers.First(a => a.Ok).Evidence(), "store the key with the resource under a unique constraint, and answer a repeat with the first result"));
        }
        else if (items.Count == 0 && answers.All(a => a.Status == 409))
        {
            // The body exists already and nothing in it can be made unique: nothing to race, as for the identical creates.
            findings.Add(Finding(JourneyRules.ConcurrencySummary, Severity.Low, resource.Create.Name,
                $"{options.Parallel} parallel creates with one Idempotency-Key created nothing ({statuses}{(retried ? ", sent again with unique text after 409" : string.Empty)}): {ExistsAlready} whether one key creates one resource under concurrency was not determined",
                $"{answers[0].Evidence()}\nsent: {ProbeHttp.Excerpt(body ?? string.Empty, 300)}", ExistsAlreadyHint));
        }
        else if (items.Count == 0)
        {
            // Nothing created, nothing tested: not a pass (low when the body names what none could be made of, and said so).
            var unfilled = prerequisites.Unfilled.Count > 0 ? $" with {string.Join("; ", prerequisites.Unfilled)}" : string.Empty;
            findings.Add(Finding(JourneyRules.ConcurrencySummary, unfilled.Length > 0 ? Severity.Low : Severity.Medium, resource.Create.Name,
                $"parallel creates with one Idempotency-Key could not be tried: {options.Parallel} creates{(retried ? ", sent again with unique text after 409," : string.Empty)} created nothing ({statuses}){unfilled}",
                $"{answers[0].Evidence()}\nsent: {ProbeHttp.Excerpt(body ?? string.Empty, 300)}", "the contract's example create must be accepted"));
        }
        else if (!serverErrors)
        {
            findings.Add(Finding(JourneyRules.ConcurrencySummary, Severity.Info, resource.Create.Name,
                $"{options.Parallel} parallel creates with one Idempotency-Key created 1 resource ({statuses}{(retried ? ", sent again with unique text after 409" : string.Empty)})", null));
        }
    }

    /// <summary>
    /// A race of creates that created something, some of whose creates answered 5xx (ex11: one key, 1 x 201 and 9 x 500
    /// from a unique index): a server error under concurrency is high, as a lost update race's is. False when there was none.
    /// </summary>
    private bool ServerErrors(string what, ContractResource resource, ApiAnswer[] answers, string? body, List<Finding> findings)
    {
        var errors = answers.Where(a => a.Status >= 500).ToList();
        if (errors.Count == 0)
        {
            return false;
        }

        findings.Add(Finding(JourneyRules.UnexpectedConcurrentAnswer, Severity.High, resource.Create.Name,
            $"{what} created {Created(resource, answers).Count} resource(s), but {errors.Count} answered with a server error ({Statuses(answers)})",
            $"{errors[0].Evidence()}\nsent: {ProbeHttp.Excerpt(body ?? string.Empty, 300)}",
            "a create that loses the race answers the first result again (the same Idempotency-Key) or 409 (a duplicate), never 5xx: catch the unique violation"));
        return true;
    }

    /// <summary>Why a race of creates that were all refused 409 tested nothing: the same words for the keyed and the identical creates.</summary>
    private const string ExistsAlready = "the body exists already and has nothing the test can make unique, so";

    /// <summary>How to make such a race testable.</summary>
    private const string ExistsAlreadyHint =
        "give the create's example in the contract a free-text field (no pattern, enum or format) the test can make unique, or start the run from a fresh database";

    /// <summary><see cref="JourneyCheckOptions.Parallel"/> creates of <paramref name="body"/> at once, all with one new Idempotency-Key.</summary>
    private async Task<ApiAnswer[]> CreateAllAsync(HttpClient http, ContractResource resource, IReadOnlyList<KeyValuePair<string, string>> auth, string? body, CancellationToken cancellationToken)
    {
        var key = $"archgate-{Guid.NewGuid():N}";
        return await Task.WhenAll(Enumerable.Range(0, options.Parallel).Select(_ =>
            Send(http, "POST", resource.Collection, [.. auth, new("Idempotency-Key", key)], body, cancellationToken, resource.Create)));
    }

    /// <summary>The distinct items the accepted creates among <paramref name="answers"/> name.</summary>
    private List<string> Created(ContractResource resource, IEnumerable<ApiAnswer> answers) =>
        [.. answers.Where(a => a.Ok).Select(a => resource.ItemPath(a, _base.AbsolutePath.TrimEnd('/'))).OfType<string>().Distinct(StringComparer.Ordinal)];

    private static string? FieldOf(ApiAnswer answer, string field)
    {
        try
        {
            return JsonSubset.Text((JsonNode.Parse(answer.Body) as JsonObject)?[field]);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private Task<ApiAnswer> Send(
        HttpClient http, string method, string path, IEnumerable<KeyValuePair<string, string>> headers, string? body, CancellationToken cancellationToken,
        OperationInfo? operation = null) =>
        ApiCall.SendAsync(http, method, ApiCall.Resolve(_base, path), headers, body, ApiCall.DefaultTimeout, cancellationToken, operation?.JsonMediaType ?? "application/json");

    private Finding Finding(string rule, Severity severity, string location, string message, string? evidence, string? hint = null) =>
        Findings.Create(rule, severity, service.Name, location, message, evidence, hint);
}

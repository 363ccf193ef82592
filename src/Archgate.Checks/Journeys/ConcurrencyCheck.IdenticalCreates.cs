using Archgate.Checks.Frontend;
using Archgate.Checks.Http;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Journeys;

/// <summary>The race of identical creates without an Idempotency-Key, for a create whose contract documents 409.</summary>
internal sealed partial class ConcurrencyCheck
{
    /// <summary>
    /// N creates of one body B at once, without an <c>Idempotency-Key</c> (they are N intents with the same content), on
    /// connections opened beforehand so that they leave together. A service that keeps B unique (it documents 409) by
    /// reading first and inserting after, with no constraint in its store, lets several through when their reads all
    /// run before the first insert. More than one created is judged only when B sent once more, alone, is refused 409:
    /// then the service itself says B duplicates what exists. Accepted alone, nothing about B is unique. A 409 may also
    /// be about the service's state rather than B (the creates used up a stock): where B has free text, a create with
    /// other text is sent alone too, and refused as well it says so.
    /// </summary>
    private async Task IdenticalCreatesAsync(CheckContext context, ContractResource resource, ServiceAuth? writer, IReadOnlyList<KeyValuePair<string, string>> auth, List<Finding> findings, CancellationToken cancellationToken)
    {
        var (racer, headers) = await RacerAsync(context, writer, auth, cancellationToken);
        // What the race made is deleted after it as its racer: a winner kept would hold B's unique values (an SKU with a
        // pattern the retry cannot vary) against every later create of the example (ex10: step 9's admin create got 409).
        (StockUse Stock, int At)? judged = null;
        await WithCleanUpAsync(context.Http, resource, headers, findings,
            async (prerequisites, made) => judged = await IdenticalCreatesAsync(context, resource, racer, headers, prerequisites, made, findings, cancellationToken), cancellationToken);
        if (judged is var (stock, at) && !cancellationToken.IsCancellationRequested)
        {
            // The clean-up (DELETE, or a release action such as cancel) may give the stock back; the evidence says whether it did.
            await RestoredAsync(context.Http, resource, stock, at, headers, findings, cancellationToken);
        }
    }

    /// <summary>
    /// Runs <paramref name="race"/> with the objects its create names made fresh for it (<see cref="Referenced"/>) and a
    /// list for what it creates; deletes both afterwards as <paramref name="headers"/>' identity, what named first.
    /// </summary>
    private async Task WithCleanUpAsync(
        HttpClient http, ContractResource resource, IReadOnlyList<KeyValuePair<string, string>> headers, List<Finding> findings,
        Func<ReferencedObjects, List<string>, Task> race, CancellationToken cancellationToken)
    {
        var made = new List<string>();
        var prerequisites = Referenced(http, headers, cancellationToken);
        try
        {
            await race(prerequisites, made);
        }
        finally
        {
            await CleanUpAsync(http, resource, headers, made, findings, cancellationToken);
            await CleanUpAsync(prerequisites, resource, findings, cancellationToken);
        }
    }

    /// <summary>The race; the quantity it consumed of an item its body names, with the index of the finding that judged it, or null.</summary>
    private async Task<(StockUse Stock, int At)?> IdenticalCreatesAsync(
        CheckContext context, ContractResource resource, string? racer, IReadOnlyList<KeyValuePair<string, string>> headers, ReferencedObjects prerequisites, List<string> made,
        List<Finding> findings, CancellationToken cancellationToken)
    {
        var http = context.Http;
        // One object for all N creates to name (one hold for N orders): only one may use it.
        var example = await prerequisites.FillAsync(ContractResource.ExampleBody(resource.Create), resource);
        // Free text made unique: B must be new, whatever an earlier step, run or race of this check created.
        var body = (ContractResource.Unique(example, resource.Create) ?? example)?.ToJsonString();
        var n = options.Parallel;
        context.Activity?.Report($"{n} parallel identical creates of {resource.Collection}{(racer is null ? string.Empty : $" as {racer}")}");

        // A connection opened for a create would make it leave late, and a service's database pool grows on demand: both
        // spread the creates apart. N reads of the collection at once open both beforehand; what they answer does not matter.
        await Task.WhenAll(Enumerable.Range(0, n).Select(_ => Send(http, "GET", resource.Collection, headers, null, cancellationToken)));
        // What the body names (kit 3) is read before and after: a quantity the race used up explains a 409 that follows it.
        var named = await NamedItemsAsync(http, resource, body, headers, cancellationToken);
        var answers = await Task.WhenAll(Enumerable.Range(0, n).Select(_ => Send(http, "POST", resource.Collection, headers, body, cancellationToken, resource.Create)));

        var items = Created(resource, answers);
        made.AddRange(items);
        var statuses = Statuses(answers);
        var what = $"{n} parallel identical creates of {resource.Collection} without an Idempotency-Key{(racer is null ? string.Empty : $" (as {racer})")}";
        var sent = $"sent: {ProbeHttp.Excerpt(body ?? string.Empty, 300)}{prerequisites.Evidence()}";
        if (items.Count == 0)
        {
            // B existed before the race (a value the test cannot make unique, such as a referenced id): nothing to race.
            var exists = answers.All(a => a.Status == 409);
            var unfilled = prerequisites.Unfilled.Count > 0 ? $" with {string.Join("; ", prerequisites.Unfilled)}" : string.Empty;
            findings.Add(Finding(JourneyRules.ConcurrencySummary, exists || unfilled.Length > 0 ? Severity.Low : Severity.Medium, resource.Create.Name,
                exists
                    ? $"{what} created nothing ({statuses}{unfilled}): {ExistsAlready} whether the uniqueness rule holds under concurrency was not determined"
                    : $"{what} could not be tried: they created nothing ({statuses}){unfilled}",
                $"{answers[0].Evidence()}\n{sent}", exists ? ExistsAlreadyHint : "the contract's example create must be accepted"));
            return null;
        }

        var serverErrors = ServerErrors(what, resource, answers, body, findings);
        var stock = named.Count == 0 ? null : await StockUseAsync(http, named, body, items.Count, headers, cancellationToken);
        if (stock is { Held: false })
        {
            findings.Add(Oversold(resource, what, statuses, items, stock, answers.First(a => a.Ok), sent));
            return (stock, findings.Count - 1);
        }

        var numbers = stock is null ? string.Empty : $"; {stock.Numbers}: the {stock.Name} held";
        if (items.Count == 1)
        {
            if (!serverErrors)
            {
                findings.Add(Finding(JourneyRules.ConcurrencySummary, Severity.Info, resource.Create.Name,
                    $"{what} created 1 resource, the others were refused ({statuses}){numbers}: the uniqueness rule holds under concurrency", stock?.Evidence));
            }

            return Judged();
        }

        (StockUse, int)? Judged() => stock is null ? null : (stock, findings.Count - 1);

        var control = await Send(http, "POST", resource.Collection, headers, body, cancellationToken, resource.Create);
        made.AddRange(Created(resource, [control]));
        if (control.Status != 409)
        {
            findings.Add(Finding(JourneyRules.ConcurrencySummary, Severity.Info, resource.Create.Name,
                control.Ok
                    ? $"{what} created {items.Count} resources ({statuses}){numbers}, and the same create sent alone afterwards was accepted too: identical creates are all accepted: nothing unique to race"
                    : $"{what} created {items.Count} resources ({statuses}){numbers}; the same create sent alone afterwards answered {(control.Status == 0 ? "nothing" : control.Status)}, not 409: not judged",
                stock?.Evidence));
            return Judged();
        }

        if (stock is { UsedUp: true })
        {
            // ex16: an atomic decrement of kit 3's stock of 5 let 5 of 10 orders through; the lone order was refused for the empty stock.
            findings.Add(Finding(JourneyRules.ConcurrencySummary, Severity.Info, resource.Create.Name,
                $"{what} created {items.Count} resources ({statuses}); {stock.Numbers}: the {stock.Name} held under concurrency (no more created than there was, none lost), " +
                    "and the same create sent alone afterwards was refused 409 because it is used up, not as a duplicate",
                $"{stock.Evidence}\nthe same create alone afterwards: {control.Evidence()}"));
            return Judged();
        }

        var other = body is null ? null : ContractResource.Unique(body, resource.Create);
        var otherAnswer = other is null ? null : await Send(http, "POST", resource.Collection, headers, other, cancellationToken, resource.Create);
        made.AddRange(Created(resource, otherAnswer is null ? [] : [otherAnswer]));
        if (otherAnswer is { Ok: false })
        {
            findings.Add(Finding(JourneyRules.ConcurrencySummary, Severity.Info, resource.Create.Name,
                $"{what} created {items.Count} resources ({statuses}); the same create sent alone afterwards was refused 409, and so was one with other text " +
                    $"({(otherAnswer.Status == 0 ? "no answer" : otherAnswer.Status)}): the refusal is about the service's state, not a duplicate: not judged",
                $"{otherAnswer.Evidence()}\nsent: {ProbeHttp.Excerpt(other!, 300)}"));
            return Judged();
        }

        var evidence = $"{answers.First(a => a.Ok).Evidence()}\n{sent}\nthe same create alone afterwards: {control.Evidence()}" +
            (otherAnswer is null ? string.Empty : $"\na create with other text alone: {otherAnswer.Summary}") + (stock is null ? string.Empty : $"\n{stock.Evidence}");
        if (other is null && named.Count == 0)
        {
            // Without free text to vary and no named item to read a quantity of, a used-up stock cannot be told from a duplicate: not proven.
            findings.Add(Finding(JourneyRules.ConcurrencySummary, Severity.Low, resource.Create.Name,
                $"{what} created {items.Count} resources ({statuses}): {string.Join(", ", items.Take(5))}, and the same create sent alone afterwards was refused 409: " +
                    "a check-then-insert race of a uniqueness rule, or a stock or capacity the race used up; the body has no free text to vary and names no item " +
                    "whose quantity could be read before and after, so which was not determined",
                evidence,
                "give the create's example a free-text field (no pattern, enum or format) the test can vary, or name what the create uses up by its id " +
                    "(kitId: 3, with a GET on /kits/{id} that shows its stock), so the test can tell a uniqueness race from a used-up stock"));
            return null;
        }

        findings.Add(Finding(JourneyRules.DuplicateCreate, other is null ? Severity.High : Severity.Critical, resource.Create.Name,
            $"{what} created {items.Count} resources ({statuses}): {string.Join(", ", items.Take(5))}; the same create sent alone afterwards is refused 409, " +
                "so the service keeps this body unique, yet let several through at once: a check-then-insert race" +
                (other is not null ? string.Empty
                    : stock is not null ? $" ({stock.Numbers}: some is left, so the 409 is not about it)"
                    : $" (the {string.Join(" and ", named.Select(i => i.Path))} it names show no quantity the race used up)"),
            evidence,
            "enforce the rule in the store, not by reading first: a unique index or constraint (a partial one when the rule covers only some rows, " +
                "such as active ones), and insert ... on conflict do nothing (or catch the unique violation) answering 409"));
        return Judged();
    }

    /// <summary>
    /// Who sends the identical creates: another identity of the top-level <c>auth</c> section with the same roles as
    /// <paramref name="writer"/>, when one signs in, else the writer. A uniqueness rule is often scoped to its owner
    /// (one active loan per member and book), and the writer's state may hold B already: step 5's CRUD and the keyed
    /// race above wrote the same example as the writer.
    /// </summary>
    private async Task<(string? Name, IReadOnlyList<KeyValuePair<string, string>> Headers)> RacerAsync(CheckContext context, ServiceAuth? writer, IReadOnlyList<KeyValuePair<string, string>> auth, CancellationToken cancellationToken)
    {
        var other = writer is null ? null : context.System.Auth.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => a.Value)
            .FirstOrDefault(a => a.GetType() == writer.GetType() && !Equals(a, writer) && a.Name != writer.Name && a.Roles.ToHashSet(StringComparer.Ordinal).SetEquals(writer.Roles));
        if (other is not null && await ApiSession.SignInAsync(other, service, context, cancellationToken) is { Ok: true } credentials)
        {
            return (other.Label, credentials.RequestHeaders);
        }

        return (null, auth);
    }

    /// <summary>The answers' statuses counted: <c>1 x 201, 9 x 409</c>.</summary>
    private static string Statuses(IEnumerable<ApiAnswer> answers) =>
        string.Join(", ", answers.GroupBy(a => a.Status).OrderBy(g => g.Key).Select(g => $"{g.Count()} x {(g.Key == 0 ? "no answer" : g.Key)}"));
}

using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Archgate.Checks.Frontend;
using Archgate.Checks.Http;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Journeys;

/// <summary>The race of overlapping creates, for a create whose body holds a period (<see cref="DateRange"/>) and whose contract documents 409.</summary>
internal sealed partial class ConcurrencyCheck
{
    /// <summary>
    /// A booking rule ("no two stays of one room overlap") is no unique value: a unique index does not keep it, and a
    /// service that checks for an overlapping row and then inserts lets two overlapping creates through when both
    /// check before either inserts. Identical creates do not find it where a unique index holds the exact period. So,
    /// on periods no earlier check used:
    /// <list type="number">
    /// <item>alone: a period P, then one overlapping P, then one after P. The overlapping one refused 409 and the one
    /// after accepted say the service refuses overlaps (and not a used-up stock); anything else is not judged;</item>
    /// <item>at once, on warm connections: N creates, half of a new period Q and half of one overlapping Q, each with
    /// its own free text. More than one created is a double booking (AG7024).</item>
    /// </list>
    /// </summary>
    private Task OverlappingCreatesAsync(CheckContext context, ContractResource resource, IReadOnlyList<KeyValuePair<string, string>> auth, List<Finding> findings, CancellationToken cancellationToken) =>
        WithCleanUpAsync(context.Http, resource, auth, findings,
            (prerequisites, made) => OverlappingCreatesAsync(context, resource, auth, prerequisites, made, findings, cancellationToken), cancellationToken);

    private async Task OverlappingCreatesAsync(
        CheckContext context, ContractResource resource, IReadOnlyList<KeyValuePair<string, string>> auth, ReferencedObjects prerequisites, List<string> made,
        List<Finding> findings, CancellationToken cancellationToken)
    {
        if (ContractResource.ExampleBody(resource.Create) is not JsonObject plain || DateRange.Of(plain, resource.Create) is not { } range)
        {
            return; // no period in the create: nothing to overlap
        }

        var http = context.Http;
        var example = (JsonObject)(await prerequisites.FillAsync(plain, resource))!;
        // Periods no earlier check or run booked: a random start 60 to 360 days ahead, the example's length kept.
        var fresh = FreshPeriod(range, example);
        Task<ApiAnswer> Create(JsonObject body) =>
            Send(http, "POST", resource.Collection, auth, (ContractResource.Unique(body, resource.Create) ?? body).ToJsonString(), cancellationToken, resource.Create);

        var what = $"overlapping periods ({range.Start}..{range.End}) of {resource.Collection}";
        var first = await Create(fresh);
        made.AddRange(Created(resource, [first]));
        if (!first.Ok)
        {
            findings.Add(Finding(JourneyRules.ConcurrencySummary, Severity.Low, resource.Create.Name,
                $"{what} could not be tried: a create of a period no one booked ({range.Describe(fresh)}) answered {Said(first)}", first.Evidence(),
                "the contract's example create, with its dates moved ahead, must be accepted"));
            return;
        }

        var overlapping = range.Overlapping(fresh);
        var second = await Create(overlapping);
        made.AddRange(Created(resource, [second]));
        if (second.Status != 409)
        {
            findings.Add(Finding(JourneyRules.ConcurrencySummary, Severity.Info, resource.Create.Name,
                second.Ok
                    ? $"{what}: one overlapping a booked period ({range.Describe(overlapping)} over {range.Describe(fresh)}) was accepted alone: overlaps are allowed, nothing to race"
                    : $"{what}: one overlapping a booked period ({range.Describe(overlapping)}) answered {Said(second)} alone, not 409: not judged",
                null));
            return;
        }

        var after = range.After(fresh);
        var third = await Create(after);
        made.AddRange(Created(resource, [third]));
        if (!third.Ok)
        {
            findings.Add(Finding(JourneyRules.ConcurrencySummary, Severity.Info, resource.Create.Name,
                $"{what}: one overlapping a booked period was refused 409, and so was one after it that overlaps nothing ({range.Describe(after)}: {Said(third)}): " +
                    "the refusal is about the service's state, not the overlap: not judged",
                third.Evidence()));
            return;
        }

        // The race, on a period after all three.
        var raced = range.Moved(fresh, (range.Length(fresh) + TimeSpan.FromDays(2)) * 3);
        var other = range.Overlapping(raced);
        var n = Math.Max(2, options.Parallel);
        var bodies = Enumerable.Range(0, n).Select(i => i % 2 == 0 ? raced : other).ToList();
        context.Activity?.Report($"{n} parallel creates of overlapping periods of {resource.Collection}");
        await Task.WhenAll(Enumerable.Range(0, n).Select(_ => Send(http, "GET", resource.Collection, auth, null, cancellationToken)));
        var answers = await Task.WhenAll(bodies.Select(Create));
        var items = Created(resource, answers);
        made.AddRange(items);
        var race = $"{n} parallel creates of {resource.Collection}, half of {range.Describe(raced)} and half of the overlapping {other[range.Start]}..{other[range.End]}";
        if (ServerErrors(race, resource, answers, raced.ToJsonString(), findings))
        {
            return;
        }

        var statuses = Statuses(answers);
        if (items.Count == 0)
        {
            findings.Add(Finding(JourneyRules.ConcurrencySummary, Severity.Low, resource.Create.Name,
                $"{race} created nothing ({statuses}), though the same create alone was accepted: whether the overlap rule holds under concurrency was not determined",
                answers[0].Evidence()));
            return;
        }

        if (items.Count == 1)
        {
            findings.Add(Finding(JourneyRules.ConcurrencySummary, Severity.Info, resource.Create.Name,
                $"{race} created 1, the others were refused ({statuses}): the overlap rule holds under concurrency", null));
            return;
        }

        var accepted = answers.Select((a, i) => (a, i)).Where(x => x.a.Ok).GroupBy(x => x.i % 2).Select(g => $"{g.Count()} of {(g.Key == 0 ? range.Describe(raced) : range.Describe(other))}");
        findings.Add(Finding(JourneyRules.OverlappingCreate, Severity.Critical, resource.Create.Name,
            $"{race} created {items.Count} ({string.Join(", ", accepted)}; {statuses}): {string.Join(", ", items.Take(5))}. Alone, a period overlapping a booked one is " +
                "refused 409 and one after it accepted, so the service forbids overlaps, yet let overlapping ones through at once: it checks for an overlap and then inserts (a double booking)",
            $"{answers.First(a => a.Ok).Evidence()}\nalone, overlapping {range.Describe(fresh)}: {second.Summary}\nalone, after it: {third.Summary}",
            "make the check and the insert one: lock what is booked (SELECT ... FOR UPDATE on the room's row), or a serializable transaction retried on conflict, " +
                "or a constraint in the store (PostgreSQL: EXCLUDE USING gist (room_id WITH =, daterange(check_in, check_out) WITH &&)), answering 409"));
    }

    /// <summary>The example's period moved to start 60 to 360 days from today (whole days, so an instant keeps its time of day).</summary>
    private static JsonObject FreshPeriod(DateRange range, JsonObject example)
    {
        var start = range.Bounds(example)!.Value.Start;
        var target = DateTimeOffset.UtcNow.Date.AddDays(60 + RandomNumberGenerator.GetInt32(300));
        return range.Moved(example, TimeSpan.FromDays(Math.Round((target - start.UtcDateTime.Date).TotalDays)));
    }

    private static string Said(ApiAnswer answer) => answer.Status == 0 ? "nothing" : answer.Status.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

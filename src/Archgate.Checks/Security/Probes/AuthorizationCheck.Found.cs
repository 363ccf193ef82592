using System.Text.Json.Nodes;
using Archgate.Checks.Contracts.Conformance;
using Archgate.Checks.Http;
using Archgate.Model;

namespace Archgate.Checks.Security.Probes;

internal sealed partial class AuthorizationCheck
{
    private sealed partial class Run
    {
        /// <summary>BOLA on objects the first identity already has, alone (under <c>security.safe</c>, which creates nothing): every item of the contract.</summary>
        public Task<int> FoundObjectsAsync(
            (ServiceAuth Identity, Credentials Credentials) a, (ServiceAuth Identity, Credentials Credentials)? b, CancellationToken cancellationToken) =>
            FoundObjectsAsync(a, b, [.. target.Document.Paths?.Keys ?? Enumerable.Empty<string>()], cancellationToken);

        /// <summary>The items the first ordinary identity created an object of in this run: BOLA has its own object there.</summary>
        private HashSet<string> CreatedAsFirst { get; } = new(StringComparer.Ordinal);

        /// <summary>
        /// BOLA on objects the first identity already has, for each item no object was created of as that identity: the
        /// contract's GET on the item's collection is sent as both identities, and an id in the owner's listing that is not
        /// in the prober's is the owner's (identical listings prove nothing); a fixture of the item (<c>openapi.fixtures</c>,
        /// whose owner is not declared) counts only when the owner reads it and the prober's listing lacks it. The prober
        /// then sends reads only (the item's GET and GETs beneath it): the run did not create the object and must not change
        /// or delete it. One object of each kind per item. The number of objects found.
        /// </summary>
        private async Task<int> FoundObjectsAsync(
            (ServiceAuth Identity, Credentials Credentials) a, (ServiceAuth Identity, Credentials Credentials)? b, List<string> templates, CancellationToken cancellationToken)
        {
            if (b is not { } other)
            {
                return 0;
            }

            var tally = new ObjectTally(a.Identity.Label, other);
            var found = new List<string>();
            var nothing = new List<string>();
            foreach (var list in target.Operations.Where(o => o.Method == "GET" && ItemOf(templates, o.Template) is { } item && !CreatedAsFirst.Contains(item)))
            {
                var item = ItemOf(templates, list.Template)!;
                var parameter = ResourceBook.Parameters(item)[^1];
                if (target.Operations.FirstOrDefault(o => o.Template == item && o.Method == "GET") is not { } read || ProbeTarget.IsPublic(read, policy) || ProbeTarget.IsPublic(list, policy)
                    || RequestPlanner.Plan(list, NewBook(), 1).Requests is not [var listing, ..])
                {
                    continue;
                }

                listing = listing with { Purpose = "the listing, to find objects an identity has" };
                var mine = await ListedAsync(a.Credentials, listing, parameter, cancellationToken);
                var theirs = await ListedAsync(other.Credentials, listing, parameter, cancellationToken);
                if (mine is null || theirs is null)
                {
                    nothing.Add($"{list.Name} (no listing of ids as {(mine is null ? a.Identity.Label : other.Identity.Label)})");
                    continue;
                }

                var candidates = new List<(string Id, string How)>();
                if (mine.FirstOrDefault(id => !theirs.Contains(id)) is { } listed)
                {
                    candidates.Add((listed, $"found in {a.Identity.Label}'s listing of {listing.Path} and not in {other.Identity.Label}'s"));
                }

                if (NewBook().Fixture(item, parameter) is { } fixture && !theirs.Contains(fixture) && candidates.TrueForAll(c => c.Id != fixture))
                {
                    candidates.Add((fixture, $"a fixture of {item} (openapi.fixtures) {a.Identity.Label} reads and {other.Identity.Label}'s listing of {listing.Path} lacks"));
                }

                if (candidates.Count == 0)
                {
                    nothing.Add($"{list.Name} ({(mine.SetEquals(theirs) ? "the same listing for both" : $"{a.Identity.Label}'s listing holds nothing {other.Identity.Label}'s lacks")})");
                    continue;
                }

                foreach (var (id, how) in candidates)
                {
                    var book = FoundBook(templates, item, parameter, id);
                    // The owner must read it: a listed id that is not the item's path parameter, or a fixture of someone else, proves nothing.
                    if (RequestPlanner.Plan(read, book, 1).Requests is not [var own, ..]
                        || await sender.SendAsync(a.Credentials.On(own), cancellationToken) is not { Succeeded: true })
                    {
                        nothing.Add($"{read.Name} ({id}, {how}: {a.Identity.Label} could not read it)");
                        continue;
                    }

                    tally.Objects++;
                    found.Add($"{own.Path}, {how}");
                    await ObjectLevelAsync(item, book, a, other, tally, cancellationToken, found: how);
                }
            }

            if (tally.Objects > 0)
            {
                Covered.Add($"object level: {tally.Objects} objects {a.Identity.Label} already has ({string.Join("; ", found)}); as {other.Identity.Label} reads only " +
                    $"(the run did not create them): {tally.Reads} reads, {tally.Refused} refused");
            }
            else if (nothing.Count > 0 && CreatedAsFirst.Count == 0)
            {
                // Said only when BOLA has no object of the first identity at all: beside created ones it is noise.
                Covered.Add($"object level: no object found that {a.Identity.Label} has and {other.Identity.Label} has not: {string.Join(", ", nothing)}");
            }

            return tally.Objects;
        }

        /// <summary>A book whose fixture of <paramref name="item"/> and of every path beneath it is the found object's id.</summary>
        private ResourceBook FoundBook(List<string> templates, string item, string parameter, string id)
        {
            var fixtures = (target.Component.OpenApi?.Fixtures ?? new Dictionary<string, IReadOnlyDictionary<string, string>>())
                .ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);
            var own = fixtures.GetValueOrDefault(item) ?? new Dictionary<string, string>();
            foreach (var template in templates.Where(t => t == item || t.StartsWith(item + "/", StringComparison.Ordinal)))
            {
                var values = new Dictionary<string, string>(fixtures.GetValueOrDefault(template) ?? own, StringComparer.Ordinal) { [parameter] = id };
                fixtures[template] = values;
            }

            return new ResourceBook(templates, fixtures);
        }

        /// <summary>The ids a listing answers <paramref name="credentials"/> (each element's <paramref name="parameter"/>, else its id); null when it answers no list.</summary>
        private async Task<HashSet<string>?> ListedAsync(Credentials credentials, ProbeRequest listing, string parameter, CancellationToken cancellationToken)
        {
            if (await sender.SendAsync(credentials.On(listing), cancellationToken) is not { Succeeded: true } answer || Elements(Json(answer.Body), 0) is not { } elements)
            {
                return null;
            }

            var ids = new HashSet<string>(StringComparer.Ordinal);
            foreach (var element in elements.OfType<JsonObject>())
            {
                if (IdOf(element, parameter) is { } id)
                {
                    ids.Add(id);
                }
            }

            return ids;
        }

        /// <summary>The id a listing's element gives: its <paramref name="parameter"/>, else its <c>id</c>, as text; null when it has neither.</summary>
        private static string? IdOf(JsonObject element, string parameter) =>
            (element[parameter] ?? element["id"]) is JsonValue value ? value.TryGetValue<string>(out var text) ? text : value.ToJsonString() : null;

        /// <summary>The list of a listing: the body itself, or its first array of objects (<c>items</c>, <c>data</c>, <c>_embedded.orders</c>), two levels deep at most.</summary>
        private static JsonArray? Elements(JsonNode? node, int depth) => node switch
        {
            JsonArray array => array,
            JsonObject json when depth < 3 =>
                json.Select(p => p.Value).OfType<JsonArray>().FirstOrDefault(a => a.Any(e => e is JsonObject))
                ?? json.Select(p => p.Value).OfType<JsonArray>().FirstOrDefault()
                ?? json.Select(p => p.Value).OfType<JsonObject>().Select(o => Elements(o, depth + 1)).FirstOrDefault(a => a is not null),
            _ => null,
        };
    }
}

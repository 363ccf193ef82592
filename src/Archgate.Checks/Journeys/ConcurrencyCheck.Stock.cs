using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Archgate.Checks.Contracts;
using Archgate.Checks.Contracts.Conformance;
using Archgate.Checks.Frontend;
using Archgate.Checks.Http;
using Archgate.Protocol;

namespace Archgate.Checks.Journeys;

/// <summary>
/// What a race of identical creates consumed of the items their body names: an order of <c>{"kit": 3, "quantity": 1}</c>
/// takes one of kit 3's <c>stock</c>. The items are read before and after the race; an integer property the race
/// decreased is the quantity it consumed, and the numbers tell a stock that held from one that was oversold.
/// </summary>
internal sealed partial class ConcurrencyCheck
{
    /// <summary>An item a create's body names (<c>kit</c> = 3, at <c>/kits/3</c>) and its integer properties as read before the race.</summary>
    private sealed record NamedItem(string Property, string Path, IReadOnlyDictionary<string, long> Before);

    /// <summary>
    /// The items <paramref name="body"/> names by id (a property that names a collection of the contract: <c>kitId</c>,
    /// <c>kit_id</c>, or the bare <c>kit</c> next to <c>/kits/{id}</c>), each read as <paramref name="headers"/>' identity;
    /// those that answer a JSON object with integer properties.
    /// </summary>
    private async Task<List<NamedItem>> NamedItemsAsync(
        HttpClient http, ContractResource resource, string? body, IReadOnlyList<KeyValuePair<string, string>> headers, CancellationToken cancellationToken)
    {
        var named = new List<NamedItem>();
        if (Parse(body) is not JsonObject created)
        {
            return named;
        }

        foreach (var (name, value) in created)
        {
            if (value is not JsonValue v || v.GetValueKind() is not (JsonValueKind.Number or JsonValueKind.String)
                || (BodyReferences.Target(name, _templates) ?? BodyReferences.Target(name + "Id", _templates)) is not { } item
                || item.Count(c => c == '{') != 1 || !PathTemplates.EndsInParameter(item) || PathTemplates.Same(PathTemplates.Parent(item), resource.Collection))
            {
                continue;
            }

            // The contract's own template (BodyReferences gives it without a trailing slash): /api/kits/3/ for /api/kits/{id}/.
            var template = _templates.FirstOrDefault(t => PathTemplates.Same(t, item)) ?? item;
            var path = PathTemplates.Child(PathTemplates.Parent(template), Uri.EscapeDataString(v.ToString()), template);
            if (Quantities(await Send(http, "GET", path, headers, null, cancellationToken)) is { Count: > 0 } quantities)
            {
                named.Add(new NamedItem(name, path, quantities));
            }
        }

        return named;
    }

    /// <summary>
    /// What the race of <paramref name="created"/> creates of <paramref name="body"/> consumed of <paramref name="named"/>, read
    /// again now; null when no integer property of them decreased (the race consumed nothing the test can see).
    /// </summary>
    private async Task<StockUse?> StockUseAsync(
        HttpClient http, IReadOnlyList<NamedItem> named, string? body, int created, IReadOnlyList<KeyValuePair<string, string>> headers, CancellationToken cancellationToken)
    {
        // What one create may take: 1, or an integer its body gives (its quantity), whichever the numbers bear out.
        var perCreate = (Parse(body) as JsonObject)?.Where(p => named.All(n => n.Property != p.Key))
            .Select(p => p.Value is JsonValue v && v.TryGetValue<long>(out var n) && n > 0 ? n : 0).Where(n => n > 0).Distinct().ToList() ?? [];
        var uses = new List<StockUse>();
        foreach (var item in named)
        {
            var after = Quantities(await Send(http, "GET", item.Path, headers, null, cancellationToken));
            foreach (var (name, before) in item.Before)
            {
                if (after.TryGetValue(name, out var now) && now < before)
                {
                    uses.Add(StockUse.Judge($"{item.Property} {PathTemplates.Last(item.Path)}", item.Path, name, before, now, created, perCreate));
                }
            }
        }

        // A counter that held explains the race; one that did not while another held is left (not a quantity of this create).
        return uses.FirstOrDefault(u => u.Held) ?? uses.FirstOrDefault();
    }

    /// <summary>The oversold stock as a finding: more created than there was, or decrements lost.</summary>
    private Finding Oversold(ContractResource resource, string what, string statuses, List<string> items, StockUse stock, ApiAnswer first, string sent) =>
        Finding(JourneyRules.Oversold, Severity.Critical, resource.Create.Name,
            $"{what} created {items.Count} resources ({statuses}): {string.Join(", ", items.Take(5))}; {stock.Numbers}: " +
                (items.Count * stock.PerCreate > stock.Before
                    ? "more was sold than there was (an oversell)"
                    : $"{stock.Before - stock.After} taken off for {items.Count * stock.PerCreate} sold (decrements lost)") +
                ": the quantity is read and then written back, so creates that read it at once overwrite each other",
            $"{first.Evidence()}\n{sent}\n{stock.Evidence}",
            "decrement in one statement that checks what is left: UPDATE ... SET stock = stock - @n WHERE id = @id AND stock >= @n, answering 409 when no row changed " +
                "(or lock the row: SELECT ... FOR UPDATE in the create's transaction)");

    /// <summary>After the clean-up: whether it gave the stock back, for the evidence of <paramref name="findings"/>[<paramref name="at"/>].</summary>
    private async Task RestoredAsync(
        HttpClient http, ContractResource resource, StockUse stock, int at, IReadOnlyList<KeyValuePair<string, string>> headers, List<Finding> findings, CancellationToken cancellationToken)
    {
        var read = await Send(http, "GET", stock.Path, headers, null, cancellationToken);
        var now = Quantities(read).TryGetValue(stock.Name, out var n) ? n : (long?)null;
        var said = read.Status is 404 or 410 ? $"{stock.Item} was made for the race and is deleted with what it made"
            : now == stock.Before ? $"after the clean-up {stock.Name} of {stock.Item} is {now} again, as before the race"
            : resource.Delete is null && resource.Release is null
                ? $"after the race {stock.Name} of {stock.Item} stays {(now is null ? "unread" : now)} (was {stock.Before}): {resource.Create.Name} has no DELETE or release action to undo the creates with"
                : $"after the clean-up {stock.Name} of {stock.Item} is {(now is null ? "unread" : now)}, not {stock.Before} as before the race: " +
                    (now > stock.Before ? "undoing the creates gave back more than the race had taken off (each undo gives its quantity back, the lost decrements were never taken)" : "undoing the creates did not give it back");
        findings[at] = findings[at] with { Evidence = $"{findings[at].Evidence}\n{said}".TrimStart('\n') };
    }

    /// <summary>The top-level integer properties of <paramref name="answer"/>'s JSON object, but its identifying ones (<c>id</c>, <c>kitId</c>).</summary>
    private static Dictionary<string, long> Quantities(ApiAnswer answer)
    {
        var quantities = new Dictionary<string, long>(StringComparer.Ordinal);
        if (answer.Ok && Parse(answer.Body) is JsonObject item)
        {
            Collect(item, string.Empty, 0, quantities);
        }

        return quantities;
    }

    /// <summary>
    /// The integer properties of <paramref name="item"/> that can be a quantity (not an id, nor a version), and those of
    /// objects within it up to two levels down, by dotted name (<c>inventory.available</c>); arrays are not entered.
    /// </summary>
    private static void Collect(JsonObject item, string prefix, int depth, Dictionary<string, long> quantities)
    {
        foreach (var (name, value) in item)
        {
            if (value is JsonObject inner && depth < 2)
            {
                Collect(inner, $"{prefix}{name}.", depth + 1, quantities);
            }
            else if (value is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out var n)
                && !name.Equals("id", StringComparison.OrdinalIgnoreCase) && !name.EndsWith("Id", StringComparison.Ordinal) && !name.EndsWith("_id", StringComparison.OrdinalIgnoreCase)
                && !name.Equals("version", StringComparison.OrdinalIgnoreCase))
            {
                quantities[prefix + name] = n;
            }
        }
    }

    private static JsonNode? Parse(string? text)
    {
        try
        {
            return string.IsNullOrEmpty(text) ? null : JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>What a race of creates took of a named item's quantity.</summary>
/// <param name="Item">The item, for messages (<c>kit 3</c>).</param>
/// <param name="Path">Its contract path (<c>/kits/3</c>).</param>
/// <param name="Name">The quantity's property (<c>stock</c>).</param>
/// <param name="Before">Its value before the race.</param>
/// <param name="After">Its value after the race.</param>
/// <param name="Created">How many creates were accepted.</param>
/// <param name="PerCreate">What one create takes (1, or the body's quantity).</param>
/// <param name="Held">Whether the numbers add up: no more created than there was, and what is left is what was not taken.</param>
internal sealed record StockUse(string Item, string Path, string Name, long Before, long After, int Created, long PerCreate, bool Held)
{
    /// <summary><paramref name="created"/> creates against a quantity from <paramref name="before"/> to <paramref name="after"/>, each taking 1 or one of <paramref name="perCreate"/>.</summary>
    public static StockUse Judge(string item, string path, string name, long before, long after, int created, IReadOnlyList<long> perCreate)
    {
        var candidates = perCreate.Prepend(1).Distinct().ToList();
        var held = candidates.Where(q => created * q <= before && after == before - (created * q)).ToList();
        var each = held.Count > 0 ? held[0] : perCreate.Count == 1 ? perCreate[0] : 1;
        return new StockUse(item, path, name, before, after, created, each, held.Count > 0);
    }

    /// <summary>Nothing left for one more create.</summary>
    public bool UsedUp => After < PerCreate;

    /// <summary><c>stock of kit 3: 5 before the race, 0 after it</c>.</summary>
    public string Numbers => string.Create(CultureInfo.InvariantCulture,
        $"{Name} of {Item}: {Before} before the race, {After} after it{(PerCreate == 1 ? string.Empty : $", {PerCreate} per create")}");

    /// <summary>The reads, for evidence.</summary>
    public string Evidence => string.Create(CultureInfo.InvariantCulture, $"GET {Path} before the race: {Name} {Before}; after it: {Name} {After}; created {Created}");
}

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Archgate.Checks.Contracts.Diff;
using Microsoft.OpenApi;

namespace Archgate.Checks.Contracts.Conformance;

/// <summary>
/// A property of a request body that names another resource of the same contract (<c>holdId</c> names a
/// <c>/holds/{id}</c>), where it is in the body and what it names.
/// </summary>
/// <param name="At">The way to it from the body's root: property names and array indexes.</param>
/// <param name="Property">The property's name.</param>
/// <param name="Item">The template of the resource it names (<c>/holds/{id}</c>).</param>
/// <param name="Numeric">Whether the id goes as a JSON number (the example has one, or the schema takes integers only).</param>
internal sealed record BodyReference(IReadOnlyList<object> At, string Property, string Item, bool Numeric)
{
    /// <summary>The collection the named resource is created in (<c>/holds</c>).</summary>
    public string Collection => Item[..Item.LastIndexOf('/')];

    /// <summary>The item template's last parameter, the one the id fills.</summary>
    public string Parameter => Item[(Item.LastIndexOf('{') + 1)..^1];

    /// <summary>The resource's name in the singular, for messages (<c>hold</c>).</summary>
    public string Noun => BodyReferences.Singular(Collection[(Collection.LastIndexOf('/') + 1)..]);

    /// <summary>Where it is, as a JSON path (<c>$.lines[0].seatId</c>).</summary>
    public string Pointer => "$" + string.Concat(At.Select(s => s is int i ? $"[{i.ToString(CultureInfo.InvariantCulture)}]" : $".{s}"));

    /// <summary>The value the body holds there now, as text, or null.</summary>
    public string? Current(JsonNode? body) => BodyReferences.Navigate(body, At) is JsonValue v ? v.ToString() : null;
}

/// <summary>
/// Finds the properties of a request body that name another resource of the same contract, so a run fills them with
/// an object it created rather than send the contract's example (<c>{"holdId": 1}</c> names a hold that may be
/// someone else's, used up, or gone). A property names a resource when a path parameter of the contract has its name
/// (<c>{seatId}</c>, the explicit signal), else when it is <c>&lt;resource&gt;Id</c>, <c>&lt;resource&gt;_id</c>,
/// <c>&lt;resource&gt;ID</c> or, holding an integer, the bare <c>&lt;resource&gt;</c> (<c>"kit": 3</c>), and the resource, singular or plural, is a collection segment followed by an item
/// parameter (<c>holdId</c> and <c>/holds/{id}</c>). Its schema must take an integer or a string; nested objects, arrays
/// and the <c>oneOf</c>/<c>anyOf</c> branch the body follows are searched. A pure function of the body, its schema and
/// the contract's path templates.
/// </summary>
internal static partial class BodyReferences
{
    /// <summary>The references in <paramref name="body"/>, outermost first; none to <paramref name="self"/> (a collection), which names the resource being made.</summary>
    public static IReadOnlyList<BodyReference> Find(JsonNode? body, IOpenApiSchema? schema, IReadOnlyCollection<string> templates, string? self = null)
    {
        var found = new List<BodyReference>();
        Walk(body, schema, [], templates, found, 0);
        return self is null ? found : [.. found.Where(r => !PathTemplates.Same(r.Collection, self))];
    }

    /// <summary>The item template a property named <paramref name="property"/> names, or null when it names none.</summary>
    public static string? Target(string property, IReadOnlyCollection<string> templates)
    {
        // The item templates whose last segment is a parameter, with the collection segment before it.
        var items = templates.Select(t => t.TrimEnd('/'))
            .Where(t => t.EndsWith('}') && t.LastIndexOf('/') > 0 && t[(t.LastIndexOf('/') + 1)..].StartsWith('{'))
            .Distinct(StringComparer.Ordinal)
            .OrderBy(t => t[..t.LastIndexOf('/')].Contains('{', StringComparison.Ordinal)) // a top-level collection can be created
            .ThenBy(t => t.Length)
            .ThenBy(t => t, StringComparer.Ordinal)
            .ToList();
        if (Reference().Match(property) is not { Success: true } match)
        {
            return null;
        }

        if (items.FirstOrDefault(t => t.EndsWith("/{" + property + "}", StringComparison.Ordinal)) is { } named)
        {
            return named;
        }

        var stem = Normal(match.Groups["stem"].Value);
        return items.FirstOrDefault(t =>
        {
            var collection = t[..t.LastIndexOf('/')];
            var segment = Normal(collection[(collection.LastIndexOf('/') + 1)..]);
            return segment.Length > 0 && !segment.Contains('{', StringComparison.Ordinal) && Singular(segment) == Singular(stem);
        });
    }

    /// <summary>A copy of <paramref name="body"/> with <paramref name="reference"/> set to <paramref name="id"/> (a number where it takes one).</summary>
    public static JsonNode? Fill(JsonNode? body, BodyReference reference, string id)
    {
        var copy = body?.DeepClone();
        if (reference.At.Count == 0 || Navigate(copy, reference.At.Take(reference.At.Count - 1).ToList()) is not { } parent)
        {
            return copy;
        }

        JsonNode value = reference.Numeric && long.TryParse(id, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? JsonValue.Create(n) : JsonValue.Create(id);
        switch (parent, reference.At[^1])
        {
            case (JsonObject o, string name):
                o[name] = value;
                break;
            case (JsonArray a, int index) when index < a.Count:
                a[index] = value;
                break;
        }

        return copy;
    }

    /// <summary>
    /// <paramref name="operations"/> with each create (POST) after the creates of the resources its example body names
    /// and of the collection it is nested in, and each DELETE before those of the resources its item's create names (an
    /// order goes before the hold it uses); the others keep their places. Creates and deletes move only among their own places.
    /// </summary>
    public static IReadOnlyList<OperationInfo> InCreateOrder(IReadOnlyList<OperationInfo> operations, IReadOnlyCollection<string> templates, Func<OperationInfo, JsonNode?> example)
    {
        var creates = operations.Where(o => o.Method == "POST" && !PathTemplates.EndsInParameter(o.Template)).GroupBy(o => o.Template.TrimEnd('/'), StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var ranks = new Dictionary<string, int>(StringComparer.Ordinal);
        int Rank(string collection, int depth)
        {
            if (ranks.TryGetValue(collection, out var known))
            {
                return known;
            }

            if (depth > 5 || !creates.TryGetValue(collection, out var create))
            {
                return 0;
            }

            var parent = collection.LastIndexOf('/') is > 0 and var at ? collection[..at] : null;
            var parentCollection = parent is not null && parent.EndsWith('}') && parent.LastIndexOf('/') > 0 ? parent[..parent.LastIndexOf('/')] : null;
            var needs = Find(example(create), Schema(create), templates, collection).Select(r => r.Collection).Append(parentCollection).OfType<string>().Distinct(StringComparer.Ordinal);
            var rank = needs.Select(n => creates.ContainsKey(n) ? Rank(n, depth + 1) + 1 : 0).DefaultIfEmpty(0).Max();
            ranks[collection] = rank;
            return rank;
        }

        int ItemRank(string template) => PathTemplates.EndsInParameter(template) && PathTemplates.Bare(template).LastIndexOf('/') > 0 ? Rank(PathTemplates.Parent(template), 0) : 0;
        var result = operations.ToList();
        void Reorder(Func<OperationInfo, bool> which, Func<OperationInfo, int> key)
        {
            var slots = Enumerable.Range(0, result.Count).Where(i => which(result[i])).ToList();
            var sorted = slots.Select(i => result[i]).Select((o, i) => (o, i)).OrderBy(x => key(x.o)).ThenBy(x => x.i).Select(x => x.o).ToList();
            for (var i = 0; i < slots.Count; i++)
            {
                result[slots[i]] = sorted[i];
            }
        }

        Reorder(o => o.Method == "POST" && creates.ContainsKey(o.Template.TrimEnd('/')), o => Rank(o.Template.TrimEnd('/'), 0));
        Reorder(o => o.Method == "DELETE", o => -ItemRank(o.Template));
        return result;
    }

    /// <summary>The first example body of an operation's JSON request (document example, named example, else from the schema), or null.</summary>
    public static JsonNode? Example(OperationInfo operation)
    {
        var media = operation.Operation.RequestBody?.Content?.FirstOrDefault(c => c.Key.Contains("json", StringComparison.OrdinalIgnoreCase)).Value;
        return media is null ? null
            : media.Example?.DeepClone()
                ?? media.Examples?.Values.Select(e => e.Value).FirstOrDefault(v => v is not null)?.DeepClone()
                ?? ValueGenerator.Value(media.Schema, ValueKind.Example);
    }

    /// <summary>The JSON request body schema of <paramref name="operation"/>, or null.</summary>
    public static IOpenApiSchema? Schema(OperationInfo operation) =>
        operation.Operation.RequestBody?.Content?.FirstOrDefault(c => c.Key.Contains("json", StringComparison.OrdinalIgnoreCase)).Value?.Schema;

    /// <summary>A collection's name in the singular (<c>holds</c> to <c>hold</c>, <c>categories</c> to <c>category</c>).</summary>
    internal static string Singular(string name) =>
        name.EndsWith("ies", StringComparison.OrdinalIgnoreCase) && name.Length > 3 ? name[..^3] + "y"
        : name.EndsWith("sses", StringComparison.OrdinalIgnoreCase) || name.EndsWith("xes", StringComparison.OrdinalIgnoreCase) || name.EndsWith("ches", StringComparison.OrdinalIgnoreCase) || name.EndsWith("shes", StringComparison.OrdinalIgnoreCase) ? name[..^2]
        : name.EndsWith('s') && !name.EndsWith("ss", StringComparison.OrdinalIgnoreCase) && name.Length > 1 ? name[..^1]
        : name;

    internal static JsonNode? Navigate(JsonNode? node, IReadOnlyList<object> at)
    {
        foreach (var step in at)
        {
            node = (node, step) switch
            {
                (JsonObject o, string name) => o[name],
                (JsonArray a, int index) when index < a.Count => a[index],
                _ => null,
            };
        }

        return node;
    }

    private static void Walk(JsonNode? node, IOpenApiSchema? schema, List<object> at, IReadOnlyCollection<string> templates, List<BodyReference> found, int depth)
    {
        if (depth > 8)
        {
            return;
        }

        var view = schema is null ? null : SchemaView.Of(schema);
        switch (node)
        {
            case JsonObject obj:
                var branch = Branch(view, obj);
                foreach (var (name, value) in obj)
                {
                    var property = view?.Properties.GetValueOrDefault(name) ?? branch?.Properties.GetValueOrDefault(name);
                    var propertyView = property is null ? null : SchemaView.Of(property);
                    if (value is JsonValue v && v.GetValueKind() is JsonValueKind.Number or JsonValueKind.String && propertyView is not { ReadOnly: true }
                        && (propertyView is null || (propertyView.Accepted & (JsonSchemaType.Integer | JsonSchemaType.String)) != 0)
                        && (Target(name, templates) ?? Bare(name, v, propertyView, templates)) is { } item)
                    {
                        var numeric = v.GetValueKind() == JsonValueKind.Number || (propertyView is not null && !propertyView.Accepted.HasFlag(JsonSchemaType.String));
                        found.Add(new BodyReference([.. at, name], name, item, numeric));
                    }
                    else if (value is JsonObject or JsonArray)
                    {
                        Walk(value, property, [.. at, name], templates, found, depth + 1);
                    }
                }

                break;
            case JsonArray array:
                var items = view?.Items ?? view?.Union.Select(SchemaView.Of).Select(u => u.Items).FirstOrDefault(i => i is not null);
                for (var i = 0; i < array.Count; i++)
                {
                    Walk(array[i], items, [.. at, i], templates, found, depth + 1);
                }

                break;
        }
    }

    /// <summary>
    /// The item a bare resource name names when it holds an integer id: Django REST framework's and Rails' serializers
    /// write a foreign key as <c>"kit": 3</c> for a <c>/kits/{id}</c>. Only an integer (the value a number, the schema
    /// taking no string), so <c>"category": "books"</c> or <c>"status": "open"</c> stays a value.
    /// </summary>
    private static string? Bare(string name, JsonValue value, SchemaView? view, IReadOnlyCollection<string> templates) =>
        value.GetValueKind() == JsonValueKind.Number && (view is null || !view.Accepted.HasFlag(JsonSchemaType.String)) && !Reference().IsMatch(name)
            ? Target(name + "Id", templates)
            : null;

    /// <summary>The <c>oneOf</c>/<c>anyOf</c> branch <paramref name="obj"/> follows: the one that declares most of its properties.</summary>
    private static SchemaView? Branch(SchemaView? view, JsonObject obj) =>
        view?.Union.Select(SchemaView.Of).Where(b => b.Properties.Count > 0)
            .OrderByDescending(b => obj.Count(p => b.Properties.ContainsKey(p.Key))).FirstOrDefault();

    private static string Normal(string name) => name.Replace("-", string.Empty, StringComparison.Ordinal).Replace("_", string.Empty, StringComparison.Ordinal).ToLowerInvariant();

    /// <summary><c>holdId</c>, <c>hold_id</c>, <c>holdID</c>, <c>hold-id</c>; not <c>paid</c> nor a bare <c>id</c>.</summary>
    [GeneratedRegex(@"^(?<stem>[A-Za-z0-9][A-Za-z0-9_-]*?)(?:Id|ID|[_-][Ii][Dd])$")]
    private static partial Regex Reference();
}

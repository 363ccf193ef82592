using System.Text.Json;
using System.Text.Json.Nodes;
using Archgate.Checks.Contracts;
using Archgate.Checks.Contracts.Conformance;
using Archgate.Checks.Contracts.Transitions;
using Microsoft.OpenApi;

namespace Archgate.Checks.Frontend;

/// <summary>
/// A resource found in a contract: a collection path with a JSON <c>POST</c> (create) and an item path one
/// parameter deeper with a <c>GET</c> (read), and where the contract has them, a <c>PUT</c> or <c>PATCH</c> (update)
/// and a <c>DELETE</c> on the item.
/// </summary>
internal sealed record ContractResource(string Collection, string Item, OperationInfo Create, OperationInfo Read, OperationInfo? Update, OperationInfo? Delete)
{
    /// <summary>Whether the update takes an ETag in <c>If-Match</c> (declared as a parameter, or a 412 answer).</summary>
    public bool UpdateTakesIfMatch => Update is { } u && (u.Parameters.Any(p => p.In == ParameterLocation.Header && p.Name!.Equals("If-Match", StringComparison.OrdinalIgnoreCase))
        || u.Operation.Responses?.ContainsKey("412") == true);

    /// <summary>
    /// Where the contract has no <c>DELETE</c> on the item, the action that gives back what an object holds, with which
    /// Archgate's checks undo what they created (<see cref="CrudCheck.CleanUpAsync"/>): a verb such as <c>cancel</c>,
    /// <c>void</c>, <c>release</c> or <c>withdraw</c> (<c>POST /bookings/{id}/cancel</c>), else a status value such as
    /// <c>status=cancelled</c>. Null when the item has a <c>DELETE</c> or no such action.
    /// </summary>
    public ResourceAction? Release { get; init; }

    /// <summary>How <see cref="CrudCheck.CleanUpAsync"/> undoes an object, in words: <c>deleted</c>, <c>POST cancel</c>.</summary>
    public string Undo => Delete is not null ? "deleted" : Release is { } r ? (r.Name.StartsWith(r.Operation.Method + " ", StringComparison.Ordinal) ? r.Name : $"{r.Operation.Method} {r.Name}") : "kept: no DELETE and no action that cancels it";

    /// <summary>Verbs of an action that undoes an object: what it held (a room, a seat, a slot) is free again.</summary>
    private static readonly string[] ReleaseVerbs = ["cancel", "void", "release", "withdraw", "abandon", "discard", "retract", "revoke", "archive", "deactivate", "disable"];

    /// <summary>The values a status operation sets for the same (<c>status=cancelled</c>).</summary>
    private static readonly string[] ReleaseStates = ["cancelled", "canceled", "voided", "released", "withdrawn", "abandoned", "discarded", "retracted", "revoked", "archived", "deactivated", "disabled", "inactive"];

    /// <summary>Whether the create takes an <c>Idempotency-Key</c> header.</summary>
    public bool CreateTakesIdempotencyKey => Create.Parameters.Any(p => p.In == ParameterLocation.Header && p.Name!.Equals("Idempotency-Key", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Whether the contract documents 409 Conflict on the create: the service keeps a rule that refuses a create which
    /// duplicates what exists (a unique title, one active loan per member and book).
    /// </summary>
    public bool CreateRefusesDuplicates => Create.Operation.Responses?.ContainsKey("409") == true;

    /// <summary>The resources of <paramref name="document"/>, in path order.</summary>
    public static IReadOnlyList<ContractResource> Find(OpenApiDocument document)
    {
        var operations = OperationInfo.All(document);
        var result = new List<ContractResource>();
        foreach (var create in operations.Where(o => o.Method == "POST" && JsonBody(o) is not null && !o.Template.Contains('{', StringComparison.Ordinal)).OrderBy(o => o.Template, StringComparer.Ordinal))
        {
            var item = operations.Where(o => o.Method == "GET" && IsItemOf(o.Template, create.Template) && !o.Parameters.Any(p => p.Required && p.In != ParameterLocation.Path))
                .Select(o => o.Template).FirstOrDefault();
            if (item is null)
            {
                continue;
            }

            OperationInfo? Op(string method) => operations.FirstOrDefault(o => o.Method == method && o.Template == item);
            var update = Op("PUT") is { } put && JsonBody(put) is not null ? put : Op("PATCH") is { } patch && JsonBody(patch) is not null ? patch : null;
            var delete = Op("DELETE");
            result.Add(new ContractResource(create.Template, item, create, Op("GET")!, update, delete) { Release = delete is null ? ReleaseOf(item, operations) : null });
        }

        return result;
    }

    /// <summary>
    /// The creates <see cref="Find"/> set aside, each with why (<c>POST /orders (no GET on an item path /orders/{…})</c>),
    /// at most <paramref name="max"/> and a count of the rest; empty when the contract has no POST on a path without a
    /// parameter. Skip messages name them, so that "no resource" is never said of a contract that has candidates.
    /// </summary>
    public static string SetAside(OpenApiDocument document, int max = 4)
    {
        var operations = OperationInfo.All(document);
        var used = Find(document).Select(r => r.Create.Name).ToHashSet(StringComparer.Ordinal);
        var why = operations.Where(o => o.Method == "POST" && !o.Template.Contains('{', StringComparison.Ordinal) && !used.Contains(o.Name))
            .OrderBy(o => o.Template, StringComparer.Ordinal)
            .Select(o => $"{o.Name} ({Unfit(o, operations)})")
            .ToList();
        return why.Count == 0 ? string.Empty : string.Join(", ", why.Take(max)) + (why.Count > max ? $" and {why.Count - max} more" : string.Empty);
    }

    /// <summary>Why a POST on a collection is no resource's create.</summary>
    private static string Unfit(OperationInfo create, IReadOnlyList<OperationInfo> operations)
    {
        if (JsonBody(create) is null)
        {
            return "no JSON request body";
        }

        var items = operations.Where(o => o.Method == "GET" && IsItemOf(o.Template, create.Template)).ToList();
        return items.Count == 0
            ? $"no GET on an item path {PathTemplates.Child(create.Template, "{…}", create.Template)}"
            : $"{items[0].Name} needs a query parameter: {string.Join(", ", items[0].Parameters.Where(p => p.Required && p.In != ParameterLocation.Path).Select(p => p.Name))}";
    }

    /// <summary>The first of the item's actions that undoes an object (<see cref="Release"/>), in the order of <see cref="ReleaseVerbs"/>, a verb before a status value.</summary>
    public static ResourceAction? ReleaseOf(string item, IReadOnlyList<OperationInfo> operations)
    {
        var actions = ActionResource.ActionsOf(item, operations);
        int Rank(ResourceAction action) => action.Sets is { } sets
            ? sets.Value is JsonValue v && v.TryGetValue<string>(out var state) && Array.FindIndex(ReleaseStates, s => s.Equals(state, StringComparison.OrdinalIgnoreCase)) is >= 0 and var i ? ReleaseVerbs.Length + i : -1
            : Array.FindIndex(ReleaseVerbs, v => v.Equals(ActionResource.Verb(action.Operation), StringComparison.OrdinalIgnoreCase));
        return actions.Select(a => (Action: a, Rank: Rank(a))).Where(a => a.Rank >= 0).OrderBy(a => a.Rank).Select(a => a.Action).FirstOrDefault();
    }

    /// <summary>The first example body of an operation's JSON request (document example, named example, else from the schema).</summary>
    public static JsonNode? ExampleBody(OperationInfo operation) => BodyReferences.Example(operation);

    /// <summary>
    /// The body with its free-text strings made unique, for a create that answered 409: a service that keeps a field
    /// unique (a title, a slug, an e-mail) refuses the contract's example once an earlier check or run created it. An
    /// e-mail gets a <c>+tag</c>, an identifier with a pattern new digits (<see cref="OtherDigits"/>), other strings a
    /// suffix; a string with an enum, a format other than e-mail, or no room under its <c>maxLength</c> keeps its value, and so does one its schema already refuses (the value a
    /// conformance probe made invalid on purpose: a string where a number goes, one too short or too long).
    /// </summary>
    public static JsonNode? Unique(JsonNode? body, OperationInfo operation)
    {
        if (body?.DeepClone() is not JsonObject copy || JsonBody(operation)?.Schema is not { } schema)
        {
            return body;
        }

        var properties = Contracts.Diff.SchemaView.Of(schema).Properties;
        var suffix = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4));
        foreach (var (name, value) in copy.ToList())
        {
            if (value is not JsonValue v || !v.TryGetValue<string>(out var text) || !properties.TryGetValue(name, out var property))
            {
                continue;
            }

            var view = Contracts.Diff.SchemaView.Of(property);
            var email = view.Format == "email" || (view.Format is null && text.Contains('@', StringComparison.Ordinal));
            if (view.Enum.Count > 0 || (view.Format is not null && !email) || view.ReadOnly
                || !view.Accepted.HasFlag(JsonSchemaType.String) || text.Length < view.MinLength || text.Length > view.MaxLength)
            {
                continue;
            }

            if (view.Pattern is { } pattern)
            {
                if (OtherDigits(text, pattern) is { } other)
                {
                    copy[name] = other;
                }

                continue;
            }

            var unique = email && text.IndexOf('@', StringComparison.Ordinal) is var at and > 0 ? text.Insert(at, "+" + suffix) : $"{text}-{suffix}";
            if (view.MaxLength is not { } max || unique.Length <= max)
            {
                copy[name] = unique;
            }
        }

        return copy;
    }

    /// <summary>
    /// An identifier with a pattern (<c>INV-900001</c> for <c>^[A-Z]{2,5}-[0-9]{3,8}$</c>, an SKU, a booking reference)
    /// with its digits drawn anew, when the result still matches the pattern; null for text without both letters and
    /// digits (an amount such as <c>12.50</c> is a value, not a name: changing it changes what the create means), or when
    /// the pattern refuses every variant tried.
    /// </summary>
    internal static string? OtherDigits(string text, string pattern)
    {
        if (!text.Any(char.IsAsciiLetter) || !text.Any(char.IsAsciiDigit))
        {
            return null;
        }

        try
        {
            var regex = new System.Text.RegularExpressions.Regex(pattern, System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromMilliseconds(100));
            for (var attempt = 0; attempt < 4; attempt++)
            {
                var other = string.Concat(text.Select(c => char.IsAsciiDigit(c) ? (char)('0' + System.Security.Cryptography.RandomNumberGenerator.GetInt32(10)) : c));
                if (other != text && regex.IsMatch(other))
                {
                    return other;
                }
            }
        }
        catch (Exception ex) when (ex is ArgumentException or System.Text.RegularExpressions.RegexMatchTimeoutException)
        {
            // A pattern .NET cannot read (or that takes too long) leaves the value as it is.
        }

        return null;
    }

    /// <summary>
    /// Sends a write with <paramref name="body"/> through <paramref name="send"/>; an answer 409 (the contract's example
    /// exists already, an earlier check or run made it, and the service keeps a field unique) goes once more with the
    /// body's free text made unique (<see cref="Unique(JsonNode?, OperationInfo)"/>). Gives the last answer and the body it answered.
    /// </summary>
    public static async Task<(ApiAnswer Answer, JsonNode? Sent)> SendUniqueAsync(JsonNode? body, OperationInfo operation, Func<JsonNode?, Task<ApiAnswer>> send)
    {
        ArgumentNullException.ThrowIfNull(send);
        var answer = await send(body);
        if (answer.Status == 409 && Unique(body, operation) is { } unique && unique.ToJsonString() != body?.ToJsonString())
        {
            return (await send(unique), unique);
        }

        return (answer, body);
    }

    /// <summary>
    /// The text of a JSON request body with its free text made unique (<see cref="Unique"/>), for a request answered 409;
    /// null when it is no JSON object or nothing in it could change.
    /// </summary>
    public static string? Unique(string body, OperationInfo operation)
    {
        JsonNode? sent;
        try
        {
            sent = JsonNode.Parse(body);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }

        var unique = Unique(sent, operation)?.ToJsonString();
        return unique is null || unique == sent?.ToJsonString() ? null : unique;
    }

    /// <summary>The item path of a created resource: its Location when it names one, else the id in its body.</summary>
    public string? ItemPath(ApiAnswer created, string basePath = "")
    {
        if (created.Header("Location") is { } location && Uri.TryCreate(location, UriKind.RelativeOrAbsolute, out var uri))
        {
            // The Location is the host's path (/api/v1/notes/5); the item path is the contract's (/notes/5).
            var path = ContractBase.Strip(uri.IsAbsoluteUri ? uri.AbsolutePath : location.Split('?')[0], basePath);
            if (path.StartsWith(PathTemplates.Bare(Collection).TrimEnd('/') + "/", StringComparison.Ordinal))
            {
                return path;
            }
        }

        var parameter = PathTemplates.LastParameter(Item) ?? "id";
        try
        {
            var body = JsonNode.Parse(created.Body) as JsonObject;
            var id = body?[parameter] ?? body?["id"];
            return id is JsonValue v ? PathTemplates.Child(Collection, Uri.EscapeDataString(v.ToString()), Item) : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// The body of an update of the resource the check created, as a client does it (read, modify, write): the
    /// operation's example, where each property that names or identifies the resource keeps the resource's own value
    /// from <paramref name="current"/> (an id or a key such as <c>memberId</c>, a string with a pattern, a format or a
    /// fixed length such as an ISBN: the example names another resource's, which a unique field refuses with 409, and a
    /// value made up for it may not match its pattern), plus the resource's other properties the update's schema takes.
    /// When nothing would change, one property safe to change is set otherwise (<see cref="Variants"/>). The example as it
    /// is when it is no object or nothing was read.
    /// </summary>
    public static JsonNode? UpdateBody(JsonNode? example, JsonNode? current, OperationInfo operation)
    {
        if (example is not JsonObject sample || current is not JsonObject own)
        {
            return example?.DeepClone();
        }

        var properties = Properties(operation);
        Contracts.Diff.SchemaView? View(string name) => properties.TryGetValue(name, out var property) ? Contracts.Diff.SchemaView.Of(property) : null;
        var body = new JsonObject();
        foreach (var (name, value) in sample)
        {
            body[name] = (own[name] is { } kept && !SafeToChange(name, View(name), value) && Fits(View(name), kept) ? kept : value)?.DeepClone();
        }

        foreach (var (name, value) in own)
        {
            if (!body.ContainsKey(name) && View(name) is { ReadOnly: false } view && Fits(view, value))
            {
                body[name] = value?.DeepClone();
            }
        }

        if (JsonSubset.Difference(body, own) is null && Variants(body, operation, 1, "archgate update") is var (field, values))
        {
            body[field] = values[0].DeepClone();
        }

        return body;
    }

    /// <summary>
    /// Whether a property names or identifies its resource, so a check keeps its value rather than change it: an id
    /// (<c>id</c>, <c>uuid</c>, <c>bookId</c>, <c>member_id</c>), a key or a slug.
    /// </summary>
    internal static bool Identifying(string name) =>
        name.Equals("id", StringComparison.OrdinalIgnoreCase) || name.Equals("uuid", StringComparison.OrdinalIgnoreCase) || name.Equals("key", StringComparison.OrdinalIgnoreCase)
        || name.Equals("slug", StringComparison.OrdinalIgnoreCase) || name.EndsWith("Id", StringComparison.Ordinal) || name.EndsWith("ID", StringComparison.Ordinal)
        || name.EndsWith("_id", StringComparison.OrdinalIgnoreCase) || name.EndsWith("Key", StringComparison.Ordinal) || name.EndsWith("_key", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Whether a check may set a property to a value of its own: not identifying, not read-only, and for text, no
    /// pattern, no format and no fixed length (an ISBN, a code), whose values only the service knows how to make.
    /// </summary>
    private static bool SafeToChange(string name, Contracts.Diff.SchemaView? view, JsonNode? value) =>
        !Identifying(name) && view is not { ReadOnly: true }
        && (value?.GetValueKind() != JsonValueKind.String || view is null
            || (view.Pattern is null && view.Format is null && !(view.MinLength is { } min && view.MaxLength == min)));

    /// <summary>Whether a value read from the resource is of a type the update's schema takes for it.</summary>
    private static bool Fits(Contracts.Diff.SchemaView? view, JsonNode? value)
    {
        if (view?.Types is null)
        {
            return true;
        }

        var accepted = view.Accepted;
        return value?.GetValueKind() switch
        {
            null or JsonValueKind.Null => view.Nullable || accepted.HasFlag(JsonSchemaType.Null),
            JsonValueKind.String => accepted.HasFlag(JsonSchemaType.String),
            JsonValueKind.Number => accepted.HasFlag(JsonSchemaType.Number) || accepted.HasFlag(JsonSchemaType.Integer),
            JsonValueKind.True or JsonValueKind.False => accepted.HasFlag(JsonSchemaType.Boolean),
            JsonValueKind.Array => accepted.HasFlag(JsonSchemaType.Array),
            _ => accepted.HasFlag(JsonSchemaType.Object),
        };
    }

    /// <summary>
    /// A property of <paramref name="example"/> that <paramref name="count"/> concurrent writes can each set otherwise,
    /// and their values, all of which its schema takes; never an identifying or read-only property
    /// (<see cref="Identifying"/>). A text property with no enum, pattern or format (each write's own text, shortened to
    /// its <c>maxLength</c> and filled to its <c>minLength</c>: <c>archgate concurrent update 3 of 10</c>, else
    /// <c>archgate update 3</c>, <c>upd 3</c>, <c>3</c>), else a number within its bounds (distinct while the range
    /// allows, then again from its start: seats 1 to 6), else an enum's values or a boolean's two in turn. Null when the
    /// example has none.
    /// </summary>
    public static (string Field, IReadOnlyList<JsonNode> Values)? Variants(JsonObject example, OperationInfo operation, int count, string label = "archgate concurrent update")
    {
        var properties = Properties(operation);
        Contracts.Diff.SchemaView? View(string name) => properties.TryGetValue(name, out var property) ? Contracts.Diff.SchemaView.Of(property) : null;
        var writable = example.Where(p => p.Value is JsonValue && !Identifying(p.Key) && View(p.Key) is not { ReadOnly: true }).ToList();
        foreach (var (name, _) in writable.Where(p => p.Value!.GetValueKind() == JsonValueKind.String))
        {
            if (View(name) is not { } view)
            {
                return (name, Enumerable.Range(1, count).Select(i => (JsonNode)JsonValue.Create($"{label} {i} of {count}")).ToList());
            }

            if (view.Enum.Count == 0 && view.Pattern is null && view.Format is null && view.Accepted.HasFlag(JsonSchemaType.String) && Texts(view, count, label) is { } texts)
            {
                return (name, texts);
            }
        }

        if (writable.FirstOrDefault(p => p.Value!.GetValueKind() == JsonValueKind.Number && View(p.Key) is not { Enum.Count: > 0 }) is { Key: { } number, Value: JsonValue start })
        {
            var view = View(number);
            var low = view?.Minimum is { } min ? Math.Ceiling(min.Value) + (min.Exclusive && min.Value == Math.Ceiling(min.Value) ? 1 : 0) : (decimal?)null;
            var high = view?.Maximum is { } max ? Math.Floor(max.Value) - (max.Exclusive && max.Value == Math.Floor(max.Value) ? 1 : 0) : (decimal?)null;
            var first = low ?? (high is { } h ? h - count + 1 : Math.Floor(start.GetValue<decimal>()) + 1);
            var span = low is not null && high is not null ? (int)Math.Clamp(high.Value - low.Value + 1, 1, count) : count;
            return (number, Enumerable.Range(0, count).Select(i => (JsonNode)JsonValue.Create((long)(first + (i % span)))).ToList());
        }

        foreach (var (name, _) in writable)
        {
            var choices = View(name) is { Enum.Count: > 1 } view ? view.Enum.Select(e => JsonNode.Parse(e)).OfType<JsonNode>().ToList()
                : example[name]!.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? [JsonValue.Create(true), JsonValue.Create(false)] : [];
            if (choices.Count > 1)
            {
                return (name, Enumerable.Range(0, count).Select(i => choices[i % choices.Count].DeepClone()).ToList());
            }
        }

        return null;
    }

    /// <summary><paramref name="count"/> distinct texts within the string's length bounds, the longest form that fits; null when none does.</summary>
    private static List<JsonNode>? Texts(Contracts.Diff.SchemaView view, int count, string label)
    {
        Func<int, string>[] forms = [i => $"{label} {i} of {count}", i => $"archgate update {i}", i => $"upd {i}", i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        foreach (var form in forms)
        {
            var texts = Enumerable.Range(1, count).Select(i => form(i)).Select(t => view.MinLength is { } min && t.Length < min ? t + new string('-', min - t.Length) : t).ToList();
            if (view.MaxLength is not { } max || texts.All(t => t.Length <= max))
            {
                return [.. texts.Select(t => (JsonNode)JsonValue.Create(t))];
            }
        }

        return null;
    }

    private static IReadOnlyDictionary<string, IOpenApiSchema> Properties(OperationInfo operation) =>
        JsonBody(operation)?.Schema is { } schema ? Contracts.Diff.SchemaView.Of(schema).Properties : new Dictionary<string, IOpenApiSchema>();

    private static IOpenApiMediaType? JsonBody(OperationInfo operation) =>
        operation.Operation.RequestBody?.Content?.FirstOrDefault(c => c.Key.Contains("json", StringComparison.OrdinalIgnoreCase)).Value;

    private static bool IsItemOf(string template, string collection) => PathTemplates.IsItemOf(template, collection);
}

/// <summary>Whether a JSON value holds everything another one has (objects: each property; arrays: item by item).</summary>
internal static class JsonSubset
{
    /// <summary>The first place where <paramref name="actual"/> lacks or differs from <paramref name="sent"/>, or null.</summary>
    public static string? Difference(JsonNode? sent, JsonNode? actual, string path = "$")
    {
        switch (sent)
        {
            case JsonObject o:
                if (actual is not JsonObject a)
                {
                    return $"{path} is {Describe(actual)}, not an object";
                }

                foreach (var (name, value) in o)
                {
                    if (!a.TryGetPropertyValue(name, out var other))
                    {
                        return $"{path}.{name} is missing";
                    }

                    if (Difference(value, other, $"{path}.{name}") is { } d)
                    {
                        return d;
                    }
                }

                return null;
            case JsonArray array:
                if (actual is not JsonArray b || b.Count != array.Count)
                {
                    return $"{path} has {(actual is JsonArray c ? c.Count + " items" : Describe(actual))}, {array.Count} sent";
                }

                for (var i = 0; i < array.Count; i++)
                {
                    if (Difference(array[i], b[i], $"{path}[{i}]") is { } d)
                    {
                        return d;
                    }
                }

                return null;
            default:
                return Text(sent) == Text(actual) ? null : $"{path} is {Describe(actual)}, {Describe(sent)} sent";
        }
    }

    /// <summary>A scalar as text, numbers normalised (<c>2.0</c> = <c>2</c>).</summary>
    public static string? Text(JsonNode? node) => node switch
    {
        null => null,
        JsonValue v when v.TryGetValue<decimal>(out var d) => d.ToString("G29", System.Globalization.CultureInfo.InvariantCulture),
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => node.ToJsonString(),
    };

    private static readonly System.Text.Json.JsonSerializerOptions Readable = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A value as a person reads it in a message: <c>"Dune's sequel"</c>, not <c>"Dune\u0027s sequel"</c>.</summary>
    private static string Describe(JsonNode? node) => node is null ? "null" : Archgate.Checks.Http.ProbeHttp.Excerpt(node.ToJsonString(Readable), 80);
}

using System.Text.Json;
using System.Text.RegularExpressions;

namespace Archgate.Checks.Contracts.Conformance;

/// <summary>
/// What the run itself created (so later operations can use it, and only it may be deleted), the ids the
/// manifest gives as fixtures, and the last ETag seen per resource (for <c>If-Match</c>).
/// </summary>
internal sealed partial class ResourceBook(IReadOnlyCollection<string> templates, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> fixtures)
{
    private readonly Dictionary<string, Dictionary<string, string>> _created = new(StringComparer.Ordinal);
    private readonly HashSet<string> _createdPaths = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _etags = new(StringComparer.Ordinal);

    // Every object a POST of the run created, in order (not just the last per template), until a DELETE removes it.
    private readonly List<(string Template, string Path)> _leftovers = [];

    /// <summary>The contract's path templates.</summary>
    public IReadOnlyCollection<string> Templates => templates;

    /// <summary>The names of a template's path parameters, in order.</summary>
    public static IReadOnlyList<string> Parameters(string template) => Parameter().Matches(template).Select(m => m.Groups[1].Value).ToList();

    /// <summary>
    /// A parameter value from a resource created earlier in this run, or null: the template's own, else that of the
    /// item the parameter ends (<c>{id}</c> of <c>/claims/{id}/submit</c> is the claim created at <c>/claims/{id}</c>).
    /// </summary>
    public string? Created(string template, string parameter)
    {
        if (_created.TryGetValue(template, out var values) && values.TryGetValue(parameter, out var value))
        {
            return value;
        }

        if (_created.FirstOrDefault(c => PathTemplates.Same(c.Key, template)).Value is { } same && same.TryGetValue(parameter, out var sameValue))
        {
            return sameValue; // a body reference names /orders/{id}, the contract's item is /orders/{id}/
        }

        var item = ItemOf(template, parameter);
        return item is not null && !PathTemplates.Same(item, template) && _created.FirstOrDefault(c => PathTemplates.Same(c.Key, item)).Value is { } parent && parent.TryGetValue(parameter, out var id) ? id : null;
    }

    /// <summary>
    /// Whether a POST to <paramref name="template"/> with <paramref name="parameter"/> taken from an example would act
    /// on an existing object: the document declares the item the parameter ends (<c>/claims/{id}</c>), and the POST is
    /// not a create in a collection of the document (no <c>{template}/{x}</c> item), as an action such as
    /// <c>/claims/{id}/submit</c> or an update by POST on the item itself is.
    /// </summary>
    public bool ActsOnObject(string template, string parameter) =>
        ItemOf(template, parameter) is { } item && templates.Any(t => PathTemplates.Same(t, item)) && !templates.Any(t => IsItemOf(t, template));

    /// <summary>The template up to and with <c>{parameter}</c>, or null when it has no such parameter.</summary>
    private static string? ItemOf(string template, string parameter)
    {
        var at = template.IndexOf("{" + parameter + "}", StringComparison.Ordinal);
        return at < 0 ? null : template[..(at + parameter.Length + 2)];
    }

    /// <summary>
    /// A value of <paramref name="parameter"/> for <paramref name="template"/> that an answer named (an id in a listing
    /// beneath an object the run created), so <see cref="Created"/> gives it to later requests: never counted as created,
    /// so never deleted as the run's own.
    /// </summary>
    public void Known(string template, string parameter, string value)
    {
        if (!_created.TryGetValue(template, out var values))
        {
            _created[template] = values = new Dictionary<string, string>(StringComparer.Ordinal);
        }

        values.TryAdd(parameter, value);
    }

    /// <summary>A parameter value the manifest gives as a fixture, or null.</summary>
    public string? Fixture(string template, string parameter) =>
        fixtures.TryGetValue(template, out var values) && values.TryGetValue(parameter, out var value) ? value : null;

    /// <summary>Whether the run created the resource at <paramref name="path"/>, or something beneath it.</summary>
    public bool IsCreated(string path) =>
        _createdPaths.Contains(path) || _createdPaths.Any(p => p.StartsWith(path.TrimEnd('/') + "/", StringComparison.Ordinal));

    /// <summary>What the run created and has not deleted yet, deepest first (a child before its parent), newest first.</summary>
    public IReadOnlyList<(string Template, string Path)> Leftovers =>
        _leftovers.Select((l, i) => (l, i)).OrderByDescending(x => x.l.Path.Count(c => c == '/')).ThenByDescending(x => x.i).Select(x => x.l).ToList();

    /// <summary>The run deleted (or found gone) the resource at <paramref name="path"/>.</summary>
    public void Deleted(string path) => _leftovers.RemoveAll(l => l.Path == path);

    /// <summary>The last ETag the service gave for <paramref name="path"/>, or null.</summary>
    public string? ETag(string path) => _etags.GetValueOrDefault(path);

    /// <summary>As <see cref="Record(ProbeRequest, int, IReadOnlyDictionary{string, string}, JsonElement?)"/>, with the body as text (not JSON: no body).</summary>
    public void Record(ProbeRequest request, int status, IReadOnlyDictionary<string, string> headers, string body) =>
        Record(request, status, headers, ParseJson(body));

    /// <summary>Learns from a 2xx answer: a POST's new id (Location header, else the body's id), a PUT's resource, ETags.</summary>
    public void Record(ProbeRequest request, int status, IReadOnlyDictionary<string, string> headers, JsonElement? body)
    {
        if (status is < 200 or > 299)
        {
            return;
        }

        if (request.Kind != ProbeKind.Valid)
        {
            // An invalid input wrongly accepted created something too: it is cleaned up, never used by later operations.
            if (request.Method == "POST" && templates.FirstOrDefault(t => IsItemOf(t, request.Template)) is { } template
                && (FromLocation(Location(headers), request.Path) ?? FromBody(body, Parameters(template)[^1])) is { } made)
            {
                _leftovers.Add((template, PathTemplates.Child(request.Path, Uri.EscapeDataString(made), template)));
            }

            return;
        }

        var etag = headers.GetValueOrDefault("ETag");
        var location = Location(headers);
        if (request.Method == "POST")
        {
            foreach (var item in templates.Where(t => IsItemOf(t, request.Template)))
            {
                var parameter = Parameters(item)[^1];
                var id = FromLocation(location, request.Path) ?? FromBody(body, parameter);
                if (id is null)
                {
                    continue;
                }

                if (!_created.TryGetValue(item, out var values))
                {
                    _created[item] = values = new Dictionary<string, string>(StringComparer.Ordinal);
                }

                values[parameter] = id;
                var path = PathTemplates.Child(request.Path, Uri.EscapeDataString(id), item);
                _createdPaths.Add(path);
                _leftovers.Add((item, path));
                if (etag is not null)
                {
                    _etags[path] = etag;
                }
            }

            return;
        }

        if (request.Method == "DELETE")
        {
            Deleted(request.Path);
        }

        if (request.Method == "PUT")
        {
            _createdPaths.Add(request.Path);
        }

        if (etag is not null && request.Method != "DELETE")
        {
            _etags[request.Path] = etag;
        }
    }

    /// <summary>Whether <paramref name="item"/> is <paramref name="collection"/> plus one <c>/{param}</c> segment, trailing slashes aside.</summary>
    private static bool IsItemOf(string item, string collection) => PathTemplates.IsItemOf(item, collection);

    private static Uri? Location(IReadOnlyDictionary<string, string> headers) =>
        headers.TryGetValue("Location", out var l) && Uri.TryCreate(l, UriKind.RelativeOrAbsolute, out var u) ? u : null;

    private static string? FromLocation(Uri? location, string collectionPath)
    {
        if (location is null)
        {
            return null;
        }

        var path = location.IsAbsoluteUri ? location.AbsolutePath : location.OriginalString.Split('?')[0];
        var prefix = collectionPath.TrimEnd('/') + "/";
        var at = path.IndexOf(prefix, StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }

        var rest = path[(at + prefix.Length)..].TrimEnd('/'); // Django REST framework's /orders/62/
        return rest.Length > 0 && !rest.Contains('/', StringComparison.Ordinal) ? Uri.UnescapeDataString(rest) : null;
    }

    private static string? FromBody(JsonElement? body, string parameter)
    {
        if (body is not { ValueKind: JsonValueKind.Object } obj)
        {
            return null;
        }

        foreach (var name in new[] { parameter, "id" })
        {
            if (obj.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.Number or JsonValueKind.String)
            {
                return value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText();
            }
        }

        return null;
    }

    [GeneratedRegex(@"\{([^{}/]+)\}")]
    private static partial Regex Parameter();

    private static JsonElement? ParseJson(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

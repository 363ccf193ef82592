namespace Archgate.Checks.Contracts;

/// <summary>
/// A contract's path template (<c>/books/{id}/reviews</c>) against a path, segment by segment, and how collections, items
/// and actions relate. A trailing slash is part of a template's shape, not of its meaning: Django REST framework ends every
/// path with one (<c>/orders/</c>, <c>/orders/{id}/</c>, <c>/orders/{id}/cancel/</c>), so every test here ignores it, and
/// every path built here to be sent keeps the shape of the template it fills (<see cref="Child"/>).
/// </summary>
internal static class PathTemplates
{
    /// <summary>The segments of a path or template, without its leading and trailing slash.</summary>
    public static string[] Split(string path) => path.Trim('/').Split('/');

    /// <summary>Whether <paramref name="path"/> is one the template names: the same literal segments, any non-empty value for a parameter.</summary>
    public static bool Matches(string[] template, string[] path) =>
        template.Length == path.Length && template.Zip(path).All(p => (IsParameter(p.First) && p.Second.Length > 0) || p.First == p.Second);

    /// <summary>Whether a segment is a whole parameter: <c>{id}</c>.</summary>
    public static bool IsParameter(string segment) => segment.Length > 2 && segment[0] == '{' && segment[^1] == '}' && segment.IndexOf('}', StringComparison.Ordinal) == segment.Length - 1;

    /// <summary>Whether the template ends with a slash after its last segment (<c>/orders/{id}/</c>); the root <c>/</c> does not.</summary>
    public static bool HasTrailingSlash(string template) => template.Length > 1 && template.EndsWith('/');

    /// <summary>The template without its trailing slash (<c>/orders/{id}</c> of <c>/orders/{id}/</c>); the root stays <c>/</c>.</summary>
    public static string Bare(string template) => HasTrailingSlash(template) ? template.TrimEnd('/') is { Length: > 0 } bare ? bare : "/" : template;

    /// <summary>Whether two templates name the same paths, a trailing slash aside.</summary>
    public static bool Same(string a, string b) => string.Equals(Bare(a), Bare(b), StringComparison.Ordinal);

    /// <summary>The last segment, a trailing slash aside: <c>cancel</c> of <c>/orders/{id}/cancel/</c>, <c>{id}</c> of <c>/orders/{id}/</c>.</summary>
    public static string Last(string template) => Bare(template) is var bare ? bare[(bare.LastIndexOf('/') + 1)..] : template;

    /// <summary>
    /// The part of <paramref name="path"/> (a path of a template beneath <paramref name="item"/>) that names the object of
    /// the item: <c>/parcels/5</c> of <c>/parcels/5/notes/3</c> under <c>/parcels/{id}</c>.
    /// </summary>
    public static string ItemPath(string path, string item) => string.Join('/', path.Split('/').Take(Bare(item).Split('/').Length));

    /// <summary>The template or path without its last segment, and without a trailing slash: <c>/orders/1</c> of <c>/orders/1/cancel/</c>.</summary>
    public static string Parent(string path) => Bare(path) is var bare && bare.LastIndexOf('/') is > 0 and var at ? bare[..at] : "/";

    /// <summary>Whether the template's last segment (a trailing slash aside) is a parameter: <c>/orders/{id}</c>, <c>/orders/{id}/</c>.</summary>
    public static bool EndsInParameter(string template) => IsParameter(Last(template));

    /// <summary>The name of the template's last parameter (<c>id</c> of <c>/orders/{id}/</c>), or null when it does not end in one.</summary>
    public static string? LastParameter(string template) => EndsInParameter(template) ? Last(template)[1..^1] : null;

    /// <summary>
    /// Whether <paramref name="item"/> is <paramref name="collection"/> plus one parameter segment, each with or without a
    /// trailing slash: <c>/orders/{id}/</c> is the item of <c>/orders/</c> and of <c>/orders</c>.
    /// </summary>
    public static bool IsItemOf(string item, string collection) =>
        ChildOf(item, collection) is { } rest && IsParameter(rest);

    /// <summary>
    /// The one literal segment <paramref name="template"/> adds to <paramref name="item"/> (<c>cancel</c> of
    /// <c>/orders/{id}/cancel/</c> under <c>/orders/{id}</c>), trailing slashes aside; null when it adds none, more than one, or a parameter.
    /// </summary>
    public static string? ActionOf(string template, string item) =>
        ChildOf(template, item) is { } rest && !rest.Contains('{', StringComparison.Ordinal) ? rest : null;

    /// <summary>
    /// <paramref name="parent"/> (a path that is sent) with one more segment, in the shape of <paramref name="template"/>,
    /// the template the result fills: with a trailing slash when the template has one (<c>/orders/62/</c> for
    /// <c>/orders/{id}/</c>), else none (<c>/orders/62</c>). The segment is taken as it is (escape it before).
    /// </summary>
    public static string Child(string parent, string segment, string template) =>
        $"{parent.TrimEnd('/')}/{segment}{(HasTrailingSlash(template) ? "/" : string.Empty)}";

    /// <summary><paramref name="path"/> in the shape of <paramref name="template"/>: with its trailing slash when the template has one, else without.</summary>
    public static string Shaped(string path, string template) =>
        HasTrailingSlash(template) ? Bare(path) + "/" : Bare(path);

    /// <summary>The single segment <paramref name="child"/> adds to <paramref name="parent"/>, trailing slashes aside; null otherwise.</summary>
    private static string? ChildOf(string child, string parent)
    {
        var prefix = Bare(parent).TrimEnd('/') + "/";
        var bare = Bare(child);
        if (!bare.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = bare[prefix.Length..];
        return rest.Length > 0 && !rest.Contains('/', StringComparison.Ordinal) ? rest : null;
    }
}

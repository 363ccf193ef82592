namespace Archgate.Checks.Contracts;

/// <summary>A contract's path template (<c>/books/{id}/reviews</c>) against a path, segment by segment.</summary>
internal static class PathTemplates
{
    /// <summary>The segments of a path or template, without its leading and trailing slash.</summary>
    public static string[] Split(string path) => path.Trim('/').Split('/');

    /// <summary>Whether <paramref name="path"/> is one the template names: the same literal segments, any non-empty value for a parameter.</summary>
    public static bool Matches(string[] template, string[] path) =>
        template.Length == path.Length && template.Zip(path).All(p => (p.First.StartsWith('{') && p.First.EndsWith('}') && p.Second.Length > 0) || p.First == p.Second);
}

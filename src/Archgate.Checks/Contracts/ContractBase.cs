using Microsoft.OpenApi;

namespace Archgate.Checks.Contracts;

/// <summary>
/// Where a service's contract operations live, and how the manifest's paths relate to them. The manifest's paths (a
/// login, a health path, journeys, load requests) are under the component's <c>url</c>, path included; the contract's
/// templates are under that url plus the path of the document's first server (<c>servers: [{ url: /api/v1 }]</c>),
/// unless the url has a path of its own already. So with <c>url: http://host</c> and that server, the login is written
/// <c>/api/v1/auth/token</c> and the contract's <c>/notes</c> is called at <c>http://host/api/v1/notes</c>.
/// </summary>
internal static class ContractBase
{
    /// <summary>The component's URL plus the path of the document's first server, unless the URL has a path of its own.</summary>
    public static Uri Of(Uri url, OpenApiDocument? document)
    {
        var server = document?.Servers?.FirstOrDefault()?.Url;
        if (server is null || url.AbsolutePath.Trim('/').Length > 0 || server.Contains('{', StringComparison.Ordinal))
        {
            return url;
        }

        var path = Uri.TryCreate(server, UriKind.Absolute, out var absolute) ? absolute.AbsolutePath : server.Split('?')[0];
        return path.Trim('/').Length == 0 ? url : new Uri(url, "/" + path.Trim('/'));
    }

    /// <summary>What goes before a contract template to make it a manifest path (<c>/api/v1</c>), or nothing.</summary>
    public static string Prefix(Uri url, OpenApiDocument? document) =>
        Of(url, document).AbsolutePath.TrimEnd('/')[url.AbsolutePath.TrimEnd('/').Length..];

    /// <summary>A manifest path as the contract writes it: <paramref name="prefix"/> taken off (<c>/api/v1/notes</c> is <c>/notes</c>).</summary>
    public static string Strip(string path, string prefix) =>
        prefix.Length > 0 && path.StartsWith(prefix, StringComparison.Ordinal) && (path.Length == prefix.Length || path[prefix.Length] is '/' or '?')
            ? (path.Length == prefix.Length ? "/" : path[prefix.Length..])
            : path;
}

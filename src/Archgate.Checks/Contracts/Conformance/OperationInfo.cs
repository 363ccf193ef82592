using Microsoft.OpenApi;

namespace Archgate.Checks.Contracts.Conformance;

/// <summary>One operation of a document, with the parameters of its path item merged into its own.</summary>
internal sealed record OperationInfo(string Method, string Template, OpenApiOperation Operation, IReadOnlyList<IOpenApiParameter> Parameters, bool Secured)
{
    private static readonly Dictionary<string, int> MethodRank = new(StringComparer.Ordinal)
    {
        ["POST"] = 0, ["PUT"] = 1, ["GET"] = 2, ["HEAD"] = 2, ["OPTIONS"] = 2, ["PATCH"] = 3, ["DELETE"] = 4,
    };

    /// <summary><c>GET /orders/{id}</c>.</summary>
    public string Name => $"{Method} {Template}";

    /// <summary>
    /// Whether the operation switches protocols (a <c>101</c> answer, as OpenAPI describes a WebSocket): a plain request
    /// cannot test it, the realtime check of step 5 connects to it.
    /// </summary>
    public bool IsUpgrade => Operation.Responses?.ContainsKey("101") == true;

    /// <summary>
    /// Whether the contract lets a caller in without credentials: the operation's <c>security</c> (else the document's,
    /// which an operation's own list overrides, even an empty one) is absent, empty (<c>security: []</c>), or offers the
    /// empty requirement <c>{}</c> among its alternatives (optional authentication). Not the opposite of
    /// <see cref="Secured"/>: <c>[{}, {bearer: []}]</c> is both, credentials are sent and not required.
    /// </summary>
    public bool AllowsAnonymous { get; init; }

    /// <summary>
    /// The JSON media type to send a body as: <c>application/json</c> where the contract accepts it (or declares no
    /// body), else the first JSON type it declares (<c>application/merge-patch+json</c>, <c>application/vnd.x+json</c>).
    /// </summary>
    public string JsonMediaType =>
        Operation.RequestBody?.Content?.Keys.Where(k => k.Contains("json", StringComparison.OrdinalIgnoreCase)).ToList() is { Count: > 0 } types
        && !types.Any(t => t.Equals("application/json", StringComparison.OrdinalIgnoreCase))
            ? types[0]
            : "application/json";

    /// <summary>Methods that never change state (RFC 9110 safe methods).</summary>
    public bool IsSafe => Method is "GET" or "HEAD" or "OPTIONS";

    /// <summary>
    /// Every operation in the order they are tested: creators first (POST, PUT), then reads, then changes
    /// (PATCH), then deletes, deepest path first; so reads and changes find what creators made, and a delete
    /// removes what the run made only after everything else used it.
    /// </summary>
    public static IReadOnlyList<OperationInfo> All(OpenApiDocument document)
    {
        var defaultSecured = document.Security is { Count: > 0 } security && security.Any(r => r.Count > 0);
        var defaultAnonymous = Anonymous(document.Security);
        var result = new List<OperationInfo>();
        foreach (var (template, item) in document.Paths ?? [])
        {
            foreach (var (method, operation) in item.Operations ?? [])
            {
                var parameters = new List<IOpenApiParameter>();
                foreach (var parameter in (operation.Parameters ?? []).Concat(item.Parameters ?? []))
                {
                    if (parameter.Name is not null && !parameters.Any(p => p.Name == parameter.Name && p.In == parameter.In))
                    {
                        parameters.Add(parameter);
                    }
                }

                var secured = operation.Security is null ? defaultSecured : operation.Security.Any(r => r.Count > 0);
                result.Add(new OperationInfo(method.Method.ToUpperInvariant(), template, operation, parameters, secured)
                {
                    AllowsAnonymous = operation.Security is null ? defaultAnonymous : Anonymous(operation.Security),
                });
            }
        }

        return result
            .OrderBy(o => MethodRank.GetValueOrDefault(o.Method, 2))
            .ThenBy(o => o.Method == "DELETE" ? -Depth(o.Template) : Depth(o.Template))
            .ThenBy(o => o.Template, StringComparer.Ordinal)
            .ThenBy(o => o.Method, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Whether a list of security requirements (alternatives) lets a caller in without credentials.</summary>
    private static bool Anonymous(IList<OpenApiSecurityRequirement>? requirements) =>
        requirements is null || requirements.Count == 0 || requirements.Any(r => r.Count == 0);

    private static int Depth(string template) => template.Count(c => c == '/');
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Archgate.Checks.Contracts.Conformance;
using Archgate.Checks.Contracts.Diff;
using Microsoft.OpenApi;

namespace Archgate.Checks.Security.Probes;

/// <summary>One string input of a request that probes replace: a query, path, header or cookie parameter, or a top-level JSON body field.</summary>
/// <param name="Name">As findings name it: <c>query 'search'</c>, <c>header 'X-Tenant'</c>, <c>cookie 'theme'</c>, <c>body 'note'</c>.</param>
/// <param name="Parameter">The bare parameter or field name.</param>
/// <param name="Original">The value of the valid request (a plausible one when the valid request leaves the input out).</param>
/// <param name="With">The valid request with this input set to a value.</param>
internal sealed record InjectionPoint(string Name, string Parameter, string Original, Func<string, ProbeRequest> With)
{
    /// <summary>Where the value goes: a header or a cookie limits what it can carry (<see cref="Carries"/>).</summary>
    public ParameterLocation? In { get; init; }

    /// <summary>
    /// Headers no probe replaces: credentials and transport semantics. A contract may declare them as parameters
    /// (<c>Accept</c>, <c>Authorization</c> from <c>@ApiHeader</c>), but a value of Archgate's own there tests the
    /// authentication or the framework, not the handler's use of an input.
    /// </summary>
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "Authorization", "Proxy-Authorization", "Cookie", "Content-Type", "Content-Length", "Transfer-Encoding", "Host", "Accept", "Connection",
    };

    /// <summary>
    /// Every string input of <paramref name="request"/>, a valid request of <paramref name="operation"/>; no header or
    /// cookie of <paramref name="credentials"/> (the contract's apiKey places, the identity's session cookies and headers).
    /// </summary>
    public static IReadOnlyList<InjectionPoint> Of(OperationInfo operation, ProbeRequest request, IReadOnlyCollection<string>? credentials = null)
    {
        var result = new List<InjectionPoint>();
        for (var i = 0; i < request.Query.Count; i++)
        {
            var (name, value) = request.Query[i];
            if (IsString(operation.Parameters.FirstOrDefault(p => p.In == ParameterLocation.Query && p.Name == name)?.Schema))
            {
                var index = i;
                result.Add(new($"query '{name}'", name, value, v => request with
                {
                    Query = [.. request.Query.Select((q, j) => j == index ? new KeyValuePair<string, string>(q.Key, v) : q)],
                }));
            }
        }

        // An optional query parameter the valid request leaves out (no example, no default: a generated contract's search
        // `q`) is the most typical injectable input: it is probed from a plausible value, as a body field left out is.
        foreach (var parameter in operation.Parameters.Where(p => p.In == ParameterLocation.Query && p.Name is not null && IsString(p.Schema)
            && !request.Query.Any(q => q.Key == p.Name)))
        {
            var name = parameter.Name!;
            result.Add(new($"query '{name}'", name, BaseValue(parameter.Schema!), v => request with { Query = [.. request.Query, new(name, v)] }));
        }

        var templateSegments = request.Template.Split('/');
        var pathSegments = request.Path.Split('/');
        if (templateSegments.Length == pathSegments.Length)
        {
            for (var i = 0; i < templateSegments.Length; i++)
            {
                var segment = templateSegments[i];
                if (segment.Length > 2 && segment[0] == '{' && segment[^1] == '}'
                    && IsString(operation.Parameters.FirstOrDefault(p => p.In == ParameterLocation.Path && p.Name == segment[1..^1])?.Schema))
                {
                    var index = i;
                    result.Add(new($"path '{segment[1..^1]}'", segment[1..^1], Uri.UnescapeDataString(pathSegments[i]), v => request with
                    {
                        Path = string.Join('/', pathSegments.Select((s, j) => j == index ? Uri.EscapeDataString(v) : s)),
                    }));
                }
            }
        }

        // Header and cookie parameters: a tenant, a request id, a theme a handler puts into SQL or a shell is as much an input
        // as a query parameter. One the valid request leaves out is probed from a plausible value, as a query parameter is.
        foreach (var parameter in operation.Parameters.Where(p => p.In is ParameterLocation.Header or ParameterLocation.Cookie && p.Name is not null && IsString(p.Schema)))
        {
            var name = parameter.Name!;
            if (Reserved.Contains(name) || credentials?.Contains(name, StringComparer.OrdinalIgnoreCase) == true)
            {
                continue;
            }

            if (parameter.In == ParameterLocation.Header)
            {
                var original = request.Headers.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value ?? BaseValue(parameter.Schema!);
                result.Add(new($"header '{name}'", name, original, v => request.WithHeader(name, v)) { In = ParameterLocation.Header });
            }
            else
            {
                var original = request.Cookies.FirstOrDefault(c => c.Key == name).Value ?? BaseValue(parameter.Schema!);
                result.Add(new($"cookie '{name}'", name, original, v => request with { Cookies = [.. request.Cookies.Where(c => c.Key != name), new(name, v)] })
                {
                    In = ParameterLocation.Cookie,
                });
            }
        }

        if (request.Body is not null && request.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true && Parse(request.Body) is JsonObject body)
        {
            var schema = operation.Operation.RequestBody?.Content?.FirstOrDefault(c => c.Key.Contains("json", StringComparison.OrdinalIgnoreCase)).Value?.Schema;
            var properties = schema is null ? new Dictionary<string, IOpenApiSchema>() : SchemaView.Of(schema).Properties;
            var names = body.Where(p => p.Value is JsonValue v && v.GetValueKind() == JsonValueKind.String).Select(p => p.Key)
                .Concat(properties.Where(p => !body.ContainsKey(p.Key) && IsString(p.Value) && !SchemaView.Of(p.Value).ReadOnly).Select(p => p.Key))
                .Distinct(StringComparer.Ordinal).ToList();
            foreach (var name in names)
            {
                var original = body[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : properties.TryGetValue(name, out var property) ? BaseValue(property) : Plausible;
                result.Add(new($"body '{name}'", name, original, value =>
                {
                    var copy = (JsonObject)body.DeepClone();
                    copy[name] = value;
                    return request with { Body = copy.ToJsonString() };
                }));
            }
        }

        // A probe is no longer the request it varies: its findings name the input it changed, not the valid request's purpose.
        return [.. result.Select(p => p with { With = v => p.With(v) with { Purpose = $"a probe value in {p.Name}" } })];
    }

    /// <summary>
    /// Whether <paramref name="value"/> can be sent in this input as it is: a header value takes visible ASCII, spaces and
    /// tabs only (no CR/LF: HTTP has no escape for them, and a client refuses them), a cookie value also no <c>;</c>
    /// (which ends it), <c>"</c> or <c>\</c> (which a strict parser drops the cookie for). A probe value it cannot carry is
    /// not sent, and the coverage says which.
    /// </summary>
    public bool Carries(string value) => In switch
    {
        ParameterLocation.Header => value.All(c => c is '\t' or (>= ' ' and <= '~')),
        ParameterLocation.Cookie => value.All(c => c is >= ' ' and <= '~' and not (';' or '"' or '\\')),
        _ => true,
    };

    /// <summary>Why a value cannot go into this input (<see cref="Carries"/>).</summary>
    public string Limit => In == ParameterLocation.Cookie
        ? "a cookie value cannot carry CR, LF, ';', '\"', '\\' or characters outside visible ASCII"
        : "a header value cannot carry CR, LF or characters outside visible ASCII";

    /// <summary>The value an input the valid request leaves out is probed from. <value>archgate</value>.</summary>
    private const string Plausible = "archgate";

    /// <summary>The first member of a string enum (a value the service takes), else <see cref="Plausible"/>.</summary>
    private static string BaseValue(IOpenApiSchema schema) =>
        SchemaView.Of(schema).Enum.Select(Parse).OfType<JsonValue>().Select(v => v.TryGetValue<string>(out var s) ? s : null).FirstOrDefault(s => s is not null) ?? Plausible;

    private static bool IsString(IOpenApiSchema? schema) =>
        schema is not null && SchemaView.Of(schema) is { Types: { } types } view && types.HasFlag(JsonSchemaType.String) && view.Format is not ("date-time" or "date" or "uuid" or "binary" or "byte");

    private static JsonNode? Parse(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

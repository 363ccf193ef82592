using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Archgate.Checks.Contracts;
using Archgate.Checks.Contracts.Conformance;
using Archgate.Checks.Faults;
using Microsoft.OpenApi;

namespace Archgate.Checks.ThirdParty.Vendor;

/// <summary>Why the vendor would reject a request.</summary>
internal enum VendorProblemKind
{
    /// <summary>No operation of the document has this path, or not with this method.</summary>
    NoOperation,

    /// <summary>None of the operation's security requirements is met (no key, or in the wrong place).</summary>
    Credentials,

    /// <summary>A required query or header parameter is missing.</summary>
    Parameter,

    /// <summary>The body is missing, of a media type the operation does not take, or unreadable.</summary>
    Body,

    /// <summary>The body does not match the operation's schema.</summary>
    Schema,
}

/// <summary>One reason the vendor would reject a request.</summary>
/// <param name="Kind">What is wrong.</param>
/// <param name="Operation">The operation matched (<c>POST /v3/mail/send</c>), or the request's method and path when none did.</param>
/// <param name="Message">One sentence: what the vendor expects and what was sent.</param>
/// <param name="SchemaPath">Where in the vendor's document the rule is (<c>#/components/schemas/from_email_object/required</c>).</param>
internal sealed record VendorProblem(VendorProblemKind Kind, string Operation, string Message, string SchemaPath);

/// <summary>
/// Validates requests a caller sent a provider (as the fault proxy recorded them) against the provider's published
/// OpenAPI document: path and method, credentials (its security schemes), required parameters, the body's media type
/// and its schema (JSON, or a form as an object of strings). Request bodies are checked with the contract checks'
/// <see cref="BodyValidator"/> in the request direction (readOnly properties must not be sent).
/// </summary>
internal sealed class VendorRequestValidator
{
    private readonly List<(string[] Segments, string Template, IOpenApiPathItem Item)> _paths = [];
    private readonly OpenApiDocument _document;
    private readonly BodyValidator _bodies;

    public VendorRequestValidator(OpenApiDocument document)
    {
        _document = document;
        var schemas = new List<IOpenApiSchema>();
        foreach (var (template, item) in document.Paths ?? [])
        {
            _paths.Add((Split(template), template, item));
            foreach (var (_, operation) in item.Operations ?? [])
            {
                schemas.AddRange((operation.RequestBody?.Content ?? new Dictionary<string, IOpenApiMediaType>()).Values.Select(m => m.Schema).OfType<IOpenApiSchema>());
            }
        }

        // Literal segments before templated ones: /v3/mail/send wins over /v3/{domain}/send.
        _paths.Sort((a, b) => string.CompareOrdinal(Rank(a.Segments), Rank(b.Segments)));
        _bodies = new BodyValidator(schemas, Direction.Request);
    }

    /// <summary>The path prefix of the document's first server URL (<c>/v1</c> of <c>https://api.example.com/v1</c>), or empty.</summary>
    private string ServerPrefix =>
        _document.Servers is { Count: > 0 } servers && Uri.TryCreate(servers[0].Url, UriKind.Absolute, out var url) ? url.AbsolutePath.TrimEnd('/') : string.Empty;

    /// <summary>Every reason the vendor would reject <paramref name="request"/> (at most a few per request); empty when it would take it.</summary>
    public IReadOnlyList<VendorProblem> Validate(ProxiedRequest request)
    {
        var (path, query) = SplitTarget(request.Target);
        var prefix = ServerPrefix;
        if (prefix.Length > 0 && path.StartsWith(prefix + "/", StringComparison.Ordinal))
        {
            path = path[prefix.Length..];
        }

        var shown = $"{request.Method} {path}";
        var match = _paths.FirstOrDefault(p => Matches(p.Segments, Split(path)));
        if (match.Item is null)
        {
            return [new(VendorProblemKind.NoOperation, shown, $"the contract has no path {path}: the vendor answers 404", "#/paths")];
        }

        var pointer = $"#/paths/{Escape(match.Template)}";
        var operation = match.Item.Operations?.FirstOrDefault(o => o.Key.Method.Equals(request.Method, StringComparison.OrdinalIgnoreCase)).Value;
        if (operation is null)
        {
            var allowed = string.Join(", ", (match.Item.Operations ?? []).Keys.Select(m => m.Method.ToUpperInvariant()));
            return [new(VendorProblemKind.NoOperation, shown, $"{match.Template} takes {allowed}, not {request.Method}: the vendor answers 405", pointer)];
        }

        var name = $"{request.Method.ToUpperInvariant()} {match.Template}";
        pointer += "/" + request.Method.ToLowerInvariant();
        var problems = new List<VendorProblem>();
        problems.AddRange(Credentials(request, query, operation, name, pointer));
        problems.AddRange(Parameters(request, query, match.Item, operation, name, pointer));
        problems.AddRange(Body(request, operation, name, pointer));
        return problems;
    }

    private IEnumerable<VendorProblem> Credentials(ProxiedRequest request, IReadOnlyDictionary<string, List<string>> query, OpenApiOperation operation, string name, string pointer)
    {
        var requirements = operation.Security ?? _document.Security;
        var where = operation.Security is null ? "#/security" : $"{pointer}/security";
        if (requirements is not { Count: > 0 } || requirements.Any(r => r.Count == 0))
        {
            yield break; // anonymous allowed
        }

        if (requirements.Any(r => r.Keys.All(s => Carries(request, query, s))))
        {
            yield break;
        }

        var wanted = string.Join(" or ", requirements.Select(r => string.Join(" and ", r.Keys.Select(Describe))));
        yield return new(VendorProblemKind.Credentials, name, $"the vendor wants {wanted}; the request carries none: the vendor answers 401", where);
    }

    private static bool Carries(ProxiedRequest request, IReadOnlyDictionary<string, List<string>> query, OpenApiSecuritySchemeReference scheme)
    {
        var authorization = request.Header("Authorization") ?? string.Empty;
        return scheme.Type switch
        {
            SecuritySchemeType.ApiKey => scheme.In switch
            {
                ParameterLocation.Query => query.ContainsKey(scheme.Name ?? string.Empty),
                ParameterLocation.Cookie => request.Header("Cookie")?.Contains((scheme.Name ?? string.Empty) + "=", StringComparison.Ordinal) == true,
                _ => !string.IsNullOrWhiteSpace(request.Header(scheme.Name ?? "Authorization")),
            },
            SecuritySchemeType.Http => authorization.StartsWith((scheme.Scheme ?? "bearer") + " ", StringComparison.OrdinalIgnoreCase)
                && authorization.Length > (scheme.Scheme ?? "bearer").Length + 1,
            SecuritySchemeType.OAuth2 or SecuritySchemeType.OpenIdConnect => authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase),
            _ => true, // mutualTLS: not visible at the proxy
        };
    }

    private static string Describe(OpenApiSecuritySchemeReference scheme) => scheme.Type switch
    {
        SecuritySchemeType.ApiKey => $"an API key in {scheme.In?.ToString().ToLowerInvariant() ?? "header"} {scheme.Name}",
        SecuritySchemeType.Http => $"Authorization: {scheme.Scheme ?? "bearer"}",
        _ => $"{scheme.Type} credentials",
    };

    private static IEnumerable<VendorProblem> Parameters(ProxiedRequest request, IReadOnlyDictionary<string, List<string>> query, IOpenApiPathItem item, OpenApiOperation operation, string name, string pointer)
    {
        foreach (var parameter in (operation.Parameters ?? []).Concat(item.Parameters ?? []).Where(p => p.Required && p.Name is not null))
        {
            var present = parameter.In switch
            {
                ParameterLocation.Query => query.ContainsKey(parameter.Name!),
                // OpenAPI: Accept, Content-Type and Authorization header parameters are ignored (other fields say them).
                ParameterLocation.Header => parameter.Name!.ToLowerInvariant() is "accept" or "content-type" or "authorization" || request.Header(parameter.Name!) is not null,
                _ => true,
            };
            if (!present)
            {
                yield return new(VendorProblemKind.Parameter, name, $"required {parameter.In?.ToString().ToLowerInvariant()} parameter '{parameter.Name}' is missing: the vendor answers 400", $"{pointer}/parameters");
            }
        }
    }

    private IEnumerable<VendorProblem> Body(ProxiedRequest request, OpenApiOperation operation, string name, string pointer)
    {
        if (operation.RequestBody is not { } body)
        {
            yield break;
        }

        var content = body.Content ?? new Dictionary<string, IOpenApiMediaType>();
        var at = $"{pointer}/requestBody";
        if (request.Body is null || request.Body.Bytes.Length == 0)
        {
            if (body.Required)
            {
                yield return new(VendorProblemKind.Body, name, $"the vendor requires a body ({string.Join(", ", content.Keys)}); none was sent", at);
            }

            yield break;
        }

        var sent = request.Header("Content-Type");
        var mediaType = ResponseChecker.MatchMediaType(content.Keys, sent?.Split(';')[0].Trim());
        if (mediaType is null)
        {
            yield return new(VendorProblemKind.Body, name, $"the vendor takes {string.Join(", ", content.Keys)}, the request sent {sent ?? "no Content-Type"}: the vendor answers 415 or 400", $"{at}/content");
            yield break;
        }

        if (content[mediaType].Schema is not { } schema || request.Body.Truncated)
        {
            yield break; // nothing to check, or only part of it was kept
        }

        var schemaPointer = $"{at}/content/{Escape(mediaType)}/schema";
        JsonElement value;
        string? unreadable = null;
        try
        {
            value = mediaType.Contains("json", StringComparison.OrdinalIgnoreCase)
                ? JsonDocument.Parse(request.Body.Bytes).RootElement.Clone()
                : mediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)
                    ? JsonSerializer.SerializeToElement(Form(Encoding.UTF8.GetString(request.Body.Bytes), schema))
                    : default;
        }
        catch (JsonException ex)
        {
            value = default;
            unreadable = ex.Message;
        }

        if (unreadable is not null)
        {
            yield return new(VendorProblemKind.Body, name, $"the body is not valid JSON ({unreadable}): the vendor answers 400", schemaPointer);
            yield break;
        }

        if (value.ValueKind == JsonValueKind.Undefined)
        {
            yield break; // multipart and other media: not read here
        }

        foreach (var mismatch in _bodies.Validate(schema, value, max: 5))
        {
            yield return new(VendorProblemKind.Schema, name, $"{mismatch.Message}: the vendor answers 400", SchemaPath(schema, schemaPointer, mismatch));
        }
    }

    /// <summary>
    /// The document pointer of the schema that a mismatch breaks: the instance path followed through properties and
    /// items (a referenced schema restarts at its component), ending in <c>/required</c> for a missing property.
    /// </summary>
    internal static string SchemaPath(IOpenApiSchema root, string rootPointer, SchemaMismatch mismatch)
    {
        var tokens = PathTokens(mismatch.Path);
        var missing = mismatch.Actual == "missing";
        var node = root;
        var pointer = rootPointer;
        for (var i = 0; i < tokens.Count; i++)
        {
            if (node is OpenApiSchemaReference reference && reference.Reference?.Id is { } id)
            {
                pointer = $"#/components/schemas/{Escape(id)}";
            }

            if (missing && i == tokens.Count - 1)
            {
                return pointer + "/required";
            }

            var (property, isIndex) = tokens[i];
            IOpenApiSchema? next = isIndex ? node.Items : node.Properties is { } properties && properties.TryGetValue(property!, out var found) ? found : null;
            if (next is null)
            {
                return pointer;
            }

            pointer += isIndex ? "/items" : $"/properties/{Escape(property!)}";
            node = next;
        }

        return node is OpenApiSchemaReference leaf && leaf.Reference?.Id is { } leafId ? $"#/components/schemas/{Escape(leafId)}" : pointer;
    }

    /// <summary>The steps of a JSON path as <see cref="BodyValidator"/> writes it: <c>$.a[0]['b c']</c> → a, [index], b c.</summary>
    internal static List<(string? Name, bool Index)> PathTokens(string path)
    {
        var tokens = new List<(string?, bool)>();
        var i = path.StartsWith('$') ? 1 : 0;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                var end = i + 1;
                while (end < path.Length && path[end] is not '.' and not '[')
                {
                    end++;
                }

                tokens.Add((path[(i + 1)..end], false));
                i = end;
            }
            else if (path[i] == '[' && i + 1 < path.Length && path[i + 1] == '\'')
            {
                var end = path.IndexOf("']", i + 2, StringComparison.Ordinal);
                end = end < 0 ? path.Length : end;
                tokens.Add((path[(i + 2)..end].Replace("\\'", "'", StringComparison.Ordinal), false));
                i = end + 2;
            }
            else if (path[i] == '[')
            {
                var end = path.IndexOf(']', i);
                end = end < 0 ? path.Length : end;
                tokens.Add((null, true));
                i = end + 1;
            }
            else
            {
                i++;
            }
        }

        return tokens;
    }

    /// <summary>
    /// A form body as its schema reads it (OpenAPI's <c>form</c> style, exploded): a field whose property is an array
    /// is an array even when sent once (Mailgun's <c>to</c>), and one whose property is a number or a boolean, and not
    /// a string, is read as one when it parses; the rest as <see cref="Form(string)"/> gives them.
    /// </summary>
    internal static JsonObject Form(string text, IOpenApiSchema schema)
    {
        var form = Form(text);
        var properties = Contracts.Diff.SchemaView.Of(schema).Properties;
        foreach (var (name, value) in form.ToList())
        {
            if (value is not JsonValue single || !properties.TryGetValue(name, out var property) || Contracts.Diff.SchemaView.Of(property).Types is not { } types)
            {
                continue;
            }

            var field = single.GetValue<string>();
            if (types.HasFlag(JsonSchemaType.Array))
            {
                form[name] = new JsonArray(JsonValue.Create(field));
            }
            else if (!types.HasFlag(JsonSchemaType.String))
            {
                if ((types.HasFlag(JsonSchemaType.Integer) || types.HasFlag(JsonSchemaType.Number))
                    && decimal.TryParse(field, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var number))
                {
                    form[name] = JsonValue.Create(number);
                }
                else if (types.HasFlag(JsonSchemaType.Boolean) && field is "true" or "false")
                {
                    form[name] = JsonValue.Create(field == "true");
                }
            }
        }

        return form;
    }

    /// <summary>A form body as an object: a field given once is a string, given more than once an array of strings.</summary>
    internal static JsonObject Form(string text)
    {
        var fields = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var pair in text.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString((eq < 0 ? pair : pair[..eq]).Replace('+', ' '));
            var value = eq < 0 ? string.Empty : Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' '));
            if (!fields.TryGetValue(key, out var list))
            {
                fields[key] = list = [];
            }

            list.Add(value);
        }

        var result = new JsonObject();
        foreach (var (key, values) in fields)
        {
            result[key] = values.Count == 1 ? JsonValue.Create(values[0]) : new JsonArray([.. values.Select(v => (JsonNode?)JsonValue.Create(v))]);
        }

        return result;
    }

    private static (string Path, IReadOnlyDictionary<string, List<string>> Query) SplitTarget(string target)
    {
        var q = target.IndexOf('?', StringComparison.Ordinal);
        var path = q < 0 ? target : target[..q];
        var query = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        if (q >= 0)
        {
            foreach (var (key, value) in Form(target[(q + 1)..]))
            {
                query[key] = value is JsonArray a ? [.. a.Select(v => v?.ToString() ?? string.Empty)] : [value?.ToString() ?? string.Empty];
            }
        }

        return (Uri.UnescapeDataString(path), query);
    }

    private static string[] Split(string path) => PathTemplates.Split(path);

    private static bool Matches(string[] template, string[] path) => PathTemplates.Matches(template, path);

    private static string Rank(string[] segments) => string.Concat(segments.Select(s => s.StartsWith('{') ? "1" : "0"));

    private static string Escape(string segment) => segment.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
}

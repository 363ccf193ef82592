using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace Archgate.Checks.Contracts.Conformance;

/// <summary>The requests for one operation, or why it cannot be tested safely.</summary>
internal sealed record OperationPlan(IReadOnlyList<ProbeRequest> Requests, string? SkipReason);

/// <summary>
/// Builds the requests of an operation: valid ones from the document's examples first, then from the schema's
/// lower and upper boundaries; then invalid ones, each with one input broken (a required field missing, a value
/// of the wrong type, a value out of range). Path parameters come from a resource the run created, else a
/// manifest fixture, else the document's examples; PUT and PATCH on a path with parameters need a created
/// resource or a fixture, and DELETE only ever targets what the run created.
/// </summary>
internal static class RequestPlanner
{
    private static readonly string[] IgnoredHeaders = ["accept", "content-type", "authorization"];

    /// <summary>The requests for <paramref name="operation"/>, at most <paramref name="max"/>.</summary>
    public static OperationPlan Plan(OperationInfo operation, ResourceBook book, int max)
    {
        var pathValues = new Dictionary<string, string>(StringComparer.Ordinal);
        var bound = true;
        foreach (var name in ResourceBook.Parameters(operation.Template))
        {
            var value = book.Created(operation.Template, name) ?? book.Fixture(operation.Template, name);
            if (value is null)
            {
                bound = false;
                var parameter = operation.Parameters.FirstOrDefault(p => p.In == ParameterLocation.Path && p.Name == name);
                value = ValueGenerator.AsText(parameter is null ? "1" : ParameterValue(parameter, ValueKind.Example));
            }

            if (value is null)
            {
                return new OperationPlan([], $"no value for the path parameter '{name}': give an example in the document or a fixture in the manifest");
            }

            pathValues[name] = value;
        }

        var path = Fill(operation.Template, pathValues);
        if (operation.Method == "DELETE" && !book.IsCreated(path))
        {
            return new OperationPlan([], "DELETE is only sent to resources this run created, and it created none here");
        }

        if (operation.Method is "PUT" or "PATCH" && pathValues.Count > 0 && !bound)
        {
            return new OperationPlan([], $"{operation.Method} changes an existing resource: it needs one created earlier in the run (by a POST) or a fixture id in the manifest (openapi.fixtures)");
        }

        var media = BodyMedia(operation.Operation.RequestBody);
        if (operation.Operation.RequestBody is { Required: true } && media is null)
        {
            var types = string.Join(", ", operation.Operation.RequestBody.Content?.Keys ?? []);
            return new OperationPlan([], $"the request body ({types}) is neither JSON nor a form");
        }

        var valid = new List<(string Purpose, Values Values)>();
        foreach (var (purpose, body) in ExampleBodies(media))
        {
            valid.Add((purpose, Build(operation, ValueKind.Example, body, pathValues)));
        }

        foreach (var kind in new[] { ValueKind.Minimum, ValueKind.Maximum })
        {
            var body = media is null ? null : ValueGenerator.Value(media.Value.Media.Schema, kind);
            valid.Add(($"schema {kind.ToString().ToLowerInvariant()} values", Build(operation, kind, body, pathValues)));
        }

        var requests = new List<ProbeRequest>();
        void Add(ProbeRequest request)
        {
            if (requests.Count < max && requests.All(r => r.Identity != request.Identity))
            {
                requests.Add(request);
            }
        }

        // Invalid requests are not made for DELETE: a delete is only sent to what the run created, once.
        var invalid = operation.Method == "DELETE" ? [] : Invalid(operation, valid[0].Values, media?.Media.Schema);
        var validCap = Math.Max(1, max - invalid.Count);
        foreach (var (purpose, values) in valid)
        {
            if (requests.Count < validCap)
            {
                Add(ToRequest(operation, values, media?.Type, ProbeKind.Valid, purpose, book));
            }
        }

        foreach (var (purpose, values) in invalid)
        {
            Add(ToRequest(operation, values, media?.Type, ProbeKind.Invalid, purpose, book));
        }

        return new OperationPlan(requests, null);
    }

    /// <summary>A request with a method <paramref name="method"/> the path does not declare, to see it answered 405.</summary>
    public static ProbeRequest UnsupportedMethod(string template, string method, ResourceBook book, IReadOnlyList<OperationInfo> operations)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in ResourceBook.Parameters(template))
        {
            var parameter = operations.SelectMany(o => o.Parameters).FirstOrDefault(p => p.In == ParameterLocation.Path && p.Name == name);
            values[name] = book.Created(template, name) ?? book.Fixture(template, name)
                ?? ValueGenerator.AsText(parameter is null ? "1" : ParameterValue(parameter, ValueKind.Example)) ?? "1";
        }

        return new ProbeRequest
        {
            Method = method,
            Template = template,
            Path = Fill(template, values),
            Kind = ProbeKind.UnsupportedMethod,
            Purpose = $"{method} is not declared for {template}",
        };
    }

    private sealed record Values(
        Dictionary<string, string> Path,
        List<KeyValuePair<string, string>> Query,
        List<KeyValuePair<string, string>> Headers,
        List<KeyValuePair<string, string>> Cookies,
        JsonNode? Body)
    {
        public Values Copy() => new(new(Path), [.. Query], [.. Headers], [.. Cookies], Body?.DeepClone());
    }

    private static Values Build(OperationInfo operation, ValueKind kind, JsonNode? body, Dictionary<string, string> path)
    {
        var values = new Values(new(path), [], [], [], body);
        foreach (var parameter in operation.Parameters.Where(p => p.In != ParameterLocation.Path))
        {
            var include = parameter.Required || kind == ValueKind.Maximum
                || (kind == ValueKind.Example && (parameter.Example is not null || parameter.Examples is { Count: > 0 }
                    || (parameter.Schema is not null && ValueGenerator.DocumentExample(parameter.Schema) is not null)));
            if (!include || (parameter.In == ParameterLocation.Header && IgnoredHeaders.Contains(parameter.Name!.ToLowerInvariant())))
            {
                continue;
            }

            if (ValueGenerator.AsText(ParameterValue(parameter, kind)) is { } text)
            {
                ListFor(values, parameter.In).Add(new(parameter.Name!, text));
            }
        }

        return values;
    }

    private static JsonNode? ParameterValue(IOpenApiParameter parameter, ValueKind kind)
    {
        if (kind == ValueKind.Example)
        {
            var example = parameter.Example ?? parameter.Examples?.Values.Select(e => e.Value).FirstOrDefault(v => v is not null);
            if (example is not null)
            {
                return example.DeepClone();
            }
        }

        return ValueGenerator.Value(parameter.Schema, kind);
    }

    private static List<KeyValuePair<string, string>> ListFor(Values values, ParameterLocation? location) => location switch
    {
        ParameterLocation.Header => values.Headers,
        ParameterLocation.Cookie => values.Cookies,
        _ => values.Query,
    };

    private static (string Type, IOpenApiMediaType Media)? BodyMedia(IOpenApiRequestBody? body)
    {
        var content = body?.Content;
        if (content is null || content.Count == 0)
        {
            return null;
        }

        foreach (var (type, media) in content)
        {
            if (type.Contains("json", StringComparison.OrdinalIgnoreCase))
            {
                return (type, media);
            }
        }

        return content.TryGetValue("application/x-www-form-urlencoded", out var form) ? ("application/x-www-form-urlencoded", form) : null;
    }

    private static IEnumerable<(string Purpose, JsonNode? Body)> ExampleBodies((string Type, IOpenApiMediaType Media)? media)
    {
        if (media is null)
        {
            yield return ("document examples", null);
            yield break;
        }

        var (_, m) = media.Value;
        var named = (m.Examples ?? new Dictionary<string, IOpenApiExample>()).Where(e => e.Value.Value is not null).Take(3).ToList();
        if (m.Example is not null)
        {
            yield return ("document example", m.Example.DeepClone());
        }
        else if (named.Count > 0)
        {
            foreach (var (name, example) in named)
            {
                yield return ($"document example '{name}'", example.Value!.DeepClone());
            }
        }
        else
        {
            yield return ("schema examples", ValueGenerator.Value(m.Schema, ValueKind.Example));
        }
    }

    private static List<(string Purpose, Values Values)> Invalid(OperationInfo operation, Values baseline, IOpenApiSchema? bodySchema)
    {
        var result = new List<(string, Values)>();
        var bodyView = bodySchema is null ? null : Diff.SchemaView.Of(bodySchema);
        var bodyObject = baseline.Body as JsonObject;
        var properties = bodyView is null || bodyObject is null
            ? []
            : bodyView.Properties.Where(p => !p.Value.ReadOnly)
                .OrderByDescending(p => bodyView.Required.Contains(p.Key))
                .ToList();
        var parameters = operation.Parameters
            .Where(p => p.Schema is not null && !(p.In == ParameterLocation.Header && IgnoredHeaders.Contains(p.Name!.ToLowerInvariant())))
            .OrderBy(p => p.In switch { ParameterLocation.Query => 0, ParameterLocation.Header => 1, ParameterLocation.Path => 2, _ => 3 })
            .ToList();

        // 1. A required field missing.
        if (bodyView is not null && bodyObject is not null && bodyView.Required.FirstOrDefault(bodyObject.ContainsKey) is { } missing)
        {
            var values = baseline.Copy();
            ((JsonObject)values.Body!).Remove(missing);
            result.Add(($"invalid: required body property '{missing}' left out", values));
        }
        else if (parameters.FirstOrDefault(p => p.Required && p.In != ParameterLocation.Path) is { } required)
        {
            var values = baseline.Copy();
            ListFor(values, required.In).RemoveAll(v => v.Key == required.Name);
            result.Add(($"invalid: required {Where(required)} left out", values));
        }

        // 2. A value of the wrong type.
        if (properties.Select(p => (p.Key, Wrong: ValueGenerator.WrongType(p.Value))).FirstOrDefault(p => p.Wrong is not null) is { Wrong: { } wrong } property)
        {
            var values = baseline.Copy();
            ((JsonObject)values.Body!)[property.Key] = wrong.Value;
            result.Add(($"invalid: body property '{property.Key}' is {wrong.What}", values));
        }
        else if (parameters.FirstOrDefault(p => ValueGenerator.WrongType(p.Schema!) is { Value: JsonValue v } && v.TryGetValue<string>(out _)) is { } typed)
        {
            var values = WithParameter(baseline, typed, "not-a-number");
            result.Add(($"invalid: {Where(typed)} is a string where a {Diff.SchemaView.Of(typed.Schema!).TypeText} is expected", values));
        }

        // 3. A value out of range.
        if (properties.Select(p => (p.Key, Range: ValueGenerator.OutOfRange(p.Value))).FirstOrDefault(p => p.Range is not null) is { Range: { } range } ranged)
        {
            var values = baseline.Copy();
            ((JsonObject)values.Body!)[ranged.Key] = range.Value;
            result.Add(($"invalid: body property '{ranged.Key}' is {range.What}", values));
        }
        else if (parameters.Select(p => (Parameter: p, Range: ValueGenerator.OutOfRange(p.Schema!))).FirstOrDefault(p => p.Range is not null) is { Range: { } pr } outOfRange)
        {
            var values = WithParameter(baseline, outOfRange.Parameter, ValueGenerator.AsText(pr.Value) ?? "");
            result.Add(($"invalid: {Where(outOfRange.Parameter)} is {pr.What}", values));
        }

        return result;
    }

    private static Values WithParameter(Values baseline, IOpenApiParameter parameter, string value)
    {
        var values = baseline.Copy();
        if (parameter.In == ParameterLocation.Path)
        {
            values.Path[parameter.Name!] = value;
        }
        else
        {
            var list = ListFor(values, parameter.In);
            list.RemoveAll(v => v.Key == parameter.Name);
            list.Add(new(parameter.Name!, value));
        }

        return values;
    }

    private static string Where(IOpenApiParameter parameter) =>
        $"{parameter.In?.ToString().ToLowerInvariant()} parameter '{parameter.Name}'";

    private static ProbeRequest ToRequest(OperationInfo operation, Values values, string? contentType, ProbeKind kind, string purpose, ResourceBook book)
    {
        var path = Fill(operation.Template, values.Path);
        var headers = values.Headers.ToList();
        // A conditional write uses the ETag the run saw last for this resource, not the document's sample.
        if (book.ETag(path) is { } etag)
        {
            for (var i = 0; i < headers.Count; i++)
            {
                if (headers[i].Key.Equals("If-Match", StringComparison.OrdinalIgnoreCase))
                {
                    headers[i] = new(headers[i].Key, etag);
                }
            }
        }

        string? body = null;
        if (values.Body is not null && contentType is not null)
        {
            body = contentType == "application/x-www-form-urlencoded" && values.Body is JsonObject form
                ? string.Join("&", form.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(ValueGenerator.AsText(p.Value) ?? "")}"))
                : values.Body.ToJsonString();
        }

        return new ProbeRequest
        {
            Method = operation.Method,
            Template = operation.Template,
            Path = path,
            Query = values.Query,
            Headers = headers,
            Cookies = values.Cookies,
            Body = body,
            ContentType = body is null ? null : contentType,
            Kind = kind,
            Purpose = purpose,
        };
    }

    private static string Fill(string template, IReadOnlyDictionary<string, string> values)
    {
        var path = template;
        foreach (var (name, value) in values)
        {
            path = path.Replace("{" + name + "}", Uri.EscapeDataString(value), StringComparison.Ordinal);
        }

        return path;
    }
}

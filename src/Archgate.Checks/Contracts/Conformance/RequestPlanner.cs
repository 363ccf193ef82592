using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace Archgate.Checks.Contracts.Conformance;

/// <summary>The requests for one operation, or why it cannot be tested safely.</summary>
/// <param name="Requests">The requests, valid ones first.</param>
/// <param name="SkipReason">Why the operation is not tested, or null.</param>
internal sealed record OperationPlan(IReadOnlyList<ProbeRequest> Requests, string? SkipReason)
{
    /// <summary>Invalid inputs that were not probed because the operation's request budget ran out (their purposes).</summary>
    public IReadOnlyList<string> NotProbed { get; init; } = [];

    /// <summary>Inputs sent with no value of a wrong type, because their schema allows every JSON type (no <c>type</c>, or all of them).</summary>
    public IReadOnlyList<string> NoWrongType { get; init; } = [];
}

/// <summary>
/// Builds the requests of an operation: valid ones from the document's examples first, then from the schema's
/// lower and upper boundaries; then invalid ones, each with one input broken: every required field missing,
/// every value of the wrong type (in the wire format: in a query or a form, <c>12345</c> is a fine string),
/// every boundary of every parameter and body field just crossed. Path parameters come from a resource the run created, else a
/// manifest fixture, else the document's examples; PUT and PATCH on a path with parameters, and a POST that acts on
/// an object the document declares (an action such as <c>POST /claims/{id}/submit</c>, not a create in a collection),
/// need a created resource or a fixture, and DELETE only ever targets what the run created.
/// </summary>
internal static class RequestPlanner
{
    private const string FormType = "application/x-www-form-urlencoded";

    private static readonly string[] IgnoredHeaders = ["accept", "content-type", "authorization"];

    // One validator per request body schema, built on first use; documents are not changed while a run uses them.
    private static readonly ConditionalWeakTable<IOpenApiSchema, BodyValidator> Validators = [];

    /// <summary>
    /// The requests for <paramref name="operation"/>, at most <paramref name="max"/>. A DELETE goes only to what the run
    /// created, or, given <paramref name="beneathItem"/> (an item template the operation's path extends), to what is beneath
    /// an object of that item the run created (the note of an order it placed).
    /// </summary>
    public static OperationPlan Plan(OperationInfo operation, ResourceBook book, int max, string? beneathItem = null)
    {
        var pathValues = new Dictionary<string, string>(StringComparer.Ordinal);
        var unbound = new List<string>();
        foreach (var name in ResourceBook.Parameters(operation.Template))
        {
            var value = book.Created(operation.Template, name) ?? book.Fixture(operation.Template, name);
            if (value is null)
            {
                unbound.Add(name);
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
        if (operation.Method == "DELETE" && !book.IsCreated(path)
            && !(beneathItem is not null && book.IsCreated(PathTemplates.ItemPath(path, beneathItem))))
        {
            return new OperationPlan([], "DELETE is only sent to resources this run created, and it created none here");
        }

        if (operation.Method is "PUT" or "PATCH" && unbound.Count > 0)
        {
            return new OperationPlan([], $"{operation.Method} changes an existing resource: it needs one created earlier in the run (by a POST) or a fixture id in the manifest (openapi.fixtures)");
        }

        if (operation.Method == "POST" && unbound.FirstOrDefault(n => book.ActsOnObject(operation.Template, n)) is { } existing)
        {
            return new OperationPlan([], $"POST {operation.Template} acts on an existing object ({{{existing}}}), and the run changes no data it did not make: it needs one created earlier in the run (by a POST) or a fixture id in the manifest (openapi.fixtures)");
        }

        var media = BodyMedia(operation.Operation.RequestBody);
        if (operation.Operation.RequestBody is { Required: true } && media is null)
        {
            var types = string.Join(", ", operation.Operation.RequestBody.Content?.Keys ?? []);
            return new OperationPlan([], $"the request body ({types}) is neither JSON nor a form");
        }

        var valid = new List<(string Purpose, Values Values)>();
        foreach (var (purpose, example) in ExampleBodies(media))
        {
            var (body, filled) = Referenced(example, media, operation, book);
            valid.Add((purpose + filled, Build(operation, ValueKind.Example, body, pathValues)));
        }

        foreach (var kind in new[] { ValueKind.Minimum, ValueKind.Maximum })
        {
            var (body, filled) = Referenced(media is null ? null : ValueGenerator.Value(media.Value.Media.Schema, kind), media, operation, book);
            valid.Add(($"schema {kind.ToString().ToLowerInvariant()} values{filled}", Build(operation, kind, body, pathValues)));
        }

        var requests = new List<ProbeRequest>();
        bool Add(ProbeRequest request)
        {
            if (requests.Any(r => r.Identity == request.Identity))
            {
                return true;
            }

            if (requests.Count >= max)
            {
                return false;
            }

            requests.Add(request);
            return true;
        }

        // Invalid requests are not made for DELETE: a delete is only sent to what the run created, once.
        var untyped = new List<string>();
        var invalid = operation.Method == "DELETE" ? [] : Invalid(operation, valid[0].Values, media, untyped);
        var validCap = Math.Max(Math.Min(valid.Count, 3), max - invalid.Count);
        foreach (var (purpose, values) in valid)
        {
            if (requests.Count < validCap)
            {
                Add(ToRequest(operation, values, media, ProbeKind.Valid, purpose, book));
            }
        }

        var notProbed = new List<string>();
        foreach (var (purpose, values, header) in invalid)
        {
            if (!Add(ToRequest(operation, values, media, ProbeKind.Invalid, purpose, book) with { TestedHeader = header }))
            {
                notProbed.Add(purpose["invalid: ".Length..]);
            }
        }

        return new OperationPlan(requests, null) { NotProbed = notProbed, NoWrongType = untyped };
    }

    /// <summary>A request with a method <paramref name="method"/> the path does not declare, to see it answered 405.</summary>
    public static ProbeRequest UnsupportedMethod(string template, string method, ResourceBook book, IReadOnlyList<OperationInfo> operations) => new()
    {
        Method = method,
        Template = template,
        Path = ExamplePath(template, book, operations),
        Kind = ProbeKind.UnsupportedMethod,
        Purpose = $"{method} is not declared for {template}",
    };

    /// <summary>
    /// <paramref name="template"/> with each path parameter filled: a resource created in the run, a fixture of the
    /// manifest, the parameter's example (from <paramref name="operations"/>), a value of its schema, else <c>1</c>.
    /// </summary>
    public static string ExamplePath(string template, ResourceBook book, IReadOnlyList<OperationInfo> operations)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in ResourceBook.Parameters(template))
        {
            var parameter = operations.SelectMany(o => o.Parameters).FirstOrDefault(p => p.In == ParameterLocation.Path && p.Name == name);
            values[name] = book.Created(template, name) ?? book.Fixture(template, name)
                ?? ValueGenerator.AsText(parameter is null ? "1" : ParameterValue(parameter, ValueKind.Example)) ?? "1";
        }

        return Fill(template, values);
    }

    /// <summary>
    /// The body with each property that names another resource (<see cref="BodyReferences"/>) set to one the run created,
    /// else to a manifest fixture, and what was filled from what, for the request's purpose (empty when nothing was).
    /// </summary>
    private static (JsonNode? Body, string Filled) Referenced(JsonNode? body, (string Type, IOpenApiMediaType Media)? media, OperationInfo operation, ResourceBook book)
    {
        var self = operation.Method == "POST" ? operation.Template.TrimEnd('/') : null;
        var notes = new List<string>();
        foreach (var reference in BodyReferences.Find(body, media?.Media.Schema, book.Templates, self))
        {
            if (book.Created(reference.Item, reference.Parameter) is { } created)
            {
                body = BodyReferences.Fill(body, reference, created);
                notes.Add($"{reference.Property} = {created}, the {reference.Noun} this run created");
            }
            else if (book.Fixture(reference.Item, reference.Parameter) is { } fixture)
            {
                body = BodyReferences.Fill(body, reference, fixture);
                notes.Add($"{reference.Property} = {fixture}, the manifest's fixture");
            }
        }

        return (body, notes.Count == 0 ? string.Empty : $" ({string.Join("; ", notes)})");
    }

    /// <summary>The inputs of one request before they are put on the wire.</summary>
    private sealed record Values(Dictionary<string, string> Path, List<(IOpenApiParameter Parameter, JsonNode Value)> Parameters, JsonNode? Body)
    {
        public Values Copy() => new(new(Path), [.. Parameters.Select(p => (p.Parameter, p.Value.DeepClone()))], Body?.DeepClone());

        public Values With(IOpenApiParameter parameter, JsonNode? value)
        {
            var copy = Copy();
            if (parameter.In == ParameterLocation.Path)
            {
                copy.Path[parameter.Name!] = ValueGenerator.AsText(value) ?? "";
                return copy;
            }

            copy.Parameters.RemoveAll(p => ReferenceEquals(p.Parameter, parameter));
            if (value is not null)
            {
                copy.Parameters.Add((parameter, value));
            }

            return copy;
        }
    }

    private static Values Build(OperationInfo operation, ValueKind kind, JsonNode? body, Dictionary<string, string> path)
    {
        var values = new Values(new(path), [], body);
        foreach (var parameter in operation.Parameters.Where(p => p.In != ParameterLocation.Path))
        {
            var include = parameter.Required || kind == ValueKind.Maximum
                || (kind == ValueKind.Example && (parameter.Example is not null || parameter.Examples is { Count: > 0 }
                    || (parameter.Schema is not null && ValueGenerator.DocumentExample(parameter.Schema) is not null)));
            if (!include || (parameter.In == ParameterLocation.Header && IgnoredHeaders.Contains(parameter.Name!.ToLowerInvariant())))
            {
                continue;
            }

            var value = ParameterValue(parameter, kind);
            if (value is JsonArray { Count: 0 } && parameter.Required)
            {
                value = ParameterValue(parameter, ValueKind.Example); // an exploded empty array would leave a required parameter out
            }

            if (value is not null)
            {
                values.Parameters.Add((parameter, value));
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

        return content.TryGetValue(FormType, out var form) ? (FormType, form) : null;
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

    /// <summary>
    /// The invalid requests, each with the header parameter it leaves out or breaks (null for another input); in
    /// <paramref name="untyped"/> the JSON body properties no value of a wrong type exists for (their schema allows every type).
    /// </summary>
    private static List<(string Purpose, Values Values, string? Header)> Invalid(OperationInfo operation, Values baseline, (string Type, IOpenApiMediaType Media)? media, List<string> untyped)
    {
        var missing = new List<(string, Values, string?)>();
        var wrong = new List<(string, Values, string?)>();
        var ranges = new List<(string, Values, string?)>();
        var form = media?.Type == FormType;
        var bodyView = media?.Media.Schema is { } bodySchema ? Diff.SchemaView.Of(bodySchema) : null;
        if (bodyView is not null && baseline.Body is JsonObject bodyObject)
        {
            var optionalBody = operation.Operation.RequestBody is not { Required: true };
            foreach (var name in bodyView.Required.Where(bodyObject.ContainsKey))
            {
                var values = baseline.Copy();
                var body = (JsonObject)values.Body!;
                body.Remove(name);
                // An empty form is no body at all, which an optional body allows.
                if (!(form && optionalBody && body.Count == 0))
                {
                    missing.Add(($"invalid: required body property '{name}' left out", values, null));
                }
            }

            // Each wrong value must be wrong by the contract's own validator, not only by the generator's reading of it.
            var validator = form ? null : Validators.GetValue(media!.Value.Media.Schema!, _ => new BodyValidator(bodyView.Properties.Values, Direction.Request));
            foreach (var (name, property) in bodyView.Properties.Where(p => !p.Value.ReadOnly))
            {
                bool Rejected(JsonNode value) => validator is null || !validator.IsValid(property, JsonSerializer.SerializeToElement(value));
                var what = form
                    ? ValueGenerator.WrongText(property) is { } text ? ((JsonNode?)text.Value, text.What) : ((JsonNode?, string)?)null
                    : ValueGenerator.WrongType(property, Rejected);
                if (what is { } w)
                {
                    wrong.Add(($"invalid: body property '{name}' is {w.Item2}", WithBody(baseline, name, w.Item1), null));
                }
                else if (!form)
                {
                    untyped.Add($"body property '{name}'");
                }

                foreach (var (value, broken) in ValueGenerator.OutOfRangeAll(property).Where(v => v.Value is null || Rejected(v.Value)))
                {
                    ranges.Add(($"invalid: body property '{name}' is {broken}", WithBody(baseline, name, value), null));
                }
            }
        }

        var parameters = operation.Parameters
            .Where(p => p.Schema is not null && !(p.In == ParameterLocation.Header && IgnoredHeaders.Contains(p.Name!.ToLowerInvariant())))
            .OrderBy(p => p.In switch { ParameterLocation.Query => 0, ParameterLocation.Header => 1, ParameterLocation.Path => 2, _ => 3 })
            .ToList();
        foreach (var parameter in parameters)
        {
            var header = parameter.In == ParameterLocation.Header ? parameter.Name : null;
            if (parameter.Required && parameter.In != ParameterLocation.Path)
            {
                missing.Add(($"invalid: required {Where(parameter)} left out", baseline.With(parameter, null), header));
            }

            if (ValueGenerator.WrongText(parameter.Schema!) is { } text)
            {
                wrong.Add(($"invalid: {Where(parameter)} is {text.What}", baseline.With(parameter, text.Value), header));
            }

            foreach (var (value, broken) in ValueGenerator.OutOfRangeAll(parameter.Schema!))
            {
                if (value is not null && !(value is JsonArray { Count: 0 } && parameter.In != ParameterLocation.Path))
                {
                    ranges.Add(($"invalid: {Where(parameter)} is {broken}", baseline.With(parameter, value), header));
                }
            }
        }

        return [.. missing, .. wrong, .. ranges];
    }

    private static Values WithBody(Values baseline, string name, JsonNode? value)
    {
        var values = baseline.Copy();
        ((JsonObject)values.Body!)[name] = value;
        return values;
    }

    private static string Where(IOpenApiParameter parameter) =>
        $"{parameter.In?.ToString().ToLowerInvariant()} parameter '{parameter.Name}'";

    private static ProbeRequest ToRequest(OperationInfo operation, Values values, (string Type, IOpenApiMediaType Media)? media, ProbeKind kind, string purpose, ResourceBook book)
    {
        var path = Fill(operation.Template, values.Path);
        var query = new List<KeyValuePair<string, string>>();
        var headers = new List<KeyValuePair<string, string>>();
        var cookies = new List<KeyValuePair<string, string>>();
        foreach (var (parameter, value) in values.Parameters)
        {
            var pairs = WireFormat.Pairs(parameter, value);
            switch (parameter.In)
            {
                case ParameterLocation.Header:
                    headers.Add(new(parameter.Name!, string.Join(",", pairs.Select(p => p.Value))));
                    break;
                case ParameterLocation.Cookie:
                    cookies.AddRange(pairs);
                    break;
                default:
                    query.AddRange(pairs);
                    break;
            }
        }

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

        var contentType = media?.Type;
        string? body = null;
        if (values.Body is not null && contentType is not null)
        {
            body = contentType == FormType && values.Body is JsonObject form
                ? WireFormat.FormBody(form, media!.Value.Media)
                : values.Body.ToJsonString();
        }

        return new ProbeRequest
        {
            Method = operation.Method,
            Template = operation.Template,
            Path = path,
            Query = query,
            Headers = headers,
            Cookies = cookies,
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

using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Archgate.Protocol;
using Microsoft.OpenApi;

namespace Archgate.Checks.Contracts.Conformance;

/// <summary>What came back for a request: status, media type, headers and (for non-streaming types) the body.</summary>
/// <param name="Status">HTTP status code.</param>
/// <param name="MediaType">Content-Type without parameters, lower case, or null.</param>
/// <param name="Headers">Every response and content header, by name (case-insensitive).</param>
/// <param name="Body">The body text, or null when there was none or it was not read (event streams).</param>
internal sealed record Exchange(int Status, string? MediaType, IReadOnlyDictionary<string, string> Headers, string? Body);

/// <summary>One way a response breaks its contract, before it becomes a finding.</summary>
internal sealed record Mismatch(string Rule, Severity Severity, string Message, string? Path = null, string? Expected = null, string? Actual = null);

/// <summary>
/// The conformance rules over one response: not a server error, status documented, content type documented,
/// body valid against the schema, required headers present and valid, invalid input rejected with 4xx, an
/// undeclared method answered 405, errors in the declared format (RFC 7807 for application/problem+json).
/// </summary>
internal static partial class ResponseChecker
{
    private const string Problem = "application/problem+json";

    /// <summary>The mismatches of <paramref name="exchange"/>, an answer to <paramref name="request"/> for <paramref name="operation"/>.</summary>
    public static IReadOnlyList<Mismatch> Check(OperationInfo? operation, ProbeRequest request, Exchange exchange, BodyValidator validator)
    {
        var result = new List<Mismatch>();
        var status = exchange.Status;
        if (request.Kind == ProbeKind.UnsupportedMethod && status == 501)
        {
            // 501 says the server implements the method for no resource (RFC 9110 §15.6.2): right when the document
            // declares it nowhere; where other paths declare it, the server does implement it, and 405 is the answer.
            if (request.MethodDeclaredElsewhere)
            {
                result.Add(new(ConformanceRules.MethodNotRejected, Severity.Low,
                    $"{request.Method} is not declared for {request.Template} and was answered 501 Not Implemented, but other paths declare {request.Method}: 405 with an Allow header says the path does not take it",
                    Expected: "405", Actual: "501"));
            }

            return result;
        }

        if (status >= 500)
        {
            var what = request.Kind == ProbeKind.Invalid ? $"invalid input ({request.Purpose["invalid: ".Length..]}) caused a server error" : "server error";
            result.Add(new(ConformanceRules.ServerError, Severity.High, $"{what}: {status}{Excerpt(exchange.Body)}"));
            return result; // one mismatch, one rule: a crash is not also an undocumented status or body
        }

        if (request.Kind == ProbeKind.UnsupportedMethod)
        {
            if (status != 405 && status < 500)
            {
                result.Add(new(ConformanceRules.MethodNotRejected, Severity.Medium, $"{request.Method} is not declared for {request.Template}, but the answer was {status}, not 405",
                    Expected: "405", Actual: status.ToString(CultureInfo.InvariantCulture)));
            }
            else if (status == 405 && !exchange.Headers.ContainsKey("Allow"))
            {
                result.Add(new(ConformanceRules.MethodNotRejected, Severity.Low, "405 without an Allow header (RFC 9110 requires it)", Expected: "Allow header", Actual: "missing"));
            }

            return result;
        }

        if (request.Kind == ProbeKind.Invalid && status < 400)
        {
            result.Add(new(ConformanceRules.InvalidInputAccepted, Severity.High,
                $"{request.Purpose["invalid: ".Length..]}, yet the answer was {status}, not 4xx", Expected: "4xx", Actual: status.ToString(CultureInfo.InvariantCulture)));
        }

        // An operation that documents no response at all (3.1 makes 'responses' optional) says nothing to check an answer against.
        if (operation is null || operation.Operation.Responses is not { Count: > 0 })
        {
            return result;
        }

        if (operation.Operation.Deprecated && status is >= 200 and < 300 && request.Kind != ProbeKind.Invalid)
        {
            CheckDeprecation(operation.Operation, exchange, result);
        }

        var (key, response) = Documented(operation.Operation, status);
        if (response is null)
        {
            var documented = string.Join(", ", operation.Operation.Responses?.Keys.AsEnumerable() ?? []);
            // A request built to be valid and refused with 4xx may itself be at fault (a constraint Archgate could
            // not satisfy): the undocumented status is reported, as a warning that names the request.
            var clientError = status is >= 400 and < 500;
            if (request.Kind == ProbeKind.Invalid && clientError && !DocumentsClientErrors(operation.Operation))
            {
                // Rejected as it must be; a document that declares no client error at all leaves the status open.
                return result;
            }

            var refused = request.Kind == ProbeKind.Valid && clientError;
            result.Add(refused
                ? new(ConformanceRules.StatusUndocumented, Severity.Low,
                    $"status {status} is not documented (documented: {documented}); the request was built from the document to be valid, so it may be at fault: see the request and the answer",
                    Expected: documented, Actual: status.ToString(CultureInfo.InvariantCulture))
                : new(ConformanceRules.StatusUndocumented, Severity.High, $"status {status} is not documented (documented: {documented})",
                    Expected: documented, Actual: status.ToString(CultureInfo.InvariantCulture)));
            return result;
        }

        CheckHeaders(response, exchange, validator, result);
        var content = response.Content ?? new Dictionary<string, IOpenApiMediaType>();
        var hasBody = !string.IsNullOrEmpty(exchange.Body) || (exchange.Body is null && exchange.MediaType is not null);
        var errorFormat = status >= 400 && content.ContainsKey(Problem);
        if (!hasBody)
        {
            // A media type without a schema (or a text one whose string may be empty) allows an empty body.
            if (content.Count > 0 && request.Method != "HEAD" && status != 304 && !content.Any(c => AllowsEmpty(c.Key, c.Value)))
            {
                result.Add(new(ConformanceRules.ContentTypeUndocumented, Severity.High, $"the documented body ({string.Join(", ", content.Keys)}) is missing",
                    Expected: string.Join(", ", content.Keys), Actual: "no body"));
            }

            return result;
        }

        var mediaKey = MatchMediaType(content.Keys, exchange.MediaType);
        if (mediaKey is null)
        {
            var expected = content.Count == 0 ? "no body" : string.Join(", ", content.Keys);
            // One mismatch, one rule: an error answered in another type than its declared problem format is an
            // undocumented content type (AG2012); AG2017 is about the shape of a problem that came as declared.
            result.Add(new(ConformanceRules.ContentTypeUndocumented, Severity.High,
                $"content type {exchange.MediaType ?? "(none)"} is not documented for {key} (documented: {expected})", Expected: expected, Actual: exchange.MediaType ?? "none"));
            return result;
        }

        if (!IsJson(mediaKey) || exchange.Body is null)
        {
            return result;
        }

        JsonElement body;
        try
        {
            using var document = JsonDocument.Parse(exchange.Body);
            body = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            result.Add(new(ConformanceRules.BodyMismatch, Severity.High, $"the body is not valid JSON: {ex.Message}", "$", "JSON", "not JSON"));
            return result;
        }

        if (content[mediaKey].Schema is { } schema)
        {
            foreach (var m in validator.Validate(schema, body))
            {
                result.Add(new(ConformanceRules.BodyMismatch, Severity.High, m.Message, m.Path, m.Expected, m.Actual));
            }
        }

        if (errorFormat && mediaKey == Problem)
        {
            CheckProblem(body, status, result);
        }

        return result;
    }

    /// <summary>
    /// A deprecated operation's answer must say so at run time, where clients can see it (RFC 9745): a <c>Deprecation</c>
    /// header holding the date it was deprecated as a structured-field date (<c>@1767225600</c>); and when the contract
    /// gives the removal date (<c>x-sunset</c>), a <c>Sunset</c> header (RFC 8594, an HTTP-date) on that day.
    /// </summary>
    private static void CheckDeprecation(OpenApiOperation operation, Exchange exchange, List<Mismatch> result)
    {
        if (!exchange.Headers.TryGetValue("Deprecation", out var deprecation))
        {
            result.Add(new(ConformanceRules.DeprecationUnannounced, Severity.Low,
                "the operation is deprecated in the contract, but the answer has no Deprecation header (RFC 9745): its clients cannot learn it while they call it",
                "Deprecation", "Deprecation: @<unix seconds>", "missing"));
        }
        else if (!DeprecationDate().IsMatch(deprecation.Trim()))
        {
            result.Add(new(ConformanceRules.DeprecationUnannounced, Severity.Low,
                $"the Deprecation header is '{deprecation}', not a date in RFC 9745's form (@ and the Unix time in seconds; 'true' and HTTP-dates were drafts' forms)",
                "Deprecation", "@<unix seconds>", deprecation));
        }

        var sunset = Diff.Sunset.Of(operation.Extensions);
        if (sunset.Date is not { } removal)
        {
            return;
        }

        var expected = new DateTimeOffset(removal.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToString("r", CultureInfo.InvariantCulture);
        if (!exchange.Headers.TryGetValue("Sunset", out var header))
        {
            result.Add(new(ConformanceRules.DeprecationUnannounced, Severity.Low,
                $"the contract's x-sunset says the operation goes on {sunset.Text}, but the answer has no Sunset header (RFC 8594)", "Sunset", expected, "missing"));
        }
        else if (!DateTimeOffset.TryParseExact(header.Trim(), "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var announced))
        {
            result.Add(new(ConformanceRules.DeprecationUnannounced, Severity.Low,
                $"the Sunset header '{header}' is no HTTP-date (RFC 8594 takes the IMF-fixdate form: {expected})", "Sunset", expected, header));
        }
        else if (DateOnly.FromDateTime(announced.UtcDateTime) != removal)
        {
            result.Add(new(ConformanceRules.DeprecationUnannounced, Severity.Low,
                $"the Sunset header says {header}, but the contract's x-sunset says {sunset.Text}", "Sunset", expected, header));
        }
    }

    [GeneratedRegex("^@-?[0-9]{1,15}$")]
    private static partial Regex DeprecationDate();

    /// <summary>The documented response for a status: exact code, then its range (<c>4XX</c>), then <c>default</c>.</summary>
    public static (string Key, IOpenApiResponse? Response) Documented(OpenApiOperation operation, int status)
    {
        var responses = operation.Responses;
        if (responses is null)
        {
            return ("", null);
        }

        var code = status.ToString(CultureInfo.InvariantCulture);
        foreach (var key in new[] { code, $"{code[0]}XX", $"{code[0]}xx", "default" })
        {
            if (responses.TryGetValue(key, out var response))
            {
                return (key, response);
            }
        }

        return ("", null);
    }

    /// <summary>The documented media type an actual one matches: exact, then <c>type/*</c>, then <c>*/*</c>.</summary>
    public static string? MatchMediaType(IEnumerable<string> documented, string? actual)
    {
        if (actual is null)
        {
            return null;
        }

        var keys = documented.ToList();
        var slash = actual.IndexOf('/', StringComparison.Ordinal);
        return keys.FirstOrDefault(k => MediaOnly(k).Equals(actual, StringComparison.OrdinalIgnoreCase))
            ?? (slash > 0 ? keys.FirstOrDefault(k => MediaOnly(k).Equals(actual[..slash] + "/*", StringComparison.OrdinalIgnoreCase)) : null)
            ?? keys.FirstOrDefault(k => k == "*/*");
    }

    /// <summary>Whether the operation declares how it rejects invalid input: 400, 422 or the 4XX range (<c>default</c> and a 404 do not count).</summary>
    private static bool DocumentsClientErrors(OpenApiOperation operation) =>
        (operation.Responses?.Keys ?? Enumerable.Empty<string>()).Any(k => k is "400" or "422" || k.Equals("4XX", StringComparison.OrdinalIgnoreCase));

    private static bool AllowsEmpty(string mediaType, IOpenApiMediaType media)
    {
        if (media.Schema is null)
        {
            return true;
        }

        var view = Diff.SchemaView.Of(media.Schema);
        return !IsJson(mediaType) && (view.Types is null || view.Types.Value.HasFlag(JsonSchemaType.String)) && (view.MinLength ?? 0) == 0;
    }

    private static string MediaOnly(string key) => key.Split(';')[0].Trim();

    private static bool IsJson(string mediaType) =>
        MediaOnly(mediaType) is var m && (m.Equals("application/json", StringComparison.OrdinalIgnoreCase) || m.EndsWith("+json", StringComparison.OrdinalIgnoreCase));

    private static void CheckHeaders(IOpenApiResponse response, Exchange exchange, BodyValidator validator, List<Mismatch> result)
    {
        foreach (var (name, header) in response.Headers ?? new Dictionary<string, IOpenApiHeader>())
        {
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                continue; // OpenAPI: a Content-Type header definition is ignored.
            }

            if (!exchange.Headers.TryGetValue(name, out var value))
            {
                if (header.Required)
                {
                    result.Add(new(ConformanceRules.HeaderMismatch, Severity.High, $"the required header {name} is missing", name, "present", "missing"));
                }

                continue;
            }

            if (header.Schema is { } schema)
            {
                var node = HeaderValue(value, schema);
                foreach (var m in validator.Validate(schema, node, 3))
                {
                    result.Add(new(ConformanceRules.HeaderMismatch, Severity.Medium, $"header {name}: expected {m.Expected}, found {m.Actual}", name, m.Expected, m.Actual));
                }
            }
        }
    }

    /// <summary>A header's text as the JSON value its schema expects (headers carry no JSON types).</summary>
    private static JsonElement HeaderValue(string text, IOpenApiSchema schema)
    {
        var types = Diff.SchemaView.Of(schema).Types ?? JsonSchemaType.String;
        var json = (types.HasFlag(JsonSchemaType.Integer) || types.HasFlag(JsonSchemaType.Number))
                   && decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
            ? text
            : types.HasFlag(JsonSchemaType.Boolean) && text is "true" or "false"
                ? text
                : JsonSerializer.Serialize(text);
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static void CheckProblem(JsonElement body, int status, List<Mismatch> result)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            result.Add(new(ConformanceRules.ErrorFormat, Severity.Medium, "an RFC 7807 problem is a JSON object", "$", "object", BodyValidator.Describe(body)));
            return;
        }

        foreach (var member in new[] { "type", "title", "detail", "instance" })
        {
            if (body.TryGetProperty(member, out var value) && value.ValueKind != JsonValueKind.String)
            {
                result.Add(new(ConformanceRules.ErrorFormat, Severity.Medium, $"RFC 7807 '{member}' must be a string", $"$.{member}", "string", BodyValidator.Describe(value)));
            }
        }

        if (body.TryGetProperty("status", out var member2) && !(member2.ValueKind == JsonValueKind.Number && member2.TryGetInt32(out var s) && s == status))
        {
            result.Add(new(ConformanceRules.ErrorFormat, Severity.Medium, $"RFC 7807 'status' must be the HTTP status {status}", "$.status",
                status.ToString(CultureInfo.InvariantCulture), BodyValidator.Describe(member2)));
        }
    }

    private static string Excerpt(string? body) => string.IsNullOrWhiteSpace(body) ? "" : $" ({Http.ProbeHttp.Excerpt(body, 200)})";
}

using Microsoft.OpenApi;

namespace Archgate.Checks.Contracts.Diff;

/// <summary>One side of an operation pair: its path as written, the path item (for shared parameters) and the operation.</summary>
internal sealed record OperationSide(string Path, IOpenApiPathItem Item, OpenApiOperation Operation);

/// <summary>Compares one operation present in both documents: identity, security, parameters, request body, responses.</summary>
internal sealed class OperationComparer(ChangeSink sink, string operation, OpenApiDocument oldDocument, OpenApiDocument newDocument, DateOnly today)
{
    public void Compare(OperationSide o, OperationSide n)
    {
        CompareIdentity(o.Operation, n.Operation);
        CompareLifecycle(o.Operation, n.Operation);
        CompareTags(o.Operation, n.Operation);
        new SecurityComparer(sink, operation, global: o.Operation.Security is null && n.Operation.Security is null).Compare(
            o.Operation.Security ?? oldDocument.Security,
            n.Operation.Security ?? newDocument.Security);
        CompareParameters(o, n);
        CompareRequestBody(o.Operation.RequestBody, n.Operation.RequestBody);
        CompareResponses(o.Operation.Responses, n.Operation.Responses);
    }

    private void CompareIdentity(OpenApiOperation o, OpenApiOperation n)
    {
        if (!o.Deprecated && n.Deprecated)
        {
            var sunset = Sunset.Of(n.Extensions);
            if (sunset.IsInvalid)
            {
                sink.Add(DiffRules.DeprecatedSunsetInvalid, operation, "operation", $"operation {operation} was deprecated with x-sunset '{sunset.Text}', which is not a date", null, sunset.Text);
            }
            else if (sunset.IsSet)
            {
                sink.Add(DiffRules.OperationDeprecatedWithSunset, operation, "operation", $"operation {operation} was deprecated, with sunset date {sunset.Text}", null, sunset.Text);
            }
            else
            {
                sink.Add(DiffRules.OperationDeprecated, operation, "operation", $"operation {operation} was deprecated");
            }
        }
        else if (o.Deprecated && !n.Deprecated)
        {
            sink.Add(DiffRules.OperationReactivated, operation, "operation", $"operation {operation} is no longer deprecated");
        }

        if (string.Equals(o.OperationId, n.OperationId, StringComparison.Ordinal))
        {
            return;
        }

        if (string.IsNullOrEmpty(o.OperationId))
        {
            sink.Add(DiffRules.OperationIdAdded, operation, "operationId", $"operationId {n.OperationId} was added", null, n.OperationId);
        }
        else
        {
            var text = string.IsNullOrEmpty(n.OperationId) ? $"operationId {o.OperationId} was removed" : $"operationId changed from {o.OperationId} to {n.OperationId}";
            sink.Add(DiffRules.OperationIdChanged, operation, "operationId", text, o.OperationId, n.OperationId);
        }
    }

    /// <summary>Sunset dates of an operation deprecated on both sides, and its stability level (<c>x-stability-level</c>).</summary>
    private void CompareLifecycle(OpenApiOperation o, OpenApiOperation n)
    {
        if (o.Deprecated && n.Deprecated)
        {
            var (before, after) = (Sunset.Of(o.Extensions), Sunset.Of(n.Extensions));
            if (after.IsInvalid && before.Text != after.Text)
            {
                sink.Add(DiffRules.DeprecatedSunsetInvalid, operation, "x-sunset", $"the sunset date of {operation} is '{after.Text}', which is not a date", before.Text, after.Text);
            }
            else if (before.IsSet && !after.IsSet)
            {
                sink.Add(DiffRules.SunsetDeleted, operation, "x-sunset", $"the sunset date {before.Text} of {operation} was deleted; it stays deprecated", before.Text, null);
            }
            else if (before.Date is { } b && after.Date is { } a && a < b)
            {
                sink.Add(DiffRules.SunsetEarlier, operation, "x-sunset", $"the sunset date of {operation} was moved earlier, from {before.Text} to {after.Text}", before.Text, after.Text);
            }
        }

        var (oldLevel, newLevel) = (Stability(o), Stability(n));
        if (string.Equals(oldLevel, newLevel, StringComparison.Ordinal))
        {
            return;
        }

        var (from, to) = (StabilityLevels.Rank(oldLevel), StabilityLevels.Rank(newLevel));
        if (to is null)
        {
            sink.Add(DiffRules.StabilityInvalid, operation, "x-stability-level", $"x-stability-level '{newLevel}' of {operation} is not draft, alpha, beta or stable", oldLevel, newLevel);
        }
        else if (from is { } f && f != to)
        {
            var rule = to < f ? DiffRules.StabilityDecreased : DiffRules.StabilityIncreased;
            sink.Add(rule, operation, "x-stability-level", $"stability of {operation} changed from {oldLevel ?? "stable"} to {newLevel ?? "stable"}", oldLevel, newLevel);
        }
    }

    private static string? Stability(OpenApiOperation operation) =>
        operation.Extensions is { } x && x.TryGetValue("x-stability-level", out var e) && e is JsonNodeExtension j ? SchemaExtras.Text(j.Node) : null;

    private void CompareTags(OpenApiOperation o, OpenApiOperation n)
    {
        var oldTags = (o.Tags ?? new HashSet<OpenApiTagReference>()).Select(t => t.Name ?? t.Reference?.Id ?? "").ToHashSet(StringComparer.Ordinal);
        var newTags = (n.Tags ?? new HashSet<OpenApiTagReference>()).Select(t => t.Name ?? t.Reference?.Id ?? "").ToHashSet(StringComparer.Ordinal);
        foreach (var tag in oldTags.Except(newTags).Order(StringComparer.Ordinal))
        {
            sink.Add(DiffRules.TagRemoved, operation, "tags", $"tag {tag} was removed from {operation}", tag, null);
        }

        foreach (var tag in newTags.Except(oldTags).Order(StringComparer.Ordinal))
        {
            sink.Add(DiffRules.TagAdded, operation, "tags", $"tag {tag} was added to {operation}", null, tag);
        }
    }

    private void CompareParameters(OperationSide o, OperationSide n)
    {
        var oldParameters = Parameters(o);
        var newParameters = Parameters(n);
        var added = newParameters.Where(p => !oldParameters.ContainsKey(p.Key)).ToDictionary(p => p.Key, p => p.Value);

        foreach (var (key, oldParameter) in oldParameters)
        {
            if (newParameters.TryGetValue(key, out var newParameter))
            {
                CompareParameter(oldParameter, newParameter);
                continue;
            }

            var moved = added.FirstOrDefault(a => string.Equals(a.Value.Name, oldParameter.Name, StringComparison.OrdinalIgnoreCase));
            if (moved.Value is { } movedParameter)
            {
                added.Remove(moved.Key);
                sink.Add(DiffRules.ParameterLocationChanged, operation, $"parameter {Describe(oldParameter)}",
                    $"parameter {oldParameter.Name} moved from {Location(oldParameter)} to {Location(movedParameter)}", Describe(oldParameter), Describe(movedParameter));
                continue;
            }

            var sunset = Sunset.Of(oldParameter.Extensions);
            var (rule, why) = !oldParameter.Deprecated ? (DiffRules.ParameterRemoved, "")
                : sunset.IsInvalid ? (DiffRules.ParameterSunsetInvalid, $" (it was deprecated, with x-sunset '{sunset.Text}' that is not a date)")
                : sunset.IsAfter(today) ? (DiffRules.ParameterRemovedBeforeSunset, $" before its sunset date {sunset.Text}")
                : (DiffRules.ParameterRemovedDeprecated, " (it was deprecated)");
            sink.Add(rule, operation, $"parameter {Describe(oldParameter)}", $"{Location(oldParameter)} parameter {oldParameter.Name} was removed{why}", Describe(oldParameter), null);
        }

        foreach (var parameter in added.Values)
        {
            var rule = parameter.Required ? DiffRules.NewRequiredParameter : DiffRules.NewOptionalParameter;

            // oasdiff names a parameter added on the path item (for all the path's operations) apart.
            var onPathItem = (n.Item.Parameters ?? []).Contains(parameter);
            var alias = !onPathItem ? null
                : parameter.Required ? "new-required-request-default-parameter-to-existing-path" : "new-optional-request-default-parameter-to-existing-path";
            sink.Add(rule, alias, operation, $"parameter {Describe(parameter)}",
                $"{(parameter.Required ? "required" : "optional")} {Location(parameter)} parameter {parameter.Name} was added", null, Describe(parameter));
        }
    }

    private void CompareParameter(IOpenApiParameter o, IOpenApiParameter n)
    {
        var where = $"parameter {Describe(n)}";
        if (!o.Required && n.Required)
        {
            sink.Add(DiffRules.ParameterBecameRequired, operation, where, $"{Location(n)} parameter {n.Name} became required", "optional", "required");
        }
        else if (o.Required && !n.Required)
        {
            sink.Add(DiffRules.ParameterBecameOptional, operation, where, $"{Location(n)} parameter {n.Name} became optional", "required", "optional");
        }

        if (!o.Deprecated && n.Deprecated)
        {
            sink.Add(DiffRules.Schema(SchemaContext.RequestParameter, 31), operation, where, $"{Location(n)} parameter {n.Name} was deprecated");
        }
        else if (o.Deprecated && !n.Deprecated)
        {
            sink.Add(DiffRules.Schema(SchemaContext.RequestParameter, 50), operation, where, $"{Location(n)} parameter {n.Name} is no longer deprecated");
        }
        else if (o.Deprecated && n.Deprecated)
        {
            var (before, after) = (Sunset.Of(o.Extensions), Sunset.Of(n.Extensions));
            if (after.IsInvalid && before.Text != after.Text)
            {
                sink.Add(DiffRules.ParameterSunsetInvalid, operation, where, $"the sunset date of {Location(n)} parameter {n.Name} is '{after.Text}', which is not a date", before.Text, after.Text);
            }
            else if (before.IsSet && !after.IsSet)
            {
                sink.Add(DiffRules.ParameterSunsetDeleted, operation, where, $"the sunset date {before.Text} of {Location(n)} parameter {n.Name} was deleted; it stays deprecated", before.Text, null);
            }
            else if (before.Date is { } b && after.Date is { } a && a < b)
            {
                sink.Add(DiffRules.ParameterSunsetEarlier, operation, where, $"the sunset date of {Location(n)} parameter {n.Name} was moved earlier, from {before.Text} to {after.Text}", before.Text, after.Text);
            }
        }

        var (oldStyle, newStyle) = (Style(o), Style(n));
        if (oldStyle != newStyle)
        {
            sink.Add(DiffRules.ParameterStyleChanged, operation, where, $"serialization of {Location(n)} parameter {n.Name} changed from {oldStyle} to {newStyle}", oldStyle, newStyle);
        }

        new SchemaComparer(sink, SchemaContext.RequestParameter, operation, where, $"{Location(n)} parameter {n.Name}", showRootPath: false)
            .Compare(SchemaOf(o), SchemaOf(n));
    }

    private void CompareRequestBody(IOpenApiRequestBody? o, IOpenApiRequestBody? n)
    {
        const string Where = "request body";
        switch (o, n)
        {
            case (null, null):
                return;
            case (null, { } added):
                var rule = added.Required ? DiffRules.RequestBodyAddedRequired : DiffRules.RequestBodyAddedOptional;
                sink.Add(rule, operation, Where, $"{(added.Required ? "a required" : "an optional")} request body was added");
                return;
            case (_, null):
                sink.Add(DiffRules.RequestBodyRemoved, operation, Where, "the request body was removed");
                return;
        }

        if (!o.Required && n.Required)
        {
            sink.Add(DiffRules.RequestBodyBecameRequired, operation, Where, "the request body became required", "optional", "required");
        }
        else if (o.Required && !n.Required)
        {
            sink.Add(DiffRules.RequestBodyBecameOptional, operation, Where, "the request body became optional", "required", "optional");
        }

        CompareContent(o.Content, n.Content, Where, SchemaContext.RequestBody, DiffRules.RequestMediaTypeRemoved, DiffRules.RequestMediaTypeAdded);
    }

    private void CompareResponses(OpenApiResponses? o, OpenApiResponses? n)
    {
        var oldResponses = o ?? [];
        var newResponses = n ?? [];
        foreach (var (status, oldResponse) in oldResponses)
        {
            var where = $"response {status}";
            if (!newResponses.TryGetValue(status, out var newResponse))
            {
                sink.Add(IsSuccess(status) ? DiffRules.SuccessStatusRemoved : DiffRules.NonSuccessStatusRemoved, operation, where, $"response status {status} was removed", status, null);
                continue;
            }

            CompareContent(oldResponse.Content, newResponse.Content, where, SchemaContext.ResponseBody, DiffRules.ResponseMediaTypeRemoved, DiffRules.ResponseMediaTypeAdded);
            CompareHeaders(oldResponse.Headers, newResponse.Headers, where);
        }

        foreach (var status in newResponses.Keys.Where(k => !oldResponses.ContainsKey(k)))
        {
            var alias = IsSuccess(status) ? "response-success-status-added" : "response-non-success-status-added";
            sink.Add(DiffRules.StatusAdded, alias, operation, $"response {status}", $"response status {status} was added", null, status);
        }
    }

    private void CompareContent(
        IDictionary<string, IOpenApiMediaType>? o,
        IDictionary<string, IOpenApiMediaType>? n,
        string where,
        SchemaContext context,
        DiffRule removed,
        DiffRule added)
    {
        var oldContent = new Dictionary<string, IOpenApiMediaType>(o ?? new Dictionary<string, IOpenApiMediaType>(), StringComparer.OrdinalIgnoreCase);
        var newContent = new Dictionary<string, IOpenApiMediaType>(n ?? new Dictionary<string, IOpenApiMediaType>(), StringComparer.OrdinalIgnoreCase);
        var subject = context == SchemaContext.RequestBody ? "request body" : "response body";
        foreach (var (mediaType, oldMedia) in oldContent)
        {
            if (!newContent.TryGetValue(mediaType, out var newMedia))
            {
                sink.Add(removed, operation, $"{where} {mediaType}", $"media type {mediaType} was removed from the {where}", mediaType, null);
                continue;
            }

            var request = context == SchemaContext.RequestBody;
            if (oldMedia.Schema is null && newMedia.Schema is not null)
            {
                sink.Add(request ? DiffRules.RequestMediaSchemaAdded : DiffRules.ResponseMediaSchemaAdded, operation, $"{where} {mediaType}", $"a schema was given to media type {mediaType} of the {where}");
            }
            else if (oldMedia.Schema is not null && newMedia.Schema is null)
            {
                sink.Add(request ? DiffRules.RequestMediaSchemaRemoved : DiffRules.ResponseMediaSchemaRemoved, operation, $"{where} {mediaType}", $"the schema of media type {mediaType} of the {where} was removed");
            }

            new SchemaComparer(sink, context, operation, $"{where} {mediaType}", subject, showRootPath: true)
                .Compare(oldMedia.Schema, newMedia.Schema);
        }

        foreach (var mediaType in newContent.Keys.Where(k => !oldContent.ContainsKey(k)))
        {
            sink.Add(added, operation, $"{where} {mediaType}", $"media type {mediaType} was added to the {where}", null, mediaType);
        }
    }

    private void CompareHeaders(IDictionary<string, IOpenApiHeader>? o, IDictionary<string, IOpenApiHeader>? n, string where)
    {
        var oldHeaders = new Dictionary<string, IOpenApiHeader>(o ?? new Dictionary<string, IOpenApiHeader>(), StringComparer.OrdinalIgnoreCase);
        var newHeaders = new Dictionary<string, IOpenApiHeader>(n ?? new Dictionary<string, IOpenApiHeader>(), StringComparer.OrdinalIgnoreCase);
        foreach (var (name, oldHeader) in oldHeaders)
        {
            var at = $"{where} header {name}";
            if (!newHeaders.TryGetValue(name, out var newHeader))
            {
                var rule = oldHeader.Required ? DiffRules.RequiredHeaderRemoved : DiffRules.OptionalHeaderRemoved;
                sink.Add(rule, operation, at, $"{(oldHeader.Required ? "required" : "optional")} header {name} was removed from the {where}", name, null);
                continue;
            }

            if (oldHeader.Required && !newHeader.Required)
            {
                sink.Add(DiffRules.HeaderBecameOptional, operation, at, $"header {name} of the {where} became optional", "required", "optional");
            }

            if (!oldHeader.Deprecated && newHeader.Deprecated)
            {
                sink.Add(DiffRules.Schema(SchemaContext.ResponseHeader, 31), operation, at, $"header {name} of the {where} was deprecated");
            }

            var schemaOld = oldHeader.Schema ?? oldHeader.Content?.Values.FirstOrDefault()?.Schema;
            var schemaNew = newHeader.Schema ?? newHeader.Content?.Values.FirstOrDefault()?.Schema;
            new SchemaComparer(sink, SchemaContext.ResponseHeader, operation, at, $"response header {name}", showRootPath: false).Compare(schemaOld, schemaNew);
        }

        foreach (var name in newHeaders.Keys.Where(k => !oldHeaders.ContainsKey(k)))
        {
            sink.Add(DiffRules.HeaderAdded, operation, $"{where} header {name}", $"header {name} was added to the {where}", null, name);
        }
    }

    /// <summary>
    /// Effective parameters (path-item ones overridden by the operation's), keyed by location and name;
    /// path parameters by their position in the template, so renaming <c>{id}</c> to <c>{orderId}</c> keeps the pair.
    /// </summary>
    private static Dictionary<string, IOpenApiParameter> Parameters(OperationSide side)
    {
        var templateNames = ContractDiff.PathParameterNames(side.Path);
        var result = new Dictionary<string, IOpenApiParameter>(StringComparer.Ordinal);
        foreach (var parameter in (side.Item.Parameters ?? []).Concat(side.Operation.Parameters ?? []))
        {
            if (parameter.Name is null)
            {
                continue;
            }

            var position = parameter.In == ParameterLocation.Path ? templateNames.ToList().IndexOf(parameter.Name) : -1;
            var key = position >= 0
                ? $"path#{position}"
                : $"{Location(parameter)}:{(parameter.In == ParameterLocation.Header ? parameter.Name.ToLowerInvariant() : parameter.Name)}";
            result[key] = parameter;
        }

        return result;
    }

    private static bool IsSuccess(string status) => status.Length > 0 && status[0] is '1' or '2' or '3';

    private static IOpenApiSchema? SchemaOf(IOpenApiParameter parameter) =>
        parameter.Schema ?? parameter.Content?.Values.FirstOrDefault()?.Schema;

    private static string Location(IOpenApiParameter parameter) => parameter.In?.ToString().ToLowerInvariant() ?? "unknown";

    private static string Describe(IOpenApiParameter parameter) => $"{Location(parameter)}:{parameter.Name}";

    private static string Style(IOpenApiParameter parameter)
    {
        var style = parameter.Style ?? (parameter.In is ParameterLocation.Query or ParameterLocation.Cookie ? ParameterStyle.Form : ParameterStyle.Simple);
        var explode = parameter.Explode || (parameter.Style is null && style == ParameterStyle.Form);
        return $"{style.ToString().ToLowerInvariant()}{(explode ? " explode" : "")}";
    }
}

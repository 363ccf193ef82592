using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Archgate.Checks.Contracts;
using Archgate.Checks.Contracts.Conformance;
using Archgate.Checks.Contracts.Diff;
using Archgate.Checks.Frontend;
using Archgate.Checks.Http;
using Archgate.Checks.Security;
using Archgate.Model;
using Archgate.Protocol;
using Microsoft.OpenApi;

namespace Archgate.Checks.Journeys;

/// <summary>
/// Step 7, data consistency across pages: each list operation of the service's contract that takes a page size
/// (<c>limit</c>, <c>per_page</c>, <c>pageSize</c>, ...) is read once in one large page (the reference) and then walked
/// in pages of <see cref="PageSize"/>, as a frontend that scrolls does: the next page from a <c>Link: rel="next"</c>
/// header, a next link or cursor in the body (<c>next</c>, <c>nextCursor</c>, <c>links.next</c>, ...) sent back as the
/// page-token parameter, else an offset or page number moved on. Every item of the reference up to the last one the walk
/// reached must have come on some page (a cursor taken one past the last item skips one a page), and none twice.
/// Read-only; bounded by <see cref="MaxPages"/> pages per operation.
/// </summary>
internal sealed class PaginationCheck(ServiceComponent service, ContractDocuments documents) : ICheck
{
    /// <summary>Items asked for per page on the walk. <value>2</value>.</summary>
    public const int PageSize = 2;

    /// <summary>Pages walked at most per operation. <value>25</value>.</summary>
    public const int MaxPages = 25;

    /// <summary>List operations walked at most. <value>5</value>.</summary>
    public const int MaxOperations = 5;

    /// <summary>How a walk that counts its own way on (an offset or a page number) says so.</summary>
    private const string Counted = "the offset or page number moved on by the caller";

    private static readonly string[] SizeNames = ["limit", "perpage", "pagesize", "size", "first", "maxresults", "top", "count", "take"];

    private static readonly string[] NextNames = ["next", "nextcursor", "nextpagetoken", "nexttoken", "nextpage", "endcursor", "continuation", "continuationtoken", "nextlink", "nexturl"];

    private static readonly string[] Containers = ["links", "_links", "pagination", "paging", "meta", "page", "pageinfo", "cursor", "cursors"];

    public string Id => $"journeys.pagination:{service.Name}";

    public int Step => 7;

    public string Title => $"{service.Name}: walking a list's pages yields each item once";

    public Applicability AppliesTo(SystemModel system) =>
        ContractDocuments.Declared(service);

    public async Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        var loaded = await documents.LoadAsync(service.OpenApi!.Path, cancellationToken);
        if (loaded.Document is null)
        {
            return CheckResult.Skipped($"{service.Name}'s contract could not be read");
        }

        var baseUrl = ContractBase.Of(service.Url!, loaded.Document);
        var paged = OperationInfo.All(loaded.Document).Where(Paged).Select(o => (Operation: o, WhyNot: WhyNotWalked(o))).ToList();
        var lists = paged.Where(l => l.WhyNot is null).Select(l => (l.Operation, Size: SizeParameter(l.Operation))).Take(MaxOperations).ToList();
        var left = paged.Where(l => l.WhyNot is not null).Select(l => $"{l.Operation.Name}: {l.WhyNot}").ToList();
        if (lists.Count == 0)
        {
            return CheckResult.Skipped($"{service.Name}'s contract has no list operation (GET on a collection answering a list) that takes a page size" +
                (left.Count == 0 ? string.Empty : $" it can send: {string.Join("; ", left.Take(5))}{(left.Count > 5 ? $"; {left.Count - 5} more" : string.Empty)}"));
        }

        var credentials = await ApiSession.SignInAsync(service, context, cancellationToken);
        if (!credentials.Ok)
        {
            return CheckResult.From([Finding(JourneyRules.PaginationSummary, Severity.High, "auth", $"could not sign in: {credentials.Problem}", null, null)]) with
            {
                TransientCause = credentials.TransientCause,
            };
        }

        var findings = left.Select(why => Finding(JourneyRules.PaginationSummary, Severity.Info, why[..why.IndexOf(": ", StringComparison.Ordinal)],
            why.Insert(why.IndexOf(": ", StringComparison.Ordinal) + 2, "pages not walked: "), null, null)).ToList();
        foreach (var (operation, size) in lists)
        {
            // A list only some roles may read is read as an identity that holds them, as the other step 7 checks do.
            var auth = credentials.RequestHeaders;
            if (RoleRestriction.Of(context.System, operation) is { } restriction)
            {
                var (callerCredentials, whyNot) = await ApiSession.SignInAsync(restriction, service, context, cancellationToken);
                if (callerCredentials is null)
                {
                    findings.Add(Finding(JourneyRules.PaginationSummary, Severity.Info, operation.Name, $"{operation.Name}: pages not walked: it is {restriction.Kind} and {whyNot}", null, null));
                    continue;
                }

                auth = callerCredentials.RequestHeaders;
            }

            context.Activity?.Report($"walking the pages of {operation.Name}");
            await WalkAsync(context.Http, baseUrl, operation, size!, auth, findings, cancellationToken);
        }

        return CheckResult.From(findings);
    }

    private async Task WalkAsync(
        HttpClient http, Uri baseUrl, OperationInfo operation, IOpenApiParameter size, IReadOnlyList<KeyValuePair<string, string>> auth, List<Finding> findings,
        CancellationToken cancellationToken)
    {
        var list = EdgeCases.ListProperty(operation)!;
        var schema = SchemaView.Of(size.Schema!);
        var pageSize = (int)Math.Max(PageSize, schema.Minimum?.Value ?? 1);
        var large = (int)Math.Min(schema.Maximum?.Value ?? 100, 100);
        var token = operation.Parameters.FirstOrDefault(p => p.In == ParameterLocation.Query && EdgeCases.IsPageToken(p) && !IsWhole(p));
        var offset = operation.Parameters.FirstOrDefault(p => p.In == ParameterLocation.Query && p.Name?.ToLowerInvariant() is "offset" or "skip" or "start" && IsWhole(p));
        var pageNumber = operation.Parameters.FirstOrDefault(p => p.In == ParameterLocation.Query && p.Name?.ToLowerInvariant() is "page" or "pagenumber" or "page_number" && IsWhole(p));
        Task<ApiAnswer> Get(string pathAndQuery) => ApiCall.SendAsync(http, "GET", ApiCall.Resolve(baseUrl, pathAndQuery), auth, null, ApiCall.DefaultTimeout, cancellationToken);

        var first = EdgeCases.WithQuery(operation.Template, size.Name!, pageSize.ToString(CultureInfo.InvariantCulture));
        var referenceAnswer = await Get(EdgeCases.WithQuery(operation.Template, size.Name!, large.ToString(CultureInfo.InvariantCulture)));
        var reference = Items(referenceAnswer, list);
        if (!referenceAnswer.Ok || reference is null)
        {
            findings.Add(Finding(JourneyRules.PaginationSummary, Severity.Info, operation.Name,
                $"{operation.Name}: pages not walked: the list read at once {referenceAnswer.Outcome}{(referenceAnswer.Ok ? " without a list" : string.Empty)}", referenceAnswer.Evidence(), null));
            return;
        }

        if (reference.Count <= pageSize)
        {
            findings.Add(Finding(JourneyRules.PaginationSummary, Severity.Info, operation.Name,
                $"{operation.Name}: pages not walked: the list has {reference.Count} item(s), no more than one page of {pageSize}", null, null));
            return;
        }

        var log = new StringBuilder();
        var walked = new List<(string Id, int Page)>();
        var next = first;
        var pages = 0;
        var how = new List<string>();
        var ended = false;
        var steps = 0;
        for (; pages < MaxPages && next is not null; pages++)
        {
            var answer = await Get(next);
            var items = Items(answer, list);
            log.AppendLine(CultureInfo.InvariantCulture, $"GET {next} -> {(answer.Failure is null ? answer.Status.ToString(CultureInfo.InvariantCulture) : answer.Failure.Cause)}: {(items is null ? "no list" : $"{items.Count} item(s) ({string.Join(", ", items.Take(6))})")}");
            if (!answer.Ok || items is null)
            {
                findings.Add(Finding(JourneyRules.PaginationSummary, Severity.Medium, operation.Name,
                    $"{operation.Name}: page {pages + 1} of the walk {answer.Outcome}{(answer.Ok ? " without a list" : string.Empty)}, where the list read at once has {reference.Count} items",
                    log.ToString() + answer.Evidence(), "every page link or cursor the API hands out must lead to the next page"));
                return;
            }

            walked.AddRange(items.Select(id => (id, pages + 1)));
            // Once the API has handed out its next pages, a page without one is the end of the list, not a cue to count on.
            var (following, via) = Next(answer, next, items.Count, pageSize, token, offset, pageNumber, handedOut: steps > 0 && !how.Contains(Counted));
            if (following is null)
            {
                ended = true;
                break;
            }

            if (!how.Contains(via))
            {
                how.Add(via);
            }

            next = following;
            steps++;
        }

        if (steps == 0)
        {
            // The first page led nowhere: a list that takes a size but hands out no way on (a plain limit), or a next
            // link where Archgate does not look. Nothing to judge.
            findings.Add(Finding(JourneyRules.PaginationSummary, Severity.Info, operation.Name,
                $"{operation.Name}: pages not walked: its first page of {pageSize} named no next page (no Link rel=next, no next link or cursor in the body{(offset is null && pageNumber is null ? ", no offset or page parameter" : string.Empty)}), while the list has {reference.Count} items",
                log.ToString(), "hand out the next page (a Link header, a 'next' link or cursor) or declare the offset or page parameter"));
            return;
        }

        var ids = walked.Select(w => w.Id).ToList();
        var twice = walked.GroupBy(w => w.Id, StringComparer.Ordinal).Where(g => g.Count() > 1).ToList();
        var seen = ids.ToHashSet(StringComparer.Ordinal);
        // Up to the last item the walk reached, or the whole list when both the walk and the list read at once ended.
        var complete = ended && reference.Count < large && !HasNext(referenceAnswer);
        var reach = complete ? reference.Count : ids.Select(id => reference.IndexOf(id)).DefaultIfEmpty(-1).Max() + 1;
        var missing = reference.Take(reach).Where(id => !seen.Contains(id)).ToList();
        var evidence = $"the list read at once (GET {EdgeCases.WithQuery(operation.Template, size.Name!, large.ToString(CultureInfo.InvariantCulture))}): {reference.Count} item(s) ({string.Join(", ", reference.Take(20))}{(reference.Count > 20 ? ", ..." : string.Empty)})\n{log}";
        var walk = $"{pages + (ended ? 1 : 0)} page(s) of {pageSize}, each next one from {string.Join(", then ", how)}";
        if (missing.Count > 0)
        {
            findings.Add(Finding(JourneyRules.PageSkipsItems, Severity.High, operation.Name,
                $"{operation.Name}: walking its pages ({walk}) never yielded {missing.Count} item(s) the list read at once has: {string.Join(", ", missing.Take(10))}",
                evidence, "derive the next page from the last item returned (WHERE id > last ORDER BY id, or the offset plus the items returned), over a stable order; a cursor one past the last item skips one item a page"));
        }

        if (twice.Count > 0)
        {
            findings.Add(Finding(JourneyRules.PageRepeatsItems, Severity.Medium, operation.Name,
                $"{operation.Name}: walking its pages ({walk}) yielded {twice.Count} item(s) more than once: {string.Join(", ", twice.Take(5).Select(g => $"{g.Key} on pages {string.Join(" and ", g.Select(w => w.Page))}"))}",
                evidence, "order the list by a unique key and start each page after the last item of the one before"));
        }

        if (missing.Count == 0 && twice.Count == 0)
        {
            findings.Add(Finding(JourneyRules.PaginationSummary, Severity.Info, operation.Name,
                $"{operation.Name}: {walk}, yielded {ids.Count} item(s), each once, the same as the list read at once{(complete ? string.Empty : $" up to its item {reach}")}",
                evidence, null));
        }
    }

    /// <summary>
    /// The next page to read, and how it was found: a <c>Link: rel="next"</c> header, a next link or cursor in the
    /// body, else the offset or page number moved on while a page comes full; null when the list has ended.
    /// </summary>
    private static (string? Next, string Via) Next(
        ApiAnswer answer, string current, int count, int pageSize, IOpenApiParameter? token, IOpenApiParameter? offset, IOpenApiParameter? pageNumber, bool handedOut)
    {
        if (count == 0)
        {
            return (null, "an empty page");
        }

        if (answer.Header("Link") is { } link && LinkNext(link) is { } target)
        {
            return (Relative(answer, target), "the Link header's rel=next");
        }

        if (NextValue(Parse(answer.Body)) is { } value)
        {
            if (value.StartsWith('/') || value.StartsWith('?') || Uri.TryCreate(value, UriKind.Absolute, out _))
            {
                return (Relative(answer, value), "the body's next link");
            }

            if (token is not null)
            {
                return (EdgeCases.WithQuery(current, token.Name!, value), $"the body's next cursor in '{token.Name}'");
            }

            if (pageNumber is not null && int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
            {
                return (EdgeCases.WithQuery(current, pageNumber.Name!, value), $"the body's next page number in '{pageNumber.Name}'");
            }
        }

        if (count < pageSize || handedOut)
        {
            return (null, "the end of the list");
        }

        var query = System.Web.HttpUtility.ParseQueryString(new Uri("http://x" + current).Query);
        if (offset is not null)
        {
            var at = int.TryParse(query[offset.Name!], NumberStyles.Integer, CultureInfo.InvariantCulture, out var o) ? o : 0;
            return (EdgeCases.WithQuery(current, offset.Name!, (at + count).ToString(CultureInfo.InvariantCulture)), Counted);
        }

        if (pageNumber is not null)
        {
            var minimum = (int)(SchemaView.Of(pageNumber.Schema!).Minimum?.Value ?? 1);
            var at = int.TryParse(query[pageNumber.Name!], NumberStyles.Integer, CultureInfo.InvariantCulture, out var p) ? p : minimum;
            return (EdgeCases.WithQuery(current, pageNumber.Name!, (at + 1).ToString(CultureInfo.InvariantCulture)), Counted);
        }

        return (null, "no next page");
    }

    /// <summary>The target of <c>rel="next"</c> in a Link header (RFC 8288), or null.</summary>
    internal static string? LinkNext(string header) =>
        header.Split(',').Select(part => part.Split(';')).FirstOrDefault(p => p.Skip(1).Any(a => a.Trim().Replace(" ", string.Empty, StringComparison.Ordinal).Equals("rel=\"next\"", StringComparison.OrdinalIgnoreCase)
            || a.Trim().Equals("rel=next", StringComparison.OrdinalIgnoreCase)))?[0].Trim().Trim('<', '>');

    /// <summary>A next link or cursor in the body: a top-level property named like <c>next</c>, or one under <c>links</c>, <c>pagination</c>, <c>meta</c>...; null when absent or null.</summary>
    internal static string? NextValue(JsonNode? body)
    {
        if (body is not JsonObject root)
        {
            return null;
        }

        foreach (var scope in new[] { root }.Concat(root.Where(p => Containers.Contains(Key(p.Key))).Select(p => p.Value).OfType<JsonObject>()))
        {
            foreach (var (name, value) in scope)
            {
                if (!NextNames.Contains(Key(name)))
                {
                    continue;
                }

                var text = value switch
                {
                    JsonValue v when v.GetValueKind() is JsonValueKind.String or JsonValueKind.Number => v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : v.ToJsonString(),
                    JsonObject o when o["href"] is JsonValue href && href.GetValueKind() == JsonValueKind.String => href.GetValue<string>(), // HAL: links.next.href
                    _ => null,
                };
                if (!string.IsNullOrEmpty(text))
                {
                    return text;
                }
            }
        }

        return null;
    }

    private static bool HasNext(ApiAnswer answer) => (answer.Header("Link") is { } link && LinkNext(link) is not null) || NextValue(Parse(answer.Body)) is not null;

    /// <summary>A next link as a path and query under the service, or the absolute URL it names.</summary>
    private static string Relative(ApiAnswer answer, string target)
    {
        var absolute = new Uri(answer.Url, target);
        return absolute.Authority == answer.Url.Authority ? absolute.PathAndQuery : absolute.AbsoluteUri;
    }

    /// <summary>Each item of the answer's list by its identity (its <c>id</c>, a property ending in id, else the item itself); null without a list.</summary>
    private static List<string>? Items(ApiAnswer answer, string list) =>
        answer.Ok ? EdgeCases.ListIn(answer.Body, list)?.Select(Identity).ToList() : null;

    private static string Identity(JsonNode? item) => item is JsonObject o
        && (o.FirstOrDefault(p => Key(p.Key) is "id" or "uuid" or "key").Value ?? o.FirstOrDefault(p => p.Key.EndsWith("id", StringComparison.OrdinalIgnoreCase) || p.Key.EndsWith("Id", StringComparison.Ordinal)).Value) is JsonValue id
            ? id.ToJsonString().Trim('"')
            : item?.ToJsonString() ?? "null";

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

    private static string Key(string name) => name.Replace("_", string.Empty, StringComparison.Ordinal).Replace("-", string.Empty, StringComparison.Ordinal).ToLowerInvariant();

    /// <summary>The integer query parameter that sets the page size, named so (<c>limit</c>, <c>per_page</c>, <c>pageSize</c>...), or null.</summary>
    private static IOpenApiParameter? SizeParameter(OperationInfo operation) =>
        SizeParameters(operation).FirstOrDefault(p => NotWhole(p) is null);

    private static IEnumerable<IOpenApiParameter> SizeParameters(OperationInfo operation) =>
        operation.Parameters.Where(p => p.In == ParameterLocation.Query && p.Name is { } n && SizeNames.Contains(Key(n)));

    /// <summary>A GET on a collection (no path parameter) with a query parameter named as a page size: a list the walk may take.</summary>
    private static bool Paged(OperationInfo operation) =>
        operation.Method == "GET" && !operation.Template.Contains('{', StringComparison.Ordinal) && SizeParameters(operation).Any();

    /// <summary>
    /// Why a <see cref="Paged"/> operation cannot be walked, or null when it can: it answers a list, its page size is a
    /// whole number, and it needs no query parameter but the page's and no header.
    /// </summary>
    private static string? WhyNotWalked(OperationInfo operation)
    {
        if (SizeParameter(operation) is null)
        {
            return string.Join(", ", SizeParameters(operation).Select(p => $"'{p.Name}' is {NotWhole(p)}"));
        }

        if (EdgeCases.ListProperty(operation) is null)
        {
            return "its answer is no list (an array, or an object with one array property)";
        }

        var required = operation.Parameters.FirstOrDefault(p => p.Required
            && ((p.In == ParameterLocation.Query && !SizeNames.Contains(Key(p.Name ?? string.Empty))) || p.In == ParameterLocation.Header));
        return required is null ? null : $"it needs the {(required.In == ParameterLocation.Header ? "header" : "query parameter")} '{required.Name}', which the walk cannot fill";
    }

    private static bool IsWhole(IOpenApiParameter parameter) => NotWhole(parameter) is null;

    /// <summary>
    /// Why <paramref name="parameter"/> takes no whole number the walk can send, or null when it does: an integer, or a
    /// number whose bounds, example and default are whole (<c>@nestjs/swagger</c> writes a TypeScript <c>number</c> as
    /// <c>type: number</c>; a page size counts items, so a number with nothing fractional declared is taken as a count).
    /// </summary>
    private static string? NotWhole(IOpenApiParameter parameter)
    {
        if (parameter.Schema is null || SchemaView.Of(parameter.Schema) is not { Types: { } types } schema)
        {
            return "without a type";
        }

        if (types.HasFlag(JsonSchemaType.Integer))
        {
            return null;
        }

        if (!types.HasFlag(JsonSchemaType.Number))
        {
            return $"of type {schema.TypeText}, not a whole number";
        }

        var declared = new (string What, decimal? Value)[]
        {
            ("minimum", schema.Minimum?.Value), ("maximum", schema.Maximum?.Value), ("multipleOf", parameter.Schema.MultipleOf),
            ("example", Number(parameter.Example ?? ValueGenerator.DocumentExample(parameter.Schema))), ("default", Number(parameter.Schema.Default)),
        };
        return declared.FirstOrDefault(d => d.Value is { } v && v != decimal.Truncate(v)) is ({ } what, { } fraction)
            ? $"a number with a fractional {what} ({fraction.ToString(CultureInfo.InvariantCulture)}), not a whole number"
            : null;
    }

    private static decimal? Number(JsonNode? node) => node is JsonValue v && v.TryGetValue<decimal>(out var d) ? d : null;

    private Finding Finding(string rule, Severity severity, string location, string message, string? evidence, string? hint) =>
        Findings.Create(rule, severity, service.Name, location, message, evidence, hint);
}

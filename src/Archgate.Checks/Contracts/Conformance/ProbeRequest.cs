using System.Text;

namespace Archgate.Checks.Contracts.Conformance;

/// <summary>Why a request is sent, which decides what its answer must be.</summary>
internal enum ProbeKind
{
    /// <summary>A valid request (example or boundary values): any documented answer, never a 5xx.</summary>
    Valid,

    /// <summary>One input made invalid: must be rejected with 4xx.</summary>
    Invalid,

    /// <summary>A method the path does not declare: must be answered 405.</summary>
    UnsupportedMethod,
}

/// <summary>One HTTP request of a conformance run, complete enough to send and to print as curl.</summary>
internal sealed record ProbeRequest
{
    /// <summary>Upper-case method.</summary>
    public required string Method { get; init; }

    /// <summary>The path template of the operation (<c>/orders/{id}</c>).</summary>
    public required string Template { get; init; }

    /// <summary>The concrete path, parameters filled in and escaped (<c>/orders/42</c>).</summary>
    public required string Path { get; init; }

    /// <summary>Query parameters, in order, unescaped.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Query { get; init; } = [];

    /// <summary>Request headers (not Content-Type), in order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>Cookies, in order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Cookies { get; init; } = [];

    /// <summary>The body, or null.</summary>
    public string? Body { get; init; }

    /// <summary>The body's media type.</summary>
    public string? ContentType { get; init; }

    /// <summary>What the answer must be.</summary>
    public ProbeKind Kind { get; init; } = ProbeKind.Valid;

    /// <summary>
    /// For <see cref="ProbeKind.UnsupportedMethod"/>: whether another path of the document declares the method.
    /// When none does, 501 Not Implemented is a right answer too (RFC 9110 §15.6.2: a method the server supports for no resource).
    /// </summary>
    public bool MethodDeclaredElsewhere { get; init; }

    /// <summary>
    /// For an invalid request that leaves out or breaks a header parameter: that header, which credentials that carry
    /// it (a session's echoed anti-CSRF header, an API key) must not set back (<see cref="Authenticator.On"/>); else null.
    /// </summary>
    public string? TestedHeader { get; init; }

    /// <summary>Where its values come from, or what was made invalid: <c>example 'items'</c>, <c>schema minimum</c>.</summary>
    public required string Purpose { get; init; }

    /// <summary>The operation as findings name it: <c>GET /orders/{id}</c>.</summary>
    public string Operation => $"{Method} {Template}";

    /// <summary>The absolute URL against <paramref name="baseUrl"/>.</summary>
    public Uri Url(Uri baseUrl)
    {
        var text = new StringBuilder(baseUrl.GetLeftPart(UriPartial.Authority));
        text.Append(baseUrl.AbsolutePath.TrimEnd('/')).Append(Path);
        for (var i = 0; i < Query.Count; i++)
        {
            text.Append(i == 0 ? '?' : '&').Append(Uri.EscapeDataString(Query[i].Key)).Append('=').Append(Uri.EscapeDataString(Query[i].Value));
        }

        return new Uri(text.ToString());
    }

    /// <summary>
    /// The DELETE that removes what a check created at <paramref name="path"/> through <paramref name="delete"/>, the
    /// contract's delete of its item: with <c>If-Match</c> (the last ETag <paramref name="book"/> holds, else <c>*</c>)
    /// when the operation takes one.
    /// </summary>
    public static ProbeRequest CleanUp(OperationInfo delete, string path, ResourceBook book, string purpose)
    {
        var request = new ProbeRequest { Method = "DELETE", Template = delete.Template, Path = path, Purpose = purpose };
        var ifMatch = delete.Parameters.FirstOrDefault(p => p.In == Microsoft.OpenApi.ParameterLocation.Header && p.Name!.Equals("If-Match", StringComparison.OrdinalIgnoreCase));
        return ifMatch is null ? request : request.WithHeader(ifMatch.Name!, book.ETag(path) ?? "*");
    }

    /// <summary>
    /// What undoes the object at <paramref name="path"/> of the item <paramref name="template"/>: the item's DELETE, else
    /// its release action (<see cref="Frontend.ContractResource.ReleaseOf"/>); the request, the operation it sends (whose
    /// <c>Secured</c> says whether credentials go), and the release when it is one. Null when the contract has neither.
    /// </summary>
    public static (ProbeRequest Request, OperationInfo Operation, Transitions.ResourceAction? Release)? Undo(
        IReadOnlyList<OperationInfo> operations, string template, string path, ResourceBook book, string purpose)
    {
        if (operations.FirstOrDefault(o => o.Method == "DELETE" && o.Template == template) is { } delete)
        {
            return (CleanUp(delete, path, book, purpose), delete, null);
        }

        return Frontend.ContractResource.ReleaseOf(template, operations) is { } release ? (CleanUp(release, path, book, purpose), release.Operation, release) : null;
    }

    /// <summary>
    /// The request that undoes the object at <paramref name="path"/> where the contract has no DELETE on it: its release
    /// action (<see cref="Frontend.ContractResource.Release"/>, <c>POST /bookings/7/cancel</c>) with the action's example
    /// body, and the object's last ETag in <c>If-Match</c> where the action takes it.
    /// </summary>
    public static ProbeRequest CleanUp(Transitions.ResourceAction release, string path, ResourceBook book, string purpose)
    {
        var body = release.Apply(release.FreshBody()?.ToJsonString());
        var request = new ProbeRequest
        {
            Method = release.Operation.Method, Template = release.Operation.Template, Path = release.PathFor(path), Purpose = purpose,
            Body = body, ContentType = body is null ? null : release.Operation.JsonMediaType,
        };
        var ifMatch = release.Operation.Parameters.FirstOrDefault(p => p.In == Microsoft.OpenApi.ParameterLocation.Header && p.Name!.Equals("If-Match", StringComparison.OrdinalIgnoreCase));
        return ifMatch is null ? request : request.WithHeader(ifMatch.Name!, book.ETag(path) ?? "*");
    }

    /// <summary>The same request with <paramref name="header"/> set (replacing one of the same name).</summary>
    public ProbeRequest WithHeader(string header, string value) => this with
    {
        Headers = [.. Headers.Where(h => !h.Key.Equals(header, StringComparison.OrdinalIgnoreCase)), new(header, value)],
    };

    /// <summary>A key that is equal for requests that would be sent identically.</summary>
    public string Identity =>
        $"{Method} {Path}?{string.Join("&", Query.Select(q => $"{q.Key}={q.Value}"))} {string.Join(";", Headers.Select(h => $"{h.Key}:{h.Value}"))} {string.Join(";", Cookies.Select(h => $"{h.Key}={h.Value}"))} {Body}";
}

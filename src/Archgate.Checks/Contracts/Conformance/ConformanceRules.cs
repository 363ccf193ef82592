namespace Archgate.Checks.Contracts.Conformance;

/// <summary>Rule ids of live OpenAPI conformance (step 2); documented with their hints in docs/rules.md.</summary>
internal static class ConformanceRules
{
    /// <summary>A response was a server error (5xx).</summary>
    public const string ServerError = "AG2010";

    /// <summary>The response status is not documented for the operation (nor a range or default).</summary>
    public const string StatusUndocumented = "AG2011";

    /// <summary>The response content type is not documented for that status, or a documented body is missing.</summary>
    public const string ContentTypeUndocumented = "AG2012";

    /// <summary>The response body does not match the documented schema.</summary>
    public const string BodyMismatch = "AG2013";

    /// <summary>A required documented response header is missing, or a header value does not match its schema.</summary>
    public const string HeaderMismatch = "AG2014";

    /// <summary>An invalid request was not rejected with 4xx.</summary>
    public const string InvalidInputAccepted = "AG2015";

    /// <summary>A method the path does not declare was not answered 405 (with Allow).</summary>
    public const string MethodNotRejected = "AG2016";

    /// <summary>An error body does not follow the declared error format (RFC 7807 for application/problem+json).</summary>
    public const string ErrorFormat = "AG2017";

    /// <summary>An operation was not tested (and why).</summary>
    public const string NotTested = "AG2018";

    /// <summary>A request got no answer (timeout, connection failure).</summary>
    public const string NoResponse = "AG2019";

    /// <summary>Authentication from the manifest failed (login refused, no token in its answer).</summary>
    public const string AuthenticationFailed = "AG2020";

    /// <summary>
    /// A deprecated operation answered without saying so: no <c>Deprecation</c> header (RFC 9745), one not in its form,
    /// or no <c>Sunset</c> header (RFC 8594) with the date the contract's <c>x-sunset</c> gives.
    /// </summary>
    public const string DeprecationUnannounced = "AG2021";

    /// <summary>Rules that count an operation as mismatching its contract.</summary>
    public static readonly IReadOnlySet<string> Mismatches = new HashSet<string>(StringComparer.Ordinal)
    {
        ServerError, StatusUndocumented, ContentTypeUndocumented, BodyMismatch, HeaderMismatch, InvalidInputAccepted,
        MethodNotRejected, ErrorFormat, NoResponse,
    };

    /// <summary>How to mend a finding of each rule.</summary>
    public static string Hint(string rule) => rule switch
    {
        ServerError => "a 5xx means the service broke on a request the contract allows; its log has the exception",
        StatusUndocumented => "document the status under the operation's responses (or a 4XX/5XX range, or default), or stop returning it",
        ContentTypeUndocumented => "document the media type under the response's content, or answer with a documented one",
        BodyMismatch => "make the service answer as the schema says, or change the schema (a breaking change for consumers: version it)",
        HeaderMismatch => "send the header as documented, or document it as optional (required: false)",
        InvalidInputAccepted => "validate the input and answer 400 (or 422) with an error body; the contract's constraints are the consumers' expectations",
        MethodNotRejected => "answer 405 Method Not Allowed with an Allow header for methods the path does not declare",
        ErrorFormat => "answer errors as application/problem+json (RFC 7807): type, title, status equal to the HTTP status, detail",
        NotTested => "give examples in the document, or fixture ids (openapi.fixtures) and auth in the manifest",
        NoResponse => "the service did not answer in time or dropped the connection; its log says why",
        DeprecationUnannounced => "announce a deprecated operation in every answer: Deprecation: @<unix seconds of the deprecation> (RFC 9745), Sunset: <HTTP-date of the removal> (RFC 8594) when it has one, and Link: <successor>; rel=\"successor-version\"",
        AuthenticationFailed => "check auth in the manifest: the login operation, user and password, and token (JSON path of the token in the answer)",
        _ => "see docs/rules.md",
    };
}

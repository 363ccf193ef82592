using Archgate.Protocol;

namespace Archgate.Checks.Security;

/// <summary>What a security rule maps to in the catalogues people know: OWASP API Security Top 10 2023, CWE, ZAP.</summary>
/// <param name="Id">The rule id, <c>AG9001</c>.</param>
/// <param name="Title">A short name.</param>
/// <param name="Owasp">The OWASP API Security Top 10 2023 category, <c>API2:2023 Broken Authentication</c>.</param>
/// <param name="Cwe">The CWE id, <c>306</c>.</param>
/// <param name="ZapAlert">ZAP's alert id for the same rule, or null where ZAP has none.</param>
/// <param name="Hint">How to mend it.</param>
public sealed record SecurityRule(string Id, string Title, string Owasp, int Cwe, int? ZapAlert, string Hint);

/// <summary>
/// Step 9's rule ids (AG90xx). The active probes (<c>Security/Probes/</c>) own AG9001-AG9049; the passive rules,
/// TLS, secrets and the dependency audit own AG9050-AG9099. Each rule is documented in docs/rules.md.
/// </summary>
public static class SecurityRules
{
    /// <summary>A secured operation answered 2xx without credentials.</summary>
    public const string NoCredentialsAccepted = "AG9001";

    /// <summary>A secured operation answered 2xx to an invalid token (garbage, tampered payload, other key, alg none).</summary>
    public const string InvalidTokenAccepted = "AG9002";

    /// <summary>A secured operation answered 2xx to an expired token.</summary>
    public const string ExpiredTokenAccepted = "AG9003";

    /// <summary>What the authentication probes covered and left out.</summary>
    public const string AuthenticationCoverage = "AG9004";

    /// <summary>
    /// Repeated wrong sign-ins for one made-up account from one address met no limit (medium); info with the evidence
    /// when a limit was seen, or when the probe could not tell.
    /// </summary>
    public const string PasswordGuessing = "AG9005";

    /// <summary>Repeated wrong sign-ins were answered 5xx without Retry-After: the sign-in failed rather than limited them.</summary>
    public const string PasswordGuessingServerError = "AG9006";

    /// <summary>Identity B read, changed or deleted what identity A created (BOLA).</summary>
    public const string ObjectLevelAuthorization = "AG9010";

    /// <summary>An ordinary identity called an admin-only operation (BFLA).</summary>
    public const string FunctionLevelAuthorization = "AG9011";

    /// <summary>A write set a read-only or privileged property (mass assignment).</summary>
    public const string MassAssignment = "AG9012";

    /// <summary>What the authorization probes covered and left out.</summary>
    public const string AuthorizationCoverage = "AG9013";

    /// <summary>SQL injection (error-based, boolean-based or time-based), confirmed.</summary>
    public const string SqlInjection = "AG9020";

    /// <summary>Input reflected unescaped in an HTML response.</summary>
    public const string ReflectedXss = "AG9021";

    /// <summary>CR/LF in input became a response header.</summary>
    public const string CrlfInjection = "AG9022";

    /// <summary>A file-like parameter read a file outside its folder.</summary>
    public const string PathTraversal = "AG9023";

    /// <summary>Malformed input (bad JSON, wrong content type, oversized or deeply nested) answered 5xx.</summary>
    public const string MalformedInputServerError = "AG9025";

    /// <summary>An error answer disclosed a stack trace or debug details.</summary>
    public const string ErrorDisclosure = "AG9026";

    /// <summary>
    /// The severity of a stack trace in an answer, whichever request drew it: a probe's (AG9026) or any other of the run
    /// (AG9065) is one observation, an information disclosure (CWE-209), medium as ZAP's Application Error Disclosure
    /// (90022) rates it. What an injected value does to the query is judged on its own (AG9020).
    /// </summary>
    public const Severity StackTraceSeverity = Severity.Medium;

    /// <summary>What the injection and input probes covered, and their request budget.</summary>
    public const string InjectionCoverage = "AG9029";

    /// <summary>CORS allows an arbitrary origin (reflected, or wildcard with credentials).</summary>
    public const string CorsArbitraryOrigin = "AG9030";

    /// <summary>CORS allows the <c>null</c> origin.</summary>
    public const string CorsNullOrigin = "AG9031";

    /// <summary>A preflight allows every method or any request header.</summary>
    public const string CorsPermissivePreflight = "AG9032";

    /// <summary>A cookie-authenticated state-changing operation runs without an anti-CSRF token or SameSite cookie.</summary>
    public const string Csrf = "AG9035";

    /// <summary>What the CORS and CSRF probes covered.</summary>
    public const string CorsCoverage = "AG9039";

    /// <summary>A finding the manifest's <c>security.rules</c> set to ignore, listed with where.</summary>
    public const string Ignored = "AG9041";

    private const string Authn = "API2:2023 Broken Authentication";
    private const string Bola = "API1:2023 Broken Object Level Authorization";
    private const string Bopla = "API3:2023 Broken Object Property Level Authorization";
    private const string Bfla = "API5:2023 Broken Function Level Authorization";
    private const string Misconfig = "API8:2023 Security Misconfiguration";

    /// <summary>Every rule of the active probes, by id.</summary>
    public static IReadOnlyDictionary<string, SecurityRule> Probes { get; } = new[]
    {
        new SecurityRule(NoCredentialsAccepted, "Authentication not enforced", Authn, 306, null,
            "require authentication on the operation (ASP.NET Core: RequireAuthorization on the endpoint or group, no AllowAnonymous); if it is public by design, mark it so in the contract (security: [] on the operation) or leave it out of security.protected"),
        new SecurityRule(InvalidTokenAccepted, "Invalid token accepted", Authn, 347, null,
            "validate the token's signature with the issuer's key, refuse alg none, pin the accepted algorithms"),
        new SecurityRule(ExpiredTokenAccepted, "Expired token accepted", Authn, 613, null, "validate exp (and nbf) with a small clock skew"),
        new SecurityRule(AuthenticationCoverage, "Authentication probes", Authn, 287, null, "none: what was and was not probed"),
        new SecurityRule(PasswordGuessing, "Password guessing not limited", Authn, 307, null,
            "limit failed sign-ins per account and per client address (a few per account a minute), and answer 429 with Retry-After (ASP.NET Core: AddRateLimiter, or a counter of failures)"),
        new SecurityRule(PasswordGuessingServerError, "Sign-in fails under repeated wrong passwords", Authn, 755, null,
            "a limit answers 429 (or 503) with Retry-After; a 5xx without it is a failure: read the service's log for this sign-in"),
        new SecurityRule(ObjectLevelAuthorization, "Broken object level authorization (BOLA)", Bola, 639, null,
            "check on every read, change and delete that the resource belongs to the caller; answer 404 (or 403) otherwise"),
        new SecurityRule(FunctionLevelAuthorization, "Broken function level authorization (BFLA)", Bfla, 285, null,
            "require the admin role on admin operations (a policy on the route group), and deny by default"),
        new SecurityRule(MassAssignment, "Mass assignment", Bopla, 915, null,
            "bind requests to a DTO with only the writable fields; never bind a request onto the stored entity"),
        new SecurityRule(AuthorizationCoverage, "Authorization probes", Bola, 285, null, "none: what was and was not probed"),
        new SecurityRule(SqlInjection, "SQL injection", Misconfig, 89, 40018,
            "use parameterised queries (bind the value); never paste input into SQL text"),
        new SecurityRule(ReflectedXss, "Reflected cross-site scripting", Misconfig, 79, 40012,
            "encode output for its context (HTML, attribute, script), answer JSON as application/json"),
        new SecurityRule(CrlfInjection, "CRLF injection / HTTP response splitting", Misconfig, 113, 40003,
            "never copy input into response headers; reject CR and LF in header values"),
        new SecurityRule(PathTraversal, "Path traversal", Misconfig, 22, 6,
            "resolve the path, then check it is inside the allowed folder; better, map ids to files"),
        new SecurityRule(MalformedInputServerError, "Server error on malformed input", Misconfig, 20, null,
            "validate the body (JSON syntax, content type, size, depth) and answer 400/413/415 with a problem document"),
        new SecurityRule(ErrorDisclosure, "Error details disclosed", Misconfig, 209, 90022,
            "answer errors with a generic problem document; log the details (ASP.NET Core: no developer exception page outside Development)"),
        new SecurityRule(InjectionCoverage, "Injection and input probes", Misconfig, 20, null, "none: what was probed, and the request budget"),
        new SecurityRule(CorsArbitraryOrigin, "CORS allows an arbitrary origin", Misconfig, 942, 40040,
            "allow only the frontends' origins (WithOrigins), never reflect the request's Origin with credentials"),
        new SecurityRule(CorsNullOrigin, "CORS allows the null origin", Misconfig, 942, 40040, "do not allow the origin 'null' (sandboxed frames, file: pages)"),
        new SecurityRule(CorsPermissivePreflight, "CORS preflight allows anything", Misconfig, 942, 40040,
            "list the methods and headers the frontend needs (WithMethods, WithHeaders)"),
        new SecurityRule(Csrf, "Cross-site request forgery", Misconfig, 352, 10202,
            "send session cookies with SameSite=Lax or Strict, or require an anti-CSRF token on state-changing requests"),
        new SecurityRule(CorsCoverage, "CORS and CSRF probes", Misconfig, 942, null, "none: what was probed"),
        new SecurityRule(Ignored, "Ignored by the manifest", Misconfig, 1188, null, "remove the entry from security.rules once the finding is fixed"),
    }.ToDictionary(r => r.Id, StringComparer.Ordinal);

    /// <summary>The rule's hint, or null.</summary>
    public static string? Hint(string rule) => Probes.GetValueOrDefault(rule)?.Hint;

    /// <summary>The mapping as a finding shows it: <c>OWASP API2:2023 Broken Authentication, CWE-306, ZAP 40018</c>.</summary>
    public static string Mapping(string rule) => Rule(rule, Severity.Info).References ?? string.Empty;

    /// <summary>The rule's descriptor at <paramref name="severity"/> (a probe's findings of one rule differ in severity): its title, hint and catalogue references.</summary>
    public static RuleDescriptor Rule(string rule, Severity severity) => Probes.GetValueOrDefault(rule) is { } r
        ? new RuleDescriptor(rule, severity) { Title = r.Title, Hint = r.Hint, Owasp = r.Owasp, Cwe = r.Cwe, Zap = r.ZapAlert }
        : new RuleDescriptor(rule, severity);

    /// <summary>Whether a severity counts against the gate by default.</summary>
    internal static bool Blocks(Severity severity) => severity >= Severity.High;
}

using Archgate.Protocol;

namespace Archgate.Checks.Security;

/// <summary>What a security rule is, for the docs and SARIF: its name, default severity and the catalogues it maps to.</summary>
/// <param name="Id">Stable id, <c>AG9050</c>.</param>
/// <param name="Name">Short kebab-case name, <c>csp-missing</c>.</param>
/// <param name="Title">One line: what the rule finds.</param>
/// <param name="Severity">Its default severity (a finding may state a lower one, said in its message).</param>
/// <param name="Owasp">The OWASP API Security Top 10 2023 category, <c>API8:2023 Security Misconfiguration</c>.</param>
/// <param name="Cwe">The CWE number.</param>
/// <param name="ZapId">The OWASP ZAP alert id of the same rule, or null.</param>
/// <param name="Help">Why it matters and how to mend it.</param>
public sealed record SecurityRuleInfo(string Id, string Name, string Title, Severity Severity, string Owasp, int Cwe, int? ZapId, string Help);

/// <summary>
/// Rule ids AG9050-AG9099 of step 9: passive rules over every response of the run (AG9050-AG9079), secrets
/// (AG9080-AG9084), dependency audit (AG9085-AG9089), TLS (AG9090-AG9099). docs/rules.md lists them.
/// </summary>
public static class PassiveRules
{
    private const string Misconfiguration = "API8:2023 Security Misconfiguration";
    private const string DataExposure = "API3:2023 Broken Object Property Level Authorization";
    private const string Inventory = "API9:2023 Improper Inventory Management";
    private const string Authentication = "API2:2023 Broken Authentication";
    private const string Consumption = "API10:2023 Unsafe Consumption of APIs";

    /// <summary>An HTML page without a Content-Security-Policy.</summary>
    public const string CspMissing = "AG9050";

    /// <summary>A Content-Security-Policy that lets scripts or styles in from anywhere, inline or by eval.</summary>
    public const string CspWeak = "AG9051";

    /// <summary>An HTML page that any site may frame (no X-Frame-Options, no frame-ancestors).</summary>
    public const string Clickjacking = "AG9052";

    /// <summary>A response without <c>X-Content-Type-Options: nosniff</c>.</summary>
    public const string NoSniffMissing = "AG9053";

    /// <summary>An https response without a usable Strict-Transport-Security.</summary>
    public const string HstsMissing = "AG9054";

    /// <summary>An HTML page or script without a Permissions-Policy.</summary>
    public const string PermissionsPolicyMissing = "AG9055";

    /// <summary>A Server header that names a version.</summary>
    public const string ServerVersion = "AG9056";

    /// <summary>An X-Powered-By header.</summary>
    public const string PoweredBy = "AG9057";

    /// <summary>An X-AspNet-Version or X-AspNetMvc-Version header.</summary>
    public const string AspNetVersion = "AG9058";

    /// <summary>A cookie without HttpOnly.</summary>
    public const string CookieNoHttpOnly = "AG9059";

    /// <summary>A cookie set over https without Secure.</summary>
    public const string CookieNoSecure = "AG9060";

    /// <summary>A cookie without SameSite, or with SameSite=None.</summary>
    public const string CookieSameSite = "AG9061";

    /// <summary>A cookie scoped to a parent domain of the host that set it.</summary>
    public const string CookieLooseScope = "AG9062";

    /// <summary>An answer to an authenticated request that browsers and proxies may store.</summary>
    public const string CacheableAuthenticated = "AG9063";

    /// <summary>A response with a body and no Content-Type.</summary>
    public const string ContentTypeMissing = "AG9064";

    /// <summary>A stack trace in a response.</summary>
    public const string StackTrace = "AG9065";

    /// <summary>A framework or database error message in a response.</summary>
    public const string DebugError = "AG9066";

    /// <summary>A private (RFC 1918 or link-local) IP address in a response.</summary>
    public const string PrivateIp = "AG9067";

    /// <summary>A session id, token or password in a request URL.</summary>
    public const string TokenInUrl = "AG9068";

    /// <summary>A payment card number (Luhn-valid, known issuer prefix) in a response.</summary>
    public const string CardNumber = "AG9069";

    /// <summary>An e-mail address in a response.</summary>
    public const string EmailAddress = "AG9070";

    /// <summary>A component none of whose responses carries any browser security header.</summary>
    public const string HeadersAbsent = "AG9071";

    /// <summary>A script or stylesheet from another origin without Subresource Integrity.</summary>
    public const string NoIntegrity = "AG9072";

    /// <summary>An https page that loads resources over plain http.</summary>
    public const string MixedContent = "AG9073";

    /// <summary>HTTP Basic authentication offered over plain http.</summary>
    public const string BasicOverHttp = "AG9074";

    /// <summary>A literal secret (or a <c>${VAR:-default}</c> default) in the manifest.</summary>
    public const string ManifestSecret = "AG9080";

    /// <summary>A secret-looking value in a deployed config folder.</summary>
    public const string ConfigSecret = "AG9081";

    /// <summary>A secret (known key format) in a response.</summary>
    public const string ResponseSecret = "AG9082";

    /// <summary>A secret or token in a component log.</summary>
    public const string LogSecret = "AG9083";

    /// <summary>A dependency with a known vulnerability (OSV).</summary>
    public const string VulnerableDependency = "AG9085";

    /// <summary>A dependency manifest that could not be audited (unreadable, not restored, unpinned requirements).</summary>
    public const string DependencyNotAudited = "AG9086";

    /// <summary>No TLS handshake with an https component.</summary>
    public const string TlsHandshake = "AG9090";

    /// <summary>A certificate past its validity (or not yet valid).</summary>
    public const string TlsCertificateExpired = "AG9091";

    /// <summary>A certificate that expires soon.</summary>
    public const string TlsCertificateExpiring = "AG9092";

    /// <summary>A certificate that does not name the host.</summary>
    public const string TlsHostMismatch = "AG9093";

    /// <summary>A certificate chain that is not trusted (self-signed, unknown CA, missing intermediates).</summary>
    public const string TlsUntrusted = "AG9094";

    /// <summary>A server that accepts TLS 1.0 or 1.1.</summary>
    public const string TlsOldProtocol = "AG9095";

    /// <summary>The passive rules' catalogue, in id order.</summary>
    public static IReadOnlyList<SecurityRuleInfo> All { get; } =
    [
        new(CspMissing, "csp-missing", "HTML page without Content-Security-Policy", Severity.Medium, Misconfiguration, 693, 10038,
            "A Content-Security-Policy limits where scripts, styles and frames may come from, the main defence in depth against XSS. Send one on every HTML page (at least default-src 'self'; frame-ancestors 'none'; form-action 'self'); Report-Only does not enforce."),
        new(CspWeak, "csp-weak", "Content-Security-Policy that allows inline code, eval or any source", Severity.Medium, Misconfiguration, 693, 10055,
            "'unsafe-inline' (without a nonce or hash), 'unsafe-eval', wildcards and bare schemes in script-src or style-src, and HTML pages without frame-ancestors or form-action (directives with no fallback) leave the policy open. Use nonces or hashes and name the origins."),
        new(Clickjacking, "clickjacking", "HTML page that any site may frame", Severity.Medium, Misconfiguration, 1021, 10020,
            "Without X-Frame-Options (DENY or SAMEORIGIN) or CSP frame-ancestors a page can be framed by another site and its clicks hijacked. Send frame-ancestors 'none' (or 'self')."),
        new(NoSniffMissing, "nosniff-missing", "Response without X-Content-Type-Options: nosniff", Severity.Low, Misconfiguration, 693, 10021,
            "Browsers may sniff a response's type and run it as script or HTML. Send X-Content-Type-Options: nosniff on every response."),
        new(HstsMissing, "hsts-missing", "https response without Strict-Transport-Security", Severity.Low, Misconfiguration, 319, 10035,
            "Without HSTS a browser may be talked down to plain http. Send Strict-Transport-Security: max-age=31536000; includeSubDomains on every https response."),
        new(PermissionsPolicyMissing, "permissions-policy-missing", "HTML page or script without Permissions-Policy", Severity.Low, Misconfiguration, 693, 10063,
            "Permissions-Policy switches off browser features (camera, microphone, geolocation, payment) the page does not use. Send one that lists them."),
        new(ServerVersion, "server-version", "Server header names its version", Severity.Low, Misconfiguration, 497, 10036,
            "A version in the Server header tells attackers which known vulnerabilities to try. Remove the version (Kestrel: AddServerHeader = false)."),
        new(PoweredBy, "x-powered-by", "X-Powered-By header", Severity.Low, Misconfiguration, 497, 10037,
            "X-Powered-By names the framework behind the service. Remove it."),
        new(AspNetVersion, "x-aspnet-version", "X-AspNet-Version or X-AspNetMvc-Version header", Severity.Low, Misconfiguration, 933, 10061,
            "The header names the ASP.NET version. Remove it (httpRuntime enableVersionHeader=false, MvcHandler.DisableMvcResponseHeader)."),
        new(CookieNoHttpOnly, "cookie-no-httponly", "Cookie without HttpOnly", Severity.Low, Misconfiguration, 1004, 10010,
            "A cookie without HttpOnly can be read by any script on the page, so an XSS steals the session. Set HttpOnly on every cookie scripts do not need. Anti-CSRF token cookies (a name containing csrf or xsrf, such as XSRF-TOKEN or csrftoken) are not reported: the page's script must read them to send them back in a header."),
        new(CookieNoSecure, "cookie-no-secure", "Cookie set over https without Secure", Severity.Low, Misconfiguration, 614, 10011,
            "A cookie without Secure is sent over plain http too. Set Secure on every cookie of an https site."),
        new(CookieSameSite, "cookie-samesite", "Cookie without SameSite (or SameSite=None)", Severity.Low, Misconfiguration, 1275, 10054,
            "SameSite=Lax or Strict keeps a cookie off cross-site requests (CSRF). Set it on every cookie; None only where a third-party context truly needs it."),
        new(CookieLooseScope, "cookie-loose-scope", "Cookie scoped to a parent domain", Severity.Info, Misconfiguration, 565, 90033,
            "A Domain attribute broader than the host sends the cookie to every sibling host. Leave Domain out so the cookie stays host-only."),
        new(CacheableAuthenticated, "cacheable-authenticated", "Answer to an authenticated request that may be stored", Severity.Low, DataExposure, 525, 10015,
            "A response for one user's credentials can be stored by a browser or a shared cache and shown to someone else. Send Cache-Control: no-store on authenticated responses. An answer identical to the same GET's answer without credentials (status, body or ETag) is the one everybody gets and is not reported; nor is an answer to POST, PATCH, PUT or DELETE without explicit freshness (max-age, s-maxage, public, Expires), which no cache stores."),
        new(ContentTypeMissing, "content-type-missing", "Response with a body and no Content-Type", Severity.Info, Misconfiguration, 345, 10019,
            "Without a Content-Type the browser guesses the type. Send one on every response with a body."),
        new(StackTrace, "stack-trace", "Stack trace in a response", SecurityRules.StackTraceSeverity, Misconfiguration, 209, 90022,
            "A stack trace shows the code's structure, file paths and libraries. Answer errors with a short RFC 7807 problem and log the exception on the server."),
        new(DebugError, "debug-error", "Framework or database error message in a response", Severity.Low, Misconfiguration, 209, 10023,
            "Error text from the database driver or framework (SQL errors, exception names, debug pages) helps attackers aim injections. Map errors to generic problems; turn debug pages off."),
        new(PrivateIp, "private-ip", "Private IP address in a response", Severity.Low, Inventory, 497, 2,
            "An internal address (RFC 1918, link-local) in a response maps the internal network. Keep internal addresses out of responses."),
        new(TokenInUrl, "token-in-url", "Session id, token or password in a URL", Severity.Medium, Authentication, 598, 3,
            "URLs end up in server and proxy logs, browser history and Referer headers. Send tokens in a header or a cookie; where a URL must carry one (EventSource), make it short-lived, send Referrer-Policy: no-referrer and Cache-Control: no-store (then this is low)."),
        new(CardNumber, "card-number", "Payment card number in a response", Severity.High, DataExposure, 359, 10062,
            "A Luhn-valid number with a card issuer's prefix was returned. Return only the last four digits; full card numbers belong in the payment provider's vault."),
        new(EmailAddress, "email-address", "E-mail address in a response", Severity.Low, DataExposure, 359, null,
            "Personal data returned to a client must be needed by it (placeholder domains such as example.com, .test and .invalid are ignored). Return only what the client shows."),
        new(HeadersAbsent, "security-headers-absent", "No browser security header on any response of a component", Severity.High, Misconfiguration, 693, null,
            "Not one response of the component carried Content-Security-Policy, X-Frame-Options, X-Content-Type-Options, Referrer-Policy or Permissions-Policy: the header layer is missing altogether (high for a component that serves HTML, medium for an API). Add the security headers middleware."),
        new(NoIntegrity, "sri-missing", "Script or stylesheet from another origin without integrity", Severity.Medium, Consumption, 829, 90003,
            "A script from another origin runs with the page's rights; if that host is compromised, so is the page. Add integrity=\"sha384-...\" and crossorigin, or serve it from your own origin."),
        new(MixedContent, "mixed-content", "https page that loads resources over http", Severity.Medium, Misconfiguration, 311, 10040,
            "Resources loaded over plain http can be read and replaced on the way. Load every resource over https."),
        new(BasicOverHttp, "basic-over-http", "HTTP Basic authentication over plain http", Severity.Medium, Authentication, 319, 10105,
            "Basic credentials are only base64 encoded: over plain http anyone on the path reads the password. Serve the login over https only."),
        new(ManifestSecret, "manifest-secret", "Literal secret in the manifest", Severity.Medium, Misconfiguration, 798, null,
            "A manifest is committed: a password, key or token written in it (or as the default of ${VAR:-default}) is in the repository's history. High for a known live key format, medium for a high-entropy value, low for test-mode keys and short demo passwords. Write ${NAME} and supply the value from the environment."),
        new(ConfigSecret, "config-secret", "Secret in a deployed config folder", Severity.High, Misconfiguration, 260, null,
            "Config files next to the program are readable by anyone with access to the host or the image. High for a known live key format, medium for a high-entropy value under a secret-named key. Pass secrets through the environment or a secret store and rotate the exposed value."),
        new(ResponseSecret, "response-secret", "Secret in a response", Severity.High, DataExposure, 200, 10099,
            "A key in a known format (AWS, Stripe-style live key, GitHub, Slack, Google, a private key) was returned to a client. Remove it from the answer and rotate it."),
        new(LogSecret, "log-secret", "Secret or token in a component log", Severity.High, Misconfiguration, 532, null,
            "Logs are kept, shipped and read by many. High for a known key format, medium for tokens (JWTs) and high-entropy values under secret-named keys. Log that a credential was used, never its value; rotate what was logged."),
        new(VulnerableDependency, "vulnerable-dependency", "Dependency with a known vulnerability", Severity.High, Consumption, 1395, null,
            "A package in the deployed dependency set is inside an OSV advisory's affected range. The severity is the advisory's (GitHub's CRITICAL, HIGH, MODERATE, LOW; high when it gives none). Upgrade to the fixed version named in the finding."),
        new(DependencyNotAudited, "dependency-not-audited", "Dependency manifest that could not be audited", Severity.Medium, Inventory, 1104, null,
            "A lockfile or project could not be read (medium), or requirements are not pinned (low), so their packages' vulnerabilities are unknown. Restore the project, fix the file, pin the versions."),
        new(TlsHandshake, "tls-handshake", "No TLS handshake with an https component", Severity.High, Misconfiguration, 319, null,
            "The component's https URL did not complete a TLS handshake. Serve https with a certificate and TLS 1.2 or 1.3."),
        new(TlsCertificateExpired, "tls-certificate-expired", "Certificate outside its validity period", Severity.High, Misconfiguration, 298, null,
            "Clients refuse an expired (or not yet valid) certificate. Renew it."),
        new(TlsCertificateExpiring, "tls-certificate-expiring", "Certificate expires within 30 days", Severity.Medium, Misconfiguration, 298, null,
            "Renew the certificate before it expires; automate renewal."),
        new(TlsHostMismatch, "tls-host-mismatch", "Certificate does not name the host", Severity.High, Misconfiguration, 297, null,
            "Clients refuse a certificate issued for another name. Issue it for the host clients use (subjectAltName)."),
        new(TlsUntrusted, "tls-untrusted", "Certificate chain not trusted", Severity.High, Misconfiguration, 295, null,
            "A self-signed certificate, an unknown CA or missing intermediates make clients refuse the connection (or be taught to ignore errors). Use a trusted CA and send the full chain."),
        new(TlsOldProtocol, "tls-old-protocol", "TLS 1.0 or 1.1 accepted", Severity.Medium, Misconfiguration, 327, 10035,
            "TLS 1.0 and 1.1 are deprecated (RFC 8996). Allow TLS 1.2 and 1.3 only."),
    ];

    /// <summary>The catalogue entry of <paramref name="id"/>, or null.</summary>
    public static SecurityRuleInfo? Find(string id) => All.FirstOrDefault(r => r.Id == id);

    /// <summary>
    /// Rules about a response header that one server setting decides for every route (a missing nosniff, a Server
    /// header naming its version): reported once per component with the routes it was seen on, as ZAP baseline groups
    /// an alert's instances, not once per route.
    /// </summary>
    public static readonly IReadOnlySet<string> ServerWide = new HashSet<string>(StringComparer.Ordinal)
    {
        CspMissing, Clickjacking, NoSniffMissing, HstsMissing, PermissionsPolicyMissing, ServerVersion, PoweredBy, AspNetVersion,
    };
}

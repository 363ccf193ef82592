using System.Globalization;
using System.Text.RegularExpressions;
using Archgate.Checks.Http;
using Archgate.Protocol;

namespace Archgate.Checks.Security.Passive;

/// <summary>One rule's hit on one exchange, already masked.</summary>
/// <param name="Rule">Rule id (<see cref="PassiveRules"/>).</param>
/// <param name="Severity">Severity of this hit.</param>
/// <param name="Message">What was found, without the route (the finding adds it).</param>
/// <param name="Detail">The decisive excerpt: a header, a matched text, masked.</param>
internal sealed record PassiveHit(string Rule, Severity Severity, string Message, string Detail)
{
    /// <summary>The query parameters (or path parameter) that carry a secret, for AG9068; none for other rules.</summary>
    public IReadOnlyList<string> Names { get; init; } = [];
}

/// <summary>
/// The passive rules, applied to one exchange at a time: headers, cookies, caching, error texts, addresses and
/// card numbers, tokens in the URL, what an HTML page loads. Each rule mirrors the ZAP passive rule named in
/// <see cref="PassiveRules.All"/>; none sends a request.
/// </summary>
internal static partial class PassiveDetectors
{
    /// <summary>Headers whose presence shows that a component has a security header layer at all.</summary>
    public static readonly string[] SecurityHeaders =
        ["Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy", "Permissions-Policy"];

    private static readonly string[] TokenParameters =
    [
        "access_token", "token", "id_token", "refresh_token", "auth", "auth_token", "authorization", "bearer", "jwt",
        "session", "sessionid", "session_id", "sid", "jsessionid", "phpsessid", "aspsessionid", "api_key", "apikey",
        "password", "passwd", "pwd", "secret", "client_secret",
    ];

    /// <summary>Every rule's hits on <paramref name="e"/>.</summary>
    public static IReadOnlyList<PassiveHit> Evaluate(ObservedExchange e)
    {
        var hits = new List<PassiveHit>();
        var https = e.Url.Scheme == Uri.UriSchemeHttps;
        var hasBody = HasBody(e);
        var redirect = e.Status is >= 300 and < 400;
        // A page is HTML a browser can render as a document: the answer to a navigation (GET, or a form's POST). HTML
        // answered to PATCH, PUT, DELETE or OPTIONS (a server's default 405/501 page for the probes) is only ever read
        // by scripts, so the page rules (CSP, framing, Permissions-Policy, its resources) do not apply to it.
        var html = e.IsHtml && hasBody && !redirect && (e.Method is "GET" or "POST");

        Headers(e, hits, https, hasBody, redirect, html);
        Cookies(e, hits, https);
        Caching(e, hits);
        Url(e, hits);
        Body(e, hits, html, https);
        return hits;
    }

    private static void Headers(ObservedExchange e, List<PassiveHit> hits, bool https, bool hasBody, bool redirect, bool html)
    {
        var csp = e.All("Content-Security-Policy").ToList();
        if (html && csp.Count == 0 && MetaCsp(e.Body) is null)
        {
            var reportOnly = e.Header("Content-Security-Policy-Report-Only") is not null ? " (only Content-Security-Policy-Report-Only, which does not enforce)" : string.Empty;
            hits.Add(new(PassiveRules.CspMissing, Severity.Medium, $"HTML page without Content-Security-Policy{reportOnly}", "Content-Security-Policy: (absent)"));
        }

        // A policy governs a document or a worker (CSP Level 3 §4.2), nothing else: on a JSON answer it protects nothing,
        // so a weak one is judged on HTML pages and on scripts (a worker's policy is its script's header), as ZAP's
        // rule 10055 judges only HTML at its default threshold.
        var script = e.MediaType is { } mt && mt.Contains("javascript", StringComparison.Ordinal) && hasBody && !redirect;
        var policies = csp.Count > 0 ? csp : html && MetaCsp(e.Body) is { } meta ? [meta] : [];
        var policy = ContentSecurityPolicy.Parse(policies);
        if (policies.Count > 0 && (html || script) && policy.Weaknesses(html ? CspScope.Page : CspScope.Worker) is { Count: > 0 } weak)
        {
            hits.Add(new(PassiveRules.CspWeak, Severity.Medium, $"weak Content-Security-Policy: {string.Join("; ", weak)}", $"Content-Security-Policy: {Cut(string.Join(", ", policies), 200)}"));
        }

        if (html && !(csp.Count > 0 && policy.Has("frame-ancestors")))
        {
            var xfo = e.All("X-Frame-Options").ToList();
            var value = xfo.Count == 1 ? xfo[0].Trim().ToUpperInvariant() : null;
            if (value is not ("DENY" or "SAMEORIGIN"))
            {
                var what = xfo.Count switch
                {
                    0 => "no X-Frame-Options and no CSP frame-ancestors",
                    1 => $"X-Frame-Options '{Cut(xfo[0], 60)}' is not DENY or SAMEORIGIN, and no CSP frame-ancestors",
                    _ => $"{xfo.Count} X-Frame-Options headers (browsers ignore them), and no CSP frame-ancestors",
                };
                hits.Add(new(PassiveRules.Clickjacking, Severity.Medium, $"the page may be framed by any site: {what}", xfo.Count == 0 ? "X-Frame-Options: (absent)" : $"X-Frame-Options: {Cut(string.Join(", ", xfo), 80)}"));
            }
        }

        if (hasBody && !redirect && !string.Equals(e.Header("X-Content-Type-Options")?.Trim(), "nosniff", StringComparison.OrdinalIgnoreCase))
        {
            hits.Add(new(PassiveRules.NoSniffMissing, Severity.Low, "X-Content-Type-Options: nosniff is missing", $"X-Content-Type-Options: {e.Header("X-Content-Type-Options") ?? "(absent)"}"));
        }

        if (https && HstsProblem(e.Header("Strict-Transport-Security")) is { } hsts)
        {
            hits.Add(new(PassiveRules.HstsMissing, Severity.Low, hsts, $"Strict-Transport-Security: {e.Header("Strict-Transport-Security") ?? "(absent)"}"));
        }

        if ((html || script) && e.Header("Permissions-Policy") is null && e.Header("Feature-Policy") is null)
        {
            hits.Add(new(PassiveRules.PermissionsPolicyMissing, Severity.Low, $"{(html ? "HTML page" : "script")} without Permissions-Policy", "Permissions-Policy: (absent)"));
        }

        if (e.Header("Server") is { } server && server.Any(char.IsAsciiDigit))
        {
            hits.Add(new(PassiveRules.ServerVersion, Severity.Low, "the Server header names a version", $"Server: {Cut(server, 80)}"));
        }

        if (e.Header("X-Powered-By") is { } powered)
        {
            hits.Add(new(PassiveRules.PoweredBy, Severity.Low, "X-Powered-By names the framework", $"X-Powered-By: {Cut(powered, 80)}"));
        }

        foreach (var name in new[] { "X-AspNet-Version", "X-AspNetMvc-Version" })
        {
            if (e.Header(name) is { } version)
            {
                hits.Add(new(PassiveRules.AspNetVersion, Severity.Low, $"{name} names the ASP.NET version", $"{name}: {Cut(version, 40)}"));
            }
        }

        if (hasBody && e.Status != 204 && e.Header("Content-Type") is null)
        {
            hits.Add(new(PassiveRules.ContentTypeMissing, Severity.Info, "a response with a body has no Content-Type", "Content-Type: (absent)"));
        }

        if (!https && e.All("WWW-Authenticate").Any(v => v.TrimStart().StartsWith("Basic", StringComparison.OrdinalIgnoreCase)))
        {
            hits.Add(new(PassiveRules.BasicOverHttp, Severity.Medium, "HTTP Basic authentication is offered over plain http", $"WWW-Authenticate: {Cut(e.Header("WWW-Authenticate")!, 80)}"));
        }
    }

    private static string? HstsProblem(string? header)
    {
        if (header is null)
        {
            return "https response without Strict-Transport-Security";
        }

        var maxAge = HstsMaxAge().Match(header);
        return !maxAge.Success ? "Strict-Transport-Security has no max-age"
            : long.TryParse(maxAge.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0 ? null
            : "Strict-Transport-Security has max-age=0, which switches HSTS off";
    }

    private static void Cookies(ObservedExchange e, List<PassiveHit> hits, bool https)
    {
        foreach (var header in e.All("Set-Cookie"))
        {
            var parts = header.Split(';', StringSplitOptions.TrimEntries);
            var pair = parts[0].Split('=', 2);
            var name = pair[0].Trim();
            var value = pair.Length > 1 ? pair[1].Trim() : string.Empty;
            var attributes = parts.Skip(1).Select(p => p.Split('=', 2)).ToDictionary(p => p[0].Trim(), p => p.Length > 1 ? p[1].Trim() : string.Empty, StringComparer.OrdinalIgnoreCase);
            var deleted = value.Length == 0
                || (attributes.TryGetValue("Max-Age", out var maxAge) && maxAge.StartsWith('0'))
                || (attributes.TryGetValue("Expires", out var expires) && DateTimeOffset.TryParse(expires, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var when) && when.Year < 2000);
            if (deleted || name.Length == 0)
            {
                continue;
            }

            var shown = $"Set-Cookie: {name}=***; {string.Join("; ", parts.Skip(1))}";
            if (!attributes.ContainsKey("HttpOnly") && !Http.SessionCookie.IsCsrfName(name)) // the page's script must read an anti-CSRF cookie
            {
                hits.Add(new(PassiveRules.CookieNoHttpOnly, Severity.Low, $"cookie '{name}' has no HttpOnly", shown));
            }

            if (https && !attributes.ContainsKey("Secure"))
            {
                hits.Add(new(PassiveRules.CookieNoSecure, Severity.Low, $"cookie '{name}' is set over https without Secure", shown));
            }

            if (!attributes.TryGetValue("SameSite", out var sameSite) || sameSite.Equals("None", StringComparison.OrdinalIgnoreCase))
            {
                hits.Add(new(PassiveRules.CookieSameSite, Severity.Low, sameSite is null ? $"cookie '{name}' has no SameSite" : $"cookie '{name}' has SameSite=None", shown));
            }

            if (attributes.TryGetValue("Domain", out var domain) && LooseDomain(domain.TrimStart('.'), e.Url.Host))
            {
                hits.Add(new(PassiveRules.CookieLooseScope, Severity.Info, $"cookie '{name}' is scoped to {domain}, wider than {e.Url.Host}", shown));
            }
        }
    }

    private static bool LooseDomain(string domain, string host) =>
        !string.Equals(domain, host, StringComparison.OrdinalIgnoreCase) && host.EndsWith("." + domain, StringComparison.OrdinalIgnoreCase);

    private static void Caching(ObservedExchange e, List<PassiveHit> hits)
    {
        if (!CacheJudged(e))
        {
            return;
        }

        var directives = CacheDirectives(e);
        var safe = directives.Contains("no-store") || (directives.Contains("private") && directives.Contains("no-cache"));
        if (!safe)
        {
            hits.Add(new(PassiveRules.CacheableAuthenticated, Severity.Low, "the answer to an authenticated request may be stored by a browser or a shared cache (no Cache-Control: no-store)",
                $"Cache-Control: {e.Header("Cache-Control") ?? "(absent)"}"));
        }
    }

    /// <summary>
    /// Whether AG9063 judges the answer: a 2xx with a body, to a request with credentials, that a cache may store. A cache
    /// stores the answer to a GET or HEAD unless told not to; the answer to another method (POST, PATCH, PUT, DELETE) only
    /// with explicit freshness: Cache-Control max-age, s-maxage or public, or Expires (RFC 9111 §3, RFC 9110 §9.3).
    /// </summary>
    internal static bool CacheJudged(ObservedExchange e)
    {
        if (!e.Authenticated || !HasBody(e) || e.Status is < 200 or >= 300)
        {
            return false;
        }

        return e.Method is "GET" or "HEAD" || e.Header("Expires") is not null
            || CacheDirectives(e).Any(d => d == "public" || d.StartsWith("max-age=", StringComparison.Ordinal) || d.StartsWith("s-maxage=", StringComparison.Ordinal));
    }

    private static string[] CacheDirectives(ObservedExchange e) =>
        string.Join(",", e.All("Cache-Control")).ToLowerInvariant().Split(',', StringSplitOptions.TrimEntries);

    private static bool HasBody(ObservedExchange e) => e.Body.Length > 0 || (e.Header("Content-Length") is { } len && len != "0");

    private static void Url(ObservedExchange e, List<PassiveHit> hits)
    {
        var names = new List<string>();
        foreach (var (name, value) in QueryPairs(e.Url))
        {
            if (value.Length >= 8 && (TokenParameters.Contains(name, StringComparer.OrdinalIgnoreCase) || Jwt().IsMatch(value)))
            {
                names.Add(name);
            }
        }

        var pathSession = PathSession().Match(e.Url.AbsolutePath);
        if (pathSession.Success)
        {
            names.Add(pathSession.Groups[1].Value);
        }

        if (names.Count == 0)
        {
            return;
        }

        // Referer leaks and stored copies are the two ways a URL token escapes; with both closed only logs remain.
        var referrer = e.Header("Referrer-Policy")?.Split(',').Last().Trim().ToLowerInvariant();
        var noStore = string.Join(",", e.All("Cache-Control")).Contains("no-store", StringComparison.OrdinalIgnoreCase);
        var mitigated = referrer is "no-referrer" or "same-origin" && noStore;
        hits.Add(new(PassiveRules.TokenInUrl, mitigated ? Severity.Low : Severity.Medium,
            $"the URL carries {string.Join(", ", names.Distinct())}" + (mitigated ? " (low: the answer sends Referrer-Policy: " + referrer + " and Cache-Control: no-store, so only logs keep it)" : string.Empty),
            $"{e.Method} {PassiveText.MaskUrl(e.Url)}") { Names = [.. names.Distinct()] });
    }

    private static IEnumerable<(string Name, string Value)> QueryPairs(Uri url)
    {
        var query = url.Query.TrimStart('?');
        foreach (var part in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var pair = part.Split('=', 2);
            yield return (Uri.UnescapeDataString(pair[0]), pair.Length > 1 ? Uri.UnescapeDataString(pair[1].Replace('+', ' ')) : string.Empty);
        }
    }

    private static void Body(ObservedExchange e, List<PassiveHit> hits, bool html, bool https)
    {
        var body = e.Body;
        if (body.Length == 0)
        {
            return;
        }

        if (BodyPatterns.StackTrace(body) is { } trace)
        {
            hits.Add(new(PassiveRules.StackTrace, SecurityRules.StackTraceSeverity, $"the {e.Status} answer shows a stack trace", Cut(trace, 200)));
        }

        if (BodyPatterns.DebugError(body) is { } error)
        {
            hits.Add(new(PassiveRules.DebugError, Severity.Low, $"the {e.Status} answer shows a framework or database error", Cut(error, 200)));
        }

        if (BodyPatterns.PrivateIps(body, e.Url.Host).Distinct().ToList() is { Count: > 0 } ips)
        {
            hits.Add(new(PassiveRules.PrivateIp, Severity.Low, $"the answer names private address{(ips.Count == 1 ? string.Empty : "es")} {string.Join(", ", ips.Take(5))}", Cut(string.Join(", ", ips), 120)));
        }

        if (BodyPatterns.CardNumbers(body).Distinct().ToList() is { Count: > 0 } cards)
        {
            hits.Add(new(PassiveRules.CardNumber, Severity.High, $"the answer holds {cards.Count} payment card number{(cards.Count == 1 ? string.Empty : "s")}", string.Join(", ", cards.Take(3).Select(BodyPatterns.MaskCard))));
        }

        if (Secrets.SecretPatterns.KnownFormats(body, jwts: false).Where(m => m.Severity >= Severity.Medium).Select(m => m.Kind + " " + m.Masked).Distinct().ToList() is { Count: > 0 } secrets)
        {
            hits.Add(new(PassiveRules.ResponseSecret, Severity.High, $"the answer holds {(secrets.Count == 1 ? "a secret" : $"{secrets.Count} secrets")} in a known key format", PassiveText.Cut(string.Join("; ", secrets), 200)));
        }

        if (!IsCode(e) && BodyPatterns.Emails(body).Distinct(StringComparer.OrdinalIgnoreCase).ToList() is { Count: > 0 } emails)
        {
            hits.Add(new(PassiveRules.EmailAddress, Severity.Low, $"the answer holds {emails.Count} e-mail address{(emails.Count == 1 ? string.Empty : "es")}", string.Join(", ", emails.Take(3).Select(PassiveText.MaskEmail))));
        }

        if (html)
        {
            Resources(e, hits, https);
        }
    }

    private static bool IsCode(ObservedExchange e) => e.MediaType is { } mt && (mt.Contains("javascript", StringComparison.Ordinal) || mt == "text/css");

    private static void Resources(ObservedExchange e, List<PassiveHit> hits, bool https)
    {
        var foreign = new List<string>();
        var plain = new List<string>();
        foreach (Match tag in ResourceTag().Matches(e.Body))
        {
            var attributes = tag.Value;
            var element = tag.Groups["tag"].Value.ToLowerInvariant();
            var reference = Attribute(attributes, element == "link" ? "href" : "src");
            if (reference is null || (element == "link" && Attribute(attributes, "rel")?.Contains("stylesheet", StringComparison.OrdinalIgnoreCase) != true))
            {
                continue;
            }

            if (!Uri.TryCreate(e.Url, reference, out var target) || (target.Scheme != Uri.UriSchemeHttp && target.Scheme != Uri.UriSchemeHttps))
            {
                continue;
            }

            if (https && target.Scheme == Uri.UriSchemeHttp)
            {
                plain.Add(target.ToString());
            }

            var sameOrigin = string.Equals(target.GetLeftPart(UriPartial.Authority), e.Url.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase);
            if (!sameOrigin && element is "script" or "link" && Attribute(attributes, "integrity") is null)
            {
                foreign.Add(target.ToString());
            }
        }

        if (foreign.Count > 0)
        {
            hits.Add(new(PassiveRules.NoIntegrity, Severity.Medium, $"the page loads {foreign.Count} script{(foreign.Count == 1 ? string.Empty : "s")} or stylesheet{(foreign.Count == 1 ? string.Empty : "s")} from another origin without integrity", Cut(string.Join(", ", foreign.Distinct().Select(PassiveText.MaskUrlText)), 200)));
        }

        if (plain.Count > 0)
        {
            hits.Add(new(PassiveRules.MixedContent, Severity.Medium, $"the https page loads {plain.Count} resource{(plain.Count == 1 ? string.Empty : "s")} over http", Cut(string.Join(", ", plain.Distinct().Select(PassiveText.MaskUrlText)), 200)));
        }
    }

    private static string? MetaCsp(string body) =>
        MetaCspTag().Match(body) is { Success: true } m ? Attribute(m.Value, "content") : null;

    private static string? Attribute(string tag, string name)
    {
        var m = Regex.Match(tag, $@"\s{name}\s*=\s*(?:""(?<v>[^""]*)""|'(?<v>[^']*)'|(?<v>[^\s>]+))", RegexOptions.IgnoreCase | RegexOptions.NonBacktracking);
        return m.Success ? System.Net.WebUtility.HtmlDecode(m.Groups["v"].Value) : null;
    }

    private static string Cut(string text, int max) => PassiveText.Cut(text, max);

    [GeneratedRegex(@"max-age\s*=\s*""?(\d+)", RegexOptions.IgnoreCase)]
    private static partial Regex HstsMaxAge();

    [GeneratedRegex(@"^[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*$")]
    private static partial Regex Jwt();

    [GeneratedRegex(@";(jsessionid|phpsessid|sid|sessionid)=[^/;?]{8,}", RegexOptions.IgnoreCase)]
    private static partial Regex PathSession();

    [GeneratedRegex(@"<(?<tag>script|link|img|iframe)\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex ResourceTag();

    [GeneratedRegex(@"<meta\b[^>]*http-equiv\s*=\s*[""']?Content-Security-Policy[""']?[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex MetaCspTag();
}

using Archgate.Checks.Contracts.Conformance;
using Archgate.Checks.Http;
using Archgate.Model;
using Microsoft.OpenApi;

namespace Archgate.Checks.Security;

/// <summary>
/// Whether a service takes an ambient credential: one a browser attaches by itself to a request a foreign page makes
/// (a cookie, HTTP basic, digest or negotiate authentication, a client certificate). A CORS policy that lets a foreign
/// origin read answers with credentials exposes the caller's data only through such a credential: a bearer token or an
/// API key in a header lives in the page's script, and a foreign page can neither read nor send it. The one rule step
/// 5's and step 9's CORS checks (AG5021, AG9030) share.
/// </summary>
internal static class AmbientCredentials
{
    /// <summary>
    /// The ambient credentials <paramref name="component"/> takes, by its contract's security schemes
    /// (<paramref name="document"/>, null without one), the manifest's auth, and the cookies its sign-in set
    /// (<paramref name="signedIn"/>, null when it did not sign in); a login's refresh (<c>auth.refresh</c>) whose operation
    /// takes no body reads its refresh token from a cookie. When neither the contract nor the manifest says how
    /// callers authenticate, the answer is unknown and counted as ambient: nothing lowers a finding then.
    /// </summary>
    public static Verdict Of(HttpComponent component, OpenApiDocument? document, Credentials? signedIn)
    {
        var ambient = new List<string>();
        var header = new List<string>();
        var schemes = document?.Components?.SecuritySchemes ?? new Dictionary<string, IOpenApiSecurityScheme>();
        foreach (var (name, scheme) in schemes)
        {
            switch (scheme.Type)
            {
                case SecuritySchemeType.ApiKey when scheme.In == ParameterLocation.Cookie:
                    ambient.Add($"the contract's scheme {name} (a cookie)");
                    break;
                case SecuritySchemeType.Http when !string.Equals(scheme.Scheme, "bearer", StringComparison.OrdinalIgnoreCase):
                    ambient.Add($"the contract's scheme {name} (HTTP {scheme.Scheme ?? "authentication"})");
                    break;
                case SecuritySchemeType.MutualTLS:
                    ambient.Add($"the contract's scheme {name} (a client certificate)");
                    break;
                case SecuritySchemeType.ApiKey:
                    header.Add($"a credential in the {(scheme.In == ParameterLocation.Query ? "query" : "header")} {scheme.Name}");
                    break;
                default:
                    header.Add("bearer tokens");
                    break;
            }
        }

        switch (component.Auth)
        {
            case BasicAuth:
                ambient.Add("the manifest's auth (HTTP basic)");
                break;
            case ApiKeyAuth { In: ApiKeyLocation.Cookie } key:
                ambient.Add($"the manifest's auth (the cookie {key.Header})");
                break;
            case ApiKeyAuth key:
                header.Add($"an API key in the {(key.In == ApiKeyLocation.Query ? "query" : "header")} {key.Header}");
                break;
            case LoginAuth login:
                header.Add("bearer tokens");
                if (login.Refresh is { } refresh && login.SignsInAt(component.Name) && RefreshBody(document, refresh) is not true)
                {
                    // A refresh without a body reads the refresh token from a cookie, which a foreign page's request carries.
                    ambient.Add(RefreshBody(document, refresh) is false
                        ? $"the refresh token of {refresh}, a cookie: the operation takes no body"
                        : $"the refresh token of {refresh}, which may be a cookie: no contract describes the operation");
                }

                break;
            case BearerAuth or ClientCredentialsAuth:
                header.Add("bearer tokens");
                break;
        }

        if (signedIn?.SessionCookies.Where(c => !c.IsCsrfToken).Select(c => c.Name).ToList() is { Count: > 0 } cookies)
        {
            ambient.Add($"the sign-in's cookie{(cookies.Count == 1 ? "" : "s")} {string.Join(", ", cookies)}");
        }

        return ambient.Count > 0 ? new Verdict(true, string.Join(", ", ambient.Distinct(StringComparer.Ordinal)))
            : header.Count == 0 ? new Verdict(true, "neither the contract nor the manifest says how callers authenticate")
            : new Verdict(false, string.Join(" and ", header.Distinct(StringComparer.Ordinal)));
    }

    /// <summary>Whether the contract's refresh operation takes a body (the refresh token in it); null when no contract describes it.</summary>
    private static bool? RefreshBody(OpenApiDocument? document, AuthCall refresh) =>
        document is null ? null
        : OperationInfo.All(document).FirstOrDefault(o => refresh.Is(o.Method, o.Template)) is { } operation ? operation.Operation.RequestBody?.Content?.Count > 0
        : null;

    /// <summary>What the service takes.</summary>
    /// <param name="Any">Whether it takes an ambient credential (or nothing says it does not).</param>
    /// <param name="What">The ambient credentials it takes; without any, the credentials it takes (<c>bearer tokens</c>).</param>
    public sealed record Verdict(bool Any, string What)
    {
        /// <summary>
        /// The consequence of a foreign origin allowed with credentials for <paramref name="service"/>: what a foreign page
        /// can read today, or why it can read nothing yet.
        /// </summary>
        public string Exposure(string service) => Any
            ? "any site can read the caller's data with their cookies or credentials"
            : $"any site could read the caller's data with credentials; {service} takes only {What}, which a foreign page cannot send, " +
              "so nothing is exposed today; it would be as soon as a cookie or HTTP auth is accepted";
    }
}

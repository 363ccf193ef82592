using System.Net;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Shop.Common;

namespace Shop.ThirdParty;

/// <summary>
/// The sign-in provider's endpoints under <c>/oidc</c> (its issuer): discovery, JWKS, authorization (a test user
/// signs in without a password, by <c>login_hint</c> or a one-field form) and token. Under <c>oauth-down</c> none of
/// them answers.
/// </summary>
internal static class OidcEndpoints
{
    public static void MapOidc(this WebApplication app)
    {
        var group = app.MapGroup("/oidc").AddEndpointFilter<OauthDownFilter>();
        group.MapGet("/.well-known/openid-configuration", (OidcProvider provider) => Results.Json(provider.Discovery));
        group.MapGet("/jwks", (OidcProvider provider) => Results.Json(provider.Jwks));
        group.MapGet("/authorize", (HttpContext http, OidcProvider provider) =>
            Authorize(http.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString()), provider));
        group.MapPost("/authorize", async (HttpContext http, OidcProvider provider) =>
        {
            var form = await http.Request.ReadFormAsync(http.RequestAborted);
            return Authorize(form.ToDictionary(f => f.Key, f => f.Value.ToString()), provider);
        }).DisableAntiforgery();
        group.MapPost("/token", async (HttpContext http, OidcProvider provider) =>
        {
            if (!http.Request.HasFormContentType)
            {
                return Results.Json(new { error = "invalid_request", error_description = "Send application/x-www-form-urlencoded." }, statusCode: 400);
            }

            var form = await http.Request.ReadFormAsync(http.RequestAborted);
            var outcome = provider.Exchange(form["grant_type"], form["code"], form["redirect_uri"], form["client_id"], form["code_verifier"]);
            http.Response.Headers.Pragma = "no-cache";
            return outcome.Tokens is { } tokens
                ? Results.Json(tokens)
                : Results.Json(new { error = outcome.Error, error_description = outcome.Description }, statusCode: 400);
        }).DisableAntiforgery();
    }

    /// <summary>
    /// RFC 6749 4.1.1 and 4.1.2.1: a wrong client or redirect URI is shown here (never redirected to); any other error
    /// goes back to the client with its state. PKCE with S256 is required (OAuth 2.1, RFC 9700 2.1.1).
    /// </summary>
    private static IResult Authorize(Dictionary<string, string> p, OidcProvider provider)
    {
        var clientId = p.GetValueOrDefault("client_id");
        var redirectUri = p.GetValueOrDefault("redirect_uri");
        if (string.IsNullOrEmpty(clientId) || redirectUri is null || !Gateway.IsAllowedCallback(redirectUri, out _))
        {
            return Results.Problem(statusCode: 400, title: "client_id and a loopback http(s) redirect_uri are required in test mode.");
        }

        var state = p.GetValueOrDefault("state");
        IResult Back(Dictionary<string, string?> values)
        {
            if (!string.IsNullOrEmpty(state))
            {
                values["state"] = state;
            }

            return Results.Redirect(QueryHelpers.AddQueryString(redirectUri, values));
        }

        IResult Error(string error, string description) => Back(new() { ["error"] = error, ["error_description"] = description });

        if (p.GetValueOrDefault("response_type") != "code")
        {
            return Error("unsupported_response_type", "response_type must be code.");
        }

        if (!(p.GetValueOrDefault("scope") ?? string.Empty).Split(' ').Contains("openid"))
        {
            return Error("invalid_scope", "scope must include openid.");
        }

        var challenge = p.GetValueOrDefault("code_challenge");
        if (p.GetValueOrDefault("code_challenge_method") != "S256" || challenge is not { Length: 43 })
        {
            return Error("invalid_request", "PKCE is required: code_challenge (S256, 43 characters) and code_challenge_method=S256.");
        }

        var hint = p.GetValueOrDefault("login_hint") ?? p.GetValueOrDefault("username");
        if (string.IsNullOrEmpty(hint))
        {
            return Results.Content(Form(p, provider.Issuer), "text/html; charset=utf-8");
        }

        if (OidcProvider.FindUser(hint) is not { } user)
        {
            return Error("access_denied", "No such test user.");
        }

        var nonce = p.GetValueOrDefault("nonce");
        var code = provider.IssueCode(clientId, redirectUri, challenge, string.IsNullOrEmpty(nonce) ? null : nonce, user);
        return Back(new() { ["code"] = code, ["iss"] = provider.Issuer });
    }

    /// <summary>The test-mode sign-in page: pick a test user (no password); the request's parameters ride along.</summary>
    private static string Form(Dictionary<string, string> p, string issuer)
    {
        var html = new StringBuilder("<!doctype html><title>Sign in (test mode)</title><h1>Sign in (test mode)</h1>");
        html.Append("<form method=\"post\" action=\"").Append(WebUtility.HtmlEncode(issuer)).Append("/authorize\">");
        foreach (var (key, value) in p.Where(kv => kv.Key != "username"))
        {
            html.Append("<input type=\"hidden\" name=\"").Append(WebUtility.HtmlEncode(key)).Append("\" value=\"").Append(WebUtility.HtmlEncode(value)).Append("\">");
        }

        html.Append("<select name=\"username\">");
        foreach (var user in OidcProvider.Users)
        {
            html.Append("<option>").Append(WebUtility.HtmlEncode(user.Username)).Append("</option>");
        }

        return html.Append("</select> <button>Sign in</button></form>").ToString();
    }
}

/// <summary>With <c>oauth-down</c> the sign-in provider accepts connections and never answers.</summary>
internal sealed class OauthDownFilter(FaultSwitches faults) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (!faults.IsOn(FaultSwitches.OauthDown))
        {
            return await next(context);
        }

        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, context.HttpContext.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            // The caller gave up, as it should.
        }

        return Results.Empty;
    }
}

using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Archgate.Checks.Contracts;
using Archgate.Checks.Contracts.Conformance;
using Archgate.Checks.Http;
using Archgate.Checks.Security;
using Archgate.Model;
using Archgate.Protocol;
using Microsoft.OpenApi;

namespace Archgate.Checks.Frontend;

/// <summary>
/// Step 5, the authentication flow a frontend goes through, against a service's login <c>auth</c>: login, a protected
/// call with the token (and without it), refresh (and the old refresh token refused: rotation; after that reuse the
/// token the rotation gave refused too: the family revoked, RFC 9700 4.14.2), logout (the refresh
/// token no longer works), and a wrong password answered with a problem+json a user can read. A login that answers
/// no token but sets a session cookie is a cookie session: the protected call carries the cookies (and the anti-CSRF
/// header a page echoes), and after logout the session's cookie must be refused. A login that answers the access token
/// and sets the refresh token as a cookie (an HttpOnly <c>refresh_token</c>, as many SPAs keep it out of the script's
/// reach) is refreshed, reused and logged out with that cookie, as the browser sends it.
/// </summary>
internal sealed partial class AuthFlowCheck(ServiceComponent service, ContractDocuments documents) : ICheck
{
    private static readonly string[] RefreshFields = ["refreshToken", "refresh_token"];

    public string Id => $"frontend.auth:{service.Name}";

    public int Step => 5;

    public string Title => service.Auth is ClientCredentialsAuth
        ? $"{service.Name} client credentials: the grant, a wrong secret and an unknown grant refused, the token on a secured read"
        : $"{service.Name} auth flow: login, refresh with rotation, logout, readable errors";

    public Applicability AppliesTo(SystemModel system) =>
        service.Auth is LoginAuth or ClientCredentialsAuth && service.Url is not null ? Applicability.Yes : Applicability.No($"{service.Name} has no login or client credentials auth");

    public async Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        if (service.Auth is ClientCredentialsAuth client)
        {
            return await ClientCredentialsFlowAsync(context, client, cancellationToken);
        }

        var login = (LoginAuth)service.Auth!;
        var findings = new List<Finding>();
        // A login at another component (at: an identity provider, a service whose tokens this one accepts) is sent there,
        // with its refresh and logout, and its body's fields are those of that component's contract.
        var signsInAt = login.At is { } at ? context.System.Find<HttpComponent>(at) : service;
        if (signsInAt?.Url is null)
        {
            findings.Add(Finding(FrontendRules.LoginFailed, Severity.Critical, login.ToString(), $"the login goes to '{login.At}', which has no url", null,
                "name a component with a url in the identity's 'at'"));
            return Result(findings, null);
        }

        _loginUrl = signsInAt.Url;
        _fields = await FieldsAsync(signsInAt as ServiceComponent, login, cancellationToken);
        var secrets = new List<string>(login.Secrets);
        var first = await LoginAsync(context.Http, login, login.Password, cancellationToken);
        if (first.Failure is not null || !first.Ok)
        {
            findings.Add(Finding(FrontendRules.LoginFailed, Severity.Critical, $"{login.Method} {login.Path}", $"the login as '{login.User}' failed: {first.Summary}",
                Mask(first.Evidence(), secrets), "check the user and password in the manifest's auth, and that the service is up"));
            return Result(findings, first.Failure?.Transient == true ? first.Failure.Cause : null);
        }

        var access = TokenSource.ReadToken(first.Body, login.TokenPath);
        var refresh = Refresh(first, null);
        secrets.AddRange(new[] { access, refresh?.Value }.OfType<string>());
        secrets.AddRange(first.Cookies.Select(c => c.Value));
        var cookieSession = access is null && login.TokenPath is null && SessionCookie.AnySession(first.Cookies);
        if (access is null && !cookieSession)
        {
            findings.Add(Finding(FrontendRules.LoginFailed, Severity.Critical, $"{login.Method} {login.Path}", "the login answered but gave no access token and set no session cookie",
                Mask(first.Evidence(), secrets), "set 'token:' in the auth to where the token is, for example '$.accessToken'"));
            return Result(findings, null);
        }

        var credentials = cookieSession ? Credentials.OfSession(first.Cookies, []).RequestHeaders : Bearer(access!);
        var what = cookieSession ? "session cookie" : "access token";

        var contract = await ContractAsync(cancellationToken);
        var candidates = contract is { } c ? ProtectedOperations(c.Document, c.Prefix, login, context.System.Security) : [];
        var (contractRefresh, contractLogout) = contract is { } d ? SessionOperations(d.Document, d.Prefix, login) : (null, null);
        if (contract is null)
        {
            // Without a contract nothing tells a plain token login from one whose refresh or logout the auth leaves out:
            // what was not checked is said once, with the missing protected operation.
            var unknown = new[] { cookieSession || login.Refresh is not null ? null : "refresh", login.Logout is null ? "logout" : null }.OfType<string>().ToList();
            findings.Add(Finding(FrontendRules.AuthFlowPartial, Severity.Low, "openapi",
                $"no readable contract: the {what} was not tried on a protected operation" + (unknown.Count > 0
                    ? $", and whether the service has a {string.Join(" or ", unknown)} operation its auth does not declare could not be seen: {string.Join(" and ", unknown)} not checked" : ""),
                null, "declare the service's openapi with a secured GET operation (security requirement)" + (unknown.Count > 0 ? $", and declare {string.Join(" and ", unknown.Select(u => u + ":"))} in its auth if it has them" : "")));
        }
        else if (candidates.Count == 0)
        {
            findings.Add(Finding(FrontendRules.AuthFlowPartial, Severity.Low, "openapi",
                $"no protected GET without path parameters that '{login.Label}' may call found in the contract: the token was not tried on an operation",
                null, "declare the service's openapi with a secured GET operation (security requirement) that every signed-in identity may call"));
        }

        var (protectedPath, noneBecause) = await ProtectedCallAsync(context.Http, login, candidates, credentials, what, cookieSession, findings, secrets, cancellationToken);

        if (cookieSession)
        {
            if (login.Refresh is not null)
            {
                findings.Add(Finding(FrontendRules.AuthFlowPartial, Severity.Low, "auth.refresh", $"the login set a session cookie and gave no tokens: {login.Refresh} was not checked",
                    null, "a cookie session needs no refresh operation; remove 'refresh:' from the auth, or answer tokens"));
            }

            await SessionFixationAsync(context.Http, login, protectedPath, first.Cookies, findings, secrets, cancellationToken);
            await SessionLogoutFlowAsync(context.Http, login, protectedPath,
                contract is null ? "no readable contract" : candidates.Count == 0 ? "no protected GET without path parameters in the contract" : noneBecause ?? "no protected GET opened",
                contractLogout, findings, secrets, cancellationToken);
        }
        else
        {
            await RefreshFlowAsync(context.Http, login, refresh, contractRefresh, findings, secrets, cancellationToken);
            await LogoutFlowAsync(context.Http, login, contractLogout, findings, secrets, cancellationToken);
        }

        await WrongPasswordAsync(context.Http, login, findings, secrets, cancellationToken);
        return Result(findings, null);
    }

    /// <param name="contractRefresh">A refresh-like operation of the contract (<c>POST /auth/refresh</c>), reported when the auth declares no refresh.</param>
    private async Task RefreshFlowAsync(
        HttpClient http, LoginAuth login, RefreshCredential? refresh, string? contractRefresh, List<Finding> findings, List<string> secrets, CancellationToken cancellationToken)
    {
        if (login.Refresh is null)
        {
            if (contractRefresh is not null)
            {
                findings.Add(Finding(FrontendRules.AuthFlowPartial, Severity.Low, "auth.refresh", $"the contract has {contractRefresh}, which the auth does not declare: refresh and rotation were not checked",
                    null, $"declare refresh: {contractRefresh} in the service's auth"));
            }

            return;
        }

        if (refresh is null)
        {
            findings.Add(Finding(FrontendRules.RefreshFailed, Severity.High, login.Refresh.ToString(), "the login gave no refresh token",
                null, "answer the refresh token as refreshToken (or refresh_token) in the login's JSON, or set it as a cookie (refresh_token)"));
            return;
        }

        var rotated = await CallWithRefreshAsync(http, login.Refresh, refresh, cancellationToken);
        var next = rotated.Ok ? Refresh(rotated, refresh) : null;
        var newAccess = rotated.Ok ? TokenSource.ReadToken(rotated.Body, login.TokenPath) : null;
        secrets.AddRange(new[] { next?.Value, newAccess }.OfType<string>());
        if (!rotated.Ok || newAccess is null)
        {
            findings.Add(Finding(FrontendRules.RefreshFailed, Severity.High, login.Refresh.ToString(),
                rotated.Ok ? "the refresh answered without a new access token" : $"the refresh with the {refresh.What} failed: {rotated.Summary}",
                Mask(rotated.Evidence(), secrets), "the refresh operation takes the refresh token and answers new tokens"));
            return;
        }

        var reused = await CallWithRefreshAsync(http, login.Refresh, refresh, cancellationToken);
        if (reused.Ok || reused.Failure is not null)
        {
            findings.Add(Finding(FrontendRules.NoRotation, Severity.High, login.Refresh.ToString(),
                reused.Ok ? $"the rotated {refresh.What} still works: a stolen refresh token stays usable" : $"the reused {refresh.What} got no answer: {reused.Summary}",
                Mask(reused.Evidence(), secrets), "revoke a refresh token when it is used (rotation), and refuse it with 401 afterwards"));
        }
        else
        {
            if (reused.Status is < 400 or >= 500 || ErrorBody.Unreadable(reused) is not null)
            {
                findings.Add(Unreadable(login.Refresh.ToString(), "the refused refresh", reused, secrets));
            }

            await FamilyAsync(http, login.Refresh, refresh, next, reused, findings, secrets, cancellationToken);
        }
    }

    /// <summary>
    /// Reuse detection (RFC 9700, OAuth 2.0 Security BCP, 4.14.2): the server that refused the reused <paramref name="first"/>
    /// cannot tell whether the thief or the victim sent it, so it must revoke the token the rotation gave as well
    /// (<paramref name="next"/>, the whole family). When that one still refreshes, a thief who raced the victim to the
    /// rotation keeps the session alive after the reuse was seen. Only asked once rotation holds (the reuse was refused).
    /// </summary>
    private async Task FamilyAsync(
        HttpClient http, AuthCall operation, RefreshCredential first, RefreshCredential? next, ApiAnswer reused, List<Finding> findings, List<string> secrets, CancellationToken cancellationToken)
    {
        if (next is null || next.Value == first.Value)
        {
            return; // the rotation answered no new refresh token: there is no family left to try
        }

        var after = await CallWithRefreshAsync(http, operation, next, cancellationToken);
        if (after.Ok)
        {
            findings.Add(Finding(FrontendRules.FamilyNotRevoked, Severity.Medium, operation.ToString(),
                $"after the rotated {first.What} was refused on reuse ({reused.Status}), the {next.What} the rotation gave still refreshes ({after.Status}): the reuse did not revoke the token family, so a stolen token raced ahead of its owner keeps the session alive",
                Mask($"1. {operation} with the first {first.What}: rotated\n2. {operation} with the first {first.What} again: {reused.Outcome}\n3. {operation} with the {next.What} from step 1: {after.Outcome}\n{after.Evidence()}", secrets),
                "when a used refresh token comes back, revoke every refresh token of its grant (the family), not only the reused one (RFC 9700, section 4.14.2)"));
        }
    }

    private async Task LogoutFlowAsync(HttpClient http, LoginAuth login, string? contractLogout, List<Finding> findings, List<string> secrets, CancellationToken cancellationToken)
    {
        if (login.Logout is null)
        {
            UndeclaredLogout(contractLogout, findings);
            return;
        }

        // A fresh session: the reuse probe of the refresh flow revokes the first one's whole token family (as it should).
        var session = await LoginAsync(http, login, login.Password, cancellationToken);
        var refresh = session.Ok ? Refresh(session, null) : null;
        var access = session.Ok ? TokenSource.ReadToken(session.Body, login.TokenPath) : null;
        secrets.AddRange(new[] { refresh?.Value, access }.OfType<string>());
        if (refresh is null)
        {
            findings.Add(Finding(FrontendRules.LoginFailed, Severity.High, login.Logout.ToString(), $"a second login for the logout failed or gave no refresh token: {session.Summary}",
                Mask(session.Evidence(), secrets), "the login must answer a refresh token when refresh and logout are declared"));
            return;
        }

        var headers = (access is null ? [] : Bearer(access)).Concat(refresh.Headers(login.Logout.Method)).ToList();
        var logout = await ApiCall.SendAsync(http, login.Logout.Method, ApiCall.Resolve(_loginUrl, login.Logout.Path), headers,
            refresh.Body, ApiCall.DefaultTimeout, cancellationToken);
        if (!logout.Ok)
        {
            findings.Add(Finding(FrontendRules.LogoutIneffective, Severity.High, login.Logout.ToString(), $"the logout failed: {logout.Summary}",
                Mask(logout.Evidence(), secrets), "the logout takes the refresh token and answers 2xx"));
            return;
        }

        if (login.Refresh is not null)
        {
            var after = await CallWithRefreshAsync(http, login.Refresh, refresh, cancellationToken);
            if (after.Ok)
            {
                findings.Add(Finding(FrontendRules.LogoutIneffective, Severity.High, login.Refresh.ToString(), $"the {refresh.What} still works after logout",
                    Mask(after.Evidence(), secrets), "revoke the refresh token (and its family) on logout"));
            }
        }
    }

    /// <summary>A logout-like operation of the contract the auth does not declare: logout could have been checked.</summary>
    private void UndeclaredLogout(string? contractLogout, List<Finding> findings)
    {
        if (contractLogout is not null)
        {
            findings.Add(Finding(FrontendRules.AuthFlowPartial, Severity.Low, "auth.logout", $"the contract has {contractLogout}, which the auth does not declare: logout was not checked",
                null, $"declare logout: {contractLogout} in the service's auth"));
        }
    }

    /// <summary>
    /// A cookie session's logout: a fresh session is signed out with its own cookies (and anti-CSRF header), then its
    /// session cookie must no longer open the protected operation: a logout that only clears the browser's cookie leaves
    /// a copied cookie working.
    /// </summary>
    private async Task SessionLogoutFlowAsync(
        HttpClient http, LoginAuth login, string? protectedPath, string noOperation, string? contractLogout, List<Finding> findings, List<string> secrets, CancellationToken cancellationToken)
    {
        if (login.Logout is null)
        {
            UndeclaredLogout(contractLogout, findings);
            return;
        }

        var session = await LoginAsync(http, login, login.Password, cancellationToken);
        secrets.AddRange(session.Cookies.Select(c => c.Value));
        if (!session.Ok || !SessionCookie.AnySession(session.Cookies))
        {
            findings.Add(Finding(FrontendRules.LoginFailed, Severity.High, login.Logout.ToString(), $"a second login for the logout failed or set no session cookie: {session.Summary}",
                Mask(session.Evidence(), secrets), "the login must set a session cookie every time"));
            return;
        }

        var headers = Credentials.OfSession(session.Cookies, []).RequestHeaders;
        var logout = await ApiCall.SendAsync(http, login.Logout.Method, ApiCall.Resolve(_loginUrl, login.Logout.Path), headers, null, ApiCall.DefaultTimeout, cancellationToken);
        if (!logout.Ok)
        {
            findings.Add(Finding(FrontendRules.LogoutIneffective, Severity.High, login.Logout.ToString(), $"the logout failed: {logout.Summary}",
                Mask(logout.Evidence(), secrets), "the logout takes the session cookie (and the anti-CSRF header a page sends) and answers 2xx"));
            return;
        }

        if (protectedPath is null)
        {
            findings.Add(Finding(FrontendRules.AuthFlowPartial, Severity.Low, login.Logout.ToString(),
                $"{noOperation}: whether the logout ended the session was not checked",
                null, "declare the service's openapi with a secured GET operation (security requirement)"));
            return;
        }

        var after = await ApiCall.SendAsync(http, "GET", ApiCall.Resolve(service.Url!, protectedPath), headers, null, ApiCall.DefaultTimeout, cancellationToken);
        if (after.Ok)
        {
            findings.Add(Finding(FrontendRules.LogoutIneffective, Severity.High, $"GET {protectedPath}", $"the session cookie still works after logout: {after.Summary}",
                Mask(after.Evidence(), secrets), "end the session on the server at logout; clearing the browser's cookie leaves a copied or stolen cookie working"));
        }
    }

    /// <summary>
    /// Session fixation (CWE-384, ZAP 40013): the login is sent with a session id the client already held (one the
    /// server issued before the login, to a failed login or to an anonymous call, else one of Archgate's own, as an
    /// attacker plants it); the protected operation must then refuse that id. A login that keeps it, or adopts it, lets
    /// whoever planted the id share the signed-in session.
    /// </summary>
    private async Task SessionFixationAsync(
        HttpClient http, LoginAuth login, string? protectedPath, IReadOnlyList<SessionCookie> signedIn, List<Finding> findings, List<string> secrets, CancellationToken cancellationToken)
    {
        var names = signedIn.Where(c => !c.IsCsrfToken).Select(c => c.Name).Distinct(StringComparer.Ordinal).ToList();
        if (protectedPath is null || names.Count == 0)
        {
            return;
        }

        // A session the server hands out before any login: to a failed login (frameworks keep a flash message in it),
        // else to an anonymous call of the health path or the root.
        var (held, source) = (new Dictionary<string, string>(StringComparer.Ordinal), "chosen by the client (a value the server never issued)");
        var failed = await LoginAsync(http, login, login.Password + "-not-the-password", cancellationToken);
        var anonymous = failed.Cookies.Any(c => names.Contains(c.Name)) ? failed
            : await ApiCall.SendAsync(http, "GET", ApiCall.Resolve(service.Url!, service.HealthPath ?? "/"), null, null, ApiCall.DefaultTimeout, cancellationToken);
        foreach (var issued in anonymous.Cookies.Where(c => names.Contains(c.Name)))
        {
            held[issued.Name] = issued.Value;
            source = $"issued by the server before the login ({(ReferenceEquals(anonymous, failed) ? "to a failed login" : $"to GET {service.HealthPath ?? "/"}")})";
        }

        foreach (var name in names.Where(n => !held.ContainsKey(n)))
        {
            held[name] = "archgate" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        }

        secrets.AddRange(held.Values);
        var cookie = string.Join("; ", held.Select(c => $"{c.Key}={c.Value}"));
        var session = await ApiCall.SendAsync(http, login.Method, ApiCall.Resolve(_loginUrl, login.Path), [new("Cookie", cookie)],
            login.Body(_fields), ApiCall.DefaultTimeout, cancellationToken);
        secrets.AddRange(session.Cookies.Select(c => c.Value));
        if (!session.Ok)
        {
            return; // a login refused with a planted cookie leaves no session to share
        }

        var after = await ApiCall.SendAsync(http, "GET", ApiCall.Resolve(service.Url!, protectedPath), [new("Cookie", cookie)], null, ApiCall.DefaultTimeout, cancellationToken);
        if (after.Ok)
        {
            findings.Add(Finding(FrontendRules.SessionFixation, Severity.High, $"{login.Method} {login.Path}",
                $"the session id held before the login ({string.Join(", ", held.Keys)}, {source}) still opens GET {protectedPath} after it ({after.Status}): the login does not start a new session",
                Mask($"login sent with Cookie: {cookie}\n{session.Evidence()}\nthen GET {protectedPath} with that cookie: {after.Summary}", secrets),
                "start a new session at login (regenerate the session id: req.session.regenerate, session_regenerate_id, cycle_key, reset_session) and refuse ids the server did not issue"));
        }

        if (login.Logout is not null)
        {
            // The signed-in session this probe made, whichever id it has, is ended again.
            var jar = held.Select(c => new SessionCookie(c.Key, c.Value, null, null)).Where(c => session.Cookies.All(s => s.Name != c.Name)).Concat(session.Cookies).ToList();
            _ = await ApiCall.SendAsync(http, login.Logout.Method, ApiCall.Resolve(_loginUrl, login.Logout.Path), Credentials.OfSession(jar, []).RequestHeaders, null,
                ApiCall.DefaultTimeout, cancellationToken);
        }
    }

    private async Task WrongPasswordAsync(HttpClient http, LoginAuth login, List<Finding> findings, List<string> secrets, CancellationToken cancellationToken)
    {
        var wrong = login.Password + "-not-the-password";
        secrets.Add(wrong);
        var answer = await LoginAsync(http, login, wrong, cancellationToken);
        if (answer.Ok)
        {
            findings.Add(Finding(FrontendRules.LoginFailed, Severity.Critical, $"{login.Method} {login.Path}", "a wrong password was accepted",
                Mask(answer.Evidence(), secrets), "check the password"));
        }
        else if (answer.Status is < 400 or >= 500 || ErrorBody.Unreadable(answer) is not null)
        {
            findings.Add(Unreadable($"{login.Method} {login.Path}", "a wrong password", answer, secrets));
        }
    }

    /// <summary>
    /// A refusal that is not 4xx, or whose body a person cannot read (<see cref="ErrorBody"/>: the same judgement as step
    /// 7's AG7032, so a framework's JSON error with a 'message' is readable, problem+json or not).
    /// </summary>
    private Finding Unreadable(string location, string what, ApiAnswer answer, List<string> secrets)
    {
        var leak = ErrorBody.Leak(answer.Body);
        var why = ErrorBody.Unreadable(answer);
        return Finding(FrontendRules.UnreadableAuthError, leak is null ? Severity.Medium : Severity.High, location,
            leak is not null ? $"{what} was answered with internals ({leak})"
            : answer.Status is < 400 or >= 500
                ? $"{what} {(answer.Failure is null ? $"was answered {answer.Status}" : answer.Outcome)}, not 4xx{(why is null ? string.Empty : $", and {why}")}"
            : $"{what} was answered {answer.Status}, but {why}",
            Mask(answer.Evidence(), secrets),
            "answer 4xx with JSON a person can read: application/problem+json (RFC 9457) with a 'title', or a 'message'; no stack trace or type names");
    }

    /// <summary>The service's contract and the path its server puts before each template; null without a readable one.</summary>
    private async Task<(OpenApiDocument Document, string Prefix)?> ContractAsync(CancellationToken cancellationToken)
    {
        if (service.OpenApi is null)
        {
            return null;
        }

        var loaded = await documents.LoadAsync(service.OpenApi.Path, cancellationToken);
        return loaded.Document is { } document ? (document, ContractBase.Prefix(service.Url!, document)) : null;
    }

    /// <summary>
    /// The secured GETs without path parameters the identity may call, as manifest paths (the contract's template under
    /// its server's path: /api/v1/me), in the contract's order: an operation for some roles only
    /// (<see cref="AdminOperations.RequiredRoles"/>: <c>security.adminOnly</c>, <c>security.roles</c>, <c>x-roles</c>)
    /// that the identity holds none of is left out, since its refusal would say nothing about the session.
    /// </summary>
    private List<string> ProtectedOperations(OpenApiDocument document, string prefix, ServiceAuth identity, SecurityPolicy policy) =>
        [.. OperationInfo.All(document)
            .Where(o => o.Method == "GET" && o.Secured && !o.Template.Contains('{', StringComparison.Ordinal)
                && (identity is not LoginAuth login || !login.SignsInAt(service.Name) || prefix + o.Template != login.Path)
                && !o.Parameters.Any(p => p.Required) && !IsStream(o)
                && (AdminOperations.RequiredRoles(o, policy) is not { } roles || AdminOperations.Holds(identity, roles)))
            .Select(o => prefix + o.Template)];

    /// <summary>How many protected GETs are tried, one after the other, while each answers 403. <value>5</value>.</summary>
    private const int MaxProtectedCandidates = 5;

    /// <summary>
    /// The fresh credentials on the protected operations, in turn, until one opens (2xx): that one is the operation the
    /// session's later probes (fixation, logout) use. A 403 says the credentials were accepted but the operation is not for
    /// this identity (a role the manifest does not declare): the next is tried. A 401, or a redirect (to a login page),
    /// is a refusal (AG5002), as is any other answer (the later probes still use that operation); when every one tried
    /// answers 403, the credentials were not refused but none opened an operation: AG5007, and the later probes have no
    /// operation to judge by (null). An operation that opens is also called without credentials and must be refused
    /// (AG5002 when not); one that answers anyone is public in fact, so the next is tried: a session's fixation and logout
    /// can only be judged on an operation that refuses a caller without the session. With none, the path is null and
    /// the second value says why.
    /// </summary>
    private async Task<(string? Path, string? NoneBecause)> ProtectedCallAsync(
        HttpClient http, ServiceAuth identity, List<string> candidates, IEnumerable<KeyValuePair<string, string>> credentials, string what, bool cookieSession,
        List<Finding> findings, List<string> secrets, CancellationToken cancellationToken)
    {
        if (candidates.Count == 0)
        {
            return (null, null);
        }

        var forbidden = new List<ApiAnswer>();
        var open = new List<string>();
        string? opened = null;
        foreach (var candidate in candidates.Take(MaxProtectedCandidates))
        {
            var with = await ApiCall.SendAsync(http, "GET", ApiCall.Resolve(service.Url!, candidate), credentials, null, ApiCall.DefaultTimeout, cancellationToken);
            if (with.Ok)
            {
                // An operation that answers without credentials too is public in fact (AG5002 says so): it cannot show
                // whether a session still works, so the later probes take the next one that is refused without them.
                if (await AnonymousRefusedAsync(candidate))
                {
                    opened = candidate;
                    break;
                }

                open.Add(candidate);
                continue;
            }

            if (with.Status == 403)
            {
                forbidden.Add(with);
                continue;
            }

            var refused = with.Status is 401 or (>= 300 and < 400);
            findings.Add(Finding(FrontendRules.ProtectedCall, Severity.High, $"GET {candidate}",
                refused ? $"the fresh {what} was refused: {with.Summary}" : $"the fresh {what} did not open the protected operation: {with.Summary}",
                Mask(with.Evidence(), secrets), $"the {what} {(identity is ClientCredentialsAuth ? "the token endpoint granted" : "from the login")} must open the protected operations"));
            opened = candidate; // the later probes still use it: a refused session stays refused there, and no second finding follows
            await AnonymousRefusedAsync(candidate);
            break;
        }

        if (opened is null && forbidden.Count > 0 && forbidden.Count == Math.Min(candidates.Count, MaxProtectedCandidates))
        {
            findings.Add(Finding(FrontendRules.AuthFlowPartial, Severity.Low, $"GET {candidates[0]}",
                $"the fresh {what} was accepted but every protected GET tried answered 403 to '{identity.Label}' ({string.Join("; ", forbidden.Select(f => f.Summary))}): none is for this identity, so whether the {what} opens an operation{(cookieSession ? " and whether the session's later probes hold" : string.Empty)} was not checked",
                Mask(string.Join("\n", forbidden.Select(f => f.Evidence())), secrets),
                "name the roles that may call them (security.adminOnly, security.roles or x-roles), or give the contract a secured GET every signed-in identity may call (GET /me)"));
        }

        if (opened is null && open.Count == 0)
        {
            await AnonymousRefusedAsync(candidates[0]); // no operation was called without credentials yet
        }

        var noneBecause = opened is not null ? null
            : open.Count > 0 && forbidden.Count == 0 ? $"every protected GET tried answered without credentials too ({string.Join(", ", open.Select(o => $"GET {o}"))})"
            : open.Count > 0 ? $"the protected GETs tried answered without credentials too ({string.Join(", ", open.Select(o => $"GET {o}"))}) or 403"
            : "every protected GET tried answered 403";
        return (opened, noneBecause);

        // The operation called without credentials must be refused; when it is not, AG5002 (once per operation).
        async Task<bool> AnonymousRefusedAsync(string path)
        {
            var without = await ApiCall.SendAsync(http, "GET", ApiCall.Resolve(service.Url!, path), null, null, ApiCall.DefaultTimeout, cancellationToken);
            if (without.Status is 401 or 403)
            {
                return true;
            }

            findings.Add(Finding(FrontendRules.ProtectedCall, Severity.High, $"GET {path}", $"without a {(cookieSession ? "session cookie" : "token")} {without.Summary}, not 401",
                Mask(without.Evidence(), secrets), "require authentication on the operations the contract secures, or mark the operation public in the contract (security: [])"));
            return false;
        }
    }

    /// <summary>
    /// The contract's operations that look like a refresh and a logout, by a path segment (<c>refresh</c>,
    /// <c>refresh-token</c>; <c>logout</c>, <c>log-out</c>, <c>signout</c>, <c>sign-out</c>, <c>revoke</c>) of a path
    /// without parameters (<c>/users/{id}/revoke</c> is about someone else), POST first, as "METHOD /path"; null for a
    /// kind the contract has none of.
    /// </summary>
    internal static (string? Refresh, string? Logout) SessionOperations(OpenApiDocument document, string prefix, LoginAuth login)
    {
        var operations = OperationInfo.All(document)
            .Where(o => !o.Template.Contains('{', StringComparison.Ordinal) && !(o.Method == login.Method && prefix + o.Template == login.Path))
            .OrderBy(o => o.Method == "POST" ? 0 : 1)
            .ToList();
        string? First(Func<string, bool> kind) => operations
            .Where(o => o.Template.Split('/', StringSplitOptions.RemoveEmptyEntries)
                .Select(segment => segment.Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal).ToLowerInvariant())
                .Any(kind))
            .Select(o => $"{o.Method} {prefix}{o.Template}")
            .FirstOrDefault();
        return (First(s => s is "refresh" or "refreshtoken" or "tokenrefresh"), First(s => s is "logout" or "logoff" or "signout" or "revoke" or "revoketoken"));
    }

    private static bool IsStream(OperationInfo operation) => operation.IsUpgrade ||
        operation.Operation.Responses?.Values.Any(r => r.Content?.Keys.Any(k => k.Contains("event-stream", StringComparison.OrdinalIgnoreCase)) == true) == true;

    private Task<ApiAnswer> LoginAsync(HttpClient http, LoginAuth login, string password, CancellationToken cancellationToken) =>
        ApiCall.SendAsync(http, login.Method, ApiCall.Resolve(_loginUrl, login.Path), null,
            (login with { Password = password }).Body(_fields), ApiCall.DefaultTimeout, cancellationToken);

    /// <summary>The login body's field names from the login operation's schema in the contract, as the run's token source reads them.</summary>
    private Task<(string User, string Password)?> FieldsAsync(ServiceComponent? signsInAt, LoginAuth login, CancellationToken cancellationToken) =>
        Authenticator.FieldsAsync(signsInAt, login, documents, cancellationToken);

    private Task<ApiAnswer> CallWithRefreshAsync(HttpClient http, AuthCall operation, RefreshCredential refresh, CancellationToken cancellationToken) =>
        ApiCall.SendAsync(http, operation.Method, ApiCall.Resolve(_loginUrl, operation.Path), refresh.Headers(operation.Method), refresh.Body, ApiCall.DefaultTimeout, cancellationToken);

    /// <summary>
    /// The refresh token of a login or refresh answer: a JSON field (<c>refreshToken</c> or <c>refresh_token</c>), else a
    /// cookie it set: the one <paramref name="before"/> came in, else one whose name holds <c>refresh</c>, else its only
    /// cookie that is no anti-CSRF token. Null when it has none.
    /// </summary>
    private static RefreshCredential? Refresh(ApiAnswer answer, RefreshCredential? before)
    {
        foreach (var field in RefreshFields)
        {
            if (TokenSource.ReadToken(answer.Body, "$." + field) is { } token)
            {
                return new RefreshCredential(token, field, null, []);
            }
        }

        var cookies = answer.Cookies;
        var csrf = cookies.Where(c => c.IsCsrfToken).Select(c => new KeyValuePair<string, string>(c.Name, c.Value)).ToList();
        var candidates = cookies.Where(c => !c.IsCsrfToken).ToList();
        var cookie = before?.Cookie is { } name
            ? candidates.FirstOrDefault(c => c.Name == name)
            : candidates.FirstOrDefault(c => c.Name.Contains("refresh", StringComparison.OrdinalIgnoreCase)) ?? (candidates.Count == 1 ? candidates[0] : null);
        return cookie is null ? null : new RefreshCredential(cookie.Value, null, cookie.Name, csrf.Count > 0 ? csrf : before?.Csrf ?? []);
    }

    /// <summary>
    /// How a refresh token goes back to the service: in the JSON body under the field the login answered it in
    /// (<c>{"refreshToken": ...}</c>), or as the cookie it was set in (with the anti-CSRF cookies the login set, echoed in
    /// their header as a page's script does).
    /// </summary>
    private sealed record RefreshCredential(string Value, string? Field, string? Cookie, IReadOnlyList<KeyValuePair<string, string>> Csrf)
    {
        public string? Body => Field is null ? null : new JsonObject { [Field] = Value }.ToJsonString();

        public string What => Cookie is null ? "refresh token" : $"refresh cookie {Cookie}";

        public IReadOnlyList<KeyValuePair<string, string>> Headers(string method)
        {
            if (Cookie is null)
            {
                return [];
            }

            List<KeyValuePair<string, string>> cookies = [new(Cookie, Value), .. Csrf];
            return [.. SessionCookie.RequestHeaders(cookies, SessionCookie.CookieHeader(cookies), method, [])];
        }
    }

    private (string User, string Password)? _fields;

    /// <summary>Where the login, refresh and logout are sent: the service, or the component the login names (<c>at</c>).</summary>
    private Uri _loginUrl = null!;

    private static KeyValuePair<string, string>[] Bearer(string token) => [new("Authorization", $"Bearer {token}")];

    /// <summary>Known secrets, and any token a body carries, masked.</summary>
    private static string Mask(string text, List<string> secrets) =>
        TokenField().Replace(secrets.Where(s => s.Length > 0).OrderByDescending(s => s.Length).Aggregate(text, (t, s) => t.Replace(s, "***", StringComparison.Ordinal)), "$1\"***\"");

    [GeneratedRegex(@"(""[A-Za-z_]*[Tt]oken""\s*:\s*)""[^""]*""")]
    private static partial Regex TokenField();

    private Finding Finding(string rule, Severity severity, string location, string message, string? evidence, string hint) =>
        Findings.Create(rule, severity, service.Name, location, message, evidence, hint);

    private static CheckResult Result(List<Finding> findings, string? transient) =>
        CheckResult.From(findings) with { TransientCause = transient };
}

namespace Archgate.Checks.Frontend;

/// <summary>Rule ids of step 5 (frontend-backend integration); documented in docs/rules.md.</summary>
internal static class FrontendRules
{
    /// <summary>The login of the manifest's auth failed or gave no token.</summary>
    public const string LoginFailed = "AG5001";

    /// <summary>A protected operation refused the fresh token, or answered without one.</summary>
    public const string ProtectedCall = "AG5002";

    /// <summary>The refresh operation failed or gave no new tokens.</summary>
    public const string RefreshFailed = "AG5003";

    /// <summary>A refresh token still worked after it was rotated.</summary>
    public const string NoRotation = "AG5004";

    /// <summary>After a rotated refresh token was refused on reuse, the token its rotation gave still refreshed (no family revocation, RFC 9700 4.14.2).</summary>
    public const string FamilyNotRevoked = "AG5009";

    /// <summary>A token still worked after logout.</summary>
    public const string LogoutIneffective = "AG5005";

    /// <summary>A wrong password was not answered with a readable problem+json (or leaked internals).</summary>
    public const string UnreadableAuthError = "AG5006";

    /// <summary>A session id held before the login still opens the session after it (session fixation, CWE-384).</summary>
    public const string SessionFixation = "AG5008";

    /// <summary>A client credentials grant (RFC 6749 4.4) failed, or its answer is not a bearer token answer (5.1).</summary>
    public const string ClientGrantFailed = "AG5056";

    /// <summary>A token endpoint's answer lets caches keep the token: no <c>Cache-Control: no-store</c> (RFC 6749 5.1).</summary>
    public const string TokenCacheable = "AG5057";

    /// <summary>A token endpoint granted a token to a wrong client secret, or refused it otherwise than 400/401 <c>invalid_client</c>.</summary>
    public const string WrongClientSecret = "AG5058";

    /// <summary>A token endpoint granted a token for an unknown grant type, or refused it otherwise than 400 <c>unsupported_grant_type</c>.</summary>
    public const string UnknownGrantType = "AG5059";

    /// <summary>Part of the auth flow could not be checked (no refresh or logout declared, no protected operation).</summary>
    public const string AuthFlowPartial = "AG5007";

    /// <summary>Creating a resource failed.</summary>
    public const string CreateFailed = "AG5010";

    /// <summary>Reading a created resource failed or did not give back what was sent.</summary>
    public const string ReadMismatch = "AG5011";

    /// <summary>Updating with the current ETag in If-Match failed.</summary>
    public const string UpdateFailed = "AG5012";

    /// <summary>An update with a stale ETag was not refused with 412.</summary>
    public const string StaleNotRefused = "AG5013";

    /// <summary>Delete failed, or the deleted resource could still be read.</summary>
    public const string DeleteFailed = "AG5014";

    /// <summary>A read with <c>If-None-Match</c> set to the current ETag answered 200 where the contract documents 304.</summary>
    public const string NoConditionalRead = "AG5016";

    /// <summary>A read with <c>If-None-Match</c> set to the ETag from before an update answered 304: a client keeps the old copy.</summary>
    public const string StaleNotModified = "AG5017";

    /// <summary>What the CRUD check did per resource (operations found, steps the contract has no operation for).</summary>
    public const string CrudSummary = "AG5015";

    /// <summary>A preflight from the frontend's origin was refused, or does not allow what the page uses.</summary>
    public const string CorsRefused = "AG5020";

    /// <summary>A foreign origin's preflight was allowed.</summary>
    public const string CorsForeignAllowed = "AG5021";

    /// <summary>The API answers the frontend's origin with a wildcard.</summary>
    public const string CorsWildcard = "AG5022";

    /// <summary>The frontend and the API share an origin: a browser sends no preflight between them.</summary>
    public const string CorsSameOrigin = "AG5023";

    /// <summary>The event stream could not be opened with the token.</summary>
    public const string StreamNotOpened = "AG5030";

    /// <summary>A write caused no event within the bound.</summary>
    public const string EventMissing = "AG5031";

    /// <summary>Another identity's stream carried an event about an object the trigger wrote that this identity cannot read (CWE-200, CWE-639).</summary>
    public const string StreamLeak = "AG5034";

    /// <summary>What the tenant-isolation probe of a stream saw as a second identity, or why it was not checked.</summary>
    public const string StreamIsolationSeen = "AG5035";

    /// <summary>A reconnection with Last-Event-ID failed.</summary>
    public const string ReconnectFailed = "AG5032";

    /// <summary>The event stream or WebSocket opened for a client that sent no token.</summary>
    public const string StreamWithoutToken = "AG5033";

    /// <summary>A page called an API that is not a backend the frontend declares (wrong host, port or base path).</summary>
    public const string UndeclaredBackend = "AG5040";

    /// <summary>A page logged a console error.</summary>
    public const string ConsoleError = "AG5041";

    /// <summary>A page's script threw an exception nothing caught.</summary>
    public const string UncaughtError = "AG5042";

    /// <summary>A page's request failed (network error, or 4xx/5xx other than 401 before sign-in).</summary>
    public const string RequestFailed = "AG5043";

    /// <summary>An https page loaded or called something over http.</summary>
    public const string MixedContent = "AG5044";

    /// <summary>A page loaded or called a host outside targets.allow.</summary>
    public const string HostNotAllowed = "AG5045";

    /// <summary>A page did not load (error status, navigation failure).</summary>
    public const string PageNotLoaded = "AG5046";

    /// <summary>Signing in through the page's login form failed, or the page has none.</summary>
    public const string SignInFailed = "AG5047";

    /// <summary>A request was still loading when the page should have settled.</summary>
    public const string StillLoading = "AG5048";

    /// <summary>What the browser saw of a page: its requests, API calls and screenshot.</summary>
    public const string PageSeen = "AG5049";

    /// <summary>A page that holds a declared event stream did not receive the event its trigger causes.</summary>
    public const string NotLive = "AG5050";

    /// <summary>A page's event stream received the trigger's event.</summary>
    public const string LiveSeen = "AG5051";

    /// <summary>A page showed no loading state while its API was slowed through the fault proxy.</summary>
    public const string NoLoadingState = "AG5052";

    /// <summary>A page was blank, or showed no error, while its API was stopped.</summary>
    public const string NoErrorState = "AG5053";

    /// <summary>A page showed raw JSON, a stack trace or a technical error while its API was stopped.</summary>
    public const string RawError = "AG5054";

    /// <summary>A page showed its loading or error state as it should (with its screenshot).</summary>
    public const string StateSeen = "AG5055";

    /// <summary>axe-core found a serious or critical accessibility violation on a page.</summary>
    public const string AccessibilityViolation = "AG5060";

    /// <summary>What axe-core checked on a page (rules passed, minor and moderate violations).</summary>
    public const string AccessibilitySummary = "AG5061";
}

namespace Archgate.Model;

/// <summary>What a component is; decides which checks apply to it and where it sits in the plan.</summary>
public enum ComponentKind
{
    /// <summary>An HTTP service the team runs.</summary>
    Service,

    /// <summary>A database (SQLite or PostgreSQL).</summary>
    Database,

    /// <summary>A web frontend served to browsers.</summary>
    Frontend,

    /// <summary>An external provider the team does not run (payment gateway, e-mail...).</summary>
    ThirdParty,

    /// <summary>A message broker (RabbitMQ, AMQP 0-9-1) that services publish to and consume from.</summary>
    Broker,
}

/// <summary>The database engines Archgate can connect to.</summary>
public enum DatabaseEngine
{
    /// <summary>SQLite through Microsoft.Data.Sqlite.</summary>
    Sqlite,

    /// <summary>PostgreSQL through Npgsql.</summary>
    Postgres,
}

/// <summary>Where something was written in the manifest (1-based line and column).</summary>
public sealed record SourceLocation(string File, int Line, int Column)
{
    /// <inheritdoc />
    public override string ToString() => $"{File}:{Line}:{Column}";
}

/// <summary>
/// One part of the system. A component is one of five kinds, each its own record with the fields only it has:
/// <see cref="ServiceComponent"/>, <see cref="DatabaseComponent"/>, <see cref="FrontendComponent"/>,
/// <see cref="ThirdPartyComponent"/> and <see cref="BrokerComponent"/>; the first, third and fourth are reached over
/// HTTP (<see cref="HttpComponent"/>).
/// </summary>
public abstract record Component
{
    /// <summary>Unique name, used in <c>dependsOn</c> and in every finding.</summary>
    public required string Name { get; init; }

    /// <summary>What the component is.</summary>
    public abstract ComponentKind Kind { get; }

    /// <summary>Path of the health endpoint relative to the component's URL, for example <c>/health/ready</c>.</summary>
    public string? HealthPath { get; init; }

    /// <summary>The component's OpenAPI contract, if it publishes one.</summary>
    public OpenApiSpec? OpenApi { get; init; }

    /// <summary>Names of the components this one needs.</summary>
    public IReadOnlyList<string> DependsOn { get; init; } = [];

    /// <summary>Who answers for it (e-mail or team).</summary>
    public string? Owner { get; init; }

    /// <summary>Whether the system cannot work without it. <value>false</value> by default.</summary>
    public bool Critical { get; init; }

    /// <summary>How Archgate starts it, when it does.</summary>
    public RunSpec? Run { get; init; }

    /// <summary>Resilience policy declared for calls to it (<c>policy</c>).</summary>
    public CallPolicy? Policy { get; init; }

    /// <summary>Where the component is declared.</summary>
    public required SourceLocation Location { get; init; }

    /// <summary>Its base URL when it is reached over HTTP (a service, frontend or third party), else null.</summary>
    public Uri? Address => (this as HttpComponent)?.Url;
}

/// <summary>A component reached over HTTP at a base URL: a service, a frontend or a third party.</summary>
public abstract record HttpComponent : Component
{
    /// <summary>Base URL.</summary>
    public required Uri Url { get; init; }

    /// <summary>How checks authenticate to the component (<c>auth</c>), or null when they call it anonymously.</summary>
    public ServiceAuth? Auth { get; init; }
}

/// <summary>An HTTP service the team runs.</summary>
public sealed record ServiceComponent : HttpComponent
{
    /// <inheritdoc />
    public override ComponentKind Kind => ComponentKind.Service;

    /// <summary>Where a service's resources are stored (<c>resources</c>), for step 7's consistency checks. <value>None</value>.</summary>
    public IReadOnlyList<ResourceMapping> Resources { get; init; } = [];

    /// <summary>Its resources' declared state machines (<c>transitions</c>), for step 7's transition check. <value>None</value>.</summary>
    public IReadOnlyList<DeclaredTransitions> Transitions { get; init; } = [];

    /// <summary>A service's real-time endpoints (<c>realtime</c>), for step 5. <value>None</value>.</summary>
    public IReadOnlyList<RealtimeEndpoint> Realtime { get; init; } = [];

    /// <summary>Where a service's instances are registered (<c>discovery</c>), for step 4; null when none is declared.</summary>
    public DiscoverySpec? Discovery { get; init; }

    /// <summary>
    /// A service that refuses calls without its callers' service credential (<c>requiresAuth</c>): the request step 4
    /// sends it directly, without credentials, expecting 401 or 403; null when none is declared.
    /// </summary>
    public EdgeProbe? RequiresAuth { get; init; }

    /// <summary>Its modules when it is a modular monolith (<c>modules</c>), for step 4; null when none is declared.</summary>
    public ModularMonolith? Modules { get; init; }
}

/// <summary>A web frontend served to browsers.</summary>
public sealed record FrontendComponent : HttpComponent
{
    /// <inheritdoc />
    public override ComponentKind Kind => ComponentKind.Frontend;

    /// <summary>Pages of a frontend, relative to its URL.</summary>
    public IReadOnlyList<string> Pages { get; init; } = [];

    /// <summary>What a frontend's pages show while its API is slow or down (<c>states</c>), for step 5's browser check. <value><see cref="PageStates.Default"/></value>.</summary>
    public PageStates States { get; init; } = PageStates.Default;
}

/// <summary>An external provider the team does not run (payment gateway, e-mail, sign-in, analytics).</summary>
public sealed record ThirdPartyComponent : HttpComponent
{
    /// <inheritdoc />
    public override ComponentKind Kind => ComponentKind.ThirdParty;

    /// <summary>Its signed callbacks to the system (<c>webhook</c>), for step 6; null when none is declared.</summary>
    public WebhookSpec? Webhook { get; init; }

    /// <summary>How it signs users in with OpenID Connect (<c>oidc</c>), for step 6; null when none is declared.</summary>
    public OidcSpec? Oidc { get; init; }

    /// <summary>
    /// Its published OpenAPI document (<c>contract</c>): step 6 validates every request its callers sent it through the
    /// proxy against it; null when none is declared.
    /// </summary>
    public VendorContract? Contract { get; init; }

    /// <summary>
    /// Where it lists what it did, one row per charge or message, each with the idempotency key it was made under
    /// (<c>ledger</c>): step 6's retry check reads it after its rounds; null when none is declared.
    /// </summary>
    public LedgerSpec? Ledger { get; init; }
}

/// <summary>A database (SQLite or PostgreSQL).</summary>
public sealed record DatabaseComponent : Component
{
    /// <inheritdoc />
    public override ComponentKind Kind => ComponentKind.Database;

    /// <summary>Connection string, after <c>${VAR}</c> interpolation; a secret, never printed as is.</summary>
    public required string Connection { get; init; }

    /// <summary>The engine.</summary>
    public required DatabaseEngine Engine { get; init; }

    /// <summary>Step 3 expectations and policy. <value><see cref="DatabaseSpec.None"/></value>.</summary>
    public DatabaseSpec Database { get; init; } = DatabaseSpec.None;
}

/// <summary>A message broker (RabbitMQ, AMQP 0-9-1) that services publish to and consume from.</summary>
public sealed record BrokerComponent : Component
{
    /// <inheritdoc />
    public override ComponentKind Kind => ComponentKind.Broker;

    /// <summary>Its AMQP URI, after <c>${VAR}</c> interpolation; a secret, never printed as is.</summary>
    public required string Connection { get; init; }

    /// <summary>Its exchanges, queues, probe and AsyncAPI document. <value><see cref="BrokerSpec.None"/></value>.</summary>
    public BrokerSpec Broker { get; init; } = BrokerSpec.None;
}

/// <summary>A provider's own OpenAPI document, that requests to it must satisfy (the vendor would reject the rest).</summary>
/// <param name="Path">The document, absolute (resolved against the manifest's folder).</param>
/// <param name="Location">Where it is declared.</param>
public sealed record VendorContract(string Path, SourceLocation Location);

/// <summary>
/// A provider's ledger (<c>ledger</c>): a GET that lists what it did (a payment provider's charges in test mode, as
/// Stripe's <c>GET /v1/charges</c>), called with the provider's <c>auth</c>.
/// </summary>
/// <param name="Path">The GET's path and query, relative to the provider's url (<c>path</c>).</param>
/// <param name="Key">JSON path, within one row, of the idempotency key the row was made under (<c>key</c>).</param>
public sealed record LedgerSpec(string Path, string Key)
{
    /// <summary>JSON path of the rows in the answer (<c>items</c>); null: the answer itself when it is an array, else its <c>data</c> (Stripe's list object).</summary>
    public string? Items { get; init; }

    /// <summary>
    /// JSON path, within one row, of what the caller charged for (<c>operation</c>: an order or payment id, Stripe's
    /// <c>$.metadata.order_id</c>): rows that share it are one operation's charges; null: an operation is one of the
    /// retry check's rounds, with every key sent during it.
    /// </summary>
    public string? Operation { get; init; }

    /// <summary>Where it is declared.</summary>
    public SourceLocation? Location { get; init; }
}

/// <summary>An OpenAPI document (path relative to the manifest, or URL) and an optional previous version.</summary>
public sealed record OpenApiSpec(string Path, string? Baseline)
{
    /// <summary>
    /// Ids of existing resources that conformance checks may use, by path template and parameter name
    /// (<c>"/products/{id}": { id: 1 }</c>). <value>None</value> by default.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Fixtures { get; init; } =
        new Dictionary<string, IReadOnlyDictionary<string, string>>();

    /// <summary>Bounds of live conformance (<c>openapi.conformance</c>); null when the manifest sets none.</summary>
    public ConformanceLimits? Conformance { get; init; }
}

/// <summary>Bounds of live conformance set in the manifest; a null member keeps the check's default (docs/manifest.md).</summary>
/// <param name="RequestTimeout">How long one request may take (<c>timeout</c>).</param>
/// <param name="Budget">How long the whole check may take (<c>budget</c>).</param>
/// <param name="MaxRequests">Requests per service (<c>requests</c>).</param>
/// <param name="MaxRequestsPerOperation">Requests per operation (<c>requestsPerOperation</c>).</param>
public sealed record ConformanceLimits(TimeSpan? RequestTimeout, TimeSpan? Budget, int? MaxRequests, int? MaxRequestsPerOperation);

/// <summary>
/// How checks authenticate to a service: one of <see cref="LoginAuth"/>, <see cref="ClientCredentialsAuth"/>,
/// <see cref="ApiKeyAuth"/>, <see cref="BasicAuth"/> or <see cref="BearerAuth"/>. <see cref="object.ToString"/> never shows a secret.
/// </summary>
public abstract record ServiceAuth
{
    /// <summary>The secret values (passwords, keys, tokens) that must be masked wherever they might appear.</summary>
    public abstract IReadOnlyList<string> Secrets { get; }

    /// <summary>
    /// The name of its definition in the manifest's top-level <c>auth</c> section (an identity: <c>ann</c>,
    /// <c>ada</c>), or null for one written inline.
    /// </summary>
    public string? Name { get; init; }

    /// <summary>The roles this identity has (<c>roles: [admin]</c>), for authorization checks. <value>None</value> by default.</summary>
    public IReadOnlyList<string> Roles { get; init; } = [];

    /// <summary>The identity's name, or what it is when it has none; never a secret.</summary>
    public string Label => Name ?? ToString();
}

/// <summary>A bearer token obtained by a login call with a user and password.</summary>
/// <param name="Method">HTTP method of the login operation, upper case (<c>POST</c>).</param>
/// <param name="Path">Path of the login operation (<c>/auth/login</c>).</param>
/// <param name="User">The user name.</param>
/// <param name="Password">The password; a secret.</param>
/// <param name="TokenPath">JSON path of the token in the login response (<c>$.accessToken</c>); null to look for
/// <c>accessToken</c>, <c>access_token</c> or <c>token</c>.</param>
public sealed record LoginAuth(string Method, string Path, string User, string Password, string? TokenPath) : ServiceAuth
{
    /// <summary>
    /// The name of the user field of the login body (<c>fields.user</c>); null: from the login operation's schema in
    /// the contract when there is one, else <c>username</c>.
    /// </summary>
    public string? UserField { get; init; }

    /// <summary>The name of the password field of the login body (<c>fields.password</c>); null: as <see cref="UserField"/>, else <c>password</c>.</summary>
    public string? PasswordField { get; init; }

    /// <summary>
    /// The component the login, refresh and logout are sent to (<c>at: auth</c>), when it is not the service being
    /// called: an identity provider or a service whose tokens other services accept. Null: the service being called.
    /// </summary>
    public string? At { get; init; }

    /// <summary>Whether this login's operations belong to <paramref name="component"/> (it has no <see cref="At"/>, or names it).</summary>
    public bool SignsInAt(string component) => At is null || At == component;

    /// <summary>The operation that exchanges a refresh token for new tokens (<c>refresh: POST /auth/refresh</c>), or null.</summary>
    public AuthCall? Refresh { get; init; }

    /// <summary>The operation that ends the session (<c>logout: POST /auth/logout</c>), or null.</summary>
    public AuthCall? Logout { get; init; }

    /// <inheritdoc />
    public override IReadOnlyList<string> Secrets => [Password];

    /// <summary>
    /// The login body, JSON: the user and password under <see cref="UserField"/> and <see cref="PasswordField"/>, else
    /// under the names the contract gives (<paramref name="fields"/>), else <c>username</c> and <c>password</c>.
    /// </summary>
    public string Body((string User, string Password)? fields = null) =>
        new System.Text.Json.Nodes.JsonObject
        {
            [UserField ?? fields?.User ?? "username"] = User,
            [PasswordField ?? fields?.Password ?? "password"] = Password,
        }.ToJsonString();

    /// <summary>The name of the response field that holds the token (the last name of <see cref="TokenPath"/>), <c>accessToken</c> by default.</summary>
    public string TokenField => TokenPath is { } path && path.Split('.')[^1] is { Length: > 0 } last && last != "$" ? last.Split('[')[0] : "accessToken";

    /// <inheritdoc />
    public override string ToString() => $"login {Method} {Path}{(At is null ? string.Empty : $" at {At}")} as {User}";
}

/// <summary>A method and a path of an authentication operation (<c>POST /auth/refresh</c>).</summary>
/// <param name="Method">The HTTP method, upper case.</param>
/// <param name="Path">The path, starting with <c>/</c>, relative to the service that is called.</param>
public sealed record AuthCall(string Method, string Path)
{
    /// <summary>Whether an operation (<paramref name="method"/>, path <paramref name="template"/>) is this call.</summary>
    public bool Is(string method, string template) =>
        Method.Equals(method, StringComparison.OrdinalIgnoreCase) && Path == template;

    /// <inheritdoc />
    public override string ToString() => $"{Method} {Path}";
}

/// <summary>An API key sent in a request header, a query parameter or a cookie.</summary>
/// <param name="Header">The name of the header (<c>X-Api-Key</c>), query parameter or cookie that carries it.</param>
/// <param name="Value">The key; a secret.</param>
public sealed record ApiKeyAuth(string Header, string Value) : ServiceAuth
{
    /// <summary>Where the key goes (<c>apiKey.in</c>). <value><see cref="ApiKeyLocation.Header"/></value> by default.</summary>
    public ApiKeyLocation In { get; init; } = ApiKeyLocation.Header;

    /// <inheritdoc />
    public override IReadOnlyList<string> Secrets => [Value];

    /// <inheritdoc />
    public override string ToString() => In switch
    {
        ApiKeyLocation.Query => $"api key in query parameter {Header}",
        ApiKeyLocation.Cookie => $"api key in cookie {Header}",
        _ => $"api key in {Header}",
    };
}

/// <summary>Where an API key travels (OpenAPI's <c>in</c> of an apiKey security scheme).</summary>
public enum ApiKeyLocation
{
    /// <summary>A request header.</summary>
    Header,

    /// <summary>A query parameter.</summary>
    Query,

    /// <summary>A cookie.</summary>
    Cookie,
}

/// <summary>HTTP basic authentication.</summary>
/// <param name="User">The user name.</param>
/// <param name="Password">The password; a secret.</param>
public sealed record BasicAuth(string User, string Password) : ServiceAuth
{
    /// <inheritdoc />
    public override IReadOnlyList<string> Secrets => [Password];

    /// <inheritdoc />
    public override string ToString() => $"basic as {User}";
}

/// <summary>A fixed bearer token (usually from the environment).</summary>
/// <param name="Token">The token; a secret.</param>
public sealed record BearerAuth(string Token) : ServiceAuth
{
    /// <inheritdoc />
    public override IReadOnlyList<string> Secrets => [Token];

    /// <inheritdoc />
    public override string ToString() => "bearer token";
}

/// <summary>
/// A service caller's bearer token from an OAuth 2.0 token endpoint, the client credentials grant (RFC 6749, 4.4):
/// <c>grant_type=client_credentials</c>, form-encoded, the client authenticated with HTTP basic (2.3.1) or, with
/// <see cref="SecretInBody"/>, with <c>client_id</c> and <c>client_secret</c> in the form.
/// </summary>
/// <param name="Token">The token endpoint (<c>POST /oauth/token</c>), relative to the called service or to <see cref="At"/>.</param>
/// <param name="ClientId">The client id.</param>
/// <param name="ClientSecret">The client secret; a secret.</param>
public sealed record ClientCredentialsAuth(AuthCall Token, string ClientId, string ClientSecret) : ServiceAuth
{
    /// <summary>The scopes asked for (<c>scope</c>, space-separated), or null for the client's default.</summary>
    public string? Scope { get; init; }

    /// <summary>The component the token endpoint belongs to (an identity provider), or null: the called service.</summary>
    public string? At { get; init; }

    /// <summary>Whether the client authenticates in the form body (<c>clientAuth: post</c>) rather than with HTTP basic.</summary>
    public bool SecretInBody { get; init; }

    /// <summary>Where the grant goes, for messages: <c>POST /oauth/token</c>, or <c>POST /oauth/token at idp</c> on another component.</summary>
    public string Endpoint => At is null ? Token.ToString() : $"{Token} at {At}";

    /// <summary>
    /// The grant's form fields (RFC 6749, 4.4.2): <paramref name="grantType"/>, the <see cref="Scope"/>, and with
    /// <see cref="SecretInBody"/> the client id and secret (2.3.1).
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> Form(string grantType = "client_credentials")
    {
        var form = new List<KeyValuePair<string, string>> { new("grant_type", grantType) };
        if (Scope is { } scope)
        {
            form.Add(new("scope", scope));
        }

        if (SecretInBody)
        {
            form.Add(new("client_id", ClientId));
            form.Add(new("client_secret", ClientSecret));
        }

        return form;
    }

    /// <summary>The grant's body, <c>application/x-www-form-urlencoded</c> (<see cref="Form"/>).</summary>
    public string FormBody(string grantType = "client_credentials") =>
        string.Join('&', Form(grantType).Select(f => $"{System.Net.WebUtility.UrlEncode(f.Key)}={System.Net.WebUtility.UrlEncode(f.Value)}"));

    /// <summary>
    /// The client's <c>Authorization</c> header value, HTTP basic with each part form-encoded first (RFC 6749, 2.3.1);
    /// null when the client authenticates in the form (<see cref="SecretInBody"/>).
    /// </summary>
    public string? BasicAuthorization => SecretInBody ? null
        : "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(ClientId)}:{Uri.EscapeDataString(ClientSecret)}"));

    /// <inheritdoc />
    public override IReadOnlyList<string> Secrets => [ClientSecret];

    /// <inheritdoc />
    public override string ToString() => $"client credentials {Token}{(At is null ? string.Empty : $" at {At}")} as {ClientId}";
}

/// <summary>Resilience policy for calls to a component.</summary>
/// <param name="Timeout">Per-call timeout; the protocol requires at most 10 s for third parties.</param>
/// <param name="Retries">Retry attempts after the first call.</param>
/// <param name="Backoff"><c>exponential</c>, <c>linear</c> or <c>none</c>.</param>
/// <param name="Fallback">
/// What the caller does when the provider is down: <c>queue</c> (or <c>outbox</c>, the default) keeps the work and
/// sends it again afterwards; <c>degrade</c>, <c>drop</c>, <c>cache</c> or <c>default</c> answer without the provider and
/// owe nothing afterwards (best effort: a notification dropped, a price from a cache).
/// </param>
public sealed record CallPolicy(TimeSpan? Timeout, int? Retries, string? Backoff, string? Fallback)
{
    /// <summary>The fallbacks that keep the work for later; the first is the default.</summary>
    public static readonly IReadOnlyList<string> Queueing = ["queue", "outbox"];

    /// <summary>The fallbacks of a best-effort call: the caller answers without the provider and the work is not owed.</summary>
    public static readonly IReadOnlyList<string> BestEffort = ["degrade", "drop", "cache", "default"];

    /// <summary>Whether work the caller took while the provider was down must complete by itself afterwards.</summary>
    public bool OwesWork => Fallback is null || !BestEffort.Contains(Fallback, StringComparer.OrdinalIgnoreCase);
}

/// <summary>
/// A provider's signed callbacks (<c>webhook</c>): where they go and how they are signed, so step 6 can send them itself.
/// <see cref="object.ToString"/> never shows the secret.
/// </summary>
/// <param name="Receiver">The component that receives them (<c>to</c>).</param>
/// <param name="Path">Where it receives them (<c>path</c>).</param>
/// <param name="Secret">The signing secret (<c>secret</c>, from the environment); masked in every result.</param>
public sealed record WebhookSpec(string Receiver, string Path, string Secret)
{
    /// <summary>The header that carries the signature (<c>signature.header</c>). <value>X-Signature</value>.</summary>
    public string Header { get; init; } = "X-Signature";

    /// <summary>
    /// How the signature is made (<c>signature.scheme</c>): <c>stripe</c>, <c>t=UNIX,v1=HEX</c> with HEX the HMAC-SHA256 of
    /// <c>"UNIX.body"</c>; or <c>github</c>, <c>sha256=HEX</c> with HEX the HMAC-SHA256 of the body. <value>stripe</value>.
    /// </summary>
    public string Scheme { get; init; } = "stripe";

    /// <summary>The JSON body of the genuine callback (<c>event</c>); null: a small ping event with a fresh id.</summary>
    public string? Event { get; init; }

    /// <summary>Where it is declared.</summary>
    public SourceLocation? Location { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"webhook to {Receiver} {Path} ({Scheme} signature in {Header})";
}

/// <summary>
/// A third party that is an OpenID Connect provider (<c>oidc</c>): the client Archgate plays (a public client with PKCE,
/// as a single-page app is), the test user it signs in without a form, and the caller that takes the provider's id tokens.
/// </summary>
/// <param name="Issuer">The provider's issuer (<c>issuer</c>); its discovery document is at issuer + /.well-known/openid-configuration.</param>
/// <param name="ClientId">The client id the caller expects in aud (<c>clientId</c>).</param>
/// <param name="RedirectUri">The client's registered redirect URI (<c>redirectUri</c>); Archgate reads the code from the redirect and never follows it.</param>
/// <param name="User">The test user, sent as login_hint (<c>user</c>).</param>
/// <param name="Receiver">The component that takes id tokens (<c>to</c>).</param>
/// <param name="Path">Where it takes them (<c>path</c>): POST with JSON <c>{ "idToken": ..., "nonce": ... }</c>.</param>
public sealed record OidcSpec(Uri Issuer, string ClientId, Uri RedirectUri, string User, string Receiver, string Path)
{
    /// <summary>The scope asked for (<c>scope</c>). <value>openid profile email</value>.</summary>
    public string Scope { get; init; } = "openid profile email";

    /// <summary>How far past exp the caller still takes an id token (<c>skew</c>): the expired-token case waits beyond it when tokens are short-lived. <value>5 min</value>.</summary>
    public TimeSpan Skew { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long the expired-token case may wait for the genuine id token to pass exp plus <see cref="Skew"/>
    /// (<c>expiryWait</c>); when it would have to wait longer the case is not evaluated, and says so. Null: the check's
    /// default, <value>60 s</value>.
    /// </summary>
    public TimeSpan? ExpiryWait { get; init; }

    /// <summary>Where it is declared.</summary>
    public SourceLocation? Location { get; init; }

    /// <summary>The issuer without a trailing slash, as id tokens and the discovery document must carry it.</summary>
    public string IssuerText => Issuer.OriginalString.TrimEnd('/');
}

/// <summary>How to start a component and know that it is ready.</summary>
public sealed record RunSpec
{
    /// <summary>The command line, split on spaces (quotes group words).</summary>
    public required string Command { get; init; }

    /// <summary>Working directory, absolute (resolved against the manifest's folder).</summary>
    public required string WorkingDirectory { get; init; }

    /// <summary>Extra environment variables.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>When the component counts as ready.</summary>
    public required ReadinessProbe Ready { get; init; }
}

/// <summary>Exactly one of <see cref="HttpPath"/>, <see cref="TcpPort"/> or <see cref="LogLine"/> is set.</summary>
/// <param name="Timeout">How long to wait for readiness. <value>30 s</value> by default.</param>
public sealed record ReadinessProbe(string? HttpPath, int? TcpPort, string? LogLine, TimeSpan Timeout);

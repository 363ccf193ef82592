using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Archgate.Checks.Tests.Fixtures;

/// <summary>What <see cref="CookieSessionApi"/> gets wrong, one switch each.</summary>
public sealed record CookieSessionFaults
{
    /// <summary>The logout clears the browser's cookie but keeps the session on the server.</summary>
    public bool LogoutKeepsSession { get; init; }

    /// <summary>Writes are taken without the X-XSRF-TOKEN header.</summary>
    public bool NoCsrfCheck { get; init; }

    /// <summary>The session cookie is SameSite=None (sent on cross-site requests), not Lax.</summary>
    public bool SameSiteNone { get; init; }

    /// <summary>Any sid value opens a session, as a server that never looks the session up.</summary>
    public bool AnySession { get; init; }

    /// <summary>The preflight does not allow credentials.</summary>
    public bool NoCredentialsCors { get; init; }

    /// <summary>
    /// A failed login starts an anonymous session (a flash message), and a login keeps the session id the client sent
    /// instead of starting a new one (Express without <c>req.session.regenerate</c>).
    /// </summary>
    public bool KeepsSessionId { get; init; }

    /// <summary>A login adopts whatever session id the client sends (PHP without <c>session.use_strict_mode</c>).</summary>
    public bool AdoptsSessionId { get; init; }

    /// <summary>
    /// Not a fault: the contract declares X-XSRF-TOKEN as a required header parameter of <c>POST /tasks</c>, as
    /// @nestjs/swagger's <c>@ApiHeader</c> writes it.
    /// </summary>
    public bool DeclaresCsrfHeader { get; init; }

    /// <summary>Not a fault: only an admin (ada) may <c>POST /tasks</c>; ann is refused 403.</summary>
    public bool AdminOnlyTasks { get; init; }

    /// <summary>
    /// Not a fault: the contract has a staff-only <c>GET /audit</c> before <c>GET /me</c>, which answers 403 to anyone but
    /// ada (a role check after the session was accepted).
    /// </summary>
    public bool StaffOnlyAudit { get; init; }

    /// <summary>The login sets a session cookie but keeps no session: the cookie opens nothing (401).</summary>
    public bool ForgetsSessions { get; init; }

    /// <summary>Not a fault: <c>GET /me</c> too answers 403 to anyone but ada, so ann may call no secured GET.</summary>
    public bool StaffOnlyMe { get; init; }

    /// <summary>
    /// The contract has <c>GET /kits</c> before <c>GET /me</c>, secured by the document's default as a generator marks a
    /// view it does not understand, but the server answers it to anyone (a public catalogue).
    /// </summary>
    public bool PublicKits { get; init; }
}

/// <summary>
/// A small API with a cookie session, as Express, Django or Rails keep one: the login (e-mail and password, the names
/// its contract gives) answers the user and sets <c>sid</c> (HttpOnly, SameSite=Lax) and a double-submit anti-CSRF
/// cookie <c>XSRF-TOKEN</c> that writes must echo in <c>X-XSRF-TOKEN</c>; the logout ends the session. CORS allows
/// <see cref="Origin"/> with credentials. Undeclared methods answer 405 to a signed-in caller.
/// </summary>
public sealed class CookieSessionApi : IDisposable
{
    public const string Origin = "http://127.0.0.1:9";

    public const string Contract = """
        openapi: 3.0.3
        info: { title: tasks, version: '1' }
        security: [ { session: [] } ]
        components:
          securitySchemes:
            session: { type: apiKey, in: cookie, name: sid }
        paths:
          /auth/login:
            post:
              security: []
              requestBody:
                required: true
                content: { application/json: { schema: { type: object, required: [email, password], properties: { email: { type: string }, password: { type: string } } } } }
              responses: { '200': { description: signed in }, '401': { description: wrong } }
          /auth/logout:
            post: { responses: { '204': { description: signed out }, '401': { description: not signed in } } }
          /me:
            get: { responses: { '200': { description: who }, '401': { description: not signed in } } }
          /tasks:
            post:
              requestBody:
                required: true
                content: { application/json: { schema: { type: object, required: [title], properties: { title: { type: string } } }, example: { title: first } } }
              responses: { '201': { description: created }, '401': { description: not signed in }, '403': { description: no CSRF token } }
        """;

    private readonly LocalHttpServer _server;
    private readonly CookieSessionFaults _faults;
    private readonly ConcurrentDictionary<string, string> _sessions = new();
    private readonly ConcurrentDictionary<string, string> _users = new();
    private readonly ConcurrentDictionary<string, bool> _anonymous = new();

    public CookieSessionApi(CookieSessionFaults? faults = null)
    {
        _faults = faults ?? new CookieSessionFaults();
        _server = new LocalHttpServer(AnswerAsync);
    }

    public Uri Url => _server.Url;

    public ConcurrentQueue<Received> Requests { get; } = new();

    /// <summary>The writes refused 403 for an X-XSRF-TOKEN header that was there but not the session's.</summary>
    public int WrongCsrfTokens => _wrongCsrfTokens;

    private int _wrongCsrfTokens;

    /// <summary>Sessions open on the server now.</summary>
    public int Sessions => _sessions.Count;

    /// <summary>The manifest: the api with ann's cookie-session login (no token path), and a web frontend that depends on it.</summary>
    public string Manifest(string directory, string extra = "")
    {
        var contract = _faults.DeclaresCsrfHeader
            ? Contract.Replace("  /tasks:\n    post:\n", "  /tasks:\n    post:\n      parameters: [ { name: X-XSRF-TOKEN, in: header, required: true, schema: { type: string } } ]\n", StringComparison.Ordinal)
            : Contract;
        if (_faults.StaffOnlyAudit)
        {
            contract = contract.Replace("  /me:\n", "  /audit:\n    get: { responses: { '200': { description: every sign-in }, '401': { description: not signed in }, '403': { description: staff only } } }\n  /me:\n", StringComparison.Ordinal);
        }

        if (_faults.PublicKits)
        {
            contract = contract.Replace("  /me:\n", "  /kits:\n    get: { responses: { '200': { description: the catalogue }, '401': { description: not signed in } } }\n  /me:\n", StringComparison.Ordinal);
        }

        File.WriteAllText(Path.Combine(directory, "tasks.yaml"), contract);
        return $$"""
            version: 1
            system: { name: tasks }
            auth:
              ann: { login: POST /auth/login, user: ann@example.test, password: demo, logout: POST /auth/logout }
            components:
              - { name: api, kind: service, url: "{{Url}}", openapi: tasks.yaml, auth: ann }
              - { name: web, kind: frontend, url: "{{Origin}}", dependsOn: [api] }
            {{extra}}
            """;
    }

    public void Dispose() => _server.Dispose();

    private async Task AnswerAsync(HttpListenerContext context)
    {
        var r = await LocalHttpServer.ReadAsync(context);
        Requests.Enqueue(r);
        var response = context.Response;
        if (r.Headers.GetValueOrDefault("Origin") == Origin)
        {
            response.Headers["Access-Control-Allow-Origin"] = Origin;
            response.Headers["Vary"] = "Origin";
            if (!_faults.NoCredentialsCors)
            {
                response.Headers["Access-Control-Allow-Credentials"] = "true";
            }
        }

        var cookies = (r.Headers.GetValueOrDefault("Cookie") ?? string.Empty).Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(c => c.Split('=', 2)).Where(p => p.Length == 2).GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.First()[1]);
        var path = r.PathAndQuery.Split('?')[0];
        if (r.Method == "OPTIONS")
        {
            await WriteAsync(context, 204, null, new()
            {
                ["Access-Control-Allow-Methods"] = "GET, POST",
                ["Access-Control-Allow-Headers"] = "Content-Type, X-XSRF-TOKEN",
            });
            return;
        }

        if ((r.Method, path) == ("POST", "/auth/login"))
        {
            JsonObject? body;
            try
            {
                body = r.Body.Length > 0 ? JsonNode.Parse(r.Body) as JsonObject : null;
            }
            catch (System.Text.Json.JsonException)
            {
                await WriteAsync(context, 400, """{"title":"Malformed JSON","status":400}""", contentType: "application/problem+json");
                return;
            }

            var user = body?["email"]?.ToString();
            if (user is not ("ann@example.test" or "ada@example.test") || body!["password"]?.ToString() != "demo")
            {
                if (_faults.KeepsSessionId)
                {
                    var anonymous = Guid.NewGuid().ToString("N");
                    _anonymous[anonymous] = true;
                    response.AppendHeader("Set-Cookie", $"sid={anonymous}; Path=/; HttpOnly; SameSite=Lax");
                }

                await WriteAsync(context, 401, """{"title":"Wrong e-mail or password","status":401}""", contentType: "application/problem+json");
                return;
            }

            var held = cookies.GetValueOrDefault("sid");
            var sid = held is not null && ((_faults.KeepsSessionId && _anonymous.ContainsKey(held)) || _faults.AdoptsSessionId) ? held : Guid.NewGuid().ToString("N");
            var csrf = Guid.NewGuid().ToString("N");
            if (!_faults.ForgetsSessions)
            {
                _sessions[sid] = csrf;
                _users[sid] = user;
            }

            var sameSite = _faults.SameSiteNone ? "SameSite=None; Secure" : "SameSite=Lax";
            response.AppendHeader("Set-Cookie", $"sid={sid}; Path=/; HttpOnly; {sameSite}; Max-Age=3600");
            response.AppendHeader("Set-Cookie", $"XSRF-TOKEN={csrf}; Path=/; {sameSite}; Max-Age=3600");
            await WriteAsync(context, 200, """{"id":1,"name":"Ann"}""");
            return;
        }

        if (_faults.PublicKits && (r.Method, path) == ("GET", "/kits"))
        {
            await WriteAsync(context, 200, """[{"id":3,"name":"Ramen kit"}]""");
            return;
        }

        var session = cookies.GetValueOrDefault("sid") is { } id && (_sessions.TryGetValue(id, out var token) || _faults.AnySession) ? id : null;
        if (session is null)
        {
            await WriteAsync(context, 401, """{"title":"Sign in first","status":401}""", contentType: "application/problem+json");
            return;
        }

        var expected = _sessions.GetValueOrDefault(session);
        if (r.Method != "GET" && !_faults.NoCsrfCheck && (expected is null || r.Headers.GetValueOrDefault("X-XSRF-TOKEN") != expected))
        {
            if (r.Headers.ContainsKey("X-XSRF-TOKEN"))
            {
                Interlocked.Increment(ref _wrongCsrfTokens);
            }

            await WriteAsync(context, 403, """{"title":"Missing or wrong X-XSRF-TOKEN","status":403}""", contentType: "application/problem+json");
            return;
        }

        switch (r.Method, path)
        {
            case ("POST", "/auth/logout"):
                if (!_faults.LogoutKeepsSession)
                {
                    _sessions.TryRemove(session, out _);
                }

                response.AppendHeader("Set-Cookie", "sid=; Path=/; Max-Age=0");
                await WriteAsync(context, 204, null);
                return;
            case ("GET", "/audit" or "/me") when (path == "/audit" || _faults.StaffOnlyMe) && _users.GetValueOrDefault(session) != "ada@example.test":
                await WriteAsync(context, 403, """{"title":"Forbidden","status":403,"detail":"staff only"}""", contentType: "application/problem+json");
                return;
            case ("GET", "/audit"):
                await WriteAsync(context, 200, "[]");
                return;
            case ("GET", "/me"):
                await WriteAsync(context, 200, """{"id":1,"name":"Ann"}""");
                return;
            case ("POST", "/tasks") when _faults.AdminOnlyTasks && _users.GetValueOrDefault(session) != "ada@example.test":
                await WriteAsync(context, 403, """{"title":"Admins only","status":403}""", contentType: "application/problem+json");
                return;
            case ("POST", "/tasks"):
                await WriteAsync(context, 201, """{"id":7,"title":"first"}""");
                return;
            case (_, "/auth/logout" or "/me" or "/tasks" or "/auth/login" or "/audit"):
                await WriteAsync(context, 405, """{"title":"Method not allowed","status":405}""", contentType: "application/problem+json");
                return;
            default:
                await WriteAsync(context, 404, """{"title":"Not found","status":404}""", contentType: "application/problem+json");
                return;
        }
    }

    private static Task WriteAsync(HttpListenerContext context, int status, string? body, Dictionary<string, string>? headers = null, string contentType = "application/json") =>
        LocalHttpServer.WriteAsync(context, status, body is null ? [] : Encoding.UTF8.GetBytes(body), contentType, headers);
}

using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Archgate.Checks.Tests.Fixtures;

/// <summary>
/// A notes API behind a reverse proxy's path prefix, as many are deployed: everything lives under <c>/api/v1</c>, and its
/// contract says so with <c>servers: [{ url: /api/v1 }]</c> and paths without the prefix. A bearer login at
/// <c>/api/v1/auth/token</c> (<c>username</c>, <c>password</c>; answers <c>access_token</c>), notes whose titles are unique
/// (a second note of a title is 409, so the contract's example is refused once a check created it), a health path.
/// Anything outside the prefix is 404, as the proxy answers it.
/// </summary>
public sealed class PrefixedNotesApi : IDisposable
{
    public const string Prefix = "/api/v1";

    public const string Contract = """
        openapi: 3.0.3
        info: { title: notes, version: '1' }
        servers: [ { url: /api/v1 } ]
        security: [ { bearer: [] } ]
        components:
          securitySchemes:
            bearer: { type: http, scheme: bearer }
          schemas:
            Note: { type: object, required: [id, title], properties: { id: { type: integer }, title: { type: string } } }
        paths:
          /auth/token:
            post:
              security: []
              requestBody:
                required: true
                content: { application/json: { schema: { type: object, required: [username, password], properties: { username: { type: string }, password: { type: string } } } } }
              responses:
                '200': { description: signed in, content: { application/json: { schema: { type: object, properties: { access_token: { type: string } } } } } }
                '401': { description: wrong }
          /health:
            get: { security: [], responses: { '200': { description: up } } }
          /me:
            get: { responses: { '200': { description: who }, '401': { description: not signed in } } }
          /notes:
            post:
              requestBody:
                required: true
                content: { application/json: { schema: { type: object, required: [title], properties: { title: { type: string } } }, example: { title: first } } }
              responses:
                '201': { description: created, content: { application/json: { schema: { $ref: '#/components/schemas/Note' } } } }
                '401': { description: not signed in }
                '409': { description: a note with this title exists }
          /notes/{id}:
            parameters: [ { name: id, in: path, required: true, schema: { type: integer } } ]
            get:
              responses:
                '200': { description: the note, content: { application/json: { schema: { $ref: '#/components/schemas/Note' } } } }
                '401': { description: not signed in }
                '404': { description: no such note }
            put:
              requestBody:
                required: true
                content: { application/json: { schema: { type: object, required: [title], properties: { title: { type: string } } }, example: { title: first } } }
              responses:
                '200': { description: replaced, content: { application/json: { schema: { $ref: '#/components/schemas/Note' } } } }
                '401': { description: not signed in }
                '404': { description: no such note }
                '409': { description: another note has this title }
            delete:
              responses: { '204': { description: deleted }, '401': { description: not signed in }, '404': { description: no such note } }
        """;

    private const string Token = "prefixed-token-0001";

    private readonly LocalHttpServer _server;
    private readonly ConcurrentDictionary<int, string> _notes = new();
    private int _next;

    public PrefixedNotesApi() => _server = new LocalHttpServer(AnswerAsync);

    public Uri Url => _server.Url;

    public ConcurrentQueue<Received> Requests { get; } = new();

    /// <summary>
    /// The manifest with the service at <paramref name="url"/> (default: the host's root, so manifest paths carry the
    /// prefix) and its auth and health as written.
    /// </summary>
    public string Manifest(string directory, string? url = null, string login = Prefix + "/auth/token", string health = Prefix + "/health")
    {
        File.WriteAllText(Path.Combine(directory, "notes.yaml"), Contract);
        return $$"""
            version: 1
            system: { name: notes }
            auth:
              ann: { login: POST {{login}}, user: ann, password: demo }
            components:
              - { name: api, kind: service, url: "{{url ?? Url.ToString()}}", openapi: notes.yaml, auth: ann, health: {{health}} }
              - { name: web, kind: frontend, url: "http://127.0.0.1:9", dependsOn: [api] }
            security: { identities: [ann] }
            """;
    }

    public void Dispose() => _server.Dispose();

    private async Task AnswerAsync(HttpListenerContext context)
    {
        var r = await LocalHttpServer.ReadAsync(context);
        Requests.Enqueue(r);
        var path = r.PathAndQuery.Split('?')[0];
        if (!path.StartsWith(Prefix + "/", StringComparison.Ordinal))
        {
            await WriteAsync(context, 404, """{"title":"Not found","status":404}""");
            return;
        }

        path = path[Prefix.Length..];
        if ((r.Method, path) == ("GET", "/health"))
        {
            await WriteAsync(context, 200, """{"status":"ok"}""");
            return;
        }

        if ((r.Method, path) == ("POST", "/auth/token"))
        {
            var body = TryParse(r.Body);
            await (body?["username"]?.ToString() == "ann" && body["password"]?.ToString() == "demo"
                ? WriteAsync(context, 200, $$"""{"access_token":"{{Token}}","token_type":"bearer"}""")
                : WriteAsync(context, 401, """{"title":"Wrong user or password","status":401}"""));
            return;
        }

        if (r.Headers.GetValueOrDefault("Authorization") != $"Bearer {Token}")
        {
            await WriteAsync(context, 401, """{"title":"Sign in first","status":401}""");
            return;
        }

        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var title = r.Method is "POST" or "PUT" ? TryParse(r.Body)?["title"]?.ToString() : null;
        switch (r.Method, segments)
        {
            case ("GET", ["me"]):
                await WriteAsync(context, 200, """{"name":"ann"}""");
                return;
            case ("POST", ["notes"]) when title is not null && _notes.Values.Any(n => JsonNode.Parse(n)!["title"]!.ToString() == title):
                await WriteAsync(context, 409, """{"title":"A note with this title exists","status":409}""");
                return;
            case ("POST", ["notes"]) when title is not null:
                var created = Interlocked.Increment(ref _next);
                var note = new JsonObject { ["id"] = created, ["title"] = title }.ToJsonString();
                _notes[created] = note;
                await WriteAsync(context, 201, note, new() { ["Location"] = $"{Prefix}/notes/{created}" });
                return;
            case ("POST", ["notes"]):
                await WriteAsync(context, 400, """{"title":"title is required","status":400}""");
                return;
            case ("PUT", ["notes", var text]) when title is not null && int.TryParse(text, out var id) && _notes.ContainsKey(id):
                if (_notes.Any(n => n.Key != id && JsonNode.Parse(n.Value)!["title"]!.ToString() == title))
                {
                    await WriteAsync(context, 409, """{"title":"Another note has this title","status":409}""");
                    return;
                }

                _notes[id] = new JsonObject { ["id"] = id, ["title"] = title }.ToJsonString();
                await WriteAsync(context, 200, _notes[id]);
                return;
            case ("GET" or "DELETE", ["notes", var text]) when int.TryParse(text, out var id) && _notes.TryGetValue(id, out var found):
                if (r.Method == "DELETE")
                {
                    _notes.TryRemove(id, out _);
                    await WriteAsync(context, 204, null);
                    return;
                }

                await WriteAsync(context, 200, found);
                return;
            default:
                await WriteAsync(context, 404, """{"title":"Not found","status":404}""");
                return;
        }
    }

    private static JsonObject? TryParse(string body)
    {
        try
        {
            return body.Length > 0 ? JsonNode.Parse(body) as JsonObject : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static Task WriteAsync(HttpListenerContext context, int status, string? body, Dictionary<string, string>? headers = null) =>
        LocalHttpServer.WriteAsync(context, status, body is null ? [] : Encoding.UTF8.GetBytes(body), status >= 400 ? "application/problem+json" : "application/json", headers);
}

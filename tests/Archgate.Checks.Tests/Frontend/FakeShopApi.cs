using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Archgate.Checks.Tests.Fixtures;

namespace Archgate.Checks.Tests.Frontend;

/// <summary>Defects a <see cref="FakeShopApi"/> can have, each one a check of steps 5 and 7 must catch.</summary>
public sealed record FakeApiFaults
{
    public bool NoRotation { get; init; }

    /// <summary>A reused refresh token is refused, but the token its rotation gave (its family) stays live (RFC 9700 4.14.2 asks to revoke it).</summary>
    public bool NoFamilyRevoke { get; init; }

    public bool LogoutKeepsTokens { get; init; }

    public bool LeakyErrors { get; init; }

    public bool IgnoresIfMatch { get; init; }

    /// <summary>Not a defect: a worker moves each note on once, just before the first update reaches it.</summary>
    public bool MovesOnBeforeFirstUpdate { get; init; }

    /// <summary>Every update is refused with 412, even with the current ETag.</summary>
    public bool RefusesEveryUpdate { get; init; }

    public bool ReflectsAnyOrigin { get; init; }

    public bool DeleteKeeps { get; init; }

    /// <summary>
    /// Not a defect: the login answers the access token and sets the refresh token as an HttpOnly cookie <c>rt</c>,
    /// which the refresh and the logout read, as many SPAs keep it out of the script's reach.
    /// </summary>
    public bool RefreshInCookie { get; init; }

    /// <summary>Not a defect: a note that exists from the start (JSON, id 0), as an earlier step or run leaves one.</summary>
    public string? Seed { get; init; }

    /// <summary>Not a defect: properties no two notes share; a write that would is answered 409.</summary>
    public IReadOnlyList<string> Unique { get; init; } = [];

    /// <summary>Not a defect: the lengths a text property must have; a write outside them is answered 400.</summary>
    public IReadOnlyDictionary<string, (int Min, int Max)> Lengths { get; init; } = new Dictionary<string, (int, int)>();

    /// <summary>Not a defect: only the user <see cref="NoteCreator"/> (<c>ada</c>, an admin) may create notes; anyone else's <c>POST /notes</c> is refused with 403.</summary>
    public bool AdminCreatesNotes { get; init; }

    /// <summary>The one user who may create notes when <see cref="AdminCreatesNotes"/>. <value><c>ada</c></value></summary>
    public string NoteCreator { get; init; } = "ada";

    /// <summary>
    /// A create checks <see cref="Unique"/> and then inserts, with nothing to stop a create in flight (no unique index):
    /// the first two creates that pass the check wait for each other before they insert, as two requests whose reads
    /// both ran before either insert. The API answers requests concurrently.
    /// </summary>
    public bool ChecksThenInserts { get; init; }

    /// <summary>
    /// Not a defect: no two notes' periods (<c>checkIn</c>..<c>checkOut</c>, half open) overlap; a write that would is
    /// answered 409, checked with the other rules in one step.
    /// </summary>
    public bool NoOverlap { get; init; }

    /// <summary>
    /// With <see cref="NoOverlap"/>: a create checks for an overlapping period and then inserts, and only the rest of the
    /// rules (<see cref="Unique"/>, as a unique index would) are checked with the insert. Each create that passed the
    /// overlap check waits (up to 2 s) for another to pass it before it inserts. The API answers requests concurrently.
    /// </summary>
    public bool OverlapChecksThenInserts { get; init; }

    /// <summary>Not a defect: at most this many notes; a create beyond is answered 409, as a create that would use up a stock is.</summary>
    public int? Capacity { get; init; }

    /// <summary>
    /// Not a defect: an update is a JSON merge patch, sent as <c>application/merge-patch+json</c> (<see cref="MergePatchContract"/>);
    /// an update of another type is refused with 415.
    /// </summary>
    public bool MergePatchUpdates { get; init; }

    /// <summary>Not a defect: a read with If-None-Match naming the note's current ETag is answered 304.</summary>
    public bool ConditionalReads { get; init; }

    /// <summary>Not a defect: a worker moves each note on once, just before the first read with If-None-Match reaches it.</summary>
    public bool MovesOnBeforeConditionalRead { get; init; }

    /// <summary>A read with any If-None-Match is answered 304, as a cache keyed on the path alone.</summary>
    public bool StaleNotModified { get; init; }

    /// <summary>
    /// A create that meets its unique index fails with 500 instead of being refused: a repeat of an Idempotency-Key
    /// (not answered with the first result), and a duplicate of a <see cref="Unique"/> property (not answered 409).
    /// </summary>
    public bool UniqueIndexFails { get; init; }

    /// <summary>Not a defect: errors in NestJS's style, <c>application/json</c> with <c>{"message", "error", "statusCode"}</c>.</summary>
    public bool NestErrors { get; init; }

    /// <summary>Errors as JSON with nothing a person can read: <c>{"statusCode": 401}</c>.</summary>
    public bool BareErrors { get; init; }
}

/// <summary>
/// A small stateful API on a real loopback port (<see cref="ScriptedHttpServer"/>): login with refresh rotation and
/// logout, <c>/notes</c> with create, read, update with If-Match (412 when stale) and delete, CORS for one origin.
/// </summary>
public sealed class FakeShopApi : IDisposable
{
    public const string Origin = "http://127.0.0.1:7";

    public const string Contract = """
        openapi: 3.1.0
        info: { title: fake, version: 1.0.0 }
        security: [ { bearer: [] } ]
        components:
          securitySchemes: { bearer: { type: http, scheme: bearer } }
        paths:
          /auth/login:
            post:
              security: []
              requestBody: { content: { application/json: { schema: { type: object } } } }
              responses: { '200': { description: ok } }
          /me:
            get: { responses: { '200': { description: ok } } }
          /notes:
            get: { responses: { '200': { description: ok } } }
            post:
              requestBody:
                required: true
                content:
                  application/json:
                    schema: { type: object }
                    example: { title: first, tags: [a, b] }
              responses: { '201': { description: created } }
          /notes/{id}:
            parameters: [ { name: id, in: path, required: true, schema: { type: integer } } ]
            get: { responses: { '200': { description: ok }, '404': { description: gone } } }
            put:
              parameters: [ { name: If-Match, in: header, required: true, schema: { type: string } } ]
              requestBody:
                required: true
                content: { application/json: { schema: { type: object }, example: { title: second } } }
              responses: { '200': { description: ok }, '412': { description: stale } }
            delete: { responses: { '204': { description: gone } } }
        """;

    /// <summary><see cref="Contract"/> with the item's read documenting 304 Not Modified (a conditional read with If-None-Match).</summary>
    public static readonly string ConditionalContract = Contract.Replace(
        "get: { responses: { '200': { description: ok }, '404': { description: gone } } }",
        "get: { responses: { '200': { description: ok }, '304': { description: not modified }, '404': { description: gone } } }",
        StringComparison.Ordinal);

    /// <summary><see cref="Contract"/> with the update's body declared as a JSON merge patch only.</summary>
    public static readonly string MergePatchContract = Contract.Replace(
        "content: { application/json: { schema: { type: object }, example: { title: second } } }",
        "content: { application/merge-patch+json: { schema: { type: object }, example: { title: second } } }",
        StringComparison.Ordinal);

    private readonly ScriptedHttpServer _server;
    private readonly FakeApiFaults _faults;
    /// <summary>Live refresh and access tokens, each with the user it was issued to.</summary>
    private readonly ConcurrentDictionary<string, string> _refresh;
    /// <summary>Every refresh token issued, live or used, with the first token of its family (the login's).</summary>
    private readonly ConcurrentDictionary<string, string> _families;
    private readonly ConcurrentDictionary<string, string> _access;
    private readonly ConcurrentDictionary<long, (JsonObject Body, int Version)> _notes = new();
    private readonly HashSet<long> _movedOn = [];
    private readonly ConcurrentDictionary<long, bool> _movedOnRead = new();
    /// <summary>The first answer to each Idempotency-Key, given again to every repeat.</summary>
    private readonly Dictionary<string, Reply> _keys = [];
    private int _next;
    private int _nextNote;
    /// <summary>Creates that passed the uniqueness check (<see cref="FakeApiFaults.ChecksThenInserts"/>), and the signal that two did.</summary>
    private int _checked;
    private readonly ManualResetEventSlim _twoChecked = new();
    /// <summary>Creates that passed the overlap check (<see cref="FakeApiFaults.OverlapChecksThenInserts"/>).</summary>
    private int _overlapChecked;

    /// <param name="faults">What the API gets wrong.</param>
    /// <param name="issuer">Another instance whose tokens this one accepts (their sessions are shared), as services accept an identity provider's.</param>
    public FakeShopApi(FakeApiFaults? faults = null, FakeShopApi? issuer = null)
    {
        _faults = faults ?? new FakeApiFaults();
        _refresh = issuer?._refresh ?? new();
        _families = issuer?._families ?? new();
        _access = issuer?._access ?? new();
        if (_faults.Seed is not null)
        {
            _notes[0] = ((JsonObject)JsonNode.Parse(_faults.Seed)!, 1);
        }

        _server = new ScriptedHttpServer(Answer, concurrent: _faults.ChecksThenInserts || _faults.OverlapChecksThenInserts);
    }

    /// <summary>
    /// <see cref="Contract"/> with books' rules in the schemas of <c>/notes</c>: an <c>isbn</c> of exactly 17 characters
    /// matching a pattern, and a <c>title</c> (at most <paramref name="titleMax"/> characters, when given). The create's
    /// example is <paramref name="create"/>, the update's <paramref name="update"/>; the create takes an
    /// <c>Idempotency-Key</c> when <paramref name="idempotent"/>.
    /// </summary>
    public static string BookContract(string create, string update, int? titleMax = null, bool idempotent = false)
    {
        var schema = "{ type: object, properties: { isbn: { type: string, minLength: 17, maxLength: 17, pattern: '^97[89]-[0-9]-[0-9]{2}-[0-9]{6}-[0-9]$' }, title: { type: string"
            + (titleMax is { } max ? $", maxLength: {max}" : string.Empty) + " } } }";
        var contract = Contract
            .Replace("            schema: { type: object }\n            example: { title: first, tags: [a, b] }",
                $"            schema: {schema}\n            example: {create}", StringComparison.Ordinal)
            .Replace("content: { application/json: { schema: { type: object }, example: { title: second } } }",
                $"content: {{ application/json: {{ schema: {schema}, example: {update} }} }}", StringComparison.Ordinal)
            .Replace("    post:\n      requestBody:\n        required: true",
                idempotent ? "    post:\n      parameters: [ { name: Idempotency-Key, in: header, schema: { type: string } } ]\n      requestBody:\n        required: true" : "    post:\n      requestBody:\n        required: true", StringComparison.Ordinal);
        return contract.Split("maxLength: 17").Length == 3 ? contract : throw new InvalidOperationException("the book schema replaced not both bodies of /notes");
    }

    public Uri Url => _server.Url;

    public int Port => _server.Port;

    public ConcurrentQueue<Received> Requests => _server.Requests;

    /// <summary>The ids of the notes that exist now.</summary>
    public IReadOnlyList<long> Notes => [.. _notes.Keys.Order()];

    /// <summary>The manifest of a system with this API as 'api' and a frontend; <paramref name="contract"/> in place of <see cref="Contract"/>.</summary>
    /// <summary>
    /// A manifest where this API (component <c>api</c>, its contract in <paramref name="directory"/>) takes the tokens of
    /// <paramref name="issuer"/> (component <c>auth</c>), and the identity <c>ann</c> signs in there (<c>at: auth</c>).
    /// </summary>
    /// <param name="issuer">The API whose login issues the tokens.</param>
    /// <param name="directory">Where the contract is written.</param>
    /// <param name="identity">More of ann's login (<c>refresh: ...</c>), after a comma.</param>
    /// <param name="api">More of the api component (<c>auth: ann</c>), after a comma.</param>
    /// <param name="extra">The sections after the components (journeys, load).</param>
    public string ManifestSigningInAt(FakeShopApi issuer, string directory, string identity = "", string api = "", string extra = "")
    {
        File.WriteAllText(Path.Combine(directory, "fake.yaml"), Contract);
        return $$"""
            version: 1
            system: { name: fake }
            auth:
              ann: { login: POST /auth/login, at: auth, user: ann, password: demo{{(identity.Length > 0 ? ", " + identity : "")}} }
            components:
              - { name: auth, kind: service, url: "{{issuer.Url.ToString().TrimEnd('/')}}" }
              - { name: api, kind: service, url: "{{Url.ToString().TrimEnd('/')}}", openapi: fake.yaml, dependsOn: [auth]{{(api.Length > 0 ? ", " + api : "")}} }
            {{extra}}
            """;
    }

    public string Manifest(string directory, string extra = "", string auth = "refresh: POST /auth/refresh, logout: POST /auth/logout", string? contract = null)
    {
        File.WriteAllText(Path.Combine(directory, "fake.yaml"), contract ?? Contract);
        return $$"""
            version: 1
            system: { name: fake }
            components:
              - name: api
                kind: service
                url: "{{Url.ToString().TrimEnd('/')}}"
                openapi: fake.yaml
                auth: { login: POST /auth/login, user: ann, password: demo, {{auth}} }
              - { name: web, kind: frontend, url: "{{Origin}}", dependsOn: [api] }
            {{extra}}
            """;
    }

    private Reply Answer(Received r)
    {
        if (r.Method == "OPTIONS")
        {
            var origin = r.Headers.GetValueOrDefault("Origin");
            return origin == Origin || _faults.ReflectsAnyOrigin
                ? new Reply(204, null, Headers: new Dictionary<string, string>
                {
                    ["Access-Control-Allow-Origin"] = origin!,
                    ["Access-Control-Allow-Methods"] = "GET,POST,PUT,DELETE",
                    ["Access-Control-Allow-Headers"] = "Authorization,Content-Type,If-Match",
                    ["Access-Control-Allow-Credentials"] = _faults.ReflectsAnyOrigin ? "true" : "false",
                })
                : new Reply(204, null);
        }

        var path = r.PathAndQuery.Split('?')[0];
        var body = r.Body.Length > 0 ? JsonNode.Parse(r.Body) as JsonObject : null;
        switch (r.Method, path)
        {
            case ("POST", "/auth/login"):
                return body?["password"]?.ToString() == "demo" ? Issue(body["username"]?.ToString() ?? string.Empty) : Problem(401, "Invalid username or password.");
            case ("POST", "/auth/refresh"):
                var token = RefreshOf(r, body);
                if (!_refresh.TryGetValue(token, out var refreshed))
                {
                    if (_families.TryGetValue(token, out var reusedFamily) && !_faults.NoFamilyRevoke)
                    {
                        foreach (var member in _families.Where(f => f.Value == reusedFamily))
                        {
                            _refresh.TryRemove(member.Key, out _);
                        }
                    }

                    return Problem(401, "The refresh token is invalid.");
                }

                if (!_faults.NoRotation)
                {
                    _refresh.TryRemove(token, out _);
                }

                return Issue(refreshed, _families.GetValueOrDefault(token));
            case ("POST", "/auth/logout"):
                if (!_faults.LogoutKeepsTokens)
                {
                    _refresh.TryRemove(RefreshOf(r, body), out _);
                }

                return new Reply(204);
        }

        if (!r.Headers.TryGetValue("Authorization", out var authorization) || !_access.TryGetValue(authorization.Replace("Bearer ", string.Empty, StringComparison.Ordinal), out var user))
        {
            return Problem(401, "Sign in first.");
        }

        if (_faults.AdminCreatesNotes && r.Method == "POST" && path == "/notes" && user != _faults.NoteCreator)
        {
            return Problem(403, "Only an admin creates notes.");
        }

        if (r.Method == "GET" && path is "/me" or "/notes")
        {
            return new Reply(200, "{\"user\":\"ann\"}");
        }

        if (r.Method == "POST" && path == "/notes" && _faults.OverlapChecksThenInserts)
        {
            lock (_notes)
            {
                if (Overlapping(body!, null) is { } overlap)
                {
                    return overlap;
                }
            }

            var mine = Interlocked.Increment(ref _overlapChecked);
            SpinWait.SpinUntil(() => Volatile.Read(ref _overlapChecked) > mine, TimeSpan.FromSeconds(2));
            lock (_notes)
            {
                if (Refused(body!, null, overlap: false) is { } refused)
                {
                    return refused;
                }

                var id = Interlocked.Increment(ref _nextNote);
                body!["id"] = id;
                _notes[id] = (body, 1);
                return new Reply(201, body.ToJsonString(), Headers: new Dictionary<string, string> { ["Location"] = $"/notes/{id}" });
            }
        }

        if (r.Method == "POST" && path == "/notes" && _faults.ChecksThenInserts)
        {
            Reply? exists;
            lock (_notes)
            {
                exists = Refused(body!, null);
            }

            if (exists is not null)
            {
                return exists;
            }

            if (Interlocked.Increment(ref _checked) >= 2)
            {
                _twoChecked.Set();
            }

            // Bounded, so that a lone create (nothing else in flight) is not held for ever.
            _twoChecked.Wait(TimeSpan.FromSeconds(30));
            var id = Interlocked.Increment(ref _nextNote);
            body!["id"] = id;
            _notes[id] = (body, 1);
            return new Reply(201, body.ToJsonString(), Headers: new Dictionary<string, string> { ["Location"] = $"/notes/{id}" });
        }

        if (r.Method == "POST" && path == "/notes")
        {
            lock (_notes)
            {
                var key = r.Headers.GetValueOrDefault("Idempotency-Key");
                if (key is not null && _keys.TryGetValue(key, out var first))
                {
                    return _faults.UniqueIndexFails ? Problem(500, "duplicate key value violates unique constraint \"notes_idempotency_key\"") : first;
                }

                if (Refused(body!, null) is { } refused)
                {
                    return _faults.UniqueIndexFails && refused.Status == 409 ? Problem(500, "duplicate key value violates unique constraint") : refused;
                }

                if (_notes.Count >= _faults.Capacity)
                {
                    return Problem(409, "No room for another note.");
                }

                var id = Interlocked.Increment(ref _nextNote);
                body!["id"] = id;
                _notes[id] = (body, 1);
                var created = new Reply(201, body.ToJsonString(), Headers: new Dictionary<string, string> { ["Location"] = $"/notes/{id}", ["ETag"] = "\"1\"" });
                if (key is not null)
                {
                    _keys[key] = created;
                }

                return created;
            }
        }

        if (!path.StartsWith("/notes/", StringComparison.Ordinal) || !long.TryParse(path["/notes/".Length..], out var noteId) || !_notes.TryGetValue(noteId, out var note))
        {
            return Problem(404, "No such note.");
        }

        switch (r.Method)
        {
            case "GET":
                var noneMatch = r.Headers.GetValueOrDefault("If-None-Match");
                if (noneMatch is not null && _faults.MovesOnBeforeConditionalRead && _movedOnRead.TryAdd(noteId, true))
                {
                    _notes[noteId] = note = (note.Body, note.Version + 1);
                }

                if (noneMatch is not null && (_faults.StaleNotModified || (_faults.ConditionalReads && noneMatch == $"\"{note.Version}\"")))
                {
                    return new Reply(304, string.Empty, Headers: new Dictionary<string, string> { ["ETag"] = $"\"{note.Version}\"" });
                }

                return new Reply(200, note.Body.ToJsonString(), Headers: new Dictionary<string, string> { ["ETag"] = $"\"{note.Version}\"" });
            case "PUT":
                if (_faults.MergePatchUpdates && r.Headers.GetValueOrDefault("Content-Type")?.StartsWith("application/merge-patch+json", StringComparison.Ordinal) != true)
                {
                    return Problem(415, "Send the update as application/merge-patch+json.");
                }

                lock (_notes)
                {
                    note = _notes[noteId];
                    if (_faults.MovesOnBeforeFirstUpdate && _movedOn.Add(noteId))
                    {
                        _notes[noteId] = note = (note.Body, note.Version + 1);
                    }

                    if (_faults.RefusesEveryUpdate || (!_faults.IgnoresIfMatch && r.Headers.GetValueOrDefault("If-Match") != $"\"{note.Version}\""))
                    {
                        return Problem(412, "The note changed since you read it.");
                    }

                    if (Refused(body!, noteId) is { } refused)
                    {
                        return refused;
                    }

                    foreach (var (name, value) in body!)
                    {
                        note.Body[name] = value?.DeepClone();
                    }

                    _notes[noteId] = (note.Body, note.Version + 1);
                    return new Reply(200, note.Body.ToJsonString(), Headers: new Dictionary<string, string> { ["ETag"] = $"\"{note.Version + 1}\"" });
                }

            case "DELETE":
                if (!_faults.DeleteKeeps)
                {
                    _notes.TryRemove(noteId, out _);
                }

                return new Reply(204);
            default:
                return Problem(405, "Method not allowed.");
        }
    }

    /// <summary>The 400 or 409 a write of <paramref name="body"/> (to note <paramref name="self"/>, or a new one) gets under the rules of <see cref="FakeApiFaults"/>, or null.</summary>
    private Reply? Refused(JsonObject body, long? self, bool overlap = true)
    {
        if (overlap && Overlapping(body, self) is { } overlapping)
        {
            return overlapping;
        }

        foreach (var (name, (min, max)) in _faults.Lengths)
        {
            if (body[name]?.ToString() is { } text && (text.Length < min || text.Length > max))
            {
                return Problem(400, $"{name} must be {min}-{max} characters");
            }
        }

        foreach (var name in _faults.Unique)
        {
            if (body[name]?.ToString() is { } value && _notes.Any(n => n.Key != self && n.Value.Body[name]?.ToString() == value))
            {
                return Problem(409, $"a note with this {name} exists");
            }
        }

        return null;
    }

    /// <summary>The 409 a write of <paramref name="body"/> gets when its period overlaps another note's (<see cref="FakeApiFaults.NoOverlap"/>), or null.</summary>
    private Reply? Overlapping(JsonObject body, long? self)
    {
        static (DateTime In, DateTime Out)? Period(JsonObject note) =>
            DateTime.TryParse(note["checkIn"]?.ToString(), System.Globalization.CultureInfo.InvariantCulture, out var checkIn)
            && DateTime.TryParse(note["checkOut"]?.ToString(), System.Globalization.CultureInfo.InvariantCulture, out var checkOut)
                ? (checkIn, checkOut)
                : null;

        if (!_faults.NoOverlap || Period(body) is not { } mine)
        {
            return null;
        }

        return _notes.Any(n => n.Key != self && Period(n.Value.Body) is { } other && mine.In < other.Out && other.In < mine.Out)
            ? Problem(409, "the period overlaps another booking")
            : null;
    }

    private Reply Issue(string user, string? family = null)
    {
        var n = Interlocked.Increment(ref _next);
        var access = $"access-{n}-{Guid.NewGuid():N}";
        var refresh = $"refresh-{n}-{Guid.NewGuid():N}";
        _access[access] = user;
        _refresh[refresh] = user;
        _families[refresh] = family ?? refresh;
        return _faults.RefreshInCookie
            ? new Reply(200, new JsonObject { ["accessToken"] = access }.ToJsonString(), Headers: new Dictionary<string, string>
            {
                ["Set-Cookie"] = $"rt={refresh}; Path=/auth; HttpOnly; SameSite=Strict",
            })
            : new Reply(200, new JsonObject { ["accessToken"] = access, ["refreshToken"] = refresh }.ToJsonString());
    }

    /// <summary>The refresh token a refresh or logout sent: in the body, or in the cookie <c>rt</c>.</summary>
    private string RefreshOf(Received r, JsonObject? body)
    {
        if (!_faults.RefreshInCookie)
        {
            return body?["refreshToken"]?.ToString() ?? string.Empty;
        }

        var cookies = r.Headers.GetValueOrDefault("Cookie")?.Split(';', StringSplitOptions.TrimEntries).Select(c => c.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]) ?? [];
        return cookies.TryGetValue("rt", out var rt) ? rt : string.Empty;
    }

    private Reply Problem(int status, string title) => _faults switch
    {
        { LeakyErrors: true } => new Reply(status == 401 ? 500 : status, $"System.InvalidOperationException: {title}\n   at Fake.Auth.Login(String user) in /src/Auth.cs:line 12", "text/plain"),
        { NestErrors: true } => new Reply(status, new JsonObject { ["message"] = new JsonArray(title), ["error"] = "Unauthorized", ["statusCode"] = status }.ToJsonString(), "application/json; charset=utf-8"),
        { BareErrors: true } => new Reply(status, new JsonObject { ["statusCode"] = status }.ToJsonString(), "application/json; charset=utf-8"),
        _ => new Reply(status, new JsonObject { ["title"] = title, ["status"] = status }.ToJsonString(), "application/problem+json"),
    };

    public void Dispose()
    {
        _server.Dispose();
        _twoChecked.Dispose();
    }
}

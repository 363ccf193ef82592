using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Archgate.Checks.Tests.Fixtures;
using Microsoft.Data.Sqlite;

namespace Archgate.Checks.Tests.Security.Probes;

/// <summary>The defects <see cref="ProbeTestApi"/> can plant; none: a clean service.</summary>
[Flags]
public enum Flaws : long
{
    None = 0,
    UnauthenticatedAdmin = 1,
    UnverifiedTokens = 2,
    Bola = 4,
    MassAssignment = 8,
    SqlInjection = 16,
    SlowSql = 32,
    ReflectedXss = 64,
    VerboseErrors = 128,
    CorsReflect = 256,
    CustomerIsAdmin = 512,
    Traversal = 1024,
    IgnoresExpiry = 2048,
    NoCreate = 4096,
    /// <summary>Any signed-in user may delete any catalogue item (<see cref="ProbeTestApi.CatalogueContract"/>).</summary>
    ForeignDelete = 8192,
    /// <summary>An unsigned token (<c>alg: none</c>) is taken as valid; every other token's signature is checked.</summary>
    AcceptsAlgNone = 16384,
    /// <summary>The login's tokens carry no <c>exp</c> and are taken without one; a token that has one is still checked.</summary>
    NoExpiry = 32768,
    /// <summary>An order's <c>quantity</c> sent as a string is converted unchecked: 500 with a Python traceback.</summary>
    WrongTypeCrash = 65536,
    /// <summary>
    /// Not a defect: only an admin (<c>ada</c>) may create orders and items; anyone else's <c>POST /orders</c> or
    /// <c>POST /items</c> is refused with 403. Reading, changing and deleting stay the owner's (an admin's too).
    /// </summary>
    AdminCreates = 131072,
    /// <summary>
    /// Not a defect: only an admin (<c>ada</c>) may change or delete a catalogue item; anyone else's <c>PUT</c> or
    /// <c>DELETE</c> on <c>/items/{id}</c> is refused with 403, its owner's too.
    /// </summary>
    AdminItemWrites = 262144,
    /// <summary>Any signed-in user may change or delete any catalogue item: the admin role check of <see cref="AdminItemWrites"/> is missing.</summary>
    MembersWriteItems = 524288,
    /// <summary>
    /// Not a defect: item names are unique (a create or change to a name another item has answers 409), and the catalogue
    /// starts with two items of ada's, 'Tea towel' (1) and 'Mug rack' (2): the contract's <c>PUT</c> example names the second.
    /// </summary>
    UniqueItemNames = 1048576,
    /// <summary>A catalogue item's <c>DELETE</c> takes requests without credentials (ex10's reservations); every other write still needs a user.</summary>
    AnonymousDelete = 2097152,
    /// <summary>An order's <c>status</c> outside open, paid and shipped breaks the table's check constraint: 500 (ex12's claims).</summary>
    StatusCheckConstraint = 4194304,
    /// <summary>Any signed-in user may cancel any order (<c>POST /orders/{id}/cancel</c>), though only its owner may read or change it.</summary>
    ForeignCancel = 8388608,
    /// <summary>
    /// Not a defect as such: the cancel checks the order's state before its owner, and answers anyone but the owner 409
    /// "not cancellable" (an order is cancellable by its owner only, so a stranger's cancel is a conflict).
    /// </summary>
    CancelStateFirst = 16777216,
    /// <summary>Any <c>X-Api-Key</c> header is taken as ann's (ex15's machine client): an unknown key falls back to a user instead of 401.</summary>
    AnyApiKey = 33554432,

    /// <summary>Not a flaw: only staff (sam) may place orders and add items, as <c>security.roles</c> says; anyone else is refused 403, the admin too.</summary>
    StaffCreates = 67108864,

    /// <summary>
    /// Not a defect: the shop starts with orders its users placed before the run, ann's 1 and 3 and ben's 2, and
    /// <c>GET /orders</c> lists the caller's own orders only (ex14's reservations, which alice had before any run).
    /// </summary>
    PlacedOrders = 134217728,

    /// <summary>The tenant of <c>GET /products</c> (header <c>X-Tenant</c>, else cookie <c>tenant</c>) is concatenated into its SQL.</summary>
    TenantSql = 268435456,

    /// <summary>An <c>X-Api-Key</c> is a JWT of the login's, verified as a bearer token is (with <see cref="AcceptsAlgNone"/>, an unsigned one passes).</summary>
    JwtApiKey = 536870912,

    /// <summary>
    /// Not a defect: the orders' routes are Django REST framework's, each ending with a slash (<c>/orders/</c>,
    /// <c>/orders/{id}/</c>, <c>/orders/{id}/cancel/</c>, see <see cref="ProbeTestApi.SlashContract"/>); a path under
    /// <c>/orders</c> without one is redirected 301 to it (Django's APPEND_SLASH), and a create's Location has one.
    /// </summary>
    AppendSlash = 1073741824,

    /// <summary>
    /// Any signed-in user reads any order's history (<c>GET /orders/{id}/events</c>, <c>200 []</c> while it has none), though
    /// only its owner reads the order itself (ex17's parcels: ben read ann's <c>/parcels/1/events</c>, and <c>/parcels/1</c> was 404).
    /// </summary>
    ForeignHistory = 1L << 31,

    /// <summary>
    /// Any signed-in user changes or clears any order's note beneath it (<c>PUT</c>, <c>DELETE /orders/{id}/note</c>),
    /// though only its owner reads the order (ex17's follow-up: a write beneath an object was not probed at all).
    /// </summary>
    ForeignNote = 1L << 32,

    /// <summary>
    /// Not a flaw: an order's history has one event, id 7 (<c>GET /orders/{id}/events</c>), read at
    /// <c>/orders/{id}/events/7</c>, whoever may read the history (its owner; anyone under <see cref="ForeignHistory"/>).
    /// </summary>
    Events = 1L << 33,
}

/// <summary>
/// A small real service on 127.0.0.1 with JWT logins (HS256), orders owned by users, an admin listing, a product
/// search over an in-memory SQLite table, an HTML search page and CORS; each defect of <see cref="Flaws"/> can be
/// planted. Users ann and ben are customers, ada is admin; every password is <see cref="Password"/>. It also keeps a
/// catalogue (<see cref="CatalogueContract"/>): items anyone may read, and only their owner may change or delete.
/// </summary>
public sealed class ProbeTestApi : IDisposable
{
    public const string Password = "pw-s3cret";

    public const string WebOrigin = "http://127.0.0.1:1";

    private static readonly (long Id, string Name, string Role)[] Users = [(1, "ann", "customer"), (2, "ben", "customer"), (3, "ada", "admin"), (4, "sam", "staff")];

    private readonly byte[] _key;
    private readonly Flaws _flaws;
    private readonly TimeSpan _tokenLifetime;
    private readonly Dictionary<long, JsonObject> _orders = [];
    private readonly Dictionary<long, JsonObject> _items = [];
    private readonly SqliteConnection _db = new("Data Source=:memory:");
    private readonly ScriptedHttpServer _server;
    private long _nextItem = 1;

    /// <param name="flaws">What the service gets wrong.</param>
    /// <param name="tokenLifetime">How long its tokens live (15 min).</param>
    /// <param name="signingSecret">Its HS256 secret: another instance's makes it accept the tokens that one issues.</param>
    public ProbeTestApi(Flaws flaws, TimeSpan? tokenLifetime = null, string? signingSecret = null)
    {
        _flaws = flaws;
        _tokenLifetime = tokenLifetime ?? TimeSpan.FromMinutes(15);
        SigningSecret = signingSecret ?? Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
        _key = Encoding.UTF8.GetBytes(SigningSecret);
        _db.Open();
        using (var create = _db.CreateCommand())
        {
            create.CommandText = "create table products (id integer primary key, name text not null);" +
                "insert into products (name) values ('Enamel mug'), ('Organic T-shirt'), ('Mug rack'), ('Tea towel');";
            create.ExecuteNonQuery();
        }

        if (Has(Flaws.PlacedOrders))
        {
            foreach (var (id, owner) in new[] { (1L, 1L), (2L, 2L), (3L, 1L) })
            {
                _orders[id] = new JsonObject { ["id"] = id, ["userId"] = owner, ["status"] = "open", ["total"] = 9.5, ["note"] = "placed before the run" };
            }
        }

        if (Has(Flaws.UniqueItemNames))
        {
            foreach (var name in new[] { "Tea towel", "Mug rack" })
            {
                _items[_nextItem] = new JsonObject { ["id"] = _nextItem, ["ownerId"] = 3L, ["name"] = name };
                _nextItem++;
            }
        }

        _server = new ScriptedHttpServer(Handle);
    }

    public ScriptedHttpServer Server => _server;

    /// <summary>The HS256 secret the service signs its tokens with (a test environment's, for <c>security.signingKey</c>).</summary>
    public string SigningSecret { get; }

    public int Port => _server.Port;

    /// <summary>The service's contract, with the port filled in.</summary>
    public static string Contract => """
        openapi: 3.0.3
        info: { title: probe test api, version: 1.0.0 }
        security: [ { bearer: [] } ]
        paths:
          /auth/login:
            post:
              security: []
              requestBody:
                required: true
                content:
                  application/json:
                    schema: { type: object, required: [username, password], properties: { username: { type: string }, password: { type: string } } }
              responses: { '200': { description: ok }, '401': { description: no } }
          /me:
            get:
              responses: { '200': { description: the user }, '401': { description: no } }
          /admin/orders:
            get:
              responses: { '200': { description: every order }, '401': { description: no }, '403': { description: no } }
          /orders:
            post:
              requestBody:
                required: true
                content:
                  application/json:
                    schema: { $ref: '#/components/schemas/OrderRequest' }
                    example: { note: ring twice }
              responses:
                '201': { description: created, content: { application/json: { schema: { $ref: '#/components/schemas/Order' } } } }
                '400': { description: invalid }
                '401': { description: no }
          /orders/{id}:
            parameters:
              - { name: id, in: path, required: true, schema: { type: integer }, example: 1 }
            get:
              responses:
                '200': { description: the order, content: { application/json: { schema: { $ref: '#/components/schemas/Order' } } } }
                '404': { description: none }
            patch:
              requestBody:
                required: true
                content:
                  application/json:
                    schema: { $ref: '#/components/schemas/OrderRequest' }
                    example: { note: leave at the door }
              responses:
                '200': { description: changed, content: { application/json: { schema: { $ref: '#/components/schemas/Order' } } } }
                '404': { description: none }
          /products:
            get:
              security: []
              parameters:
                - { name: search, in: query, schema: { type: string, maxLength: 100 }, example: mug }
              responses: { '200': { description: products }, '400': { description: invalid } }
          /download:
            get:
              security: []
              parameters:
                - { name: file, in: query, schema: { type: string }, example: readme.txt }
              responses: { '200': { description: the file }, '404': { description: none } }
          /search:
            get:
              security: []
              parameters:
                - { name: q, in: query, schema: { type: string }, example: tea }
              responses: { '200': { description: a page, content: { text/html: { schema: { type: string } } } } }
        components:
          securitySchemes:
            bearer: { type: http, scheme: bearer }
          schemas:
            OrderRequest:
              type: object
              properties: { note: { type: string, maxLength: 200 } }
            Order:
              type: object
              properties:
                id: { type: integer, readOnly: true }
                userId: { type: integer }
                status: { type: string, enum: [open, paid, shipped] }
                total: { type: number }
                note: { type: string }
        """;

    /// <summary>
    /// <see cref="Contract"/> in Django REST framework's shape (<see cref="Flaws.AppendSlash"/>): every order path ends with a
    /// slash, the create takes an <c>Idempotency-Key</c> and documents 409, and the item has an action, <c>POST /orders/{id}/cancel/</c>.
    /// </summary>
    public static string SlashContract => Contract
        .Replace("  /orders:\n", "  /orders/:\n", StringComparison.Ordinal)
        .Replace("            example: { note: ring twice }\n", "            example: { note: ring twice }\n      parameters:\n        - { name: Idempotency-Key, in: header, schema: { type: string } }\n", StringComparison.Ordinal)
        .Replace("        '401': { description: no }\n  /orders/{id}:\n", "        '401': { description: no }\n        '409': { description: a key reused with another body }\n  /orders/{id}/:\n", StringComparison.Ordinal)
        .Replace("  /products:\n", """
          /orders/{id}/cancel/:
            parameters:
              - { name: id, in: path, required: true, schema: { type: integer }, example: 1 }
            post:
              responses:
                '200': { description: cancelled, content: { application/json: { schema: { $ref: '#/components/schemas/Order' } } } }
                '404': { description: none }
          /products:

        """, StringComparison.Ordinal);

    /// <summary>
    /// The catalogue's contract: signing in is needed to create, change and delete an item, not to read one
    /// (<c>security: []</c> on <c>GET /items/{id}</c>, under a document that asks for a bearer token).
    /// </summary>
    public static string CatalogueContract => """
        openapi: 3.0.3
        info: { title: probe test catalogue, version: 1.0.0 }
        security: [ { bearer: [] } ]
        paths:
          /auth/login:
            post:
              security: []
              requestBody:
                required: true
                content:
                  application/json:
                    schema: { type: object, required: [username, password], properties: { username: { type: string }, password: { type: string } } }
              responses: { '200': { description: ok }, '401': { description: no } }
          /items:
            post:
              requestBody:
                required: true
                content:
                  application/json:
                    schema: { $ref: '#/components/schemas/ItemRequest' }
                    example: { name: Enamel mug }
              responses:
                '201': { description: created, content: { application/json: { schema: { $ref: '#/components/schemas/Item' } } } }
                '401': { description: no }
          /items/{id}:
            parameters:
              - { name: id, in: path, required: true, schema: { type: integer }, example: 1 }
            get:
              security: []
              responses:
                '200': { description: the item, content: { application/json: { schema: { $ref: '#/components/schemas/Item' } } } }
                '404': { description: none }
            put:
              requestBody:
                required: true
                content:
                  application/json:
                    schema: { $ref: '#/components/schemas/ItemRequest' }
                    example: { name: Mug rack }
              responses:
                '200': { description: changed, content: { application/json: { schema: { $ref: '#/components/schemas/Item' } } } }
                '403': { description: not yours }
                '404': { description: none }
            delete:
              responses: { '204': { description: deleted }, '403': { description: not yours }, '404': { description: none } }
        components:
          securitySchemes:
            bearer: { type: http, scheme: bearer }
          schemas:
            ItemRequest:
              type: object
              properties: { name: { type: string, maxLength: 100 } }
            Item:
              type: object
              properties:
                id: { type: integer, readOnly: true }
                ownerId: { type: integer }
                name: { type: string }
        """;

    /// <summary>The paths of <c>security.protected</c> unless a test names others.</summary>
    public const string ProtectedPaths = "\"/orders/**\", \"/admin/**\", \"/me\"";

    /// <summary>The identities of <c>security.identities</c> unless a test names others.</summary>
    public const string Identities = "ada, ann, ben";

    /// <summary>
    /// The manifest of a one-service system with this service, its login and identities, <paramref name="protectedPaths"/>
    /// as <c>security.protected</c>, and <paramref name="security"/> keys; without <paramref name="admin"/>, the admin
    /// <c>ada</c> is not in its <c>auth</c> section (nor may <paramref name="identities"/> name her); with <paramref name="staff"/>,
    /// <c>sam</c> (<c>roles: [staff]</c>) is; <paramref name="fixtures"/> is its <c>openapi.fixtures</c> (flow YAML) and <paramref name="auth"/> more entries of its <c>auth</c> section.
    /// </summary>
    public string Manifest(string contractPath, string security = "", string protectedPaths = ProtectedPaths, string identities = Identities, bool admin = true, bool staff = false, string fixtures = "", string auth = "") => $$"""
        version: 1
        system: { name: t }
        auth:
        {{auth}}
          ann: { login: POST /auth/login, user: ann, password: {{Password}}, token: $.accessToken, roles: [customer] }
          ben: { login: POST /auth/login, user: ben, password: {{Password}}, token: $.accessToken, roles: [customer] }
        {{(admin ? $"  ada: {{ login: POST /auth/login, user: ada, password: {Password}, token: $.accessToken, roles: [admin] }}" : "")}}
        {{(staff ? $"  sam: {{ login: POST /auth/login, user: sam, password: {Password}, token: $.accessToken, roles: [staff] }}" : "")}}
        components:
          - name: api
            kind: service
            url: http://127.0.0.1:{{Port}}
            openapi: { path: {{contractPath}}{{(fixtures.Length > 0 ? $", fixtures: {fixtures}" : "")}} }
            auth: ann
          - name: web
            kind: frontend
            url: {{WebOrigin}}
            dependsOn: [api]
        security:
          protected: [{{protectedPaths}}]
          identities: [{{identities}}]
        {{security}}
        """;

    private bool Has(Flaws flaw) => (_flaws & flaw) != 0;

    private Reply Handle(Received request)
    {
        var path = request.PathAndQuery.Split('?')[0];
        var query = System.Web.HttpUtility.ParseQueryString(request.PathAndQuery.Contains('?', StringComparison.Ordinal) ? request.PathAndQuery[(request.PathAndQuery.IndexOf('?', StringComparison.Ordinal) + 1)..] : "");
        var cors = Cors(request);
        if (request.Method == "OPTIONS")
        {
            return new Reply(204, null, Headers: cors);
        }

        if (Has(Flaws.AppendSlash) && path.StartsWith("/orders", StringComparison.Ordinal))
        {
            if (!path.EndsWith('/'))
            {
                return new Reply(301, null, Headers: new Dictionary<string, string> { ["Location"] = path + "/" });
            }

            path = path.TrimEnd('/');
        }

        var user = Authenticate(request);
        Reply reply;
        try
        {
            reply = (request.Method, path) switch
            {
                ("POST", "/auth/login") => Login(request.Body),
                ("GET", "/me") => user is null ? Unauthorized() : Json(200, new JsonObject { ["id"] = user.Value.Id, ["username"] = user.Value.Name }),
                ("GET", "/admin/orders") when Has(Flaws.UnauthenticatedAdmin) => Json(200, new JsonArray([.. _orders.Values.Select(o => o.DeepClone())])),
                ("GET", "/admin/orders") => user is null ? Unauthorized() : user.Value.Role != "admin" && !Has(Flaws.CustomerIsAdmin) ? Problem(403, "Forbidden") : Json(200, new JsonArray([.. _orders.Values.Select(o => o.DeepClone())])),
                ("POST", "/orders" or "/items") when Has(Flaws.AdminCreates) && user is { Role: not "admin" } => Problem(403, "Only an admin creates here."),
                ("POST", "/orders" or "/items") when Has(Flaws.StaffCreates) && user is { Role: not "staff" } => Problem(403, "Only staff create here."),
                ("POST", "/orders") => user is null ? Unauthorized() : Place(user.Value, request.Body),
                ("GET", "/orders") => user is null ? Unauthorized()
                    : Json(200, new JsonObject { ["items"] = new JsonArray([.. _orders.Values.Where(o => (long)o["userId"]! == user.Value.Id).Select(o => o.DeepClone())]) }),
                ("POST", _) when path.StartsWith("/orders/", StringComparison.Ordinal) && path.EndsWith("/cancel", StringComparison.Ordinal) =>
                    user is null ? Unauthorized() : Cancel(user.Value, path),
                ("POST", _) when path.StartsWith("/orders/", StringComparison.Ordinal) && path.EndsWith("/notes", StringComparison.Ordinal) =>
                    user is null ? Unauthorized() : AddNote(user.Value, path, request.Body),
                ("GET" or "DELETE", _) when path.StartsWith("/orders/", StringComparison.Ordinal) && path.Contains("/notes/", StringComparison.Ordinal) =>
                    user is null ? Unauthorized() : OneNote(user.Value, request.Method, path),
                ("GET" or "PUT" or "DELETE", _) when path.StartsWith("/orders/", StringComparison.Ordinal) && path.EndsWith("/note", StringComparison.Ordinal) =>
                    user is null ? Unauthorized() : Note(user.Value, request.Method, path, request.Body),
                ("GET", _) when Has(Flaws.Events) && path.StartsWith("/orders/", StringComparison.Ordinal) && path.EndsWith("/events/7", StringComparison.Ordinal) =>
                    user is null ? Unauthorized() : History(user.Value, path[..^"/7".Length]) is { Status: 200 } ? Json(200, Event()) : Problem(404, "No such event."),
                ("GET", _) when path.StartsWith("/orders/", StringComparison.Ordinal) && path.EndsWith("/events", StringComparison.Ordinal) =>
                    user is null ? Unauthorized() : History(user.Value, path),
                ("GET", _) when path.StartsWith("/orders/", StringComparison.Ordinal) => user is null ? Unauthorized() : Read(user.Value, path),
                ("PATCH", _) when path.StartsWith("/orders/", StringComparison.Ordinal) => user is null ? Unauthorized() : Change(user.Value, path, request.Body),
                ("POST", "/items") => user is null ? Unauthorized() : AddItem(user.Value, request.Body),
                ("GET", _) when path.StartsWith("/items/", StringComparison.Ordinal) => Item(path) is { } item ? Json(200, item) : Problem(404, "No such item."),
                ("DELETE", _) when path.StartsWith("/items/", StringComparison.Ordinal) && user is null && Has(Flaws.AnonymousDelete) =>
                    Item(path) is { } gone && _items.Remove((long)gone["id"]!) ? new Reply(204, null) : Problem(404, "No such item."),
                ("PUT" or "DELETE", _) when path.StartsWith("/items/", StringComparison.Ordinal) => user is null ? Unauthorized() : ChangeItem(user.Value, request.Method, path, request.Body),
                ("GET", "/products") => Search(query["search"], Tenant(request)),
                ("GET", "/search") => Page(query["q"] ?? ""),
                ("GET", "/download") => Has(Flaws.Traversal) && (query["file"] ?? "").Contains("etc/passwd", StringComparison.Ordinal)
                    ? new Reply(200, "root:x:0:0:root:/root:/bin/bash\n", "text/plain")
                    : Problem(404, "No such file."),
                _ => Problem(404, "Not found"),
            };
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            reply = Has(Flaws.VerboseErrors)
                ? new Reply(500, $"{ex.GetType().FullName}: {ex.Message}\n   at Probe.Api.Orders.Place(String body) in /src/Orders.cs:line 42\n   at Probe.Api.Program.Handle()", "text/plain")
                : Problem(400, "The body is not valid JSON.");
        }

        // The browser security headers a well-configured service sends with every answer (step 9's passive rules judge them).
        var headers = new Dictionary<string, string>(reply.Headers ?? new Dictionary<string, string>())
        {
            ["Content-Security-Policy"] = "default-src 'self'; frame-ancestors 'none'",
            ["X-Frame-Options"] = "DENY",
            ["X-Content-Type-Options"] = "nosniff",
            ["Referrer-Policy"] = "no-referrer",
            ["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()",
            ["Cache-Control"] = "no-store",
        };
        foreach (var (name, value) in cors)
        {
            headers[name] = value;
        }

        return reply with { Headers = headers };
    }

    private Dictionary<string, string> Cors(Received request)
    {
        var origin = request.Headers.GetValueOrDefault("Origin");
        if (origin is null)
        {
            return [];
        }

        if (Has(Flaws.CorsReflect) || origin == WebOrigin)
        {
            var headers = new Dictionary<string, string> { ["Access-Control-Allow-Origin"] = origin, ["Vary"] = "Origin" };
            if (Has(Flaws.CorsReflect))
            {
                headers["Access-Control-Allow-Credentials"] = "true";
            }

            if (request.Method == "OPTIONS")
            {
                headers["Access-Control-Allow-Methods"] = "GET, POST, PATCH";
                headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type";
            }

            return headers;
        }

        return [];
    }

    private Reply Login(string body)
    {
        var json = JsonNode.Parse(body)!;
        var name = (string?)json["username"];
        var user = Users.FirstOrDefault(u => u.Name == name);
        if (user.Name is null || (string?)json["password"] != Password)
        {
            return Problem(401, "Unauthorized");
        }

        var header = B64(Encoding.UTF8.GetBytes("""{"alg":"HS256","typ":"JWT"}"""));
        var claims = new JsonObject { ["sub"] = user.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), ["role"] = user.Role };
        if (!Has(Flaws.NoExpiry))
        {
            claims["exp"] = DateTimeOffset.UtcNow.Add(_tokenLifetime).ToUnixTimeSeconds();
        }

        var payload = B64(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        var signature = B64(HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes($"{header}.{payload}")));
        return Json(200, new JsonObject { ["accessToken"] = $"{header}.{payload}.{signature}" });
    }

    private (long Id, string Name, string Role)? Authenticate(Received request)
    {
        if (Has(Flaws.AnyApiKey) && request.Headers.ContainsKey("X-Api-Key"))
        {
            return Users[0];
        }

        var auth = Has(Flaws.JwtApiKey) && request.Headers.TryGetValue("X-Api-Key", out var key) ? "Bearer " + key : request.Headers.GetValueOrDefault("Authorization");
        if (auth is null || !auth.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return null;
        }

        var parts = auth["Bearer ".Length..].Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            var header = JsonNode.Parse(Unb64(parts[0]))!;
            if (!Has(Flaws.UnverifiedTokens) && !(Has(Flaws.AcceptsAlgNone) && (string?)header["alg"] == "none"))
            {
                var expected = B64(HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}")));
                if ((string?)header["alg"] != "HS256" || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(parts[2])))
                {
                    return null;
                }
            }

            var payload = JsonNode.Parse(Unb64(parts[1]))!;
            if (!Has(Flaws.IgnoresExpiry) && (payload["exp"] is null ? !Has(Flaws.NoExpiry) : (long)payload["exp"]! < DateTimeOffset.UtcNow.ToUnixTimeSeconds()))
            {
                return null;
            }

            var id = long.Parse((string)payload["sub"]!, System.Globalization.CultureInfo.InvariantCulture);
            var user = Users.FirstOrDefault(u => u.Id == id);
            return user.Name is null ? (id, "someone", (string?)payload["role"] ?? "customer") : user;
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or NullReferenceException)
        {
            return null;
        }
    }

    private Reply Place((long Id, string Name, string Role) user, string body)
    {
        var json = JsonNode.Parse(body) as JsonObject ?? throw new JsonException("not an object");
        if (Has(Flaws.NoCreate))
        {
            return Problem(409, "The shop takes no orders today");
        }

        if (Has(Flaws.WrongTypeCrash) && json["quantity"] is JsonValue quantity && quantity.GetValueKind() == JsonValueKind.String)
        {
            return new Reply(500, $"Traceback (most recent call last):\n  File \"/srv/app.py\", line 88, in place\n    qty = int(body['quantity'])\nValueError: invalid literal for int() with base 10: '{quantity}'", "text/plain");
        }

        if (Has(Flaws.StatusCheckConstraint) && json["status"] is JsonValue status && (string?)status is not ("open" or "paid" or "shipped"))
        {
            return Problem(500, "An error occurred.");
        }

        var id = _orders.Count + 1L;
        var order = new JsonObject { ["id"] = id, ["userId"] = user.Id, ["status"] = "open", ["total"] = 12.5, ["note"] = (string?)json["note"] };
        if (Has(Flaws.MassAssignment))
        {
            foreach (var key in new[] { "userId", "status", "total" })
            {
                if (json[key] is { } value)
                {
                    order[key] = value.DeepClone();
                }
            }
        }

        _orders[id] = order;
        return Json(201, order, new Dictionary<string, string> { ["Location"] = $"/orders/{id}{(Has(Flaws.AppendSlash) ? "/" : string.Empty)}" });
    }

    private Reply Read((long Id, string Name, string Role) user, string path)
    {
        var order = Find(path);
        return order is null || !(Owns(user, order) || Has(Flaws.Bola)) ? Problem(404, "No such order.") : Json(200, order);
    }

    private Reply History((long Id, string Name, string Role) user, string path)
    {
        var order = Find(path[..^"/events".Length]);
        return order is null || !(Owns(user, order) || Has(Flaws.Bola) || Has(Flaws.ForeignHistory)) ? Problem(404, "No such order.")
            : Json(200, Has(Flaws.Events) ? new JsonArray(Event()) : new JsonArray());
    }

    private static JsonObject Event() => new() { ["id"] = 7, ["type"] = "placed" };

    private Reply Cancel((long Id, string Name, string Role) user, string path)
    {
        var order = Find(path[..^"/cancel".Length]);
        if (order is not null && !Owns(user, order) && Has(Flaws.CancelStateFirst))
        {
            return Problem(409, "This order cannot be cancelled.");
        }

        if (order is null || !(Owns(user, order) || Has(Flaws.ForeignCancel)))
        {
            return Problem(404, "No such order.");
        }

        order["status"] = "cancelled";
        return Json(200, order);
    }

    /// <summary>The notes added beneath orders, by their path (<c>/orders/1/notes/3</c>).</summary>
    private readonly Dictionary<string, JsonObject> _notes = [];

    private Reply AddNote((long Id, string Name, string Role) user, string path, string body)
    {
        var order = Find(path[..^"/notes".Length]);
        if (order is null || !Owns(user, order))
        {
            return Problem(404, "No such order.");
        }

        var note = new JsonObject { ["id"] = _notes.Count + 1, ["text"] = (string?)(JsonNode.Parse(body) as JsonObject)?["text"] };
        _notes[$"{path}/{_notes.Count + 1}"] = note;
        return Json(201, note, new Dictionary<string, string> { ["Location"] = $"{path}/{note["id"]}" });
    }

    private Reply OneNote((long Id, string Name, string Role) user, string method, string path)
    {
        var order = Find(path[..path.IndexOf("/notes/", StringComparison.Ordinal)]);
        if (order is null || !_notes.TryGetValue(path, out var note) || !(Owns(user, order) || (method == "DELETE" && Has(Flaws.ForeignNote))))
        {
            return Problem(404, "No such note.");
        }

        if (method == "DELETE")
        {
            _notes.Remove(path);
            return new Reply(204, null);
        }

        return Json(200, note);
    }

    private Reply Note((long Id, string Name, string Role) user, string method, string path, string body)
    {
        var order = Find(path[..^"/note".Length]);
        if (order is null || !(Owns(user, order) || Has(Flaws.Bola) || (method != "GET" && Has(Flaws.ForeignNote))))
        {
            return Problem(404, "No such order.");
        }

        if (method != "GET")
        {
            order["note"] = method == "DELETE" ? null : (string?)(JsonNode.Parse(body) as JsonObject ?? throw new JsonException("not an object"))["note"];
        }

        return method == "DELETE" ? new Reply(204, null) : Json(200, new JsonObject { ["note"] = (string?)order["note"] });
    }

    private Reply Change((long Id, string Name, string Role) user, string path, string body)
    {
        var order = Find(path);
        if (order is null || !(Owns(user, order) || Has(Flaws.Bola)))
        {
            return Problem(404, "No such order.");
        }

        var json = JsonNode.Parse(body) as JsonObject ?? throw new JsonException("not an object");
        order["note"] = (string?)json["note"];
        return Json(200, order);
    }

    private Reply AddItem((long Id, string Name, string Role) user, string body)
    {
        var json = JsonNode.Parse(body) as JsonObject ?? throw new JsonException("not an object");
        if (NameTaken((string?)json["name"], null))
        {
            return Problem(409, "An item has that name already.");
        }

        var id = _nextItem++;
        var item = new JsonObject { ["id"] = id, ["ownerId"] = user.Id, ["name"] = (string?)json["name"] };
        _items[id] = item;
        return Json(201, item, new Dictionary<string, string> { ["Location"] = $"/items/{id}" });
    }

    private Reply ChangeItem((long Id, string Name, string Role) user, string method, string path, string body)
    {
        if (Item(path) is not { } item)
        {
            return Problem(404, "No such item.");
        }

        var anyone = Has(Flaws.Bola) || Has(Flaws.MembersWriteItems) || (method == "DELETE" && Has(Flaws.ForeignDelete));
        if (!anyone && Has(Flaws.AdminItemWrites) && user.Role != "admin")
        {
            return Problem(403, "Only an admin changes the catalogue.");
        }

        if (!anyone && !Owns(user, item, "ownerId"))
        {
            return Problem(403, "Not your item.");
        }

        if (method == "DELETE")
        {
            _items.Remove((long)item["id"]!);
            return new Reply(204, null);
        }

        var json = JsonNode.Parse(body) as JsonObject ?? throw new JsonException("not an object");
        if (NameTaken((string?)json["name"], item))
        {
            return Problem(409, "Another item has that name.");
        }

        item["name"] = (string?)json["name"];
        return Json(200, item);
    }

    private bool NameTaken(string? name, JsonObject? self) =>
        Has(Flaws.UniqueItemNames) && _items.Values.Any(i => i != self && (string?)i["name"] == name);

    private JsonObject? Item(string path) =>
        long.TryParse(path["/items/".Length..], out var id) ? _items.GetValueOrDefault(id) : null;

    private static bool Owns((long Id, string Name, string Role) user, JsonObject thing, string owner = "userId") => user.Role == "admin" || (long)thing[owner]! == user.Id;

    private JsonObject? Find(string path) =>
        long.TryParse(path["/orders/".Length..], out var id) ? _orders.GetValueOrDefault(id) : null;

    /// <summary>The tenant a request names: header <c>X-Tenant</c>, else cookie <c>tenant</c>; null when none.</summary>
    private static string? Tenant(Received request) =>
        request.Headers.GetValueOrDefault("X-Tenant")
        ?? request.Headers.GetValueOrDefault("Cookie")?.Split(';').Select(c => c.Trim().Split('=', 2)).FirstOrDefault(c => c.Length == 2 && c[0] == "tenant")?[1];

    private Reply Search(string? search, string? tenant = null)
    {
        using var command = _db.CreateCommand();
        if (Has(Flaws.SlowSql) && search is not null && System.Text.RegularExpressions.Regex.Match(search, @"pg_sleep\((\d+)\)") is { Success: true } sleep)
        {
            // A blind injection as PostgreSQL would run it (SQLite has no sleep): no error, the same rows, only slower.
            Thread.Sleep(TimeSpan.FromSeconds(int.Parse(sleep.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)));
            search = "mug";
        }

        if (string.IsNullOrEmpty(search))
        {
            command.CommandText = "select id, name from products order by id";
        }
        else if (Has(Flaws.SqlInjection))
        {
            command.CommandText = $"select id, name from products where lower(name) like lower('%{search}%') order by id";
        }
        else
        {
            command.CommandText = "select id, name from products where lower(name) like lower(@p) order by id";
            command.Parameters.AddWithValue("@p", $"%{search}%");
        }

        if (tenant is not null)
        {
            // The catalogue is shared by the tenants acme and globex; any other tenant sees nothing.
            var where = command.CommandText.Contains(" where ", StringComparison.Ordinal) ? " and " : " where ";
            var filter = Has(Flaws.TenantSql) ? $"{where}'{tenant}' in ('acme', 'globex')" : $"{where}@t in ('acme', 'globex')";
            command.CommandText = command.CommandText.Replace(" order by id", filter + " order by id", StringComparison.Ordinal);
            command.Parameters.AddWithValue("@t", tenant);
        }

        try
        {
            var items = new JsonArray();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                items.Add(new JsonObject { ["id"] = reader.GetInt64(0), ["name"] = reader.GetString(1) });
            }

            return Json(200, new JsonObject { ["items"] = items });
        }
        catch (SqliteException ex)
        {
            return Has(Flaws.VerboseErrors)
                ? new Reply(500, $"{ex.Message}\n   at Probe.Api.Products.Search(String search) in /src/Products.cs:line 17", "text/plain")
                : Problem(500, "An error occurred.");
        }
    }

    private Reply Page(string q) => new(200,
        $"<html><body><h1>Results for {(Has(Flaws.ReflectedXss) ? q : WebUtility.HtmlEncode(q))}</h1></body></html>", "text/html");

    private static Reply Unauthorized() => Problem(401, "Unauthorized") with { Headers = new Dictionary<string, string> { ["WWW-Authenticate"] = "Bearer" } };

    private static Reply Problem(int status, string title) =>
        new(status, new JsonObject { ["title"] = title, ["status"] = status }.ToJsonString(), "application/problem+json");

    private static Reply Json(int status, JsonNode body, IReadOnlyDictionary<string, string>? headers = null) =>
        new(status, body.ToJsonString(), "application/json", headers);

    private static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] Unb64(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '='));
    }

    public void Dispose()
    {
        _server.Dispose();
        _db.Dispose();
    }
}

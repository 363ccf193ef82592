using System.Globalization;
using System.Text.Json.Nodes;
using Archgate.Checks.Tests.Fixtures;

namespace Archgate.Checks.Tests.Frontend;

/// <summary>
/// A correct ticketing API on a real loopback port whose creates name each other, as the exercise system ex11 does: a
/// hold takes a <c>seatId</c> (a seat that exists and no live hold has, else 404 / 409), an order a <c>holdId</c> (a hold
/// that exists and is not ordered yet, else 404 / 409). A held seat and an ordered hold cannot be deleted (409). Seat 5,
/// hold 1 on it and order 1 of that hold exist from the start, as an earlier run leaves them: the contract's examples
/// name them, so a create sent as written is refused.
/// </summary>
public sealed class FakeTicketApi : IDisposable
{
    public const string Contract = """
        openapi: 3.1.0
        info: { title: tickets, version: 1.0.0 }
        paths:
          /seats:
            post:
              requestBody:
                required: true
                content: { application/json: { schema: { $ref: '#/components/schemas/NewSeat' }, example: { row: 3 } } }
              responses: { '201': { description: created, content: { application/json: { schema: { $ref: '#/components/schemas/Seat' } } } }, '400': { description: invalid } }
          /seats/{id}:
            parameters: [ { name: id, in: path, required: true, schema: { type: integer } } ]
            get: { responses: { '200': { description: ok, content: { application/json: { schema: { $ref: '#/components/schemas/Seat' } } } }, '404': { description: none } } }
            delete: { responses: { '204': { description: deleted }, '404': { description: none }, '409': { description: held } } }
          /holds:
            post:
              requestBody:
                required: true
                content: { application/json: { schema: { $ref: '#/components/schemas/NewHold' }, example: { seatId: 5 } } }
              responses: { '201': { description: created, content: { application/json: { schema: { $ref: '#/components/schemas/Hold' } } } }, '400': { description: invalid }, '404': { description: no such seat }, '409': { description: the seat is held } }
          /holds/{id}:
            parameters: [ { name: id, in: path, required: true, schema: { type: integer } } ]
            get: { responses: { '200': { description: ok, content: { application/json: { schema: { $ref: '#/components/schemas/Hold' } } } }, '404': { description: none } } }
            delete: { responses: { '204': { description: deleted }, '404': { description: none }, '409': { description: ordered } } }
          /orders:
            post:
              requestBody:
                required: true
                content: { application/json: { schema: { $ref: '#/components/schemas/NewOrder' }, example: { holdId: 1, note: gift } } }
              responses: { '201': { description: created, content: { application/json: { schema: { $ref: '#/components/schemas/Order' } } } }, '400': { description: invalid }, '404': { description: no such hold }, '409': { description: the hold is ordered } }
          /orders/{id}:
            parameters: [ { name: id, in: path, required: true, schema: { type: integer } } ]
            get: { responses: { '200': { description: ok, content: { application/json: { schema: { $ref: '#/components/schemas/Order' } } } }, '404': { description: none } } }
            delete: { responses: { '204': { description: deleted }, '404': { description: none } } }
        components:
          schemas:
            NewSeat: { type: object, additionalProperties: false, required: [row], properties: { row: { type: integer, minimum: 1, maximum: 40 } } }
            Seat: { type: object, required: [id, row], properties: { id: { type: integer }, row: { type: integer } } }
            NewHold: { type: object, additionalProperties: false, required: [seatId], properties: { seatId: { type: integer, minimum: 1 } } }
            Hold: { type: object, required: [id, seatId], properties: { id: { type: integer }, seatId: { type: integer } } }
            NewOrder: { type: object, additionalProperties: false, required: [holdId], properties: { holdId: { type: integer, minimum: 1 }, note: { type: string, maxLength: 20 } } }
            Order: { type: object, required: [id, holdId], properties: { id: { type: integer }, holdId: { type: integer }, note: { type: string } } }
        """;

    private readonly ScriptedHttpServer _server;
    private readonly Dictionary<string, Dictionary<long, JsonObject>> _items = new(StringComparer.Ordinal)
    {
        ["seats"] = new() { [5] = new JsonObject { ["id"] = 5, ["row"] = 3 } },
        ["holds"] = new() { [1] = new JsonObject { ["id"] = 1, ["seatId"] = 5 } },
        ["orders"] = new() { [1] = new JsonObject { ["id"] = 1, ["holdId"] = 1 } },
    };

    private long _next = 100;

    public FakeTicketApi() => _server = new ScriptedHttpServer(Answer);

    public ScriptedHttpServer Server => _server;

    public Uri Url => _server.Url;

    /// <summary>The ids of what exists now, per collection (<c>seats</c>, <c>holds</c>, <c>orders</c>).</summary>
    public IReadOnlyList<long> Ids(string collection)
    {
        lock (_items)
        {
            return [.. _items[collection].Keys.Order()];
        }
    }

    /// <summary>The manifest of a system with this API as the service 'api' (no auth), its contract written to <paramref name="directory"/>.</summary>
    public string Manifest(string directory)
    {
        File.WriteAllText(Path.Combine(directory, "tickets.yaml"), Contract);
        return $$"""
            version: 1
            system: { name: tickets }
            components:
              - { name: api, kind: service, url: "{{Url.ToString().TrimEnd('/')}}", openapi: tickets.yaml }
            """;
    }

    public void Dispose() => _server.Dispose();

    private Reply Answer(Received r)
    {
        var segments = r.PathAndQuery.Split('?')[0].Trim('/').Split('/');
        lock (_items)
        {
            if (!_items.TryGetValue(segments[0], out var items) || segments.Length > 2)
            {
                return new Reply(404);
            }

            if (segments.Length == 1)
            {
                return r.Method == "POST" ? Create(segments[0], items, r.Body) : new Reply(405, null, Headers: new Dictionary<string, string> { ["Allow"] = "POST" });
            }

            if (!long.TryParse(segments[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var id) || !items.TryGetValue(id, out var item))
            {
                return r.Method is "GET" or "DELETE" ? new Reply(404) : new Reply(405, null, Headers: new Dictionary<string, string> { ["Allow"] = "GET, DELETE" });
            }

            switch (r.Method)
            {
                case "GET":
                    return new Reply(200, item.ToJsonString());
                case "DELETE":
                    if (UsedBy(segments[0], id) is not null)
                    {
                        return new Reply(409);
                    }

                    items.Remove(id);
                    return new Reply(204);
                default:
                    return new Reply(405, null, Headers: new Dictionary<string, string> { ["Allow"] = "GET, DELETE" });
            }
        }
    }

    private Reply Create(string collection, Dictionary<long, JsonObject> items, string text)
    {
        var (field, target, extra) = collection switch
        {
            "seats" => ("row", (string?)null, (string?)null),
            "holds" => ("seatId", "seats", null),
            _ => ("holdId", "holds", "note"),
        };
        JsonObject? body;
        try
        {
            body = JsonNode.Parse(text) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            body = null;
        }

        if (body is null || body.Count == 0 || body.Any(p => p.Key != field && p.Key != extra)
            || body[field] is not JsonValue v || !v.TryGetValue<long>(out var value) || value < 1 || (collection == "seats" && value > 40)
            || (extra is not null && body[extra] is { } e && (e is not JsonValue ev || !ev.TryGetValue<string>(out var note) || note.Length > 20)))
        {
            return new Reply(400);
        }

        if (target is not null)
        {
            if (!_items[target].ContainsKey(value))
            {
                return new Reply(404);
            }

            if (items.Values.Any(i => i[field] is { } n && Long(n) == value))
            {
                return new Reply(409);
            }
        }

        var id = ++_next;
        body["id"] = id;
        items[id] = body;
        return new Reply(201, body.ToJsonString(), Headers: new Dictionary<string, string> { ["Location"] = $"/{collection}/{id}" });
    }

    private static long Long(JsonNode node) => long.Parse(node.ToJsonString(), CultureInfo.InvariantCulture);

    /// <summary>What keeps an item from being deleted: the hold of a seat, the order of a hold.</summary>
    private string? UsedBy(string collection, long id) => collection switch
    {
        "seats" => _items["holds"].Values.Any(h => h["seatId"] is { } n && Long(n) == id) ? "a hold" : null,
        "holds" => _items["orders"].Values.Any(o => o["holdId"] is { } n && Long(n) == id) ? "an order" : null,
        _ => null,
    };
}

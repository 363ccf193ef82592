using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Archgate.Checks.Tests.Fixtures;

namespace Archgate.Checks.Tests.Journeys;

/// <summary>Defects of <see cref="FakeOrdersApi"/>, each one a real API has had.</summary>
public sealed record FakeOrdersFaults
{
    /// <summary>Stores whatever it is sent, and a wrong type in a line becomes a 500 (an unchecked cast).</summary>
    public bool NoValidation { get; init; }

    /// <summary>A search that matches nothing answers 404.</summary>
    public bool EmptyIsNotFound { get; init; }

    /// <summary>Refusals are plain text.</summary>
    public bool PlainTextErrors { get; init; }

    /// <summary>A new order is refused (409) until the last one was read: a journey cut before its read blocks its retry.</summary>
    public bool OneOpenOrder { get; init; }

    /// <summary>
    /// As <see cref="OneOpenOrder"/>, checked before the body (and nothing validated): after a journey that orders and
    /// never reads, every further order is 409 whatever its input, a refusal for the state and not for the input.
    /// </summary>
    public bool OneOpenOrderCheckedFirst { get; init; }

    /// <summary>
    /// Notes are unique, checked before anything else: an order whose note another order has is 409 (the journey orders
    /// with the note <c>gift</c>, so every edge case built from its request conflicts with it).
    /// </summary>
    public bool UniqueNotes { get; init; }

    /// <summary>The creates (1-based, in the order they arrive) answered 503 with <c>Retry-After: 1</c>, creating nothing: a dependency briefly away.</summary>
    public IReadOnlyList<int> UnavailablePosts { get; init; } = [];

    /// <summary>A create with an Idempotency-Key it saw before answers 201 with the order that key made (and nothing else).</summary>
    public bool IdempotencyKeys { get; init; }

    /// <summary>Not a defect: the contract has <c>DELETE /orders/{id}</c>, which removes the order.</summary>
    public bool Deletes { get; init; }

    /// <summary>
    /// Not a defect: the contract has <c>POST /orders/{id}/cancel</c> (and no DELETE), which marks the order
    /// <c>cancelled</c>; cancelling one cancelled already is 409.
    /// </summary>
    public bool Cancels { get; init; }
}

/// <summary>A small orders API on a loopback port: <c>POST /orders</c> (validated), <c>GET /orders/{id}</c>, <c>GET /orders?search=&amp;offset=</c>.</summary>
public sealed class FakeOrdersApi : IDisposable
{
    public const string Contract = """
        openapi: 3.1.0
        info: { title: orders, version: 1.0.0 }
        paths:
          /orders:
            get:
              parameters:
                - { name: search, in: query, schema: { type: string, maxLength: 50 } }
                - { name: offset, in: query, schema: { type: integer, minimum: 0 } }
              responses:
                '200':
                  description: a page
                  content: { application/json: { schema: { type: object, properties: { items: { type: array, items: { type: object } }, count: { type: integer } } } } }
            post:
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      type: object
                      required: [items]
                      properties:
                        items:
                          type: array
                          maxItems: 3
                          items:
                            type: object
                            required: [productId, quantity]
                            properties:
                              productId: { type: integer, minimum: 1 }
                              quantity: { type: integer, minimum: 1, maximum: 100 }
                        note: { type: [string, 'null'], maxLength: 20 }
                        deliverAt: { type: string, format: date-time, maxLength: 40 }
                        contact: { type: string, format: email, maxLength: 40 }
              responses: { '201': { description: created }, '400': { description: invalid } }
          /orders/{id}:
            get:
              parameters: [ { name: id, in: path, required: true, schema: { type: integer } } ]
              responses: { '200': { description: the order } }
        """;

    private const string DeleteOperation = """

            delete:
              parameters: [ { name: id, in: path, required: true, schema: { type: integer } } ]
              responses: { '204': { description: gone }, '404': { description: not found } }
        """;

    private const string CancelOperation = """

          /orders/{id}/cancel:
            post:
              parameters: [ { name: id, in: path, required: true, schema: { type: integer } } ]
              responses: { '200': { description: cancelled }, '409': { description: cancelled already } }
        """;

    public const string Journeys = """
        journeys:
          - name: order and find it
            steps:
              - request: POST /orders
                json: { items: [ { productId: 1, quantity: 2 } ] }
                expect: { status: 201 }
                capture: { order: $.id }
              - request: GET /orders/{order}
              - request: GET /orders?search=mug
        """;

    private readonly ScriptedHttpServer _server;
    private readonly FakeOrdersFaults _faults;
    private readonly ConcurrentDictionary<int, JsonObject> _orders = new();
    private readonly ConcurrentDictionary<string, int> _keys = new(StringComparer.Ordinal);
    private int _next;
    private int _posts;
    private volatile bool _open;

    public FakeOrdersApi(FakeOrdersFaults? faults = null)
    {
        _faults = faults ?? new FakeOrdersFaults();
        _server = new ScriptedHttpServer(Answer);
    }

    public ConcurrentQueue<Received> Requests => _server.Requests;

    public IReadOnlyCollection<JsonObject> Stored => [.. _orders.Values];

    /// <param name="journeys">The manifest's journeys section; <see cref="Journeys"/> by default.</param>
    public string Manifest(string directory, string? journeys = null)
    {
        File.WriteAllText(Path.Combine(directory, "orders.yaml"), Contract + (_faults.Deletes ? DeleteOperation : string.Empty) + (_faults.Cancels ? CancelOperation : string.Empty));
        return $$"""
            version: 1
            system: { name: fake }
            components:
              - { name: api, kind: service, url: "{{_server.Url.ToString().TrimEnd('/')}}", openapi: orders.yaml }
            {{journeys ?? (_faults.UniqueNotes ? Journeys.Replace("quantity: 2 } ] }", "quantity: 2 } ], note: gift }", StringComparison.Ordinal) : Journeys)}}
            """;
    }

    private Reply Answer(Received r)
    {
        var path = r.PathAndQuery.Split('?')[0];
        var query = r.PathAndQuery.Contains('?', StringComparison.Ordinal)
            ? r.PathAndQuery[(r.PathAndQuery.IndexOf('?', StringComparison.Ordinal) + 1)..].Split('&').Select(p => p.Split('=')).ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1]))
            : [];
        switch (r.Method, path)
        {
            case ("GET", "/orders"):
                var offset = 0;
                if (query.TryGetValue("offset", out var offsetText) && (!int.TryParse(offsetText, out offset) || offset < 0))
                {
                    return Problem("offset is a number >= 0");
                }

                if (query.TryGetValue("search", out var search) && search.Length > 50)
                {
                    return Problem("search is at most 50 characters");
                }

                var matching = _orders.Values.Where(o => search is null || search == "mug").Skip(offset).ToList();
                return matching.Count == 0 && _faults.EmptyIsNotFound
                    ? new Reply(404, """{"title":"No orders found."}""", "application/problem+json")
                    : new Reply(200, new JsonObject { ["items"] = new JsonArray([.. matching.Select(o => o.DeepClone())]), ["count"] = matching.Count }.ToJsonString());
            case ("POST", "/orders"):
                if (_faults.UnavailablePosts.Contains(Interlocked.Increment(ref _posts)))
                {
                    return new Reply(503, """{"title":"Payments is unavailable; try again shortly."}""", "application/problem+json", new Dictionary<string, string> { ["Retry-After"] = "1" });
                }

                var body = JsonNode.Parse(r.Body) as JsonObject;
                if (_faults.UniqueNotes && body?["note"] is JsonValue given && _orders.Values.Any(o => o["note"]?.ToJsonString() == given.ToJsonString()))
                {
                    return new Reply(409, """{"title":"An order with this note exists."}""", "application/problem+json");
                }

                if (_faults.OneOpenOrderCheckedFirst && _open)
                {
                    return new Reply(409, """{"title":"Your last order is still open."}""", "application/problem+json");
                }

                if (!_faults.NoValidation && !_faults.OneOpenOrderCheckedFirst && Invalid(body) is { } why)
                {
                    return Problem(why);
                }

                if (body?["items"] is JsonArray lines && lines.Any(l => l?["quantity"] is JsonValue q && q.TryGetValue<string>(out _)))
                {
                    return new Reply(500, "System.InvalidCastException: Unable to cast\n   at Orders.Place(Order o)", "text/plain");
                }

                var key = r.Headers.GetValueOrDefault("Idempotency-Key");
                if (_faults.IdempotencyKeys && key is not null && _keys.TryGetValue(key, out var made))
                {
                    return new Reply(201, _orders[made].ToJsonString(), Headers: new Dictionary<string, string> { ["Location"] = $"/orders/{made}" });
                }

                if (_faults.OneOpenOrder && _open)
                {
                    return new Reply(409, """{"title":"Your last order is still open."}""", "application/problem+json");
                }

                _open = true;
                var id = Interlocked.Increment(ref _next);
                body!["id"] = id;
                _orders[id] = body;
                if (_faults.IdempotencyKeys && key is not null)
                {
                    _keys[key] = id;
                }

                return new Reply(201, body.ToJsonString(), Headers: new Dictionary<string, string> { ["Location"] = $"/orders/{id}" });
            case ("GET", _) when path.StartsWith("/orders/", StringComparison.Ordinal) && int.TryParse(path["/orders/".Length..], out var orderId) && _orders.TryGetValue(orderId, out var order):
                _open = false;
                return new Reply(200, order.ToJsonString());
            case ("POST", _) when _faults.Cancels && path.StartsWith("/orders/", StringComparison.Ordinal) && path.EndsWith("/cancel", StringComparison.Ordinal)
                && int.TryParse(path["/orders/".Length..^"/cancel".Length], out var cancelled) && _orders.TryGetValue(cancelled, out var cancelling):
                if (cancelling["status"]?.GetValue<string>() == "cancelled")
                {
                    return new Reply(409, """{"title":"The order is cancelled already."}""", "application/problem+json");
                }

                cancelling["status"] = "cancelled";
                return new Reply(200, cancelling.ToJsonString());
            case ("DELETE", _) when _faults.Deletes && path.StartsWith("/orders/", StringComparison.Ordinal) && int.TryParse(path["/orders/".Length..], out var gone) && _orders.TryRemove(gone, out _):
                return new Reply(204);
            default:
                return new Reply(404, """{"title":"Not found."}""", "application/problem+json");
        }
    }

    private static string? Invalid(JsonObject? body)
    {
        if (body?["items"] is not JsonArray { Count: > 0 and <= 3 } items)
        {
            return "items: 1 to 3 lines";
        }

        foreach (var line in items)
        {
            if (line?["productId"] is not JsonValue p || !p.TryGetValue<int>(out var product) || product < 1
                || line["quantity"] is not JsonValue q || !q.TryGetValue<int>(out var quantity) || quantity is < 1 or > 100)
            {
                return "each line has a productId >= 1 and a quantity 1..100";
            }
        }

        if (body["deliverAt"] is JsonValue at && (!at.TryGetValue<string>(out var when) || when.Length > 40
            || !DateTimeOffset.TryParse(when, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out _)))
        {
            return "deliverAt: a date-time of at most 40 characters";
        }

        if (body["contact"] is JsonValue contact && (!contact.TryGetValue<string>(out var address) || address.Length > 40 || !System.Net.Mail.MailAddress.TryCreate(address, out _)))
        {
            return "contact: an e-mail address of at most 40 characters";
        }

        return body["note"] is JsonValue note && (!note.TryGetValue<string>(out var text) || text.Length > 20) ? "note: text of at most 20 characters" : null;
    }

    private Reply Problem(string detail) => _faults.PlainTextErrors
        ? new Reply(400, detail, "text/plain")
        : new Reply(400, new JsonObject { ["title"] = "The request is invalid.", ["detail"] = detail, ["status"] = 400 }.ToJsonString(), "application/problem+json");

    public void Dispose() => _server.Dispose();
}

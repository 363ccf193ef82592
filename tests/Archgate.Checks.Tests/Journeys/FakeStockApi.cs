using System.Globalization;
using System.Text.Json.Nodes;
using Archgate.Checks.Tests.Fixtures;

namespace Archgate.Checks.Tests.Journeys;

/// <summary>How <see cref="FakeStockApi"/> takes an order's quantity off its kit's stock.</summary>
public enum StockKeeping
{
    /// <summary>Not a defect: one step that checks and decrements (<c>UPDATE kits SET stock = stock - 1 WHERE id = 3 AND stock >= 1</c>), 409 when empty.</summary>
    Atomic,

    /// <summary>The stock is read, checked and then written back less the quantity: creates that read it at once overwrite each other (lost updates, an oversell).</summary>
    ReadThenWrite,

    /// <summary>
    /// The stock is kept atomically, but a kit may be ordered once (409 when an order of it exists), checked before and
    /// not with the insert: creates that all checked before the first insert each create an order (a uniqueness race).
    /// </summary>
    OncePerKitCheckedFirst,
}

/// <summary>
/// A shop API on a real loopback port whose order takes stock, as the exercise system ex16 does: <c>POST /orders</c>
/// of <c>{"kit": 3, "quantity": 1}</c> takes the quantity off kit 3's <c>stock</c> (5 at the start), 409 when not
/// enough is left; <c>DELETE /orders/{id}</c> gives it back. Kits are read only (<c>GET /kits/{id}</c>). No auth.
/// </summary>
public sealed class FakeStockApi : IDisposable
{
    public const string Contract = """
        openapi: 3.1.0
        info: { title: kits, version: 1.0.0 }
        paths:
          /kits/{id}:
            parameters: [ { name: id, in: path, required: true, schema: { type: integer } } ]
            get: { responses: { '200': { description: ok }, '404': { description: none } } }
          /orders:
            get: { responses: { '200': { description: ok } } }
            post:
              requestBody:
                required: true
                content:
                  application/json:
                    schema: { type: object, required: [kit, quantity], properties: { kit: { type: integer }, quantity: { type: integer, minimum: 1 } } }
                    example: { kit: 3, quantity: 1 }
              responses: { '201': { description: created }, '400': { description: invalid }, '409': { description: out of stock } }
          /orders/{id}:
            parameters: [ { name: id, in: path, required: true, schema: { type: integer } } ]
            get: { responses: { '200': { description: ok }, '404': { description: none } } }
            delete: { responses: { '204': { description: cancelled }, '404': { description: none } } }
        """;

    private readonly ScriptedHttpServer _server;
    private readonly StockKeeping _keeping;
    private readonly bool _slashes;
    private readonly int _racers;
    private readonly Dictionary<long, (long Kit, long Quantity)> _orders = [];
    private long _stock;
    private long _next = 100;
    private int _reads;
    private readonly bool _nested;

    /// <param name="keeping">How an order takes its quantity off the stock.</param>
    /// <param name="stock">Kit 3's stock at the start.</param>
    /// <param name="racers">
    /// With <see cref="StockKeeping.ReadThenWrite"/> (and <see cref="StockKeeping.OncePerKitCheckedFirst"/>): each create, having read the stock (checked the rule), waits (up to 5 s) until this many
    /// have read it before it writes, as requests whose reads all ran before the first write. On a busy machine the pool
    /// may start the handlers late, and then fewer read together: some decrements are lost all the same.
    /// </param>
    /// <param name="slashes">Django REST framework's routes: every path of the contract ends with <c>/</c>, and one without it answers 301.</param>
    /// <param name="nested">The kit answers its stock inside an object: <c>{"inventory": {"available": 5, "warehouseId": 2}}</c>.</param>
    public FakeStockApi(StockKeeping keeping, long stock = 5, int racers = 10, bool slashes = false, bool nested = false)
    {
        (_keeping, _stock, _racers, _slashes, _nested) = (keeping, stock, racers, slashes, nested);
        _server = new ScriptedHttpServer(Answer, concurrent: true);
    }

    public ScriptedHttpServer Server => _server;

    /// <summary>Kit 3's stock now.</summary>
    public long Stock => Interlocked.Read(ref _stock);

    /// <summary>How many orders exist now.</summary>
    public int Orders
    {
        get
        {
            lock (_orders)
            {
                return _orders.Count;
            }
        }
    }

    /// <summary>The manifest of a system with this API as the service 'api', its contract written to <paramref name="directory"/>.</summary>
    public string Manifest(string directory)
    {
        File.WriteAllText(Path.Combine(directory, "kits.yaml"), _slashes
            ? Contract.Replace("  /kits/{id}:", "  /kits/{id}/:", StringComparison.Ordinal).Replace("  /orders:", "  /orders/:", StringComparison.Ordinal).Replace("  /orders/{id}:", "  /orders/{id}/:", StringComparison.Ordinal)
            : Contract);
        return $$"""
            version: 1
            system: { name: kits }
            components:
              - { name: api, kind: service, url: "{{_server.Url.ToString().TrimEnd('/')}}", openapi: kits.yaml }
            """;
    }

    public void Dispose() => _server.Dispose();

    private Reply Answer(Received r)
    {
        var path = r.PathAndQuery.Split('?')[0];
        if (_slashes && !path.EndsWith('/'))
        {
            return new Reply(301, null, "text/html", new Dictionary<string, string> { ["Location"] = path + "/" });
        }

        path = path.TrimEnd('/');
        switch (r.Method, path)
        {
            case ("GET", "/kits/3"):
                return new Reply(200, (_nested
                    ? new JsonObject { ["id"] = 3, ["name"] = "starter kit", ["inventory"] = new JsonObject { ["available"] = Stock, ["warehouseId"] = 2 } }
                    : new JsonObject { ["id"] = 3, ["name"] = "starter kit", ["stock"] = Stock }).ToJsonString());
            case ("GET", "/orders"):
                lock (_orders)
                {
                    return new Reply(200, new JsonArray([.. _orders.Keys.Select(k => (JsonNode)k)]).ToJsonString());
                }

            case ("POST", "/orders"):
                return Order(JsonNode.Parse(r.Body) as JsonObject);
        }

        if (!path.StartsWith("/orders/", StringComparison.Ordinal) || !long.TryParse(path["/orders/".Length..], NumberStyles.Integer, CultureInfo.InvariantCulture, out var id))
        {
            return new Reply(404);
        }

        lock (_orders)
        {
            if (!_orders.TryGetValue(id, out var order))
            {
                return new Reply(404);
            }

            if (r.Method == "DELETE")
            {
                _orders.Remove(id);
                Interlocked.Add(ref _stock, order.Quantity);
                return new Reply(204);
            }

            return new Reply(200, new JsonObject { ["id"] = id, ["kit"] = order.Kit, ["quantity"] = order.Quantity }.ToJsonString());
        }
    }

    private Reply Order(JsonObject? body)
    {
        if (body?["kit"] is not JsonValue kit || !kit.TryGetValue<long>(out var kitId) || body["quantity"] is not JsonValue q || !q.TryGetValue<long>(out var quantity) || quantity < 1)
        {
            return new Reply(400);
        }

        if (kitId != 3)
        {
            return new Reply(404);
        }

        if (_keeping == StockKeeping.OncePerKitCheckedFirst)
        {
            lock (_orders)
            {
                if (_orders.Values.Any(o => o.Kit == kitId))
                {
                    return new Reply(409, new JsonObject { ["title"] = "This kit is ordered already.", ["status"] = 409 }.ToJsonString(), "application/problem+json");
                }
            }

            AwaitRacers();
        }

        if (_keeping is StockKeeping.Atomic or StockKeeping.OncePerKitCheckedFirst)
        {
            lock (_orders)
            {
                return _stock < quantity ? OutOfStock() : Place(kitId, quantity, _stock - quantity);
            }
        }

        var read = Stock;
        if (read < quantity)
        {
            return OutOfStock();
        }

        AwaitRacers();
        lock (_orders)
        {
            return Place(kitId, quantity, read - quantity);
        }
    }

    /// <summary>Waits (up to 5 s) until <c>racers</c> creates have come this far, as requests whose reads all ran before the first write.</summary>
    private void AwaitRacers()
    {
        var mine = Interlocked.Increment(ref _reads);
        SpinWait.SpinUntil(() => Volatile.Read(ref _reads) >= Math.Max(mine, _racers), TimeSpan.FromSeconds(5));
    }

    /// <summary>Stores an order and writes the stock it leaves; called holding the orders' lock.</summary>
    private Reply Place(long kit, long quantity, long stockLeft)
    {
        Interlocked.Exchange(ref _stock, stockLeft);
        var id = ++_next;
        _orders[id] = (kit, quantity);
        return new Reply(201, new JsonObject { ["id"] = id, ["kit"] = kit, ["quantity"] = quantity }.ToJsonString(), Headers: new Dictionary<string, string> { ["Location"] = _slashes ? $"/orders/{id}/" : $"/orders/{id}" });
    }

    private static Reply OutOfStock() =>
        new(409, new JsonObject { ["title"] = "Not enough stock.", ["status"] = 409 }.ToJsonString(), "application/problem+json");
}

using System.Text.Json.Nodes;
using Archgate.Checks.Tests.Fixtures;

namespace Archgate.Checks.Tests.Faults;

/// <summary>
/// Answers as Toxiproxy 2.x does: proxies with their toxics, a toxic as created, 204 on delete, {title, status} on error.
/// <paramref name="toxicsChanged"/> sees the proxy's toxics after each change (a test's data plane applies them).
/// </summary>
internal sealed class FakeToxiproxy(Action<IReadOnlyList<JsonObject>>? toxicsChanged = null)
{
    private readonly Lock _gate = new();
    private bool _enabled = true;

    public bool Enabled
    {
        get
        {
            lock (_gate)
            {
                return _enabled;
            }
        }
    }

    public List<JsonObject> Toxics { get; } = [];

    public Reply Answer(Received request)
    {
        lock (_gate)
        {
            var parts = request.PathAndQuery.Trim('/').Split('/');
            if (parts is not ["proxies", var name, ..])
            {
                return Error(404, "not found");
            }

            if (name != "shop_payments")
            {
                return Error(404, "proxy not found");
            }

            switch (request.Method, parts.Length)
            {
                case ("GET", 2):
                    return new Reply(200, Proxy().ToJsonString());
                case ("POST", 2):
                    _enabled = JsonNode.Parse(request.Body)!["enabled"]!.GetValue<bool>();
                    return new Reply(200, Proxy().ToJsonString());
                case ("POST", 3):
                    var toxic = JsonNode.Parse(request.Body)!.AsObject();
                    if (Toxics.Any(t => t["name"]!.GetValue<string>() == toxic["name"]!.GetValue<string>()))
                    {
                        return Error(409, "toxic already exists");
                    }

                    Toxics.Add(toxic);
                    toxicsChanged?.Invoke(Toxics);
                    return new Reply(200, toxic.ToJsonString());
                case ("DELETE", 4):
                    var removed = Toxics.RemoveAll(t => t["name"]!.GetValue<string>() == parts[3]) == 1;
                    toxicsChanged?.Invoke(Toxics);
                    return removed ? new Reply(204) : Error(404, "toxic not found");
                default:
                    return Error(405, "method not allowed");
            }
        }
    }

    private JsonObject Proxy() => new()
    {
        ["name"] = "shop_payments",
        ["listen"] = "127.0.0.1:26201",
        ["upstream"] = "127.0.0.1:7201",
        ["enabled"] = _enabled,
        ["toxics"] = new JsonArray([.. Toxics.Select(t => (JsonNode)t.DeepClone())]),
    };

    private static Reply Error(int status, string title) => new(status, new JsonObject { ["title"] = title, ["status"] = status }.ToJsonString());
}

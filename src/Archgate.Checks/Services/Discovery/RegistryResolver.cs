using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Archgate.Checks.Http;
using Archgate.Model;

namespace Archgate.Checks.Services.Discovery;

/// <summary>
/// Instances from a registry's HTTP API, read as the registry documents it: Consul's
/// <c>/v1/health/service/NAME</c>, Eureka's <c>/apps/APP</c> (JSON) and the Kubernetes API's EndpointSlices
/// (<c>discovery.k8s.io/v1</c>) or Endpoints (<c>v1</c>).
/// </summary>
internal static class RegistryResolver
{
    /// <summary>How long the registry may take to answer. <value>5 s</value>.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public static Task<IReadOnlyList<DiscoveredInstance>> ResolveAsync(DiscoverySpec spec, HttpClient http, CancellationToken cancellationToken) => spec switch
    {
        ConsulDiscovery c => ReadAsync(http, new Uri(c.Api, $"/v1/health/service/{Uri.EscapeDataString(c.Service)}"), c.Token is null ? [] : [("X-Consul-Token", c.Token)], Consul, cancellationToken),
        EurekaDiscovery e => ReadAsync(http, Append(e.Api, $"apps/{Uri.EscapeDataString(e.App)}"), [], Eureka, cancellationToken),
        KubernetesDiscovery k when k.Endpoints => ReadAsync(http, new Uri(k.Api, $"/api/v1/namespaces/{Uri.EscapeDataString(k.Namespace)}/endpoints/{Uri.EscapeDataString(k.Service)}"),
            Bearer(k.Token), json => Endpoints(json, k), cancellationToken),
        KubernetesDiscovery k => ReadAsync(http, new Uri(k.Api, $"/apis/discovery.k8s.io/v1/namespaces/{Uri.EscapeDataString(k.Namespace)}/endpointslices?labelSelector=" +
            Uri.EscapeDataString($"kubernetes.io/service-name={k.Service}")), Bearer(k.Token), json => Slices(json, k), cancellationToken),
        _ => throw new ArgumentException($"not a registry: {spec.GetType().Name}", nameof(spec)),
    };

    private static (string, string)[] Bearer(string? token) => token is null ? [] : [("Authorization", $"Bearer {token}")];

    private static Uri Append(Uri baseUri, string relative) => new(baseUri.ToString().TrimEnd('/') + "/" + relative);

    private static async Task<IReadOnlyList<DiscoveredInstance>> ReadAsync(
        HttpClient http, Uri url, (string Name, string Value)[] headers, Func<JsonElement, IReadOnlyList<DiscoveredInstance>> parse, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        string body;
        try
        {
            using var response = await http.SendAsync(request, timeout.Token);
            body = await response.Content.ReadAsStringAsync(timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                var failure = ProbeHttp.Classify(response.StatusCode);
                throw new DiscoveryException($"GET {url} answered {(int)response.StatusCode}: {ProbeHttp.Excerpt(body, 200)}", failure.Transient);
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            var failure = ProbeHttp.Classify(ex);
            throw new DiscoveryException($"GET {url}: {failure.Cause}", failure.Transient, ex);
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            return parse(document.RootElement);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            throw new DiscoveryException($"GET {url} answered something that is not the registry's JSON: {ex.Message}", transient: false, ex);
        }
    }

    /// <summary>Consul: an array of { Node, Service, Checks }; the instance is up when every check passes.</summary>
    private static List<DiscoveredInstance> Consul(JsonElement root)
    {
        var result = new List<DiscoveredInstance>();
        foreach (var entry in root.EnumerateArray())
        {
            var service = entry.GetProperty("Service");
            var address = service.TryGetProperty("Address", out var a) && a.GetString() is { Length: > 0 } s ? s : entry.GetProperty("Node").GetProperty("Address").GetString()!;
            var port = service.GetProperty("Port").GetInt32();
            var statuses = entry.TryGetProperty("Checks", out var checks)
                ? checks.EnumerateArray().Select(c => c.GetProperty("Status").GetString() ?? "unknown").ToList()
                : [];
            var worst = statuses.FirstOrDefault(x => x == "critical") ?? statuses.FirstOrDefault(x => x != "passing");
            result.Add(new DiscoveredInstance(Url("http", address, port), service.GetProperty("ID").GetString() ?? address, worst is null, worst ?? "passing"));
        }

        return result;
    }

    /// <summary>
    /// Eureka: { application: { instance: [...] } } (one instance may come as an object); each with ipAddr or hostName,
    /// port { "$": N, "@enabled": "true" } or securePort, and status UP, DOWN, STARTING, OUT_OF_SERVICE or UNKNOWN.
    /// </summary>
    private static List<DiscoveredInstance> Eureka(JsonElement root)
    {
        var instances = root.GetProperty("application").GetProperty("instance");
        var list = instances.ValueKind == JsonValueKind.Array ? instances.EnumerateArray().ToList() : [instances];
        var result = new List<DiscoveredInstance>();
        foreach (var i in list)
        {
            var host = i.TryGetProperty("ipAddr", out var ip) && ip.GetString() is { Length: > 0 } x ? x : i.GetProperty("hostName").GetString()!;
            var secure = i.TryGetProperty("securePort", out var sp) && Enabled(sp) && !(i.TryGetProperty("port", out var pp) && Enabled(pp));
            var port = PortValue(i.GetProperty(secure ? "securePort" : "port"));
            var status = i.TryGetProperty("status", out var st) ? st.GetString() ?? "UNKNOWN" : "UNKNOWN";
            var id = i.TryGetProperty("instanceId", out var iid) ? iid.GetString() : null;
            result.Add(new DiscoveredInstance(Url(secure ? "https" : "http", host, port), id ?? $"{host}:{port}", status == "UP", status));
        }

        return result;
    }

    private static bool Enabled(JsonElement port) =>
        port.ValueKind != JsonValueKind.Object || !port.TryGetProperty("@enabled", out var e) || e.ToString() == "true";

    private static int PortValue(JsonElement port) => port.ValueKind switch
    {
        JsonValueKind.Object => PortValue(port.GetProperty("$")),
        JsonValueKind.String => int.Parse(port.GetString()!, CultureInfo.InvariantCulture),
        _ => port.GetInt32(),
    };

    /// <summary>EndpointSlices: items[].endpoints[] with addresses and conditions.ready, items[].ports[] with name and port.</summary>
    private static List<DiscoveredInstance> Slices(JsonElement root, KubernetesDiscovery spec)
    {
        var result = new List<DiscoveredInstance>();
        foreach (var slice in root.GetProperty("items").EnumerateArray())
        {
            var port = Port(slice.TryGetProperty("ports", out var ports) ? ports : default, spec);
            if (port is null || !slice.TryGetProperty("endpoints", out var endpoints) || endpoints.ValueKind != JsonValueKind.Array)
            {
                continue;
            }

            foreach (var endpoint in endpoints.EnumerateArray())
            {
                // A missing ready condition means ready (the API's documented default).
                var ready = !endpoint.TryGetProperty("conditions", out var conditions) || !conditions.TryGetProperty("ready", out var r) || r.ValueKind != JsonValueKind.False;
                var terminating = endpoint.TryGetProperty("conditions", out var c2) && c2.TryGetProperty("terminating", out var t) && t.ValueKind == JsonValueKind.True;
                var address = endpoint.GetProperty("addresses")[0].GetString()!;
                result.Add(new DiscoveredInstance(Url(spec.Scheme, address, port.Value), Pod(endpoint) ?? address, ready, ready ? "ready" : terminating ? "terminating" : "not ready"));
            }
        }

        return result;
    }

    /// <summary>Endpoints: subsets[] with addresses (ready), notReadyAddresses and ports.</summary>
    private static List<DiscoveredInstance> Endpoints(JsonElement root, KubernetesDiscovery spec)
    {
        var result = new List<DiscoveredInstance>();
        if (!root.TryGetProperty("subsets", out var subsets))
        {
            return result;
        }

        foreach (var subset in subsets.EnumerateArray())
        {
            var port = Port(subset.TryGetProperty("ports", out var ports) ? ports : default, spec);
            if (port is null)
            {
                continue;
            }

            foreach (var (key, ready) in new[] { ("addresses", true), ("notReadyAddresses", false) })
            {
                if (subset.TryGetProperty(key, out var addresses))
                {
                    foreach (var a in addresses.EnumerateArray())
                    {
                        var ip = a.GetProperty("ip").GetString()!;
                        result.Add(new DiscoveredInstance(Url(spec.Scheme, ip, port.Value), Pod(a) ?? ip, ready, ready ? "ready" : "not ready"));
                    }
                }
            }
        }

        return result;
    }

    private static int? Port(JsonElement ports, KubernetesDiscovery spec)
    {
        if (ports.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        foreach (var p in ports.EnumerateArray())
        {
            if (spec.PortName is null || (p.TryGetProperty("name", out var n) && n.GetString() == spec.PortName))
            {
                return p.GetProperty("port").GetInt32();
            }
        }

        return null;
    }

    private static string? Pod(JsonElement endpoint) =>
        endpoint.TryGetProperty("targetRef", out var target) && target.TryGetProperty("name", out var name) ? $"pod {name.GetString()}" : null;

    private static Uri Url(string scheme, string host, int port) =>
        new($"{scheme}://{(host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host)}:{port.ToString(CultureInfo.InvariantCulture)}");
}

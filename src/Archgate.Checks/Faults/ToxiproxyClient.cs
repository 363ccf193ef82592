using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Archgate.Checks.Faults;

/// <summary>A proxy on a Toxiproxy server, as its API shows it.</summary>
/// <param name="Name">Its name.</param>
/// <param name="Listen">Where it listens (<c>127.0.0.1:26379</c>).</param>
/// <param name="Upstream">What it forwards to.</param>
/// <param name="Enabled">Whether it accepts connections.</param>
/// <param name="Toxics">The names of its active toxics.</param>
public sealed record ToxiproxyProxy(string Name, string Listen, string Upstream, bool Enabled, IReadOnlyList<string> Toxics);

/// <summary>The Toxiproxy server answered with an error (its <c>title</c> or <c>error</c> and status).</summary>
public sealed class ToxiproxyException(string message, int status) : Exception(message)
{
    /// <summary>The HTTP status of the answer.</summary>
    public int Status { get; } = status;
}

/// <summary>
/// A small client of Toxiproxy's HTTP API (default port 8474), so teams that run Toxiproxy keep it: Archgate's toxics
/// become Toxiproxy toxics (latency, bandwidth, slow_close, timeout 0 for a blackhole, reset_peer) with the fraction
/// as <c>toxicity</c>; a full refusal disables the proxy. Toxiproxy works on TCP: it has no HTTP error-status toxic.
/// With a <paramref name="journal"/>, every fault is recorded before it is sent and its removal after, so a later
/// process can undo what a killed one left (<see cref="CleanLeftoversAsync"/>).
/// </summary>
public sealed class ToxiproxyClient(HttpClient http, Uri api, ToxiproxyJournal? journal = null)
{
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];
    private int _counter;

    /// <summary>
    /// Undoes what the journal says is still in place on this server: removes each toxic (one already gone is fine) and
    /// enables each proxy Archgate disabled. Returns what it undid, in words, for the run's log.
    /// </summary>
    public async Task<IReadOnlyList<string>> CleanLeftoversAsync(CancellationToken ct)
    {
        if (journal is null)
        {
            return [];
        }

        var (toxics, disabled) = journal.Open(Server);
        var done = new List<string>();
        foreach (var (proxy, toxic) in toxics)
        {
            await RemoveToxicAsync(proxy, toxic, ct);
            done.Add($"removed toxic {toxic} from {proxy}");
        }

        foreach (var proxy in disabled.Distinct(StringComparer.Ordinal))
        {
            await SetEnabledAsync(proxy, true, ct);
            done.Add($"enabled {proxy} again");
        }

        return done;
    }

    private string Server => api.ToString().TrimEnd('/');

    /// <summary>The proxy <paramref name="name"/>.</summary>
    /// <exception cref="ToxiproxyException">The server has no such proxy, or failed.</exception>
    public async Task<ToxiproxyProxy> GetProxyAsync(string name, CancellationToken ct)
    {
        using var response = await http.GetAsync(Url($"proxies/{Uri.EscapeDataString(name)}"), ct);
        var json = await ReadAsync(response, ct);
        return new ToxiproxyProxy(
            json["name"]?.GetValue<string>() ?? name,
            json["listen"]?.GetValue<string>() ?? string.Empty,
            json["upstream"]?.GetValue<string>() ?? string.Empty,
            json["enabled"]?.GetValue<bool>() ?? true,
            [.. (json["toxics"] as JsonArray ?? []).Select(t => t?["name"]?.GetValue<string>() ?? string.Empty)]);
    }

    /// <summary>Adds <paramref name="toxic"/> to proxy <paramref name="proxy"/>; disposing the handle removes it again.</summary>
    /// <exception cref="NotSupportedException">An HTTP error status: Toxiproxy has no such toxic.</exception>
    /// <exception cref="ToxiproxyException">The server refused the toxic.</exception>
    public async Task<IAsyncDisposable> AddAsync(string proxy, Toxic toxic, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(toxic);
        if (toxic is RefusedToxic { Fraction: >= 1 })
        {
            journal?.Record("disable", Server, proxy);
            await SetEnabledAsync(proxy, false, ct);
            return new Removal(() => SetEnabledAsync(proxy, true, CancellationToken.None));
        }

        var (type, attributes) = toxic switch
        {
            LatencyToxic l => ("latency", new JsonObject { ["latency"] = Ms(l.Delay), ["jitter"] = Ms(l.Jitter) }),
            BandwidthToxic b => ("bandwidth", new JsonObject { ["rate"] = Math.Max(1, b.BytesPerSecond / 1024) }),
            SlowCloseToxic s => ("slow_close", new JsonObject { ["delay"] = Ms(s.Delay) }),
            BlackholeToxic => ("timeout", new JsonObject { ["timeout"] = 0 }),
            ResetToxic or RefusedToxic => ("reset_peer", new JsonObject { ["timeout"] = 0 }),
            _ => throw new NotSupportedException($"Toxiproxy works on TCP and has no toxic for '{toxic}'"),
        };
        // Unique per process too: a toxic a killed process left must not clash with a new one's name.
        var name = $"archgate_{type}_{_run}_{Interlocked.Increment(ref _counter).ToString(CultureInfo.InvariantCulture)}";
        var body = new JsonObject
        {
            ["name"] = name,
            ["type"] = type,
            ["stream"] = "downstream",
            ["toxicity"] = toxic.Fraction,
            ["attributes"] = attributes,
        };
        journal?.Record("add", Server, proxy, name);
        using (var response = await http.PostAsJsonAsync(Url($"proxies/{Uri.EscapeDataString(proxy)}/toxics"), body, ct))
        {
            await ReadAsync(response, ct);
        }

        return new Removal(() => RemoveToxicAsync(proxy, name, CancellationToken.None));
    }

    /// <summary>Removes toxic <paramref name="name"/> from proxy <paramref name="proxy"/>; one already gone is fine.</summary>
    public async Task RemoveToxicAsync(string proxy, string name, CancellationToken ct)
    {
        using var response = await http.DeleteAsync(Url($"proxies/{Uri.EscapeDataString(proxy)}/toxics/{Uri.EscapeDataString(name)}"), ct);
        if (response.StatusCode != System.Net.HttpStatusCode.NotFound)
        {
            await ReadAsync(response, ct);
        }

        journal?.Record("remove", Server, proxy, name);
    }

    /// <summary>Enables or disables (takes down) proxy <paramref name="proxy"/>.</summary>
    public async Task SetEnabledAsync(string proxy, bool enabled, CancellationToken ct)
    {
        using var response = await http.PostAsJsonAsync(Url($"proxies/{Uri.EscapeDataString(proxy)}"), new JsonObject { ["enabled"] = enabled }, ct);
        await ReadAsync(response, ct);
        if (enabled)
        {
            journal?.Record("enable", Server, proxy);
        }
    }

    private Uri Url(string relative) => new(new Uri(api.ToString().TrimEnd('/') + "/"), relative);

    private static long Ms(TimeSpan t) => (long)t.TotalMilliseconds;

    private static async Task<JsonObject> ReadAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct);
        JsonObject? json = null;
        try
        {
            json = text.Length == 0 ? null : JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            // Not JSON: the status speaks alone.
        }

        if (!response.IsSuccessStatusCode)
        {
            var message = json?["title"]?.GetValue<string>() ?? json?["error"]?.GetValue<string>() ?? response.ReasonPhrase ?? "error";
            throw new ToxiproxyException($"Toxiproxy answered {(int)response.StatusCode}: {message}", (int)response.StatusCode);
        }

        return json ?? [];
    }

    private sealed class Removal(Func<Task> remove) : IAsyncDisposable
    {
        private int _done;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                await remove();
            }
        }
    }
}

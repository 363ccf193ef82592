using Archgate.Launch;
using Archgate.Model;

namespace Archgate.Checks.Faults;

/// <summary>
/// The in-process <see cref="FaultProxy"/>s on the edges of a system Archgate starts, one per caller → dependency:
/// HTTP-aware for an <c>http</c> dependency, TCP for anything else (TLS passes through untouched; a broker's AMQP session
/// is relayed byte for byte). Passthrough until a check adds a toxic; all of them stop when this is disposed, at the end
/// of the run or on Ctrl+C.
/// </summary>
public sealed class EdgeProxies(TimeProvider? time = null) : IEdgeProxies, IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<Edge, FaultProxy> _proxies = [];

    /// <summary>The proxies started so far.</summary>
    public IReadOnlyDictionary<Edge, FaultProxy> All
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<Edge, FaultProxy>(_proxies);
            }
        }
    }

    /// <summary>The proxy on <paramref name="edge"/>, or null when the caller does not reach the dependency through one.</summary>
    public FaultProxy? Find(Edge edge)
    {
        lock (_gate)
        {
            return _proxies.GetValueOrDefault(edge);
        }
    }

    /// <inheritdoc />
    public Uri Open(string caller, string dependency, Uri dependencyUrl)
    {
        ArgumentNullException.ThrowIfNull(dependencyUrl);
        var edge = new Edge(caller, dependency);
        FaultProxy proxy;
        lock (_gate)
        {
            if (!_proxies.TryGetValue(edge, out proxy!))
            {
                var mode = dependencyUrl.Scheme == Uri.UriSchemeHttp ? ProxyMode.Http : ProxyMode.Tcp;
                proxy = FaultProxy.Start(edge.ToString(), dependencyUrl.Host, PortOf(dependencyUrl), mode, time);
                _proxies[edge] = proxy;
            }
        }

        return Through(dependencyUrl, proxy.Port);
    }

    /// <summary>
    /// <paramref name="url"/> with the proxy's host and port in place of the dependency's; everything else (scheme, user
    /// and password, path, for AMQP the virtual host) exactly as written, escapes included.
    /// </summary>
    internal static Uri Through(Uri url, int port)
    {
        if (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)
        {
            return new UriBuilder(url) { Host = "127.0.0.1", Port = port }.Uri;
        }

        // Rebuilt from the escaped parts, so the password and the virtual host reach the caller exactly as written (amqp://u:p%40ss@h/%2f).
        var user = url.GetComponents(UriComponents.UserInfo, UriFormat.UriEscaped);
        var rest = url.GetComponents(UriComponents.PathAndQuery | UriComponents.Fragment, UriFormat.UriEscaped);
        return new Uri($"{url.Scheme}://{(user.Length > 0 ? user + "@" : string.Empty)}127.0.0.1:{port.ToString(System.Globalization.CultureInfo.InvariantCulture)}{rest}");
    }

    /// <summary>The dependency's port: as written, else the scheme's (AMQP 5672, AMQPS 5671).</summary>
    internal static int PortOf(Uri url) => url.Port > 0 ? url.Port : url.Scheme switch
    {
        "amqp" => 5672,
        "amqps" => 5671,
        _ => throw new ArgumentException($"{url.Scheme}: the address names no port and the scheme has no default one", nameof(url)),
    };

    /// <summary>Removes every fault and stops every proxy.</summary>
    public async ValueTask DisposeAsync()
    {
        List<FaultProxy> all;
        lock (_gate)
        {
            all = [.. _proxies.Values];
            _proxies.Clear();
        }

        foreach (var proxy in all)
        {
            await proxy.DisposeAsync();
        }
    }
}

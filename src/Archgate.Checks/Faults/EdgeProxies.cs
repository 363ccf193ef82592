using Archgate.Launch;
using Archgate.Model;

namespace Archgate.Checks.Faults;

/// <summary>
/// The in-process <see cref="FaultProxy"/>s on the edges of a system Archgate starts, one per caller → dependency:
/// HTTP-aware for an <c>http</c> dependency, TCP for anything else (TLS passes through untouched). Passthrough until a
/// check adds a toxic; all of them stop when this is disposed, at the end of the run or on Ctrl+C.
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
                proxy = FaultProxy.Start(edge.ToString(), dependencyUrl.Host, dependencyUrl.Port, mode, time);
                _proxies[edge] = proxy;
            }
        }

        return new UriBuilder(dependencyUrl) { Host = "127.0.0.1", Port = proxy.Port }.Uri;
    }

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

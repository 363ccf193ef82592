using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Archgate.Checks.LoadGenerator;

/// <summary>The lean HTTP/1.1 client: plain http, keep-alive, no pipelining; resolves the host once.</summary>
internal sealed class RawHttpTransport : ILoadTransport
{
    private readonly TimeoutWatchdog _watchdog;
    private bool _aborted;

    private RawHttpTransport(EndPoint endPoint, string authority, TimeoutWatchdog watchdog, TimeProvider time)
    {
        EndPoint = endPoint;
        Authority = authority;
        _watchdog = watchdog;
        Time = time;
    }

    public LoadTransport Kind => LoadTransport.RawHttp1;

    internal EndPoint EndPoint { get; }

    internal string Authority { get; }

    internal TimeProvider Time { get; }

    public static async Task<RawHttpTransport> CreateAsync(LoadPlan plan, TimeProvider time, CancellationToken cancellationToken)
    {
        var target = plan.Target;
        IPAddress address;
        if (!IPAddress.TryParse(target.Host.Trim('[', ']'), out address!))
        {
            var addresses = await Dns.GetHostAddressesAsync(target.DnsSafeHost, cancellationToken);
            address = addresses.OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1).First();
        }

        return new RawHttpTransport(new IPEndPoint(address, target.Port), target.Authority, new TimeoutWatchdog(time, plan.RequestTimeout), time);
    }

    public ILoadConnection CreateConnection() => new Http1Connection(this, _watchdog);

    /// <summary>True once <see cref="AbortAll"/> ran: connections neither retry nor reconnect any more.</summary>
    internal bool Aborted => Volatile.Read(ref _aborted);

    public void AbortAll()
    {
        Volatile.Write(ref _aborted, true);
        foreach (var c in _watchdog.Snapshot())
        {
            c.Abort();
        }
    }

    public ValueTask DisposeAsync()
    {
        _watchdog.Dispose();
        AbortAll();
        return ValueTask.CompletedTask;
    }

    /// <summary>The request as it goes on the wire.</summary>
    internal byte[] Encode(CompiledRequest request, VirtualUserVariables variables)
    {
        if (request.IsStatic && request.TransportCache is byte[] cached)
        {
            return cached;
        }

        var sb = new StringBuilder(128);
        sb.Append(request.Method).Append(' ').Append(request.RenderPath(variables)).Append(" HTTP/1.1\r\n");
        sb.Append("Host: ").Append(Authority).Append("\r\n");
        var hasUserAgent = false;
        foreach (var header in request.Request.Headers)
        {
            hasUserAgent |= string.Equals(header.Key, "User-Agent", StringComparison.OrdinalIgnoreCase);
            sb.Append(header.Key).Append(": ").Append(request.RenderHeader(header.Value, variables)).Append("\r\n");
        }

        if (!hasUserAgent)
        {
            sb.Append("User-Agent: archgate-load\r\n");
        }

        var body = request.RenderBody(variables);
        if (body is not null || request.Method is "POST" or "PUT" or "PATCH")
        {
            sb.Append("Content-Length: ").Append(body?.Length ?? 0).Append("\r\n");
        }

        sb.Append("\r\n");
        var head = Encoding.UTF8.GetBytes(sb.ToString());
        byte[] bytes = body is null or { Length: 0 } ? head : [.. head, .. body];
        if (request.IsStatic)
        {
            request.TransportCache = bytes;
        }

        return bytes;
    }
}

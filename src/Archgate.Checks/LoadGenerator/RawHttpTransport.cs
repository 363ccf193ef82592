using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Archgate.Checks.LoadGenerator.Epoll;

namespace Archgate.Checks.LoadGenerator;

/// <summary>
/// The lean HTTP/1.1 client: plain http, keep-alive, no pipelining; resolves the host once. On Linux (x86-64)
/// its connections run on a few epoll threads of their own (<see cref="EpollConnection"/>); elsewhere, or when
/// the plan asks for portable sockets, on .NET's socket engine (<see cref="Http1Connection"/>).
/// </summary>
internal sealed class RawHttpTransport : ILoadTransport
{
    private readonly TimeoutWatchdog _watchdog;
    private readonly Lock _lock = new();
    private readonly List<GCHandle> _pinned = [];
    private EpollLoop[]? _loops;
    private int _nextLoop;
    private bool _aborted;

    private RawHttpTransport(IPEndPoint endPoint, string authority, TimeoutWatchdog watchdog, TimeProvider time, bool epoll)
    {
        EndPoint = endPoint;
        Authority = authority;
        _watchdog = watchdog;
        Time = time;
        NativeAddress = ToSockaddr(endPoint);
        UsesEpoll = epoll;
    }

    public LoadTransport Kind => LoadTransport.RawHttp1;

    internal IPEndPoint EndPoint { get; }

    internal string Authority { get; }

    internal TimeProvider Time { get; }

    /// <summary>The target as a native <c>sockaddr_in</c> (16 bytes) or <c>sockaddr_in6</c> (28 bytes).</summary>
    internal byte[] NativeAddress { get; }

    /// <summary>Whether connections run on the epoll client.</summary>
    internal bool UsesEpoll { get; }

    public static async Task<RawHttpTransport> CreateAsync(LoadPlan plan, TimeProvider time, CancellationToken cancellationToken)
    {
        var target = plan.Target;
        IPAddress address;
        if (!IPAddress.TryParse(target.Host.Trim('[', ']'), out address!))
        {
            var addresses = await Dns.GetHostAddressesAsync(target.DnsSafeHost, cancellationToken);
            address = addresses.OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1).First();
        }

        var epoll = !plan.PortableSockets && EpollLoop.IsSupported;
        return new RawHttpTransport(new IPEndPoint(address, target.Port), target.Authority, new TimeoutWatchdog(time, plan.RequestTimeout), time, epoll);
    }

    public ILoadConnection CreateConnection()
    {
        if (!UsesEpoll)
        {
            return new Http1Connection(this, _watchdog);
        }

        EpollLoop loop;
        lock (_lock)
        {
            // As many I/O threads as cores (wrk's -t), each connection on one of them for its whole life.
            _loops ??= [.. Enumerable.Range(0, Math.Clamp(Environment.ProcessorCount, 1, 8)).Select(i => new EpollLoop(i))];
            loop = _loops[_nextLoop++ % _loops.Length];
        }

        return new EpollConnection(this, _watchdog, loop);
    }

    /// <summary>Keeps <paramref name="connection"/> reachable from its epoll registration until the transport is disposed.</summary>
    internal GCHandle Pin(EpollConnection connection)
    {
        var handle = GCHandle.Alloc(connection);
        lock (_lock)
        {
            _pinned.Add(handle);
        }

        return handle;
    }

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

    public async ValueTask DisposeAsync()
    {
        _watchdog.Dispose();
        AbortAll();
        if (_loops is null)
        {
            return;
        }

        // Off the I/O threads first: the last exchange's continuation may be running on one of them.
        await Task.Yield();
        lock (_lock)
        {
            foreach (var loop in _loops)
            {
                loop.Dispose();
            }

            foreach (var handle in _pinned)
            {
                handle.Free();
            }

            _pinned.Clear();
            _loops = [];
        }
    }

    private static byte[] ToSockaddr(IPEndPoint endPoint)
    {
        var v4 = endPoint.AddressFamily == AddressFamily.InterNetwork;
        var bytes = new byte[v4 ? 16 : 28];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, (ushort)(v4 ? Epoll.Libc.AfInet : Epoll.Libc.AfInet6));
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2), (ushort)endPoint.Port);
        if (v4)
        {
            endPoint.Address.TryWriteBytes(bytes.AsSpan(4, 4), out _);
        }
        else
        {
            endPoint.Address.TryWriteBytes(bytes.AsSpan(8, 16), out _);
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(24), (uint)endPoint.Address.ScopeId);
        }

        return bytes;
    }

    /// <summary>The request as it goes on the wire.</summary>
    internal byte[] Encode(CompiledRequest request, VirtualUserVariables variables)
    {
        var jar = request.OwnsCookie || variables.Cookies.IsEmpty ? null : variables.Cookies;
        if (request.IsStatic && (jar is null ? request.TransportCache as byte[] : jar.TryEncoded(request, out var kept) ? kept : null) is { } cached)
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

        foreach (var header in jar?.HeadersFor(request.Method, request.Request.Headers) ?? [])
        {
            sb.Append(header.Key).Append(": ").Append(header.Value).Append("\r\n");
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
        if (request.IsStatic && jar is not null)
        {
            jar.KeepEncoded(request, bytes);
        }
        else if (request.IsStatic)
        {
            request.TransportCache = bytes;
        }

        return bytes;
    }
}

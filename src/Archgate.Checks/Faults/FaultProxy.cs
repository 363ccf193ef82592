using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Archgate.Checks.Faults;

/// <summary>
/// A proxy on one edge (caller → dependency) that listens on a free 127.0.0.1 port, passes everything through to the
/// dependency, and injects <see cref="Toxic"/>s on demand. In <see cref="ProxyMode.Http"/> it understands HTTP/1.1
/// (keep-alive, chunked bodies, upgrades) and counts each request; in <see cref="ProxyMode.Tcp"/> only connections.
/// Passthrough until a toxic is added; every toxic is removed by disposing the handle <see cref="Add"/> returns.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _sessions = [];
    private readonly HashSet<Socket> _open = [];
    private readonly List<Active> _toxics = [];
    private Socket? _listener;
    private int _toxicCount;

    private FaultProxy(string name, string upstreamHost, int upstreamPort, ProxyMode mode, TimeProvider time, Random random)
    {
        Name = name;
        UpstreamHost = upstreamHost;
        UpstreamPort = upstreamPort;
        Mode = mode;
        _time = time;
        _random = random;
    }

    /// <summary>The edge's name, for evidence (<c>api → payments</c>).</summary>
    public string Name { get; }

    /// <summary>The dependency's host.</summary>
    public string UpstreamHost { get; }

    /// <summary>The dependency's port.</summary>
    public int UpstreamPort { get; }

    /// <summary>TCP or HTTP.</summary>
    public ProxyMode Mode { get; }

    /// <summary>The port the proxy listens on (127.0.0.1).</summary>
    public int Port { get; private set; }

    /// <summary>
    /// Where the proxy listens: <c>http://127.0.0.1:PORT</c> in HTTP mode (the address to give the caller),
    /// <c>tcp://127.0.0.1:PORT</c> in TCP mode (the caller's own scheme goes in front, as <see cref="EdgeProxies"/> does).
    /// </summary>
    public Uri Address => new($"{(Mode == ProxyMode.Http ? "http" : "tcp")}://127.0.0.1:{Port}");

    /// <summary>What passed the edge.</summary>
    public EdgeCounters Counters { get; } = new();

    /// <summary>The toxics now active.</summary>
    public IReadOnlyList<Toxic> Toxics
    {
        get
        {
            lock (_gate)
            {
                return [.. _toxics.Select(a => a.Toxic)];
            }
        }
    }

    /// <summary>Starts a passthrough proxy to <paramref name="upstreamHost"/>:<paramref name="upstreamPort"/> on a free port (or <paramref name="port"/>).</summary>
    /// <param name="name">The edge's name.</param>
    /// <param name="upstreamHost">The dependency's host.</param>
    /// <param name="upstreamPort">The dependency's port.</param>
    /// <param name="mode">TCP or HTTP.</param>
    /// <param name="time">The clock for delays and timestamps; <value>the system clock</value> by default.</param>
    /// <param name="random">Draws which connections or requests a partial toxic hits; <value>a shared random</value> by default.</param>
    /// <param name="port">The port to listen on; <value>0</value>: a free one.</param>
    public static FaultProxy Start(string name, string upstreamHost, int upstreamPort, ProxyMode mode, TimeProvider? time = null, Random? random = null, int port = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(upstreamHost);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(upstreamPort);
        var proxy = new FaultProxy(name, upstreamHost, upstreamPort, mode, time ?? TimeProvider.System, random ?? Random.Shared) { Port = port };
        proxy.Listen();
        return proxy;
    }

    /// <summary>Adds <paramref name="toxic"/>; disposing the returned handle removes it (idempotent).</summary>
    /// <exception cref="ArgumentException">An HTTP-only toxic on a TCP proxy, or a fraction outside 0-1.</exception>
    public IDisposable Add(Toxic toxic)
    {
        ArgumentNullException.ThrowIfNull(toxic);
        if (toxic.HttpOnly && Mode != ProxyMode.Http)
        {
            throw new ArgumentException($"'{toxic}' needs an HTTP proxy; {Name} is a TCP proxy", nameof(toxic));
        }

        if (toxic.Fraction is < 0 or > 1 || double.IsNaN(toxic.Fraction))
        {
            throw new ArgumentException("a toxic's fraction lies between 0 and 1", nameof(toxic));
        }

        var active = new Active(toxic, new CancellationTokenSource());
        List<Socket> cut = [];
        lock (_gate)
        {
            _toxics.Add(active);
            _toxicCount = _toxics.Count;
            if (toxic is RefusedToxic { Fraction: >= 1 })
            {
                // Down for real: nothing listens, and open connections (a caller's keep-alive pool) are cut.
                _listener?.Dispose();
                _listener = null;
                cut = [.. _open];
            }
        }

        foreach (var socket in cut)
        {
            Reset(socket);
        }

        return new Handle(this, active);
    }

    /// <summary>Removes every toxic: passthrough again.</summary>
    public void Clear()
    {
        List<Active> all;
        lock (_gate)
        {
            all = [.. _toxics];
        }

        foreach (var a in all)
        {
            Remove(a);
        }
    }

    /// <summary>Stops listening, cuts every connection and removes every toxic.</summary>
    public async ValueTask DisposeAsync()
    {
        Task[] sessions;
        lock (_gate)
        {
            if (_stopping.IsCancellationRequested)
            {
                return;
            }

            _stopping.Cancel();
            _listener?.Dispose();
            _listener = null;
            foreach (var socket in _open)
            {
                Reset(socket);
            }

            sessions = [.. _sessions];
        }

        Clear();
        await Task.WhenAll(sessions).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopping.Dispose();
    }

    private void Remove(Active active)
    {
        lock (_gate)
        {
            if (!_toxics.Remove(active))
            {
                return;
            }

            _toxicCount = _toxics.Count;

            active.Removed.Cancel();
            if (_listener is null && !_stopping.IsCancellationRequested && !_toxics.Any(a => a.Toxic is RefusedToxic { Fraction: >= 1 }))
            {
                Listen();
            }
        }

        active.Removed.Dispose();
    }

    private void Listen()
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, Port));
        listener.Listen(512);
        Port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        _listener = listener;
        Track(AcceptLoopAsync(listener));
    }

    private void Track(Task task)
    {
        lock (_gate)
        {
            _sessions.RemoveAll(t => t.IsCompleted);
            _sessions.Add(task);
        }
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(_stopping.Token);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                return; // stopped listening (refused, or disposed)
            }

            client.NoDelay = true;
            Track(Task.Run(() => ServeAsync(client)));
        }
    }

    private async Task ServeAsync(Socket client)
    {
        lock (_gate)
        {
            _open.Add(client);
        }

        var index = Counters.Add(new ProxiedConnection(_time.GetUtcNow()));
        var started = _time.GetTimestamp();
        var traffic = new Traffic();
        string? fault = null;
        try
        {
            var chosen = Roll();
            if (chosen.FirstOrDefault(a => a.Toxic is RefusedToxic || (Mode == ProxyMode.Tcp && a.Toxic is ResetToxic)) is { } cut)
            {
                fault = cut.Toxic.ToString();
                Reset(client);
                return;
            }

            if (Mode == ProxyMode.Tcp && chosen.FirstOrDefault(a => a.Toxic is BlackholeToxic) is { } hole)
            {
                fault = hole.Toxic.ToString();
                // On record at once: a held connection ends only when the fault is removed, and what reads the counters
                // while it holds (or right after removing it) must see why it hangs.
                Counters.UpdateConnection(index, c => c with { Fault = fault });
                await HoldAsync(new HttpStream(new NetworkStream(client, ownsSocket: false)), hole, holdAfterClose: true);
                Reset(client);
                return;
            }

            if (Mode == ProxyMode.Tcp)
            {
                fault = chosen.Count == 0 ? null : string.Join(", ", chosen.Select(a => a.Toxic));
                await RelayTcpAsync(client, chosen, traffic);
            }
            else
            {
                await RelayHttpAsync(client, traffic);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or InvalidDataException or OperationCanceledException or ObjectDisposedException)
        {
            // The caller or the dependency went away, or the proxy stopped: the connection ends.
        }
        finally
        {
            lock (_gate)
            {
                _open.Remove(client);
            }

            client.Dispose();
            var duration = _time.GetElapsedTime(started);
            Counters.UpdateConnection(index, c => c with { Duration = duration, BytesUp = traffic.Up, BytesDown = traffic.Down, Fault = fault });
        }
    }

    /// <summary>The active toxics that hit this connection or request, each drawn by its fraction.</summary>
    private List<Active> Roll()
    {
        if (Volatile.Read(ref _toxicCount) == 0)
        {
            return []; // passthrough: no lock on the hot path
        }

        lock (_gate)
        {
            return [.. _toxics.Where(a => a.Toxic.Fraction >= 1 || (a.Toxic.Fraction > 0 && _random.NextDouble() < a.Toxic.Fraction))];
        }
    }

    private async Task<Socket?> ConnectUpstreamAsync(CancellationToken ct)
    {
        var upstream = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await upstream.ConnectAsync(UpstreamHost, UpstreamPort, ct);
            return upstream;
        }
        catch (SocketException)
        {
            upstream.Dispose();
            return null;
        }
    }

    private async Task RelayTcpAsync(Socket client, List<Active> chosen, Traffic traffic)
    {
        var ct = _stopping.Token;
        using var upstream = await ConnectUpstreamAsync(ct);
        if (upstream is null)
        {
            Reset(client); // the dependency refused: so does the edge
            return;
        }

        var latency = chosen.Select(a => a.Toxic).OfType<LatencyToxic>().FirstOrDefault();
        var bandwidth = chosen.Select(a => a.Toxic).OfType<BandwidthToxic>().FirstOrDefault();
        var slowClose = chosen.Select(a => a.Toxic).OfType<SlowCloseToxic>().FirstOrDefault();
        using var cut = CancellationTokenSource.CreateLinkedTokenSource(ct);
        await using var fromClient = new NetworkStream(client, ownsSocket: false);
        await using var toUpstream = new NetworkStream(upstream, ownsSocket: false);
        var up = Task.Run(async () =>
        {
            try
            {
                traffic.Up += await new HttpStream(fromClient).CopyToEndAsync(toUpstream, null, cut.Token);
                upstream.Shutdown(SocketShutdown.Send);
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
            {
                await cut.CancelAsync();
            }
        }, ct);

        var buffer = new byte[16 * 1024];
        var pacer = bandwidth is null ? null : new Pacer(bandwidth.BytesPerSecond, _time);
        while (true)
        {
            var n = await toUpstream.ReadAsync(buffer, cut.Token);
            if (n == 0)
            {
                break;
            }

            if (latency is not null)
            {
                await Task.Delay(Delay(latency), _time, cut.Token);
            }

            for (var offset = 0; offset < n;)
            {
                var slice = Math.Min(n - offset, pacer?.SliceBytes ?? n);
                await fromClient.WriteAsync(buffer.AsMemory(offset, slice), cut.Token);
                offset += slice;
                traffic.Down += slice;
                if (pacer is not null)
                {
                    await pacer.PaceAsync(slice, cut.Token);
                }
            }
        }

        if (slowClose is not null)
        {
            await Task.Delay(slowClose.Delay, _time, cut.Token);
        }

        client.Shutdown(SocketShutdown.Send);
        await cut.CancelAsync();
        await up;
    }

    private async Task RelayHttpAsync(Socket client, Traffic traffic)
    {
        var ct = _stopping.Token;
        await using var clientStream = new NetworkStream(client, ownsSocket: false);
        var reader = new HttpStream(clientStream);
        Socket? upstream = null;
        NetworkStream? upstreamStream = null;
        HttpStream? upstreamReader = null;
        try
        {
            while (await reader.ReadHeadAsync(ct) is { } head)
            {
                var at = _time.GetUtcNow();
                var started = _time.GetTimestamp();
                var words = head.StartLine.Split(' ', 3);
                var method = words[0];
                var target = words.Length > 1 ? words[1] : string.Empty;
                var index = Counters.Add(new ProxiedRequest(at, method, target, head.Header("Idempotency-Key"), head.Raw.Length) { Headers = head.Headers });
                traffic.Up += head.Raw.Length;
                var chosen = Roll();
                if (chosen.FirstOrDefault(a => a.Toxic is ResetToxic or RefusedToxic) is { } cut)
                {
                    Counters.UpdateRequest(index, r => r with { Fault = cut.Toxic.ToString() });
                    Reset(client);
                    return;
                }

                if (chosen.FirstOrDefault(a => a.Toxic is BlackholeToxic) is { } hole)
                {
                    Counters.UpdateRequest(index, r => r with { Fault = hole.Toxic.ToString() });
                    if (await HoldAsync(reader, hole, holdAfterClose: false))
                    {
                        var left = _time.GetElapsedTime(started);
                        Counters.UpdateRequest(index, r => r with { AbandonedAfter = left });
                    }

                    Reset(client);
                    return;
                }

                if (chosen.Select(a => a.Toxic).OfType<ErrorStatusToxic>().FirstOrDefault() is { } error)
                {
                    var dropped = new BodyCapture(Stream.Null, head.IsChunked);
                    var body = await CopyBodyAsync(head, reader, dropped, ct);
                    var answer = ErrorResponse(error.Status);
                    traffic.Up += body;
                    traffic.Down += answer.Length;
                    Counters.UpdateRequest(index, r => r with
                    {
                        Status = error.Status, Duration = _time.GetElapsedTime(started), RequestBytes = r.RequestBytes + body,
                        ResponseBytes = answer.Length, Fault = error.ToString(), Body = dropped.Captured(),
                    });
                    await clientStream.WriteAsync(answer, ct);
                    if (head.WantsClose)
                    {
                        return;
                    }

                    continue;
                }

                var faults = chosen.Count == 0 ? null : string.Join(", ", chosen.Select(a => a.Toxic));
                if (chosen.Select(a => a.Toxic).OfType<LatencyToxic>().FirstOrDefault() is { } latency)
                {
                    await Task.Delay(Delay(latency), _time, ct);
                }

                if (upstream is null)
                {
                    upstream = await ConnectUpstreamAsync(ct);
                    if (upstream is null)
                    {
                        Counters.UpdateRequest(index, r => r with { Duration = _time.GetElapsedTime(started), Fault = faults });
                        Reset(client); // the dependency refused: so does the edge
                        return;
                    }

                    upstreamStream = new NetworkStream(upstream, ownsSocket: false);
                    upstreamReader = new HttpStream(upstreamStream);
                }

                await upstreamStream!.WriteAsync(head.Raw, ct);
                var capture = new BodyCapture(upstreamStream, head.IsChunked);
                var sendBody = CopyBodyAsync(head, reader, capture, ct);
                var lost = chosen.Select(a => a.Toxic).OfType<LostAnswerToxic>().FirstOrDefault();
                Stream toClient = lost is null ? clientStream : Stream.Null; // a lost answer is read to its end and dropped
                long responseBytes = 0;
                HttpHead response;
                do
                {
                    response = await upstreamReader!.ReadHeadAsync(ct) ?? throw new IOException("the dependency closed the connection");
                    await toClient.WriteAsync(response.Raw, ct);
                    responseBytes += response.Raw.Length;
                }
                while (response.Status is >= 100 and < 200 and not 101);

                var requestBody = await sendBody;
                traffic.Up += requestBody;
                var captured = capture.Captured();
                var bandwidth = chosen.Select(a => a.Toxic).OfType<BandwidthToxic>().FirstOrDefault();
                var pacer = bandwidth is null ? null : new Pacer(bandwidth.BytesPerSecond, _time);
                var close = response.WantsClose || head.WantsClose;
                if (response.Status == 101)
                {
                    Counters.UpdateRequest(index, r => r with { Status = 101, Duration = _time.GetElapsedTime(started), ResponseBytes = responseBytes, Forwarded = true, Fault = faults, Body = captured });
                    var up = reader.CopyToEndAsync(upstreamStream, null, ct);
                    traffic.Down += await upstreamReader.CopyToEndAsync(clientStream, null, ct);
                    traffic.Up += await up;
                    return;
                }

                if (!(method == "HEAD" || response.Status is 204 or 304))
                {
                    if (response.IsChunked)
                    {
                        responseBytes += await upstreamReader.CopyChunkedAsync(toClient, pacer, ct);
                    }
                    else if (response.ContentLength is { } length)
                    {
                        responseBytes += await upstreamReader.CopyAsync(toClient, length, pacer, ct);
                    }
                    else
                    {
                        responseBytes += await upstreamReader.CopyToEndAsync(toClient, pacer, ct);
                        close = true;
                    }
                }

                var status = response.Status;
                if (lost is not null)
                {
                    // The caller sees the toxic's status; the evidence keeps what the dependency really answered.
                    var answer = ErrorResponse(lost.Status);
                    await clientStream.WriteAsync(answer, ct);
                    faults = $"{faults} (the dependency answered {status})";
                    status = lost.Status;
                    responseBytes = answer.Length;
                }

                traffic.Down += responseBytes;
                Counters.UpdateRequest(index, r => r with
                {
                    Status = status, Duration = _time.GetElapsedTime(started), RequestBytes = r.RequestBytes + requestBody,
                    ResponseBytes = responseBytes, Forwarded = true, Fault = faults, Body = captured,
                });
                if (close)
                {
                    if (chosen.Select(a => a.Toxic).OfType<SlowCloseToxic>().FirstOrDefault() is { } slow)
                    {
                        await Task.Delay(slow.Delay, _time, ct);
                    }

                    client.Shutdown(SocketShutdown.Send);
                    return;
                }
            }
        }
        finally
        {
            if (upstreamStream is not null)
            {
                await upstreamStream.DisposeAsync();
            }

            upstream?.Dispose();
        }
    }

    private static async Task<long> CopyBodyAsync(HttpHead head, HttpStream from, Stream to, CancellationToken ct) =>
        head.IsChunked ? await from.CopyChunkedAsync(to, null, ct)
        : head.ContentLength is { } length ? await from.CopyAsync(to, length, null, ct)
        : 0;

    /// <summary>
    /// Reads and drops what the caller sends until the toxic is removed, the caller leaves or the proxy stops; true when
    /// the caller left (closed or reset its connection: it gave up waiting). With <paramref name="holdAfterClose"/> (TCP),
    /// a caller that only half-closes still gets no answer until the toxic goes.
    /// </summary>
    private async Task<bool> HoldAsync(HttpStream caller, Active hole, bool holdAfterClose)
    {
        using var until = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        try
        {
            using var removed = hole.Removed.Token.Register(until.Cancel);
            await caller.DrainAsync(until.Token);
            if (holdAfterClose)
            {
                await Task.Delay(Timeout.Infinite, until.Token);
            }

            return true;
        }
        catch (Exception ex) when (ex is IOException or SocketException && !until.IsCancellationRequested)
        {
            return true; // reset by the caller
        }
        catch (ObjectDisposedException)
        {
            return false; // removed already
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException)
        {
            return false; // removed, or stopping
        }
    }

    private TimeSpan Delay(LatencyToxic latency)
    {
        if (latency.Jitter <= TimeSpan.Zero)
        {
            return latency.Delay;
        }

        double spread;
        lock (_gate)
        {
            spread = (_random.NextDouble() * 2) - 1;
        }

        var delay = latency.Delay + (latency.Jitter * spread);
        return delay > TimeSpan.Zero ? delay : TimeSpan.Zero;
    }

    private static byte[] ErrorResponse(int status)
    {
        var body = $"{{\"error\":\"fault injected by archgate\",\"status\":{status}}}";
        var reason = ReasonPhrase(status);
        return Encoding.ASCII.GetBytes(
            $"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nX-Archgate-Fault: error-status\r\n\r\n{body}");
    }

    private static string ReasonPhrase(int status) => status switch
    {
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        429 => "Too Many Requests",
        _ => "Injected Fault",
    };

    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Gone already.
        }
    }

    private sealed record Active(Toxic Toxic, CancellationTokenSource Removed);

    private sealed class Traffic
    {
        public long Up { get; set; }

        public long Down { get; set; }
    }

    private sealed class Handle(FaultProxy proxy, Active active) : IDisposable
    {
        public void Dispose() => proxy.Remove(active);
    }
}

namespace Archgate.Checks.Faults;

/// <summary>One request that passed the proxy (HTTP mode), as the dependency saw it or as a toxic answered it.</summary>
/// <param name="At">When its head arrived at the proxy.</param>
/// <param name="Method">Its method (<c>POST</c>).</param>
/// <param name="Target">Its request target (<c>/payments</c>).</param>
/// <param name="IdempotencyKey">Its <c>Idempotency-Key</c> header, if any.</param>
/// <param name="RequestBytes">Bytes of its head and body.</param>
public sealed record ProxiedRequest(DateTimeOffset At, string Method, string Target, string? IdempotencyKey, long RequestBytes)
{
    /// <summary>The status of the answer; null while none came (in flight, blackholed, reset, connection lost).</summary>
    public int? Status { get; init; }

    /// <summary>From arrival to the end of the answer; null while it has not ended.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Bytes of the answer's head and body.</summary>
    public long ResponseBytes { get; init; }

    /// <summary>The toxic that changed it (<c>error status 503</c>), or null when it passed through.</summary>
    public string? Fault { get; init; }

    /// <summary>
    /// When it was unanswered (blackholed), how long the caller waited before it closed or reset the connection: the
    /// caller's own timeout for it. Null while it waits, when it was answered, or when the toxic went first.
    /// </summary>
    public TimeSpan? AbandonedAfter { get; init; }

    /// <summary>Whether it reached the dependency (not answered, reset or swallowed by a toxic).</summary>
    public bool Forwarded { get; init; }

    /// <summary>Its header fields as sent (secrets included: mask them before they reach any output). <value>None</value>.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>
    /// Its body, de-chunked, up to <see cref="RequestBody.MaxCaptured"/> bytes; null when it had none or the proxy did not
    /// read it (a blackhole or a reset took the request first).
    /// </summary>
    public RequestBody? Body { get; init; }

    /// <summary>The value of header <paramref name="name"/> (case-insensitive), or null.</summary>
    public string? Header(string name) => Headers.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;
}

/// <summary>The body of a proxied request as the proxy captured it.</summary>
/// <param name="Bytes">The first <see cref="MaxCaptured"/> bytes, de-chunked.</param>
/// <param name="Truncated">Whether the body was longer (or its chunked framing could not be read), so <paramref name="Bytes"/> is not all of it.</param>
public sealed record RequestBody(byte[] Bytes, bool Truncated)
{
    /// <summary>How much of a request body the proxy keeps. <value>64 KiB</value>.</summary>
    public const int MaxCaptured = 64 * 1024;
}

/// <summary>One connection that the proxy accepted.</summary>
/// <param name="At">When it was accepted.</param>
public sealed record ProxiedConnection(DateTimeOffset At)
{
    /// <summary>How long it lasted; null while it is open.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Bytes from the caller to the dependency.</summary>
    public long BytesUp { get; init; }

    /// <summary>Bytes from the dependency to the caller.</summary>
    public long BytesDown { get; init; }

    /// <summary>The toxic applied to the whole connection, or null.</summary>
    public string? Fault { get; init; }
}

/// <summary>What passed one proxied edge: connections and (HTTP mode) requests, in arrival order. Thread-safe snapshots.</summary>
public sealed class EdgeCounters
{
    private readonly Lock _gate = new();
    private readonly List<ProxiedConnection> _connections = [];
    private readonly List<ProxiedRequest> _requests = [];

    /// <summary>Connections accepted so far.</summary>
    public int ConnectionCount
    {
        get
        {
            lock (_gate)
            {
                return _connections.Count;
            }
        }
    }

    /// <summary>Requests seen so far (HTTP mode), answered or not.</summary>
    public int RequestCount
    {
        get
        {
            lock (_gate)
            {
                return _requests.Count;
            }
        }
    }

    /// <summary>Requests that reached the dependency.</summary>
    public int ForwardedCount
    {
        get
        {
            lock (_gate)
            {
                return _requests.Count(r => r.Forwarded);
            }
        }
    }

    /// <summary>A snapshot of the connections.</summary>
    public IReadOnlyList<ProxiedConnection> Connections
    {
        get
        {
            lock (_gate)
            {
                return [.. _connections];
            }
        }
    }

    /// <summary>A snapshot of the requests.</summary>
    public IReadOnlyList<ProxiedRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    internal int Add(ProxiedConnection connection)
    {
        lock (_gate)
        {
            _connections.Add(connection);
            return _connections.Count - 1;
        }
    }

    internal void UpdateConnection(int index, Func<ProxiedConnection, ProxiedConnection> change)
    {
        lock (_gate)
        {
            _connections[index] = change(_connections[index]);
        }
    }

    internal int Add(ProxiedRequest request)
    {
        lock (_gate)
        {
            _requests.Add(request);
            return _requests.Count - 1;
        }
    }

    internal void UpdateRequest(int index, Func<ProxiedRequest, ProxiedRequest> change)
    {
        lock (_gate)
        {
            _requests[index] = change(_requests[index]);
        }
    }
}

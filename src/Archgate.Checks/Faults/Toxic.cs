using System.Globalization;

namespace Archgate.Checks.Faults;

/// <summary>How much of the traffic a <see cref="FaultProxy"/> understands.</summary>
public enum ProxyMode
{
    /// <summary>Bytes only: toxics apply per connection.</summary>
    Tcp,

    /// <summary>HTTP/1.1 requests and responses: toxics apply per request, and each request is counted.</summary>
    Http,
}

/// <summary>
/// A fault a <see cref="FaultProxy"/> injects into an edge (Toxiproxy calls them toxics). Each applies to a
/// <see cref="Fraction"/> of the connections (TCP mode) or requests (HTTP mode), drawn from the proxy's random source.
/// </summary>
public abstract record Toxic
{
    /// <summary>The share of connections or requests it applies to, 0 to 1. <value>1</value> (all).</summary>
    public double Fraction { get; init; } = 1.0;

    /// <summary>Whether the toxic needs <see cref="ProxyMode.Http"/>.</summary>
    internal virtual bool HttpOnly => false;

    /// <summary>What the toxic does, for evidence ("latency 500 ms ± 100 ms to 50 % of requests").</summary>
    public sealed override string ToString() => Fraction >= 1 ? Name : $"{Name} to {Fraction.ToString("P0", CultureInfo.InvariantCulture)} of the traffic";

    /// <summary>The toxic's short description, without the fraction.</summary>
    protected abstract string Name { get; }

    internal static string Ms(TimeSpan t) => $"{t.TotalMilliseconds.ToString("0.#", CultureInfo.InvariantCulture)} ms";
}

/// <summary>Adds <paramref name="Delay"/> ± <paramref name="Jitter"/> before each request (HTTP) or each chunk from the dependency (TCP).</summary>
public sealed record LatencyToxic(TimeSpan Delay, TimeSpan Jitter = default) : Toxic
{
    /// <inheritdoc />
    protected override string Name => Jitter > TimeSpan.Zero ? $"latency {Ms(Delay)} ± {Ms(Jitter)}" : $"latency {Ms(Delay)}";
}

/// <summary>Answers requests itself with <paramref name="Status"/>, without calling the dependency (HTTP mode only).</summary>
public sealed record ErrorStatusToxic(int Status = 503) : Toxic
{
    internal override bool HttpOnly => true;

    /// <inheritdoc />
    protected override string Name => $"error status {Status}";
}

/// <summary>
/// Forwards each request to the dependency, then answers the caller with <paramref name="Status"/> in place of the
/// dependency's answer (HTTP mode only): the work is done and its answer lost, as when a response times out on its
/// way back. A caller that retries such a charge under a new idempotency key charges twice.
/// </summary>
public sealed record LostAnswerToxic(int Status = 503) : Toxic
{
    internal override bool HttpOnly => true;

    /// <inheritdoc />
    protected override string Name => $"answers lost, error status {Status} instead";
}

/// <summary>Resets the connection (TCP RST) as the connection or request arrives.</summary>
public sealed record ResetToxic : Toxic
{
    /// <inheritdoc />
    protected override string Name => "connection reset";
}

/// <summary>Accepts and reads, never answers, until the toxic is removed (then the connection is reset).</summary>
public sealed record BlackholeToxic : Toxic
{
    /// <inheritdoc />
    protected override string Name => "blackhole";
}

/// <summary>
/// Connections are refused: with a <see cref="Toxic.Fraction"/> of 1 the proxy stops listening (the caller sees
/// "connection refused"); with less, the chosen connections are reset as soon as they are accepted.
/// </summary>
public sealed record RefusedToxic : Toxic
{
    /// <inheritdoc />
    protected override string Name => "connection refused";
}

/// <summary>Limits what the dependency sends back to <paramref name="BytesPerSecond"/>.</summary>
public sealed record BandwidthToxic(long BytesPerSecond) : Toxic
{
    /// <inheritdoc />
    protected override string Name => $"bandwidth {BytesPerSecond.ToString(CultureInfo.InvariantCulture)} B/s";
}

/// <summary>Waits <paramref name="Delay"/> before passing on the dependency's close of a connection.</summary>
public sealed record SlowCloseToxic(TimeSpan Delay) : Toxic
{
    /// <inheritdoc />
    protected override string Name => $"slow close {Ms(Delay)}";
}

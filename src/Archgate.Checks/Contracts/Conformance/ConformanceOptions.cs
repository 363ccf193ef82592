using Archgate.Model;

namespace Archgate.Checks.Contracts.Conformance;

/// <summary>
/// Bounds of a live conformance run: it sends a known number of requests, each bounded in time, within a total
/// time budget, and always ends; what the bounds left out is reported (AG2018). Set per service in the
/// manifest (<c>openapi.conformance</c>).
/// </summary>
public sealed record ConformanceOptions
{
    /// <summary>Requests per operation: document examples, boundary values and every invalid input. <value>40</value>.</summary>
    public int MaxRequestsPerOperation { get; init; } = 40;

    /// <summary>Requests per service in all (the login and the 405 probes included). <value>1000</value>.</summary>
    public int MaxRequests { get; init; } = 1000;

    /// <summary>How long one request may take, headers and body. <value>10 s</value>.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the whole check may take; operations not reached in time are listed. <value>2 min</value>.</summary>
    public TimeSpan Budget { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Largest body read and validated; a longer one is a finding. <value>1 MiB</value>.</summary>
    public int MaxBodyBytes { get; init; } = 1 << 20;

    /// <summary>Mismatch findings kept per operation (the rest are counted). <value>10</value>.</summary>
    public int MaxFindingsPerOperation { get; init; } = 10;

    /// <summary>These options with what the manifest sets for <paramref name="limits"/> (<c>openapi.conformance</c>).</summary>
    public ConformanceOptions With(ConformanceLimits? limits) => limits is null ? this : this with
    {
        RequestTimeout = limits.RequestTimeout ?? RequestTimeout,
        Budget = limits.Budget ?? Budget,
        MaxRequests = limits.MaxRequests ?? MaxRequests,
        MaxRequestsPerOperation = limits.MaxRequestsPerOperation ?? MaxRequestsPerOperation,
    };
}

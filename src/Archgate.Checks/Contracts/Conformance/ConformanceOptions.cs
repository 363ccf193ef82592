namespace Archgate.Checks.Contracts.Conformance;

/// <summary>Bounds of a live conformance run: it sends a known, small number of requests and always ends.</summary>
public sealed record ConformanceOptions
{
    /// <summary>Requests per operation: document examples, boundary values and invalid inputs. <value>8</value>.</summary>
    public int MaxRequestsPerOperation { get; init; } = 8;

    /// <summary>Requests per service in all (the login and the 405 probes included). <value>500</value>.</summary>
    public int MaxRequests { get; init; } = 500;

    /// <summary>How long one request may take, headers and body. <value>10 s</value>.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Largest body read and validated; a longer one is a finding. <value>1 MiB</value>.</summary>
    public int MaxBodyBytes { get; init; } = 1 << 20;

    /// <summary>Mismatch findings kept per operation (the rest are counted). <value>10</value>.</summary>
    public int MaxFindingsPerOperation { get; init; } = 10;
}

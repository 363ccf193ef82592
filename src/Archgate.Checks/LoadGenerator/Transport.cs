namespace Archgate.Checks.LoadGenerator;

/// <summary>How an exchange ended.</summary>
internal enum ExchangeStatus : byte
{
    /// <summary>A complete response arrived (any status code).</summary>
    Response,

    /// <summary>No complete response within the request timeout.</summary>
    Timeout,

    /// <summary>Connect failed, the connection broke, or the response was malformed.</summary>
    ConnectionError,
}

/// <summary>One request/response exchange as the transport saw it.</summary>
internal readonly record struct ExchangeResult(ExchangeStatus Status, int StatusCode, long BytesSent, long BytesReceived);

/// <summary>Sends requests; one per virtual user or open-model worker, never used concurrently.</summary>
internal interface ILoadConnection : IAsyncDisposable
{
    /// <summary>Sends <paramref name="request"/> and reads the whole response; fills <paramref name="capture"/> when given.</summary>
    ValueTask<ExchangeResult> SendAsync(CompiledRequest request, VirtualUserVariables variables, ResponseCapture? capture);

    /// <summary>Before the measured window: opens the connection and, when given, sends <paramref name="request"/> once (unmeasured, failures ignored).</summary>
    ValueTask WarmAsync(CompiledRequest? request, VirtualUserVariables variables);
}

/// <summary>Creates connections to the plan's target and can abort them all at the hard stop.</summary>
internal interface ILoadTransport : IAsyncDisposable
{
    /// <summary>The transport actually used.</summary>
    LoadTransport Kind { get; }

    ILoadConnection CreateConnection();

    /// <summary>Closes every connection so that in-flight requests end now.</summary>
    void AbortAll();
}

/// <summary>Builds the transport a plan asks for.</summary>
internal static class LoadTransports
{
    public static async Task<ILoadTransport> CreateAsync(LoadPlan plan, TimeProvider time, CancellationToken cancellationToken)
    {
        var useRaw = plan.Transport == LoadTransport.RawHttp1
            || (plan.Transport == LoadTransport.Auto && plan.Target.Scheme == Uri.UriSchemeHttp);
        if (useRaw)
        {
            return await RawHttpTransport.CreateAsync(plan, time, cancellationToken);
        }

        return new HttpClientTransport(plan);
    }
}

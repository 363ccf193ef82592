namespace Archgate.Checks.LoadGenerator;

/// <summary>Failed requests by cause. Statuses 4xx and 5xx count as failures (k6's default for <c>http_req_failed</c>).</summary>
/// <param name="Status4xx">Responses with a 4xx status.</param>
/// <param name="Status5xx">Responses with a 5xx status.</param>
/// <param name="Timeouts">Requests abandoned after the request timeout.</param>
/// <param name="ConnectionErrors">Connect refused, reset, closed mid-response, malformed response.</param>
public sealed record ErrorCounts(long Status4xx, long Status5xx, long Timeouts, long ConnectionErrors)
{
    /// <summary>No errors.</summary>
    public static ErrorCounts None { get; } = new(0, 0, 0, 0);

    /// <summary>All failed requests.</summary>
    public long Total => Status4xx + Status5xx + Timeouts + ConnectionErrors;

    /// <summary>Sum of both.</summary>
    public static ErrorCounts operator +(ErrorCounts left, ErrorCounts right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        return new(left.Status4xx + right.Status4xx, left.Status5xx + right.Status5xx, left.Timeouts + right.Timeouts, left.ConnectionErrors + right.ConnectionErrors);
    }
}

/// <summary>
/// What was measured for a set of requests (a route in a stage, a stage, a route, the whole run).
/// Latency covers every request that got a response, failed statuses included.
/// </summary>
/// <param name="Latency">Latency distribution.</param>
/// <param name="Requests">Requests completed (responses and failures).</param>
/// <param name="Errors">Failures by cause.</param>
/// <param name="LateRequests">Open model: requests sent later than intended because every connection was busy.</param>
/// <param name="BytesSent">Bytes written, request line and headers included.</param>
/// <param name="BytesReceived">Bytes read, status line and headers included.</param>
/// <param name="Duration">The time these requests were sent over; throughput is per this.</param>
public sealed record RequestMetrics(
    LatencyHistogram Latency,
    long Requests,
    ErrorCounts Errors,
    long LateRequests,
    long BytesSent,
    long BytesReceived,
    TimeSpan Duration)
{
    /// <summary>Nothing measured.</summary>
    public static RequestMetrics Empty(TimeSpan duration) => new(LatencyHistogram.Empty, 0, ErrorCounts.None, 0, 0, 0, duration);

    /// <summary>Requests per second over <see cref="Duration"/>.</summary>
    public double RequestsPerSecond => Duration > TimeSpan.Zero ? Requests / Duration.TotalSeconds : 0;

    /// <summary>Share of requests that failed, 0-1.</summary>
    public double FailedRate => Requests == 0 ? 0 : (double)Errors.Total / Requests;

    /// <summary>Median latency in ms.</summary>
    public double P50Ms => Latency.PercentileMilliseconds(50);

    /// <summary>90th percentile latency in ms.</summary>
    public double P90Ms => Latency.PercentileMilliseconds(90);

    /// <summary>95th percentile latency in ms.</summary>
    public double P95Ms => Latency.PercentileMilliseconds(95);

    /// <summary>99th percentile latency in ms.</summary>
    public double P99Ms => Latency.PercentileMilliseconds(99);

    /// <summary>Largest latency in ms.</summary>
    public double MaxMs => Latency.MaxMilliseconds;

    /// <summary>
    /// Both sets together. Durations: <paramref name="sameWindow"/> true when both were measured over the
    /// same time (routes of one stage, agents of one run: the longer is kept), false when one followed the
    /// other (stages: durations add).
    /// </summary>
    public static RequestMetrics Combine(RequestMetrics left, RequestMetrics right, bool sameWindow)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        return new(
            LatencyHistogram.Merge(left.Latency, right.Latency),
            left.Requests + right.Requests,
            left.Errors + right.Errors,
            left.LateRequests + right.LateRequests,
            left.BytesSent + right.BytesSent,
            left.BytesReceived + right.BytesReceived,
            sameWindow ? (left.Duration > right.Duration ? left.Duration : right.Duration) : left.Duration + right.Duration);
    }
}

/// <summary>One route (request template) in a stage or over the run.</summary>
/// <param name="Route">Route name, e.g. <c>GET /orders/{id}</c>.</param>
/// <param name="Metrics">What was measured.</param>
public sealed record RouteResult(string Route, RequestMetrics Metrics);

/// <summary>One stage of the run.</summary>
/// <param name="Name">Stage name.</param>
/// <param name="Target">Stage target (users or rate).</param>
/// <param name="Metrics">All routes together.</param>
/// <param name="Routes">Per route.</param>
public sealed record StageResult(string Name, double Target, RequestMetrics Metrics, IReadOnlyList<RouteResult> Routes);

/// <summary>
/// A capture that found nothing, over the run (warm-up included): each time, the iteration stopped at its request, so
/// the journey's later requests were not sent with the variable unfilled, and nothing of it counts under their routes.
/// </summary>
/// <param name="Journey">The journey's name (a single request's is its route).</param>
/// <param name="Request">Where the request is: <c>step 2</c>, or <c>setup 1</c> for a journey's per-user setup (sent again at the user's next iteration).</param>
/// <param name="Route">The request's route.</param>
/// <param name="Variable">The variable it captures.</param>
/// <param name="From">Where the value is read: <c>JSON property 'id'</c> or <c>header 'ETag'</c>.</param>
/// <param name="AfterSuccess">Misses in an answer below 400: the answer came without the value.</param>
/// <param name="AfterFailure">Misses after a failed request (4xx, 5xx, timeout, connection error), which its route counts as an error too.</param>
/// <param name="Sample">One answer it missed in, a successful one when there was any: its status and the first bytes of its body.</param>
/// <param name="NotSent">The routes after it in the journey, which those iterations did not send.</param>
public sealed record CaptureMiss(string Journey, string Request, string Route, string Variable, string From, long AfterSuccess, long AfterFailure, string Sample, IReadOnlyList<string> NotSent)
{
    /// <summary>The iterations that stopped at this capture.</summary>
    public long Iterations => AfterSuccess + AfterFailure;
}

/// <summary>The outcome of a load run: measurements only; thresholds judge it.</summary>
/// <param name="Target">Base URL loaded.</param>
/// <param name="Model">Closed or open model.</param>
/// <param name="Overall">All requests of the run.</param>
/// <param name="Stages">Per stage, in order.</param>
/// <param name="Routes">Per route over the whole run.</param>
/// <param name="Iterations">Journey iterations completed (not those a capture that found nothing stopped: <see cref="CaptureMisses"/>).</param>
/// <param name="InterruptedRequests">Requests still in flight when the graceful stop ran out; each is counted as a timeout of the stage it was sent in.</param>
/// <param name="PeakConcurrency">Most requests in flight at once.</param>
/// <param name="Transport">The HTTP client that was used.</param>
public sealed record LoadResult(
    Uri Target,
    LoadModel Model,
    RequestMetrics Overall,
    IReadOnlyList<StageResult> Stages,
    IReadOnlyList<RouteResult> Routes,
    long Iterations,
    long InterruptedRequests,
    int PeakConcurrency,
    LoadTransport Transport)
{
    /// <summary>Open model: arrivals that were due but never sent because the run stopped while every connection was busy.</summary>
    /// <value>Default 0.</value>
    public long DroppedArrivals { get; init; }

    /// <summary>
    /// Open model: how long after its intended time each request was actually sent (the arrival clock's
    /// error plus any wait for a free connection); latencies are measured from the intended time.
    /// </summary>
    /// <value>Default empty (closed model).</value>
    public LatencyHistogram ScheduleLag { get; init; } = LatencyHistogram.Empty;

    /// <summary>The captures that found nothing, each with the iterations it stopped.</summary>
    /// <value>Default empty: every capture found its value (or the scenario captures nothing).</value>
    public IReadOnlyList<CaptureMiss> CaptureMisses { get; init; } = [];

    /// <summary>Why the run stopped before its last stage ended (a threshold with abort-on-fail), or null.</summary>
    /// <value>Default null: the run went to the end.</value>
    public string? AbortReason { get; init; }

    /// <summary>The metrics for a route (and optionally a stage), or null when no such route or stage ran.</summary>
    public RequestMetrics? Find(string? route, string? stage)
    {
        if (stage is null)
        {
            return route is null ? Overall : Routes.FirstOrDefault(r => r.Route == route)?.Metrics;
        }

        var s = Stages.FirstOrDefault(x => x.Name == stage);
        if (s is null)
        {
            return null;
        }

        return route is null ? s.Metrics : s.Routes.FirstOrDefault(r => r.Route == route)?.Metrics;
    }
}

/// <summary>A live look at a running load test, reported about once a second.</summary>
/// <param name="Elapsed">Time since the first stage started.</param>
/// <param name="Stage">Current stage name.</param>
/// <param name="Target">Current target: users (closed) or arrivals per second (open).</param>
/// <param name="InFlight">Requests in flight now.</param>
/// <param name="Requests">Requests completed so far.</param>
/// <param name="RequestsPerSecond">Throughput over the last interval.</param>
/// <param name="P95Ms">95th percentile latency so far.</param>
/// <param name="Errors">Failed requests so far.</param>
/// <param name="LateRequests">Open model: late requests so far.</param>
public sealed record LoadProgress(
    TimeSpan Elapsed,
    string Stage,
    double Target,
    int InFlight,
    long Requests,
    double RequestsPerSecond,
    double P95Ms,
    long Errors,
    long LateRequests);

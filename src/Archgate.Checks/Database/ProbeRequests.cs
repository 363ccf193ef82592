using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Archgate.Checks.Http;
using Archgate.Model;
using HdrHistogram;

namespace Archgate.Checks.Database;

/// <summary>The outcome of one probe request: a status, or a classified failure.</summary>
/// <param name="RetryAfter">For a 429, the wait its <c>Retry-After</c> asked for (seconds), else null.</param>
internal readonly record struct ProbeOutcome(bool Ok, string Cause, TimeSpan? RetryAfter = null)
{
    /// <summary>The cause of a 429: the service's rate limiter or admission control, not its pool.</summary>
    public const string Throttled = "HTTP 429";
}

/// <summary>What a probe load did: requests, failures by cause and the latency histogram (microseconds).</summary>
/// <param name="RetryAfter">The longest <c>Retry-After</c> a 429 asked for, or null.</param>
internal sealed record LoadOutcome(long Requests, IReadOnlyDictionary<string, long> Failures, HistogramBase Latency, TimeSpan? RetryAfter = null)
{
    public long Failed => Failures.Values.Sum();

    /// <summary>Requests the service's rate limiter turned away (429).</summary>
    public long Throttled => Failures.GetValueOrDefault(ProbeOutcome.Throttled);

    /// <summary>
    /// Requests that show a pool with no connection to give: refused (503) or timed out. A 429 is not one of them: it
    /// is the service's rate limiter talking, whatever its pool holds.
    /// </summary>
    public long Refused => Failures.Where(f => f.Key is "HTTP 503" or "timeout").Sum(f => f.Value);

    public string Describe() => Failures.Count == 0 ? "none failed"
        : string.Join(", ", Failures.OrderByDescending(f => f.Value).Select(f => $"{f.Value} x {f.Key}"));
}

/// <summary>Pool settings a service reports in its health JSON; null where it reports none.</summary>
internal sealed record ReportedPool(int? PoolSize, int? ConnectTimeoutSeconds, int? CommandTimeoutSeconds);

/// <summary>
/// Sends the manifest's probe requests (<c>GET</c>/<c>HEAD</c> through a dependant) on the run's guarded HTTP client:
/// loopback only, each request bounded by a timeout, a load bounded by its duration and concurrency.
/// </summary>
internal sealed class ProbeRequests(HttpClient http, ServiceComponent service, IReadOnlyList<DatabaseProbe> probes, TokenSource tokens)
{
    /// <summary>Timeout of one probe request. <value>5 s</value>.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How long a worker of the probe load pauses after a 429 without a <c>Retry-After</c> in seconds. <value>1 s</value>.</summary>
    public static readonly TimeSpan ThrottledPause = TimeSpan.FromSeconds(1);

    private readonly Dictionary<string, Credentials> _credentials = new(StringComparer.Ordinal);

    /// <summary>The probes that go through <paramref name="service"/>.</summary>
    public static IReadOnlyList<DatabaseProbe> Through(DatabaseComponent database, ServiceComponent service) =>
        database.Database.Probes.Where(p => p.Http is not null && p.Via == service.Name).ToList();

    /// <summary>Whether the service's URL is loopback (probe load never leaves the machine).</summary>
    public static bool IsLoopback(ServiceComponent service) =>
        service.Url is { } url && (url.IsLoopback || (IPAddress.TryParse(url.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip)));

    /// <summary>Signs in as every probe's identity (once per run and identity); returns the failure, or null.</summary>
    public async Task<string?> LoginAsync(CancellationToken cancellationToken)
    {
        foreach (var probe in probes.Where(p => p.Login is not null))
        {
            var credentials = await tokens.CredentialsAsync(probe.Login, service.Url, RequestTimeout, cancellationToken);
            if (!credentials.Ok)
            {
                return credentials.Problem;
            }

            _credentials[probe.Name] = credentials;
        }

        return null;
    }

    /// <summary>Sends one probe request.</summary>
    public async Task<ProbeOutcome> SendAsync(DatabaseProbe probe, CancellationToken cancellationToken)
    {
        var parts = probe.Http!.Split(' ', 2);
        using var request = new HttpRequestMessage(new HttpMethod(parts[0]), ProbeHttp.Under(service.Url, parts[1]));
        _credentials.GetValueOrDefault(probe.Name)?.Apply(request);

        return await SendAsync(request, cancellationToken);
    }

    /// <summary>GETs the service's health endpoint.</summary>
    public async Task<ProbeOutcome> HealthAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, ProbeHttp.Under(service.Url, service.HealthPath ?? "/"));
        return await SendAsync(request, cancellationToken);
    }

    /// <summary>
    /// The pool maximum the service reports in its health JSON (a number named <c>poolSize</c>, <c>maxPoolSize</c> or
    /// <c>pool_size</c> anywhere in it), or null. What a service reports beats what its connection string says.
    /// </summary>
    public async Task<int?> ReportedPoolSizeAsync(CancellationToken cancellationToken) =>
        (await ReportedPoolAsync(http, service, cancellationToken))?.PoolSize;

    /// <summary>
    /// The pool settings <paramref name="service"/> reports in its health JSON, or null when it has no health path,
    /// does not answer, or reports none: numbers named <c>poolSize</c> (<c>maxPoolSize</c>, <c>pool_size</c>),
    /// <c>connectTimeoutSeconds</c> (<c>connect_timeout</c>) and <c>commandTimeoutSeconds</c> (<c>command_timeout</c>),
    /// each the first found anywhere in it.
    /// </summary>
    public static async Task<ReportedPool?> ReportedPoolAsync(HttpClient http, ServiceComponent service, CancellationToken cancellationToken)
    {
        if (service.HealthPath is null)
        {
            return null;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RequestTimeout);
        try
        {
            using var response = await http.GetAsync(ProbeHttp.Under(service.Url, service.HealthPath), timeout.Token);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(timeout.Token));
            var reported = new ReportedPool(
                Find(body.RootElement, ["poolSize", "maxPoolSize", "pool_size"], 0),
                Find(body.RootElement, ["connectTimeoutSeconds", "connect_timeout"], 0),
                Find(body.RootElement, ["commandTimeoutSeconds", "command_timeout"], 0));
            return reported is { PoolSize: null, ConnectTimeoutSeconds: null, CommandTimeoutSeconds: null } ? null : reported;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is HttpRequestException or OperationCanceledException or JsonException)
        {
            return null;
        }

        static int? Find(JsonElement element, string[] names, int depth)
        {
            if (depth > 8)
            {
                return null;
            }

            if (element.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in element.EnumerateObject())
                {
                    if (names.Contains(property.Name) && property.Value.ValueKind == JsonValueKind.Number
                        && property.Value.TryGetDouble(out var value) && value > 0 && value <= int.MaxValue && value == Math.Floor(value))
                    {
                        return (int)value;
                    }
                }

                return element.EnumerateObject().Select(p => Find(p.Value, names, depth + 1)).FirstOrDefault(v => v is not null);
            }

            return element.ValueKind == JsonValueKind.Array ? element.EnumerateArray().Select(e => Find(e, names, depth + 1)).FirstOrDefault(v => v is not null) : null;
        }
    }

    /// <summary>
    /// Runs <paramref name="concurrency"/> workers that send the probes round robin for <paramref name="duration"/>. A
    /// worker answered 429 waits as its <c>Retry-After</c> asks (else <see cref="ThrottledPause"/>), never past the
    /// load's end: a rate limiter is obeyed, not hammered.
    /// </summary>
    public async Task<LoadOutcome> LoadAsync(int concurrency, TimeSpan duration, CancellationToken cancellationToken)
    {
        var histogram = new LongHistogram(TimeSpan.FromMinutes(1).Ticks / 10, 3);
        var failures = new Dictionary<string, long>(StringComparer.Ordinal);
        long requests = 0;
        TimeSpan? retryAfter = null;
        var until = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(async worker =>
        {
            for (var i = worker; until.Elapsed < duration; i++)
            {
                var start = Stopwatch.GetTimestamp();
                var outcome = await SendAsync(probes[i % probes.Count], cancellationToken);
                var micros = Math.Max(1, (long)Stopwatch.GetElapsedTime(start).TotalMicroseconds);
                lock (failures)
                {
                    requests++;
                    histogram.RecordValue(Math.Min(micros, histogram.HighestTrackableValue));
                    if (!outcome.Ok)
                    {
                        failures[outcome.Cause] = failures.GetValueOrDefault(outcome.Cause) + 1;
                    }

                    if (outcome.RetryAfter is { } asked && (retryAfter is null || asked > retryAfter))
                    {
                        retryAfter = asked;
                    }
                }

                if (outcome.Cause == ProbeOutcome.Throttled)
                {
                    var left = duration - until.Elapsed;
                    var pause = outcome.RetryAfter ?? ThrottledPause;
                    if (left > TimeSpan.Zero)
                    {
                        await Task.Delay(pause < left ? pause : left, cancellationToken);
                    }
                }
            }
        });
        await Task.WhenAll(workers);
        return new LoadOutcome(requests, failures, histogram, retryAfter);
    }

    /// <summary>
    /// The wait a <c>Retry-After</c> asks for: its seconds, or its HTTP date less the answer's own <c>Date</c> (the
    /// server's clock; <paramref name="now"/> when it sent none), never below zero. Null without one.
    /// </summary>
    internal static TimeSpan? RetryAfter(System.Net.Http.Headers.HttpResponseHeaders headers, DateTimeOffset now) =>
        Http.RetryAfter.Wait(headers.RetryAfter, headers.Date, now);

    private async Task<ProbeOutcome> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RequestTimeout);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token);
            if (response.IsSuccessStatusCode)
            {
                return new ProbeOutcome(true, "ok");
            }

            var retryAfter = response.StatusCode == HttpStatusCode.TooManyRequests ? RetryAfter(response.Headers, DateTimeOffset.UtcNow) : null;
            return new ProbeOutcome(false, ProbeHttp.Classify(response.StatusCode).Cause, retryAfter);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is HttpRequestException or OperationCanceledException)
        {
            return new ProbeOutcome(false, ProbeHttp.Classify(ex).Cause);
        }
    }
}

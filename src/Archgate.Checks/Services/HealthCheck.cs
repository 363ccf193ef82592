using System.Diagnostics;
using Archgate.Checks.Http;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Services;

/// <summary>Step 4: a service's health endpoint answers 2xx within its timeout; latency is a metric.</summary>
internal sealed class HealthCheck(ServiceComponent service) : ICheck
{
    /// <summary>How long a health endpoint may take. <value>5 s</value>.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public string Id => $"services.health:{service.Name}";

    public int Step => 4;

    public string Title => $"{service.Name} is healthy";

    public Applicability AppliesTo(SystemModel system) => Applicability.Yes;

    public async Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        var url = ProbeHttp.Under(service.Url, service.HealthPath);
        context.Activity?.Report($"GET {url}");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        var watch = Stopwatch.StartNew();
        try
        {
            using var response = await context.Http.GetAsync(url, HttpCompletionOption.ResponseContentRead, timeout.Token);
            var latency = watch.Elapsed.TotalMilliseconds;
            var metrics = new List<Metric> { Metric.ForComponent("health_latency", service.Name, latency, "ms") };
            if (response.IsSuccessStatusCode)
            {
                return CheckResult.From([], metrics) with { Reachability = Reachability.Reached };
            }

            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var failure = ProbeHttp.Classify(response.StatusCode);
            return new CheckResult
            {
                Status = CheckStatus.Fail,
                Metrics = metrics,
                TransientCause = failure.Transient ? failure.Cause : null,
                Reachability = Reachability.Reached,
                Findings =
                [
                    Findings.Create(ServiceRules.Unhealthy, Severity(),
                        component: service.Name,
                        location: $"GET {url}",
                        message: $"{service.Name} health endpoint answered {(int)response.StatusCode} {response.ReasonPhrase}",
                        evidence: ProbeHttp.Excerpt(body),
                        hint: "the body usually names the failing dependency; check the service's log"),
                ],
            };
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            var failure = ProbeHttp.Classify(ex);
            return new CheckResult
            {
                Status = CheckStatus.Fail,
                TransientCause = failure.Transient ? failure.Cause : null,
                Reachability = Reachability.Unreachable,
                Findings =
                [
                    Findings.Create(ServiceRules.Unreachable, Severity(),
                        component: service.Name,
                        location: $"GET {url}",
                        message: $"{service.Name} is not reachable: {failure.Cause}" + (failure.Cause == "timeout" ? $" after {Timeout.TotalSeconds:0} s" : string.Empty),
                        hint: failure.Cause == "host not allowed"
                            ? "add the host to targets.allow if Archgate may probe it"
                            : "is the service running at this URL? 'archgate run --up' starts the components that have a 'run' section"),
                ],
            };
        }
    }

    private Severity Severity() => service.Critical ? Protocol.Severity.Critical : Protocol.Severity.High;
}

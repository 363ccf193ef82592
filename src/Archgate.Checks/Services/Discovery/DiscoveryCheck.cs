using System.Text;
using Archgate.Checks.Http;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Services.Discovery;

/// <summary>
/// Step 4: every instance the service's <c>discovery</c> source lists answers its health endpoint. An instance the
/// source calls healthy that does not answer is registered-but-dead (AG4082); one the source itself reports down is
/// AG4083; fewer instances than declared is AG4081; a source that cannot be read is AG4080.
/// </summary>
internal sealed class DiscoveryCheck(ServiceComponent service) : ICheck
{
    /// <summary>How long one instance's health endpoint may take. <value>5 s</value>.</summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Instances probed at most; the rest are counted, not probed. <value>64</value>.</summary>
    public const int MaxProbed = 64;

    private DiscoverySpec Spec => service.Discovery!;

    public string Id => $"services.discovery:{service.Name}";

    public int Step => 4;

    public string Title => $"{service.Name}: every discovered instance is healthy";

    public Applicability AppliesTo(SystemModel system) => Applicability.Yes;

    public async Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        context.Activity?.Report($"resolving {Spec.Describe()}");
        IReadOnlyList<DiscoveredInstance> instances;
        try
        {
            instances = Spec switch
            {
                StaticDiscovery s => [.. s.Urls.Select(u => new DiscoveredInstance(u, EdgeAddress.Format(u), null, null))],
                DnsDiscovery d => await DnsResolver.ResolveAsync(d, service.Url, cancellationToken),
                _ => await RegistryResolver.ResolveAsync(Spec, context.Http, cancellationToken),
            };
        }
        catch (DiscoveryException ex)
        {
            return new CheckResult
            {
                Status = CheckStatus.Fail,
                TransientCause = ex.Transient ? "discovery source unavailable" : null,
                Findings =
                [
                    Finding(ServiceRules.DiscoveryFailed, Severity(), Spec.Describe(), $"{service.Name}'s instances could not be discovered: {ex.Message}",
                        null, "is the registry (or DNS server) running and the name registered? 'discovery' in docs/manifest.md shows each source's keys"),
                ],
            };
        }

        var findings = new List<Finding>();
        var healthy = 0;
        var evidence = new StringBuilder();
        foreach (var instance in instances.Take(MaxProbed))
        {
            context.Activity?.Report($"probing {instance.Id}");
            var (alive, what) = await ProbeAsync(context.Http, instance.Url, cancellationToken);
            healthy += alive ? 1 : 0;
            evidence.Append(instance.Id).Append(" (").Append(instance.Url).Append("): registry ").Append(instance.RegistryStatus ?? "-").Append(", probe ").AppendLine(what);
            if (instance.RegistryUp == false)
            {
                findings.Add(Finding(ServiceRules.RegistryReportsDown, Protocol.Severity.Medium, instance.Id,
                    $"{Spec.Describe()} reports {service.Name} instance {instance.Id} as {instance.RegistryStatus}" + (alive ? " although it answers its health endpoint" : string.Empty),
                    $"probe: {what}",
                    alive ? "the registry's own health check disagrees with the service: check its interval, path and timeout"
                          : "deregister the instance or bring it back; callers that ignore the registry's state would still route to it"));
            }
            else if (!alive)
            {
                findings.Add(Finding(ServiceRules.DeadInstance, Severity(), instance.Id,
                    $"{service.Name} instance {instance.Id} is registered{(instance.RegistryUp == true ? $" as {instance.RegistryStatus}" : string.Empty)} in {Spec.Describe()} but is dead: {what}",
                    $"GET {ProbeHttp.Under(instance.Url, service.HealthPath ?? "/")}: {what}",
                    instance.RegistryUp == true
                        ? "the registry still routes callers to it: give the registration a health check (or a TTL) that notices, or deregister it on shutdown"
                        : "callers resolving this name reach a dead instance: remove the record or start the instance"));
            }
        }

        if (instances.Count < Spec.MinInstances)
        {
            findings.Add(Finding(ServiceRules.TooFewInstances, Severity(), Spec.Describe(),
                $"{Spec.Describe()} lists {instances.Count} instance{(instances.Count == 1 ? string.Empty : "s")} of {service.Name}; at least {Spec.MinInstances} are declared",
                evidence.Length == 0 ? null : evidence.ToString(),
                instances.Count == 0 ? "nothing is registered under this name: is the service registering itself, under this exact name?" : "start the missing instances or lower discovery.instances"));
        }

        var metrics = new List<Metric>
        {
            Metric.ForComponent(ServiceRules.DiscoveredInstancesMetric, service.Name, instances.Count, "count"),
            Metric.ForComponent(ServiceRules.HealthyInstancesMetric, service.Name, healthy, "count"),
        };
        if (findings.Count == 0)
        {
            findings.Add(Finding(ServiceRules.InstancesHealthy, Protocol.Severity.Info, Spec.Describe(),
                $"{Spec.Describe()}: {instances.Count} instance{(instances.Count == 1 ? string.Empty : "s")} of {service.Name}, every one healthy", evidence.ToString(), null));
        }

        return CheckResult.From(findings, metrics) with { Reachability = healthy > 0 ? Reachability.Reached : null };
    }

    /// <summary>The instance's health endpoint answers 2xx (any HTTP answer below 500 when the service declares no health path).</summary>
    private async Task<(bool Alive, string What)> ProbeAsync(HttpClient http, Uri instance, CancellationToken cancellationToken)
    {
        var url = new Uri(instance, service.HealthPath ?? "/");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var code = (int)response.StatusCode;
            var alive = service.HealthPath is null ? code < 500 : response.IsSuccessStatusCode;
            return (alive, $"{code} {response.ReasonPhrase}");
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            var failure = ProbeHttp.Classify(ex);
            return (false, failure.Cause == "timeout" ? $"timeout after {ProbeTimeout.TotalSeconds:0} s" : failure.Cause);
        }
    }

    private Finding Finding(string rule, Severity severity, string location, string message, string? evidence, string? hint) =>
        Findings.Create(rule, severity, service.Name, location, message, evidence, hint);

    private Severity Severity() => service.Critical ? Protocol.Severity.Critical : Protocol.Severity.High;
}

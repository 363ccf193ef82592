using System.Text.Json;
using Archgate.Checks.Http;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Services;

/// <summary>
/// Step 4, per service with a health path and dependencies it calls: reads its readiness report and names every edge
/// whose dependency it reports degraded or unhealthy (<c>api → payments</c>), rather than only "api unhealthy". Reads
/// the JSON of ASP.NET Core health checks (<c>checks</c> or <c>entries</c>), Spring Boot Actuator (<c>components</c>),
/// NestJS Terminus (<c>details</c>), MicroProfile Health (a <c>checks</c> array), the IETF health+json draft
/// (<c>checks</c> keyed <c>component:measurement</c>) and health-go (<c>failures</c>), keyed by the dependency's
/// component name.
/// </summary>
internal sealed class EdgeReadinessCheck(HttpComponent caller, IReadOnlyList<string> dependencies) : ICheck
{
    private static readonly string[] Sections = ["checks", "entries", "components", "details"];

    /// <summary>Statuses of a dependency that say its edge is broken; <c>fail</c> and <c>warn</c> are the IETF health+json draft's.</summary>
    private static readonly string[] Broken = ["degraded", "unhealthy", "down", "out_of_service", "fail", "warn"];

    private static readonly string[] Healthy = ["healthy", "up", "pass", "ok"];

    private static readonly string[] DescriptionFields = ["description", "output", "message", "error"];

    public string Id => $"services.edges:{caller.Name}";

    public int Step => 4;

    public string Title => $"{caller.Name} reaches {string.Join(", ", dependencies)}";

    public Applicability AppliesTo(SystemModel system) => Applicability.Yes;

    public async Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        var url = ProbeHttp.Under(caller.Url, caller.HealthPath);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(HealthCheck.Timeout);
        string body;
        try
        {
            using var response = await context.Http.GetAsync(url, timeout.Token);
            body = await response.Content.ReadAsStringAsync(timeout.Token);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return CheckResult.Skipped($"{caller.Name}'s readiness could not be read ({ex.GetType().Name}); its health check reports why");
        }

        var reported = Entries(body);
        var known = dependencies.Where(d => reported.ContainsKey(d)).ToList();
        if (known.Count == 0)
        {
            return CheckResult.Skipped($"{caller.Name}'s readiness at {caller.HealthPath} names none of {string.Join(", ", dependencies)}");
        }

        var findings = new List<Finding>();
        foreach (var dependency in known)
        {
            var (status, description) = reported[dependency];
            if (IsBroken(status))
            {
                findings.Add(Findings.Create(ServiceRules.BrokenEdge, caller.Critical ? Severity.Critical : Severity.High,
                    component: caller.Name,
                    location: $"GET {url}",
                    message: $"edge {new Edge(caller.Name, dependency)} is broken: {caller.Name}'s readiness reports {dependency} {status}" +
                        (description is null ? string.Empty : $": {Http.ProbeHttp.Excerpt(description, 200)}"),
                    evidence: Http.ProbeHttp.Excerpt(body),
                    hint: $"is {dependency} running, and does {caller.Name} have its right address?"));
            }
        }

        return CheckResult.From(findings, [Metric.ForComponent("edges_reported", caller.Name, known.Count, "edges")]) with { Reachability = Reachability.Reached };
    }

    /// <summary>Whether a readiness report's status of a dependency says the edge is broken (degraded, unhealthy, down).</summary>
    internal static bool IsBroken(string status) => Broken.Contains(status, StringComparer.OrdinalIgnoreCase);

    /// <summary>Whether a readiness report's status of a dependency says it is healthy (Healthy, UP, pass, ok).</summary>
    internal static bool IsHealthy(string status) => Healthy.Contains(status, StringComparer.OrdinalIgnoreCase);

    /// <summary>Dependency name → (status, description) from a readiness report; empty when it is not one.</summary>
    internal static Dictionary<string, (string Status, string? Description)> Entries(string body)
    {
        var result = new Dictionary<string, (string Status, string? Description)>(StringComparer.OrdinalIgnoreCase);
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind != JsonValueKind.Object)
            {
                return result;
            }

            foreach (var section in Sections)
            {
                if (!json.RootElement.TryGetProperty(section, out var entries))
                {
                    continue;
                }

                if (entries.ValueKind == JsonValueKind.Array)
                {
                    // MicroProfile Health (Quarkus, Open Liberty, Helidon): [{ "name": "db", "status": "DOWN", "data": {...} }].
                    foreach (var entry in entries.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Object))
                    {
                        if (Text(entry, "name") is { } name && Status(entry) is { } status)
                        {
                            result[name] = (status, Description(entry));
                        }
                    }

                    continue;
                }

                if (entries.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                foreach (var entry in entries.EnumerateObject())
                {
                    if (entry.Value.ValueKind == JsonValueKind.Object && Status(entry.Value) is { } status)
                    {
                        result[entry.Name] = (status, Description(entry.Value));
                    }
                    else if (entry.Value.ValueKind == JsonValueKind.Array)
                    {
                        // The IETF health+json draft: "component:measurement": [{ "status": "fail", "output": "..." }, ...];
                        // the component's worst status is its status.
                        var name = entry.Name.Split(':')[0];
                        foreach (var item in entry.Value.EnumerateArray().Where(i => i.ValueKind == JsonValueKind.Object))
                        {
                            if (Status(item) is { } itemStatus && (!result.TryGetValue(name, out var seen) || (!IsBroken(seen.Status) && IsBroken(itemStatus))))
                            {
                                result[name] = (itemStatus, Description(item));
                            }
                        }
                    }
                }
            }

            // health-go (Go): only the failing checks, under "failures", each with its message.
            if (json.RootElement.TryGetProperty("failures", out var failures) && failures.ValueKind == JsonValueKind.Object)
            {
                foreach (var failure in failures.EnumerateObject())
                {
                    result[failure.Name] = ("down", failure.Value.ValueKind == JsonValueKind.String ? failure.Value.GetString() : null);
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON: nothing reported per dependency.
        }

        return result;

        static string? Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        static string? Status(JsonElement e) => Text(e, "status");
        static string? Description(JsonElement e) => DescriptionFields.Select(f => Text(e, f)).FirstOrDefault(t => t is not null);
    }
}

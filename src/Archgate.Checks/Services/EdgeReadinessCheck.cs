using System.Text.Json;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Services;

/// <summary>
/// Step 4, per service with a health path and dependencies it calls: reads its readiness report and names every edge
/// whose dependency it reports degraded or unhealthy (<c>api → payments</c>), rather than only "api unhealthy". Reads
/// the JSON of ASP.NET Core health checks (<c>checks</c> or <c>entries</c>) and of Spring Boot Actuator
/// (<c>components</c>), keyed by the dependency's component name.
/// </summary>
internal sealed class EdgeReadinessCheck(HttpComponent caller, IReadOnlyList<string> dependencies) : ICheck
{
    private static readonly string[] Sections = ["checks", "entries", "components", "details"];
    private static readonly string[] Broken = ["degraded", "unhealthy", "down", "out_of_service"];

    public string Id => $"services.edges:{caller.Name}";

    public int Step => 4;

    public string Title => $"{caller.Name} reaches {string.Join(", ", dependencies)}";

    public Applicability AppliesTo(SystemModel system) => Applicability.Yes;

    public async Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        var url = new Uri(caller.Url, caller.HealthPath);
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

    /// <summary>Dependency name → (status, description) from a readiness report; empty when it is not one.</summary>
    internal static Dictionary<string, (string Status, string? Description)> Entries(string body)
    {
        var result = new Dictionary<string, (string, string?)>(StringComparer.OrdinalIgnoreCase);
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind != JsonValueKind.Object)
            {
                return result;
            }

            foreach (var section in Sections)
            {
                if (!json.RootElement.TryGetProperty(section, out var entries) || entries.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                foreach (var entry in entries.EnumerateObject().Where(e => e.Value.ValueKind == JsonValueKind.Object))
                {
                    if (entry.Value.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.String)
                    {
                        var description = entry.Value.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
                        result[entry.Name] = (status.GetString()!, description);
                    }
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON: nothing reported per dependency.
        }

        return result;
    }
}

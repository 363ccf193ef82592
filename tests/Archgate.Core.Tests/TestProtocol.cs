using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Tests;

/// <summary>
/// A step table for Core's own tests: the protocol's ten steps and criteria, each step running the given checks of
/// its number. The real table (with the real checks) is Archgate.Checks' ArchgateProtocol.
/// </summary>
internal static class TestProtocol
{
    private static readonly (string Name, string? CriterionId, string? Description, string? Target)[] Steps =
    [
        ("Integration planning", null, null, null),
        ("API contract validation", "contracts", "API contract tests pass", "100 % of contract checks pass"),
        ("Database integration", "database", "Database connectivity verified", "every database reachable and sound"),
        ("Service-to-service", "services", "Service-to-service communication operational", "every service healthy and reachable"),
        ("Frontend-backend", "frontend", "Frontend-backend integration complete", "CORS, auth flow, CRUD and real-time work"),
        ("Third-party integration", "third-party", "Third-party integrations functional", "timeouts <= 10 s, retries, fallback"),
        ("Integration testing", "critical-paths", "Critical user paths succeed", ">= 95 % journey success"),
        ("Performance and load", "slo", "Performance SLOs met", "API p95 < 200 ms, FCP < 1.8 s, LCP < 2.5 s"),
        ("Security", "security", "Zero critical vulnerabilities", "0 critical findings"),
        ("Sign-off", "signoff", "Sign-off obtained", "every required approver signed"),
    ];

    /// <summary>Step <paramref name="number"/>'s name.</summary>
    public static string Name(int number) => Steps[number - 1].Name;

    /// <summary>
    /// The table running <paramref name="checks"/> (each in its step); <paramref name="notApplicable"/> maps step
    /// numbers to the reason the manifest has nothing for them; <paramref name="escalations"/> adds triggers.
    /// </summary>
    public static ProtocolDefinition With(
        IEnumerable<ICheck>? checks = null,
        IReadOnlyDictionary<int, string>? notApplicable = null,
        IReadOnlyDictionary<int, EscalationTrigger[]>? escalations = null)
    {
        var list = checks?.ToList() ?? [];
        return new ProtocolDefinition(Enumerable.Range(1, 10).Select(n => new StepDefinition
        {
            Number = n,
            Name = Steps[n - 1].Name,
            AppliesTo = _ => notApplicable?.GetValueOrDefault(n) is { } reason ? Applicability.No(reason) : Applicability.Yes,
            Checks = _ => list.Where(c => c.Step == n),
            Criterion = Steps[n - 1].CriterionId is { } id
                ? new CriterionDefinition(id, Steps[n - 1].Description!, Target(n))
                : null,
            Escalations = escalations?.GetValueOrDefault(n) ?? [],
            RollbackOnFailure = n >= 5,
        }).ToList());
    }

    /// <summary>Step 8's target follows the manifest's p95 SLOs, as the real table's does; the others are fixed text.</summary>
    private static Func<SystemModel, string> Target(int step) => step == 8
        ? s => s.Slos.Any(kv => kv.Value.P95 is not null)
            ? string.Join(", ", s.Slos.Where(kv => kv.Value.P95 is not null).Select(kv => $"{kv.Key} p95 < {kv.Value.P95!.Value.TotalMilliseconds} ms"))
            : Steps[7].Target!
        : _ => Steps[step - 1].Target!;
}

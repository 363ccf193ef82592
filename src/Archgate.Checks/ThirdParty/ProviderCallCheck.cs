using Archgate.Checks.Faults;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.ThirdParty;

/// <summary>
/// Step 6, per caller → provider edge: with no fault injected, the caller's drive makes it call the provider, and the
/// provider answers at the proxy. A provider that accepts and never answers, or refuses the connection, is a real
/// third-party outage (failure scenario 4), reported with the features it takes down (the caller and everything that
/// depends on it) and not blamed on the caller; a 401/403 is the caller's credentials, not an outage.
/// </summary>
internal sealed class ProviderCallCheck(ProviderEdge edge, EdgeExerciseOptions? options = null) : ICheck
{
    public string Id => $"third-party.calls:{edge.Caller.Name}->{edge.Dependency.Name}";

    public int Step => 6;

    public string Title => $"{edge.Edge}: the provider answers the caller's calls with its credentials";

    public Applicability AppliesTo(SystemModel system) => Applicability.Yes;

    public async Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        var (exercise, skip, problem) = await EdgeExercise.StartAsync(edge, context, options ?? new(), cancellationToken);
        if (exercise is null)
        {
            return skip ?? CheckResult.From([Make(edge, ThirdPartyRules.NotExercised, Severity.High, problem!, null, "check the drive target's auth in the manifest")]);
        }

        var (answered, calls) = await exercise.BaselineAsync(cancellationToken);
        var finding = Problem(edge, context.System, exercise, answered, calls) ?? Make(edge, ThirdPartyRules.Reachable, Severity.Info,
            $"{edge.Dependency.Name} answered {edge.Caller.Name}'s {answered!.Method} {answered.Target} with {answered.Status}", exercise.Timeline, "nothing to do");
        var metrics = answered?.Duration is { } d ? new[] { Metric.ForComponent("third_party_call_ms", edge.Dependency.Name, d.TotalMilliseconds, "ms") } : [];
        return CheckResult.From([finding], metrics);
    }

    /// <summary>
    /// What is wrong with a baseline call (no fault injected), or null when the provider answered below 400: no call at
    /// all, an outage (never answered, or refused), refused credentials, or provider errors.
    /// </summary>
    internal static Finding? Problem(ProviderEdge edge, SystemModel system, EdgeExercise exercise, ProxiedRequest? answered, IReadOnlyList<ProxiedRequest> calls)
    {
        var evidence = exercise.Timeline;
        var affected = Affected(system, edge.Caller.Name);
        var severity = edge.Dependency.Critical || edge.Caller.Critical ? Severity.Critical : Severity.High;
        if (answered is { Status: 401 or 403 } refused)
        {
            return Make(edge, ThirdPartyRules.Credentials, severity,
                $"{edge.Dependency.Name} refused {edge.Caller.Name}'s credentials ({refused.Status} to {refused.Method} {refused.Target}): a wrong, revoked or misplaced key, not an outage",
                evidence, $"give {edge.Caller.Name} the key {edge.Dependency.Name} expects, from the environment or a secret store");
        }

        if (answered is { Status: >= 400 } failing)
        {
            return Make(edge, ThirdPartyRules.ProviderErrors, Severity.High,
                $"{edge.Dependency.Name} answered {edge.Caller.Name}'s call with {failing.Status} before any fault was injected (third-party outage or provider error); affected: {affected}",
                evidence, $"check {edge.Dependency.Name}'s status page, test-mode settings and what {edge.Caller.Name} sends; the run does not blame {edge.Caller.Name} for an outage");
        }

        if (answered is not null)
        {
            return null;
        }

        if (calls.Count == 0)
        {
            return Make(edge, ThirdPartyRules.NotExercised, Severity.High,
                $"{exercise.DriveLabel} made no call from {edge.Caller.Name} reach {edge.Dependency.Name} through the proxy",
                evidence, $"declare a 'drive' that makes {edge.Caller.Name} call {edge.Dependency.Name}, and 'calls' with the prefix of its calls");
        }

        var how = calls.All(r => r.Duration is not null) ? "refused the connection" : "accepted the calls and never answered";
        return Make(edge, ThirdPartyRules.Outage, severity,
            $"third-party outage: {edge.Dependency.Name} {how} ({calls.Count} call(s) from {edge.Caller.Name}, no fault injected); affected: {affected}",
            evidence, $"{edge.Dependency.Name} is down for real: the run does not blame {edge.Caller.Name}; check the provider, then rerun");
    }

    /// <summary>The caller and every component that depends on it, directly or not: the features an outage of its provider takes down.</summary>
    internal static string Affected(SystemModel system, string caller)
    {
        var seen = new List<string> { caller };
        for (var i = 0; i < seen.Count; i++)
        {
            foreach (var c in system.Components.Where(c => c.DependsOn.Contains(seen[i]) && !seen.Contains(c.Name)))
            {
                seen.Add(c.Name);
            }
        }

        return string.Join(", ", seen);
    }

    private static Finding Make(ProviderEdge edge, string rule, Severity severity, string message, string? evidence, string hint) =>
        Findings.Create(rule, severity, edge.Dependency.Name, edge.Location, message, evidence, hint);
}

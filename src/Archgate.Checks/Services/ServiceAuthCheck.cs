using System.Text;
using Archgate.Checks.Faults;
using Archgate.Checks.Http;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Services;

/// <summary>
/// Step 4, per service declared with <c>requiresAuth</c>: called directly without credentials (bypassing its callers)
/// it refuses with 401 or 403 (AG4050); and each caller whose edge into it has an Archgate proxy and a <c>drive</c>
/// gets its own calls through: none of them is refused at the proxy (AG4051).
/// </summary>
internal sealed class ServiceAuthCheck(ServiceComponent service) : ICheck
{
    /// <summary>How long after the drive the caller's calls may take to reach the proxy (queued work included). <value>15 s</value>.</summary>
    public static readonly TimeSpan CallWait = TimeSpan.FromSeconds(15);

    public string Id => $"services.auth:{service.Name}";

    public int Step => 4;

    public string Title => $"{service.Name} refuses anonymous calls and takes its callers'";

    public Applicability AppliesTo(SystemModel system) => Applicability.Yes;

    public async Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        var probe = service.RequiresAuth!;
        var findings = new List<Finding>();
        var evidence = new StringBuilder();
        context.Activity?.Report($"{probe.Method} {probe.Path} on {service.Name} without credentials");
        var direct = await CallerClient.Of(service with { Auth = null }, context).SendAsync(probe, TimeSpan.Zero, cancellationToken);
        var where = $"{probe.Method} {ProbeHttp.Under(service.Url, probe.Path)}";
        if (direct.Status is null)
        {
            return new CheckResult
            {
                Status = CheckStatus.Fail,
                TransientCause = "no answer",
                Findings = [Finding(ServiceRules.AuthNotExercised, Severity.High, where, $"{service.Name} did not answer the direct call without credentials: {direct.Error}", null, "is it running?")],
            };
        }

        evidence.AppendLine($"direct, no credentials: {where} → {direct.Status}");
        if (direct.Status is not (401 or 403))
        {
            findings.Add(Finding(ServiceRules.AcceptsAnonymousCalls, service.Critical ? Severity.Critical : Severity.High, where,
                $"{service.Name} answered {direct.Status} to a call without credentials: anyone who can reach it bypasses its callers' checks",
                evidence.ToString(), "require the callers' service credential (an API key, mTLS or a token) on every route but health"));
        }

        var exercised = 0;
        foreach (var spec in context.System.Edges.Where(e => e.Edge.Dependency == service.Name && e.Drive is not null))
        {
            if ((context.Edges as EdgeProxies)?.Find(spec.Edge) is not { } proxy || context.System.Find<HttpComponent>(spec.Drive!.Via ?? spec.Edge.Caller) is not { } target)
            {
                continue;
            }

            var first = proxy.Counters.RequestCount;
            var client = CallerClient.Of(target, context);
            if (await client.SignInAsync(cancellationToken) is { } problem)
            {
                findings.Add(Finding(ServiceRules.AuthNotExercised, Severity.Medium, spec.Edge.ToString(), problem, null, $"check {target.Name}'s auth in the manifest"));
                continue;
            }

            context.Activity?.Report($"{spec.Edge}: driving {target.Name} with {spec.Drive.Method} {spec.Drive.Path}");
            var answer = await client.SendAsync(spec.Drive, TimeSpan.Zero, cancellationToken);
            var deadline = context.Time.GetUtcNow() + CallWait;
            List<ProxiedRequest> calls;
            while (true)
            {
                calls = [.. proxy.Counters.Requests.Skip(first).Where(r => r.Status is not null && (spec.Calls is null || r.Target.StartsWith(spec.Calls, StringComparison.Ordinal)))];
                if (calls.Count > 0 || context.Time.GetUtcNow() >= deadline)
                {
                    break;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(200), context.Time, cancellationToken);
            }

            exercised++;
            var seen = $"{spec.Edge}: {target.Name} answered {spec.Drive.Method} {spec.Drive.Path} with {answer.Status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? answer.Error}; " +
                $"at the proxy: {(calls.Count == 0 ? "no call" : string.Join(", ", calls.Select(c => $"{c.Method} {c.Target} → {c.Status}")))}";
            evidence.AppendLine(seen);
            var refused = calls.Where(c => c.Status is 401 or 403).ToList();
            if (refused.Count > 0)
            {
                findings.Add(Finding(ServiceRules.CallerRefused, Severity.High, spec.Edge.ToString(),
                    $"{service.Name} refused {refused.Count} of {calls.Count} call(s) of {spec.Edge.Caller} ({refused[0].Status}): {spec.Edge.Caller} sends no valid service credential",
                    seen, $"give {spec.Edge.Caller} the credential {service.Name} expects"));
            }
            else if (calls.Count == 0)
            {
                findings.Add(Finding(ServiceRules.AuthNotExercised, Severity.Medium, spec.Edge.ToString(),
                    $"no call of {spec.Edge.Caller} reached {service.Name} within {CallWait.TotalSeconds:0} s of the drive", seen,
                    "declare a drive that makes the caller call the service (and 'calls' for the guarded path)"));
            }
        }

        if (findings.Count == 0)
        {
            findings.Add(Finding(ServiceRules.AuthWorks, Severity.Info, where,
                exercised > 0
                    ? $"{service.Name} refuses calls without credentials and takes its callers'"
                    : $"{service.Name} refuses calls without credentials; no caller's call was tried (no edge to it declares a drive)",
                evidence.ToString(), null));
        }

        return CheckResult.From(findings) with { Reachability = Reachability.Reached };
    }

    private Finding Finding(string rule, Severity severity, string location, string message, string? evidence, string? hint) =>
        Findings.Create(rule, severity, service.Name, location, message, evidence, hint);
}

using System.Globalization;
using Archgate.Checks.Faults;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.Journeys;

/// <summary>
/// Step 7, a network failure in the middle of a journey: one HTTP journey of the service (a critical one first) runs
/// through Archgate's fault proxy; halfway through its steps the network goes down (connections refused and open ones
/// cut), so the step there gets no answer. With the network back, the journey is run again from its start and must
/// succeed: what the interrupted run left behind (a reservation, a lock, a half-written resource) must not block it.
/// The first try again is the same intent, as a client retries what it was doing: the cut run's <c>{uuid}</c> and
/// <c>{run}</c>, so an Idempotency-Key made from them is sent again and an idempotent create answers with what it made.
/// Only when that fails is the journey run as a new one (a fresh <c>{uuid}</c>), as a user starting over would; it is
/// not recovered when both fail.
/// </summary>
internal sealed class NetworkFailureCheck(ServiceComponent service) : ICheck
{
    public string Id => $"journeys.network-failure:{service.Name}";

    public int Step => 7;

    public string Title => $"{service.Name}: a journey cut by a network failure halfway can be run again";

    public Applicability AppliesTo(SystemModel system) =>
        Pick(system) is null ? Applicability.No($"no journey with two or more HTTP steps (and no browser steps) calls {service.Name}")
        : Applicability.Yes;

    private Journey? Pick(SystemModel system) => system.Journeys
        .Where(j => j.Service == service.Name && !j.HasBrowserSteps && j.Steps.Count(s => s.Request is not null) >= 2)
        .OrderByDescending(j => j.Critical)
        .FirstOrDefault();

    public async Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        var journey = await Performance.LoadScenario.WithContractLoginsAsync(context.System, Pick(context.System)!, cancellationToken);
        var url = service.Url;
        await using var proxy = FaultProxy.Start($"archgate -> {service.Name}", url.Host, url.Port, ProxyMode.Tcp);
        var through = new UriBuilder(url) { Host = url.IsLoopback ? url.Host : "127.0.0.1", Port = proxy.Port }.Uri;
        var variables = new Dictionary<string, string>(journey.Variables, StringComparer.Ordinal);
        var setup = await JourneyRunner.RunAsync(context.Http, through, journey.Setup, variables, cancellationToken);
        if (!setup.Ok)
        {
            return NotRun($"'{journey.Name}''s setup failed at {setup.FailedStep} ({setup.Problem})", setup.Evidence);
        }

        var cut = journey.Steps.Count / 2;
        var first = JourneyRunner.Start(variables, 1);
        var before = await JourneyRunner.RunAsync(context.Http, through, journey.Steps.Take(cut).ToList(), first, cancellationToken);
        if (!before.Ok)
        {
            // No failure was injected yet: the replay says nothing of how the journey survives one. The journey's own check
            // judges its steps; here it is not evaluated (often what an earlier check left blocks the replay's create).
            var why = $"'{journey.Name}' failed before the network failure, at {before.FailedStep} ({before.Problem}), so the network failure was not tried";
            return new CheckResult
            {
                Status = CheckStatus.Skipped,
                Reason = why,
                Findings = [Finding(JourneyRules.NetworkFailureSummary, Severity.Info, service.Name, $"not evaluated: {why}", before.Evidence,
                    "if the journey's own runs pass at that step, an earlier check's leftover (a unique slot it holds) is in the way; see the edge-case summary")],
            };
        }

        context.Activity?.Report($"'{journey.Name}': the network to {service.Name} goes down at step {cut + 1}");
        JourneyRun during;
        using (proxy.Add(new RefusedToxic()))
        {
            during = await JourneyRunner.RunAsync(context.Http, through, journey.Steps.Skip(cut).Take(1).ToList(), first, cancellationToken);
        }

        var cutStep = $"step {cut + 1}{(journey.Steps[cut].Request is { } r ? $" ({r.Name ?? $"{r.Method} {r.Path}"})" : string.Empty)}";
        var downEvidence = during.Ok ? "it was answered (the failure did not reach it)" : $"it got no answer: {during.Problem}";
        // The same intent again (the cut run's {uuid} and {run}, not its captures), then, if that fails, a new run.
        var same = await JourneyRunner.RunAsync(context.Http, through, journey.Steps, SameIntent(variables, first), cancellationToken);
        var retry = same.Ok ? same : await JourneyRunner.RunAsync(context.Http, through, journey.Steps, JourneyRunner.Start(variables, 2), cancellationToken);
        // A new run the service answered "try again shortly" (503 or 429 with a Retry-After of at most 10 s: a dependency
        // briefly away) is waited out once, as a client starting over would, and run anew: that answer is no leftover.
        var waited = string.Empty;
        if (!retry.Ok && retry.RetryAfter is { } after && after <= MaxRetryAfter)
        {
            var first503 = retry;
            await Task.Delay(after < TimeSpan.Zero ? TimeSpan.Zero : after, context.Time, cancellationToken);
            retry = await JourneyRunner.RunAsync(context.Http, through, journey.Steps, JourneyRunner.Start(variables, 3), cancellationToken);
            waited = string.Create(CultureInfo.InvariantCulture, $" after its first try at {first503.FailedStep} was answered {first503.Problem} with a Retry-After of {after.TotalSeconds:0.#} s, waited");
        }

        var findings = new List<Finding>();
        if (!retry.Ok)
        {
            findings.Add(Finding(JourneyRules.NotRecovered, Severity.High, journey.Name,
                $"after a network failure at {cutStep} of '{journey.Name}' ({downEvidence}), the journey run again from its start failed: with the same {{uuid}} at {same.FailedStep}: {same.Problem}; " +
                $"as a new run{waited} at {retry.FailedStep}: {retry.Problem}",
                $"the same {{uuid}}:\n{same.Evidence}\nas a new run:\n{retry.Evidence}",
                "what an interrupted journey left behind must not block the next try: make writes idempotent (answer a repeated Idempotency-Key with what it made) or time out reservations, and let a client start over"));
        }
        else
        {
            var how = same.Ok
                ? "the journey run again from its start with the same {uuid} succeeded"
                : $"the journey run again from its start with the same {{uuid}} failed at {same.FailedStep} ({same.Problem}), as a new run it succeeded{waited}";
            findings.Add(Finding(JourneyRules.NetworkFailureSummary, Severity.Info, journey.Name,
                string.Create(CultureInfo.InvariantCulture, $"'{journey.Name}': the network went down at {cutStep} ({downEvidence}); with it back, {how}"),
                null));
        }

        return CheckResult.From(findings) with { TransientCause = retry.TransientCause };
    }

    /// <summary>The longest <c>Retry-After</c> a new run waits out before it runs once more. <value>10 s</value>.</summary>
    internal static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(10);

    /// <summary>The variables the cut run started with (its <c>run</c> and <c>uuid</c>), without what it captured.</summary>
    internal static Dictionary<string, string> SameIntent(IReadOnlyDictionary<string, string> shared, IReadOnlyDictionary<string, string> cut) =>
        new(shared, StringComparer.Ordinal) { ["run"] = cut["run"], ["uuid"] = cut["uuid"] };

    private CheckResult NotRun(string why, string? evidence) => new()
    {
        Status = CheckStatus.Error,
        Reason = why,
        Findings = [Finding(JourneyRules.NetworkFailureSummary, Severity.Info, service.Name, $"the network failure was not tried: {why}", evidence)],
    };

    private Finding Finding(string rule, Severity severity, string location, string message, string? evidence, string? hint = null) =>
        Findings.Create(rule, severity, service.Name, location, message, evidence, hint);
}

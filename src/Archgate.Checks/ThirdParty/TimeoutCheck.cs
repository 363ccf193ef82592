using Archgate.Checks.Faults;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.ThirdParty;

/// <summary>
/// Step 6 per caller → provider edge (and step 4 per service edge with a <c>policy</c>): after a baseline call that the
/// dependency answers, blackholes the dependency at the edge's proxy, drives the caller once, and proves that the caller
/// answers its own client within its timeout plus tolerance with a degraded answer (not a 5xx, not a hang), and that
/// it gives up on each unanswered attempt and on the whole operation within its timeout (the proxy records when the
/// caller closed each one). A dependency already not answering before any fault is an outage, and the check fails
/// with it. Evidence: a timeline and the attempts at the proxy. The fault goes whatever happens.
/// </summary>
internal sealed class TimeoutCheck(ProviderEdge edge, int step, EdgeExerciseOptions? options = null) : ICheck
{
    public string Id => $"{(step == 6 ? "third-party" : "services")}.timeout:{edge.Caller.Name}->{edge.Dependency.Name}";

    public int Step => step;

    public string Title => $"{edge.Edge}: with {edge.Dependency.Name} blackholed, {edge.Caller.Name} times out within {AttemptReport.Sec(edge.Expected.Timeout)} and falls back";

    public Applicability AppliesTo(SystemModel system) => Applicability.Yes;

    public async Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        var findings = new List<Finding>();
        var expected = edge.Expected;
        if (step == 6 && expected.Timeout > ProviderEdge.ProtocolTimeout)
        {
            findings.Add(Finding(ThirdPartyRules.TimeoutAboveProtocol, Severity.Medium,
                $"{edge.Dependency.Name}'s declared timeout {AttemptReport.Sec(expected.Timeout)} is above the protocol's {AttemptReport.Sec(ProviderEdge.ProtocolTimeout)}", null,
                "a third-party call, retries included, should give up within 10 s"));
        }

        var (exercise, skip, problem) = await EdgeExercise.StartAsync(edge, context, options ?? new(), cancellationToken);
        if (exercise is null)
        {
            return skip ?? CheckResult.From([Finding(ThirdPartyRules.NotExercised, Severity.High, problem!, null, "check the drive target's auth in the manifest")]);
        }

        var (answered, calls) = await exercise.BaselineAsync(cancellationToken);
        if (ProviderCallCheck.Problem(edge, context.System, exercise, answered, calls) is { } baseline)
        {
            findings.Add(baseline with { Message = $"{baseline.Message}; the timeout cannot be proved against a {edge.Dependency.Name} that does not work without a fault" });
            return CheckResult.From(findings);
        }

        var window = await exercise.UnderFaultAsync(new BlackholeToxic(), drives: 1, cancellationToken);
        var completed = await exercise.AwaitCompletionAsync(window, cancellationToken);
        var report = AttemptAnalysis.Analyze(window.Requests, expected, window.Removed, later: exercise.Since(window.Removed),
            answered: exercise.AnsweredAt(window));
        var evidence = exercise.Timeline + "attempts at the proxy:\n" + report.Describe(exercise.Origin);

        var answer = window.Answers[0];
        var limit = expected.Timeout + expected.Tolerance;
        if (answer.Latency > limit || !exercise.IsFallback(answer))
        {
            findings.Add(Finding(ThirdPartyRules.SlowCaller, edge.Caller.Critical ? Severity.Critical : Severity.High,
                $"with {edge.Dependency.Name} blackholed, {exercise.DriveLabel} {EdgeExercise.Answered(answer)}: " +
                (answer.Latency > limit ? $"later than the {AttemptReport.Sec(expected.Timeout)} timeout (+{AttemptReport.Sec(expected.Tolerance)})" : exercise.NotFallback(answer)),
                evidence, $"bound {edge.Caller.Name}'s calls to {edge.Dependency.Name} by a timeout and answer with the documented fallback meanwhile"));
        }

        if (window.Requests.Count == 0)
        {
            findings.Add(Finding(ThirdPartyRules.NotExercised, Severity.High, $"with the fault on, {exercise.DriveLabel} made no call reach {edge.Dependency.Name}", evidence,
                $"declare a 'drive' that makes {edge.Caller.Name} call {edge.Dependency.Name} each time"));
        }
        else if (report.Timeouts.Failed)
        {
            findings.Add(Finding(ThirdPartyRules.NoTimeout, edge.Caller.Critical ? Severity.Critical : Severity.High,
                $"{edge.Edge}: {report.Timeouts.Detail}", evidence,
                $"give each call from {edge.Caller.Name} to {edge.Dependency.Name} an attempt timeout and a total timeout of at most {AttemptReport.Sec(expected.Timeout)}"));
        }

        if (findings.All(f => f.Severity < Severity.High))
        {
            findings.Add(Finding(ThirdPartyRules.TimeoutsHold, Severity.Info,
                $"{edge.Edge}: {exercise.DriveLabel} {EdgeExercise.Answered(answer)} with {edge.Dependency.Name} blackholed; {report.Timeouts.Detail}" +
                (completed is { } c ? $"; the queued work completed {AttemptReport.Sec(c)} after the fault went" : string.Empty),
                evidence, "nothing to do"));
        }

        var metrics = new List<Metric>
        {
            Metric.ForComponent("timeout_caller_answer_ms", edge.Caller.Name, answer.Latency.TotalMilliseconds, "ms"),
            Metric.ForComponent("timeout_attempts", edge.Caller.Name, window.Requests.Count, "calls"),
        };
        return CheckResult.From(findings, metrics);
    }

    private Finding Finding(string rule, Severity severity, string message, string? evidence, string hint) =>
        Findings.Create(rule, severity, edge.Caller.Name, edge.Location, message, evidence, hint);
}

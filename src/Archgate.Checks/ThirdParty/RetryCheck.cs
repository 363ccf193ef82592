using Archgate.Checks.Faults;
using Archgate.Checks.Http;
using Archgate.Model;
using Archgate.Protocol;

namespace Archgate.Checks.ThirdParty;

/// <summary>
/// Step 6 per caller → provider edge (and step 4 per service edge with a <c>policy</c>): the dependency answers 503 at
/// the edge's proxy while the caller is driven, in <see cref="EdgeExerciseOptions.RetryRounds"/> rounds (one operation
/// each, the fault removed in between so a breaker can close; up to <see cref="EdgeExerciseOptions.MaxRetryRounds"/>
/// while the backoff rests on one operation). A round that follows one whose work was lost starts once the caller has
/// called the dependency again with no fault (<see cref="EdgeExercise.RecoverAsync"/>): nothing else closes a breaker the
/// lost round opened, and a round cut short by the caller's breaker is no proof that it gives up early. The attempts are judged by <see cref="AttemptAnalysis"/>: bounded by the declared retries, waits growing, jitter between rounds, one
/// Idempotency-Key per retried write. After each round the work the caller queued must complete by itself (the
/// fallback: queue for later); work that never does is lost, critical. When the provider declares a <c>ledger</c>, one
/// more round lets the calls reach it and loses its answers, then the ledger must hold one charge per operation (more
/// is a double charge, critical). The fault goes whatever happens.
/// </summary>
internal sealed class RetryCheck(ProviderEdge edge, int step, EdgeExerciseOptions? options = null) : ICheck
{
    private readonly EdgeExerciseOptions _options = options ?? new();

    public string Id => $"{(step == 6 ? "third-party" : "services")}.retries:{edge.Caller.Name}->{edge.Dependency.Name}";

    public int Step => step;

    public string Title => $"{edge.Edge}: retries bounded, backing off with jitter, one idempotency key; queued work completes after the outage{(edge.Provider?.Ledger is null ? string.Empty : $"; {edge.Dependency.Name}'s ledger shows one charge per operation")}";

    public Applicability AppliesTo(SystemModel system) => Applicability.Yes;

    public async Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken)
    {
        var (exercise, skip, problem) = await EdgeExercise.StartAsync(edge, context, _options, cancellationToken);
        if (exercise is null)
        {
            return skip ?? CheckResult.From([Finding(ThirdPartyRules.NotExercised, Severity.High, problem!, null, "check the drive target's auth in the manifest")]);
        }

        var (answered, calls) = await exercise.BaselineAsync(cancellationToken);
        if (ProviderCallCheck.Problem(edge, context.System, exercise, answered, calls) is { } baseline)
        {
            return CheckResult.From([baseline with { Message = $"{baseline.Message}; retries and the fallback cannot be proved against a {edge.Dependency.Name} that does not work without a fault" }]);
        }

        var windows = new List<FaultWindow>();
        var completions = new List<TimeSpan?>();

        // A round's work was lost: no answered call closed a breaker it may have opened, so the caller is driven with
        // no fault until one is. False when none is answered.
        async Task<bool> RecoveredAsync() => completions[^1] is not null || await exercise.RecoverAsync(cancellationToken);

        List<ProxiedRequest> requests;
        AttemptReport report;
        while (true)
        {
            exercise.Note($"round {windows.Count + 1}");
            var window = await exercise.UnderFaultAsync(new ErrorStatusToxic(503), drives: 1, cancellationToken);
            windows.Add(window);
            completions.Add(await exercise.AwaitCompletionAsync(window, cancellationToken));
            requests = [.. windows.SelectMany(w => w.Requests)];
            var outside = exercise.Since(windows[0].Start).Where(r => !windows.Any(w => r.At >= w.Start && r.At < w.Removed));
            report = AttemptAnalysis.Analyze(requests, edge.Expected, windows[^1].Removed, operations: windows.Count, later: outside,
                answered: exercise.AnsweredAt(windows), rounds: windows.Select(w => w.Start));
            if (windows.Count >= _options.RetryRounds && (windows.Count >= _options.MaxRetryRounds || !Unproved(report)))
            {
                break;
            }

            // When no call is answered with no fault, another round has nothing more to show.
            if (!await RecoveredAsync())
            {
                break;
            }
        }

        var evidence = exercise.Timeline + "attempts at the proxy:\n" + report.Describe(exercise.Origin);
        var findings = new List<Finding>();
        var high = edge.Caller.Critical ? Severity.Critical : Severity.High;
        // A round the caller refused outright (a 503 of its own, no call made) took no work: that is the finding, not lost work.
        var refused = windows.Select((w, i) => (Window: w, Round: i + 1)).Where(r => exercise.Refused(r.Window)).ToList();
        if (refused.Count > 0)
        {
            var expected = edge.Spec is { FallbackStatus.Count: > 0 } spec ? $"its fallback ({string.Join(", ", spec.FallbackStatus)})" : "a degraded answer below 500";
            findings.Add(Finding(ThirdPartyRules.RefusedWork, high,
                $"{edge.Edge}: while {edge.Dependency.Name} answered 503, {exercise.DriveLabel} was refused in {string.Join(" and ", refused.Select(r => $"round {r.Round} ({string.Join(", ", r.Window.Answers.Select(EdgeExercise.Describe))})"))} and no call reached {edge.Dependency.Name}: " +
                $"{edge.Caller.Name} turned the operation away instead of {expected}, so its client must try again",
                evidence, $"take the work while {edge.Dependency.Name} fails ({edge.Policy.Fallback ?? "queue"}: keep it and send it once {edge.Dependency.Name} is back) and answer with the fallback; if a breaker refuses it, queue behind the breaker; or declare 'fallback.status' when this answer is the one intended"));
        }

        if (requests.Count == 0)
        {
            findings.Add(Finding(ThirdPartyRules.NotExercised, Severity.High, $"{exercise.DriveLabel} made no call reach {edge.Dependency.Name} while it answered 503", evidence,
                $"declare a 'drive' that makes {edge.Caller.Name} call {edge.Dependency.Name}"));
            return CheckResult.From(findings);
        }

        Judge(report.Bounded, ThirdPartyRules.Unbounded, high, $"cap {edge.Caller.Name}'s retries to {edge.Dependency.Name} at {edge.Expected.Retries}, as declared");
        Judge(report.Retried, ThirdPartyRules.NoRetry, Severity.High, $"retry transient failures (5xx, timeouts) of {edge.Dependency.Name} up to {edge.Expected.Retries} times before falling back");
        Judge(report.Backoff, ThirdPartyRules.NoBackoff, Severity.High, "wait longer before each retry (exponential backoff: Polly's DelayBackoffType.Exponential)");
        Judge(report.Jitter, ThirdPartyRules.NoJitter, Severity.Medium, "add jitter to the backoff (Polly's UseJitter) so callers do not retry in step");
        var keyless = report.Keys.Failed && report.Keys.Detail.Contains("without an Idempotency-Key", StringComparison.Ordinal);
        Judge(report.Keys, ThirdPartyRules.IdempotencyKey, keyless ? Severity.Medium : Severity.High, "send one Idempotency-Key per operation, the same on every retry");

        // Reads that failed owe nothing afterwards (GET /items/1 with a default meanwhile), nor does a best-effort call
        // (fallback: degrade, a notification dropped): only rounds with writes of a queueing fallback count.
        var owed = windows.Select((w, i) => (OwesWork: w.OwesWork && !exercise.Refused(w), Completion: completions[i])).Where(w => w.OwesWork && edge.Policy.OwesWork).ToList();
        var lost = owed.Count(w => w.Completion is null);
        if (lost > 0)
        {
            findings.Add(Finding(ThirdPartyRules.LostWork, Severity.Critical,
                $"{edge.Edge}: the work {edge.Caller.Name} took during {lost} of {owed.Count} outage(s) of {edge.Dependency.Name} never completed within {AttemptReport.Sec(edge.Within)} after it ended: the fallback lost it",
                evidence, $"queue the work {edge.Caller.Name} cannot hand to {edge.Dependency.Name} (an outbox) and send it again once {edge.Dependency.Name} is back"));
        }

        Metric? ledgerMetric = null;
        if (edge.Provider?.Ledger is { } ledger)
        {
            // The rounds above were answered by the proxy: nothing reached the provider. This one reaches it and loses
            // its answers, as a response lost on its way back does: the caller cannot know the charge was made.
            await RecoveredAsync(); // as before any round that follows lost work

            // Without keys, the rows this round adds are its operation's charges: what the ledger held before it is
            // needed to tell them (only 'operation' can group them, so only then is it read).
            var before = ledger.Operation is null ? null : await ProviderLedger.ReadAsync(edge.Dependency, ledger, context.Http, TokenSource.Of(context), cancellationToken);
            exercise.Note($"round {windows.Count + 1}: the provider's answers lost");
            var lostRound = await exercise.UnderFaultAsync(new LostAnswerToxic(503), drives: 1, cancellationToken);
            // The provider may have done the work and told the caller by its webhook: a resend is not owed, so the
            // wait for one is bounded by the edge's timeout, not by the fallback's 'within'.
            var resendWait = edge.Expected.Timeout < edge.Within ? edge.Expected.Timeout : edge.Within;
            await exercise.AwaitCompletionAsync(lostRound, cancellationToken, resendWait);
            var read = await ProviderLedger.ReadAsync(edge.Dependency, ledger, context.Http, TokenSource.Of(context), cancellationToken);
            var rounds = windows.Select((w, i) => ($"round {i + 1}", w)).Append(($"round {windows.Count + 1}, answers lost", lostRound)).ToList();
            var operations = ChargeLedger.Operations(rounds, exercise.Since(windows[0].Start));
            var reached = string.Join("\n", lostRound.Requests.Select(r => $"  {exercise.At(r.At)}  {r.Method} {r.Target} key {r.IdempotencyKey ?? "(none)"}: {r.Fault}"));
            var timeline = exercise.Timeline + $"attempts that reached {edge.Dependency.Name} with their answers lost:\n{reached}\n";
            (var ledgerFindings, ledgerMetric) = ChargeLedger.Judge(edge, ledger, read, operations, timeline, before);
            findings.AddRange(ledgerFindings.Where(f => f.Severity >= Severity.High));
            if (findings.All(f => f.Severity < Severity.High))
            {
                findings.AddRange(ledgerFindings);
            }
        }

        if (findings.All(f => f.Severity < Severity.High))
        {
            findings.Add(Finding(ThirdPartyRules.RetriesWork, Severity.Info,
                $"{edge.Edge}: {report.Bounded.Detail}; {report.Backoff.Detail}; {report.Jitter.Detail}; {report.Keys.Detail}", evidence, "nothing to do"));
            if (!edge.Policy.OwesWork && windows.Any(w => w.OwesWork))
            {
                findings.Add(Finding(ThirdPartyRules.QueuedWorkCompleted, Severity.Info,
                    $"{edge.Edge}: fallback {edge.Policy.Fallback}: a best-effort call, so the work {edge.Caller.Name} took during the outages of {edge.Dependency.Name} was not awaited afterwards",
                    null, $"nothing to do; declare fallback: queue when {edge.Caller.Name} must send that work again"));
            }
            else if (lost == 0 && owed.Count > 0)
            {
                findings.Add(Finding(ThirdPartyRules.QueuedWorkCompleted, Severity.Info,
                    $"{edge.Edge}: after each outage the queued work completed by itself, within {string.Join(", ", owed.Select(w => AttemptReport.Sec(w.Completion!.Value)))}",
                    null, "nothing to do"));
            }
        }

        var metrics = new List<Metric>
        {
            Metric.ForComponent("retry_attempts_max", edge.Caller.Name, report.Operations.Count == 0 ? 0 : report.Operations.Max(o => o.Attempts.Count), "calls"),
            Metric.ForComponent("retry_operations", edge.Caller.Name, report.Operations.Count, "count"),
        };
        if (ledgerMetric is not null)
        {
            metrics.Add(ledgerMetric);
        }

        metrics.AddRange(completions.OfType<TimeSpan>().Select(c => Metric.ForComponent("fallback_completion_ms", edge.Caller.Name, c.TotalMilliseconds, "ms")));
        return CheckResult.From(findings, metrics);

        void Judge(Judgement judgement, string rule, Severity severity, string hint)
        {
            if (judgement.Failed)
            {
                findings.Add(Finding(rule, severity, $"{edge.Edge}: {judgement.Detail}", evidence, hint));
            }
        }
    }

    /// <summary>
    /// Whether the verdicts want more operations: an attempt past the retries that may be the queue's resend has no
    /// operation to be told by (<see cref="AttemptReport.ResendUndecided"/>); the backoff was not proved and rests on a
    /// single operation of three attempts or more (no round more when no operation retried twice: nothing more to
    /// learn); or one operation's waits can look flat by chance under
    /// decorrelated jitter; and waits that are all short (under <see cref="NoiseFloor"/>) can be flattened by a loaded
    /// machine, which adds a few hundred ms to each (0.36, 0.28, 0.60 s and 0.29, 0.32, 0.31 s were seen from Polly's
    /// exponential backoff from 100 ms in CI), so "no backoff" on such waits rests on every round allowed.
    /// </summary>
    private static bool Unproved(AttemptReport report) =>
        report.ResendUndecided || (report.Backoff.Outcome != Outcome.Pass && (report.Operations.Count(o => o.Attempts.Count >= 3) == 1
            || (report.Backoff.Outcome == Outcome.Fail && report.Operations.SelectMany(o => o.Waits).All(w => w < NoiseFloor))));

    /// <summary>Waits all below this leave a "no backoff" verdict to be confirmed over more rounds. <value>1 s</value>.</summary>
    internal static readonly TimeSpan NoiseFloor = TimeSpan.FromSeconds(1);

    private Finding Finding(string rule, Severity severity, string message, string? evidence, string hint) =>
        Findings.Create(rule, severity, edge.Caller.Name, edge.Location, message, evidence, hint);
}

using System.Diagnostics;
using System.Security.Cryptography;
using Archgate.Model;
using Archgate.Planning;
using Archgate.Store;
using Archgate.Judging;
using Archgate.Launch;

namespace Archgate.Protocol;

/// <summary>Options of one run.</summary>
public sealed record RunOptions
{
    /// <summary>Steps to run. <value>All ten</value> by default.</summary>
    public IReadOnlySet<int> Steps { get; init; } = Enumerable.Range(1, ProtocolSteps.Count).ToHashSet();

    /// <summary>Folder for the run's files; <c>{runId}</c> is replaced. <value>.archgate/runs/{runId}</value> by default.</summary>
    public string OutputDirectory { get; init; } = Path.Combine(".archgate", "runs", "{runId}");

    /// <summary>
    /// Leave the databases as the failed run left them (<c>--keep-state</c>, for debugging): the rollback commands
    /// still run, the snapshots are kept in the run folder instead of being restored. <value>false</value>.
    /// </summary>
    public bool KeepState { get; init; }
}

/// <summary>
/// Runs the protocol's steps in order, as the step table defines them: each applicable step's checks, retries of
/// transient failures with exponential backoff and jitter, a checkpoint in the <see cref="IRunStore"/> after every
/// step, then criteria, escalations, rollback hooks and the verdict. Resuming continues from the first step
/// without a checkpoint.
/// </summary>
public sealed class ProtocolRunner(
    IRunStore store,
    ProtocolDefinition protocol,
    HttpClient http,
    IRunObserver? observer = null,
    TimeProvider? time = null,
    Random? random = null)
{
    private readonly IRunObserver _observer = observer ?? NullRunObserver.Instance;
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Random _random = random ?? Random.Shared;

    /// <summary>Called with the run id once the run is stored and before its first step (for its lease and the processes started for it).</summary>
    public Action<string>? Opened { get; init; }

    /// <summary>The proxies on the edges of the system the session started, for checks that inject faults; null when none. <value>null</value>.</summary>
    public Launch.IEdgeProxies? Edges { get; init; }

    /// <summary>
    /// The processes of the system the session started, watched for exits: after each check, every exit noticed since
    /// the last check and not caused by Archgate becomes an AG4003 finding on it; null when none. <value>null</value>.
    /// </summary>
    public IComponentProcesses? Processes { get; init; }

    // How many of Processes' exits are already accounted for (reported on a check, or expected).
    private int _exitsSeen;

    // When the last check that ran (not skipped: a skipped one leaves exits to the next) finished: where the window of
    // the exits no check reported opens.
    private DateTimeOffset _lastCheckFinished;

    /// <summary>The id of the run started or resumed last, known as soon as it is stored.</summary>
    public string? RunId { get; private set; }

    /// <summary>A new run id: sortable by start time, unique by its random suffix.</summary>
    public static string NewRunId(DateTimeOffset now) =>
        $"{now.UtcDateTime:yyyyMMdd-HHmmss}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2))}";

    /// <summary>The output folder of a run.</summary>
    public static string OutputFor(RunOptions options, string runId) =>
        Path.GetFullPath(options.OutputDirectory.Replace("{runId}", runId, StringComparison.Ordinal));

    /// <summary>Starts a new run. Cancellation marks the run cancelled in the store and rethrows.</summary>
    public Task<RunRecord> StartAsync(SystemModel system, RunOptions options, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var record = new RunRecord
        {
            RunId = NewRunId(now),
            System = system.Name,
            ManifestPath = system.ManifestPath,
            ManifestSha256 = system.ManifestSha256,
            StartedAt = now,
            SelectedSteps = options.Steps.Order().ToList(),
            SignoffPolicy = system.Signoff,
            Graph = GraphOf(system),
        };
        store.SaveRun(record, Environment.ProcessId);
        RunId = record.RunId;
        Opened?.Invoke(record.RunId);
        return ContinueAsync(system, record, options, cancellationToken);
    }

    /// <summary>Resumes <paramref name="previous"/> from its first step without a checkpoint.</summary>
    public Task<RunRecord> ResumeAsync(SystemModel system, RunRecord previous, RunOptions options, CancellationToken cancellationToken)
    {
        var record = previous with
        {
            State = RunState.Running, Resumes = previous.Resumes + 1, FinishedAt = null, Verdict = null, SignoffPolicy = previous.SignoffPolicy ?? system.Signoff,
            Graph = previous.Graph.Count > 0 ? previous.Graph : GraphOf(system),
        };
        store.SaveRun(record, Environment.ProcessId);
        RunId = record.RunId;
        Opened?.Invoke(record.RunId);
        return ContinueAsync(system, record, options with { Steps = previous.SelectedSteps.ToHashSet() }, cancellationToken);
    }

    /// <summary>The dependency graph of <paramref name="system"/> as the plan orders it, for the reports.</summary>
    public static IReadOnlyList<GraphNode> GraphOf(SystemModel system) =>
        Planner.Plan(system).Order.Select(p => new GraphNode(p.Component.Name, p.Component.Kind, p.Wave, p.Component.DependsOn)).ToList();

    private async Task<RunRecord> ContinueAsync(SystemModel system, RunRecord record, RunOptions options, CancellationToken cancellationToken)
    {
        var output = OutputFor(options, record.RunId);
        Directory.CreateDirectory(output);
        store.SaveOutputDirectory(record.RunId, output);
        var inForce = Waivers.InForce(Waivers.Statuses(store.SystemSignoffs(system.Name), _time.GetUtcNow()));
        var plan = Planner.Plan(system);
        var context = new CheckContext { System = system, Plan = plan, Http = http, Time = _time, RunId = record.RunId, OutputDirectory = output, History = store, Edges = Edges, Processes = Processes };
        var steps = record.Steps.ToList();
        _observer.RunStarted(record);

        try
        {
            foreach (var definition in protocol.Steps)
            {
                if (steps.Any(s => s.Number == definition.Number))
                {
                    continue;
                }

                if (record.Snapshots.Count == 0 && options.Steps.Contains(definition.Number) && StateRecovery.SnapshotsBefore(protocol, system, definition))
                {
                    // Stored before the step runs: a crash from here on leaves the snapshots for the resume to settle.
                    record = record with { Snapshots = await StateRecovery.TakeAsync(protocol.Snapshots!, system, output, definition.Number, _time, cancellationToken) };
                    store.SaveRun(record);
                    _observer.SnapshotsTaken(record.Snapshots);
                }

                var stepContext = context with { EarlierSteps = steps.ToList(), Criteria = CriteriaEvaluator.Evaluate(protocol, system, steps, inForce) };
                var step = options.Steps.Contains(definition.Number)
                    ? await RunStepAsync(definition, stepContext, cancellationToken)
                    : NotSelected(definition);
                store.SaveStep(record.RunId, step);
                steps.Add(step);
                _observer.StepFinished(step);
            }

            LateExits(system, steps, record.RunId);
        }
        catch (OperationCanceledException)
        {
            store.SaveRun(record with { State = RunState.Cancelled, Steps = steps });
            throw;
        }

        var criteria = CriteriaEvaluator.Evaluate(protocol, system, steps, inForce);
        var rollbackFor = steps.Where(s => s.Status == CheckStatus.Fail && protocol.Step(s.Number).RollbackOnFailure).Select(s => s.Number).ToList();
        var finished = record with
        {
            Steps = steps,
            Criteria = criteria,
            Escalations = [.. EscalationRules.Evaluate(protocol, system, steps), .. NotifyHuman.Evaluate(steps, system.Recovery.Retries), .. SelfRecovery.Evaluate(steps)],
            Verdict = CriteriaEvaluator.Decide(criteria),
            State = RunState.Completed,
            RollbackFor = rollbackFor,
        };
        try
        {
            if (rollbackFor.Count > 0)
            {
                finished = finished with { Rollbacks = await Rollback.RunAsync(system, cancellationToken) };
            }

            if (record.Snapshots.Any(s => s.State == SnapshotState.Taken) && protocol.Snapshots is { } snapshots)
            {
                finished = finished with
                {
                    Snapshots = await StateRecovery.SettleAsync(snapshots, system, record.Snapshots, restore: rollbackFor.Count > 0, options.KeepState, _time, cancellationToken),
                };
                _observer.SnapshotsSettled(finished.Snapshots);
                finished = finished with { Escalations = [.. finished.Escalations, .. StateRecovery.Escalations(finished.Snapshots)] };
            }
        }
        catch (OperationCanceledException)
        {
            // Every step is checkpointed; the resume runs the rollback and settles the snapshots again.
            store.SaveRun(record with { State = RunState.Cancelled, Steps = steps });
            throw;
        }

        var now = _time.GetUtcNow();
        finished = RunJudge.Judge(protocol, finished, store.Signoffs(record.RunId), store.SystemSignoffs(system.Name), now) with { FinishedAt = now };
        foreach (var judged in finished.Steps.Where(s => !ReferenceEquals(s, steps.FirstOrDefault(o => o.Number == s.Number))))
        {
            store.SaveStep(record.RunId, judged);
        }

        store.SaveRun(finished);
        StateRecovery.DeleteSettled(finished.Snapshots);
        return finished;
    }

    private static StepResult NotSelected(StepDefinition step) => new()
    {
        Number = step.Number,
        Name = step.Name,
        Title = step.ReportTitle,
        Status = CheckStatus.Skipped,
        Checks = [CheckResult.Skipped("step not selected (--steps)", SkipKind.NotSelected) with { Id = $"step{step.Number}", Title = step.Name }],
    };

    private async Task<StepResult> RunStepAsync(StepDefinition definition, CheckContext context, CancellationToken cancellationToken)
    {
        _observer.StepStarted(definition.Number, definition.Name);
        var started = _time.GetUtcNow();
        var watch = Stopwatch.StartNew();
        var applies = definition.AppliesTo(context.System);
        if (!applies.Applies)
        {
            return new StepResult
            {
                Number = definition.Number,
                Name = definition.Name,
                Title = definition.ReportTitle,
                Status = CheckStatus.Skipped,
                NotApplicable = applies.Reason ?? "nothing to check",
                StartedAt = started,
                Checks = [],
            };
        }

        var results = new List<CheckResult>();
        foreach (var check in definition.Checks(new StepChecksContext(context.System, context.Plan)))
        {
            cancellationToken.ThrowIfCancellationRequested();
            _observer.CheckStarted(check);
            var checkApplies = check.AppliesTo(context.System);
            var checkStarted = _time.GetUtcNow();
            var result = checkApplies.Applies
                ? WithExits(await RunWithRetriesAsync(check, context with { EarlierResults = results.ToList() }, cancellationToken), context.System, checkStarted)
                : CheckResult.Skipped(checkApplies.Reason ?? "not applicable");
            result = result with { Id = check.Id, Title = check.Title };
            _lastCheckFinished = result.Status == CheckStatus.Skipped ? _lastCheckFinished : _time.GetUtcNow();
            results.Add(result);
            _observer.CheckFinished(check, result);
        }

        return new StepResult
        {
            Number = definition.Number,
            Name = definition.Name,
            Title = definition.ReportTitle,
            Status = StepResult.Aggregate(results),
            StartedAt = started,
            DurationMs = watch.ElapsedMilliseconds,
            Checks = results,
        };
    }

    /// <summary>
    /// <paramref name="result"/> with an AG4003 finding for each started component that exited, not on Archgate's
    /// account, since the previous check that ran (all of its tries included, so a retry that passed hides nothing); a
    /// check that passed then fails. A skipped result leaves them for the next check that runs.
    /// </summary>
    private CheckResult WithExits(CheckResult result, SystemModel system, DateTimeOffset checkStarted, string window = "during this check")
    {
        if (Processes is null || result.Status == CheckStatus.Skipped)
        {
            return result;
        }

        var exits = Processes.Exits();
        var fresh = exits.Skip(_exitsSeen).Where(e => !e.Expected).ToList();
        _exitsSeen = exits.Count;
        if (fresh.Count == 0)
        {
            return result;
        }

        var found = ResultMasking.Mask(
            new CheckResult { Status = CheckStatus.Fail, Findings = [.. fresh.Select(e => ExitRules.Finding(e, checkStarted, system.Find(e.Component)?.Critical == true, window))] },
            system.DeclaredSecrets);
        return result with
        {
            Status = result.Status is CheckStatus.Pass or CheckStatus.Warn ? CheckStatus.Fail : result.Status,
            Findings = [.. found.Findings, .. result.Findings], // first: the exit explains what else the check saw
        };
    }

    /// <summary>
    /// The exits no check reported because none ran after them (during a skipped sign-off, after the last check): one
    /// more check on step 4, whose criterion they fail (service-to-service, the rule's family), or, when step 4 ran no
    /// check, on the last step that ran one; its status and checkpoint follow. Nothing when there is no such exit.
    /// </summary>
    private void LateExits(SystemModel system, List<StepResult> steps, string runId)
    {
        var at = steps.FindIndex(s => s.Number == 4 && s.Checks.Any(c => c.Status != CheckStatus.Skipped));
        at = at >= 0 ? at : steps.FindLastIndex(s => s.Checks.Any(c => c.Status != CheckStatus.Skipped));
        if (at < 0)
        {
            return;
        }

        var check = new EndOfRunCheck(steps[at].Number);
        var result = WithExits(new CheckResult { Status = CheckStatus.Pass }, system, _lastCheckFinished, "after the last check");
        if (result.Status == CheckStatus.Pass)
        {
            return;
        }

        result = result with { Id = check.Id, Title = check.Title };
        List<CheckResult> checks = [.. steps[at].Checks, result];
        steps[at] = steps[at] with { Checks = checks, Status = StepResult.Aggregate(checks) };
        store.SaveStep(runId, steps[at]);
        _observer.CheckFinished(check, result);
    }

    /// <summary>How the exits seen after the last check are named where a check's result is shown.</summary>
    private sealed record EndOfRunCheck(int Step) : ICheck
    {
        public string Id => "services.exits";

        public string Title => "the components Archgate started stayed up until the run's end";

        public Applicability AppliesTo(SystemModel system) => Applicability.Yes;

        public Task<CheckResult> RunAsync(CheckContext context, CancellationToken cancellationToken) => throw new NotSupportedException("reported by the runner, never run");
    }

    private async Task<CheckResult> RunWithRetriesAsync(ICheck check, CheckContext context, CancellationToken cancellationToken)
    {
        var retries = context.System.Recovery.Retries;
        var attempts = new List<CheckAttempt>();
        var activity = new Progress<string>(a => _observer.CheckActivity(check, Redact.Url(a)));
        var checkContext = context with { Activity = activity };

        for (var attempt = 1; ; attempt++)
        {
            var watch = Stopwatch.StartNew();
            var startedAt = _time.GetUtcNow();
            CheckResult result;
            try
            {
                result = await check.RunAsync(checkContext, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
#pragma warning disable CA1031 // A check's bug must not stop the run: it becomes status "error".
            catch (Exception ex)
#pragma warning restore CA1031
            {
                result = new CheckResult { Status = CheckStatus.Error, Reason = Redact.Text($"{ex.GetType().Name}: {ex.Message}") };
            }

            result = ResultMasking.Mask(result, context.System.DeclaredSecrets) with { DurationMs = watch.ElapsedMilliseconds };
            var transient = result.TransientCause is not null && result.Status is CheckStatus.Fail or CheckStatus.Error;
            if (attempt > 1 || (transient && retries > 0))
            {
                attempts.Add(new CheckAttempt(attempt, result.Status, result.TransientCause, result.DurationMs) { StartedAt = startedAt, Error = AttemptError(result) });
            }

            if (!transient || attempt > retries)
            {
                return result with { Attempts = attempts };
            }

            var delay = Backoff(context.System.Recovery.Backoff, attempt, _random);
            _observer.CheckRetrying(check, attempt + 1, delay, result.TransientCause!);
            await Task.Delay(delay, _time, cancellationToken);
        }
    }

    /// <summary>
    /// What went wrong in a try: the check's reason, else its worst finding, the one that tells the transient cause
    /// first (a retry for a timeout quotes the timeout, not another operation's deterministic failure of equal severity).
    /// </summary>
    private static string? AttemptError(CheckResult result)
    {
        if (result.Status is not (CheckStatus.Fail or CheckStatus.Error))
        {
            return null;
        }

        var findings = result.Findings.OrderByDescending(f => f.Severity).ToList();
        var cause = result.TransientCause;
        var telling = cause is null ? null : findings.FirstOrDefault(f => f.Message.Contains(cause, StringComparison.OrdinalIgnoreCase));
        return Redact.Text(result.Reason ?? (telling ?? findings.FirstOrDefault())?.Message ?? cause ?? result.Status.ToString().ToLowerInvariant());
    }

    /// <summary>Exponential backoff with up to 50 % jitter: base x 2^(attempt-1) x [1, 1.5).</summary>
    public static TimeSpan Backoff(TimeSpan baseDelay, int attempt, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        return baseDelay * Math.Pow(2, attempt - 1) * (1 + (random.NextDouble() * 0.5));
    }
}

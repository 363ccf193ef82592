using Archgate.Judging;
using Archgate.Launch;
using Archgate.Model;
using Archgate.Planning;
using Archgate.Protocol;
using Archgate.Reporting;
using Archgate.Store;

namespace Archgate.Session;

/// <summary>What one session does besides running the protocol.</summary>
public sealed record RunSessionOptions
{
    /// <summary>The run's steps and output folder.</summary>
    public RunOptions Run { get; init; } = new();

    /// <summary>Start the components that have a <c>run</c> section first, and stop them afterwards. <value>false</value>.</summary>
    public bool Up { get; init; }

    /// <summary>With <see cref="Up"/>: stream the components' logs to the observer. <value>false</value>.</summary>
    public bool Follow { get; init; }

    /// <summary>Where started components' logs and the launch state go. <value>.archgate</value>.</summary>
    public string StateDirectory { get; init; } = ".archgate";

    /// <summary>
    /// With <see cref="Up"/>: the proxies to put on the edges callers reach through <c>${url:NAME}</c>; the caller of the
    /// session owns them (they outlive the stopped system by a moment). <value>null</value>: callers get the dependencies' own addresses.
    /// </summary>
    public IEdgeProxies? Edges { get; init; }

    /// <summary>With <see cref="Up"/>: how to start the watchdog that stops the components if this process dies (see <see cref="SystemLauncher.WatchdogCommand"/>). <value>null</value>: none.</summary>
    public IReadOnlyList<string>? WatchdogCommand { get; init; }

    /// <summary>The reports written into the run's folder. <value><see cref="Archgate.Reporting.Reporters.Default"/></value>.</summary>
    public IReadOnlyList<IReporter> Reporters { get; init; } = Archgate.Reporting.Reporters.Default;

    /// <summary>How escalations are delivered (attempts, backoff). <value>4 attempts, backoff from 1 s</value>.</summary>
    public NotifierOptions Notifier { get; init; } = new();

    /// <summary>With <see cref="Up"/>: how often the started components' CPU and memory are sampled. <value>1 s</value>.</summary>
    public TimeSpan ResourceSampling { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>How a session ended.</summary>
/// <param name="Outcome">The finished run's outcome; null when the run did not finish.</param>
/// <param name="Run">The run as stored (finished, or partial when cancelled); null when nothing ran.</param>
/// <param name="LaunchFailure">Why start-up failed, when it did.</param>
/// <param name="Cancelled">Whether the run was cancelled (Ctrl+C, SIGTERM).</param>
/// <param name="Busy">The live lease of another process executing the run to resume; nothing ran.</param>
public sealed record RunSessionResult(RunOutcome? Outcome, RunRecord? Run, LaunchFailure? LaunchFailure, bool Cancelled, RunLease? Busy = null)
{
    /// <summary>The exit code CI reads.</summary>
    public int ExitCode =>
        Busy is not null ? ExitCodes.Usage
        : Cancelled ? ExitCodes.Cancelled
        : LaunchFailure is not null ? ExitCodes.Infrastructure
        : Outcome is { } outcome ? RunOutcomes.ExitCode(outcome)
        : ExitCodes.Infrastructure;
}

/// <summary>What a session tells whoever shows it (the CLI's console, a dashboard, a watch loop).</summary>
public interface IRunSessionObserver : IRunObserver, ILaunchObserver
{
    /// <summary>The run to resume is being executed by another live process (<paramref name="holder"/>); nothing ran.</summary>
    void RunBusy(string runId, RunLease holder);

    /// <summary>Processes a killed execution of the run left behind were stopped before starting the system again.</summary>
    void LeftoversStopped(IReadOnlyList<StartedComponent> leftovers);

    /// <summary>Start-up failed; everything started has been stopped.</summary>
    void LaunchFailed(LaunchFailure failure);

    /// <summary>A new run (not a resumed one) is about to start.</summary>
    void RunStarting(SystemModel system, RunOptions options);

    /// <summary>The run was cancelled; <paramref name="partial"/> (if it was stored) has its reports written.</summary>
    void RunCancelled(RunRecord? partial);

    /// <summary>The run finished and its reports are written.</summary>
    void RunFinished(RunRecord run, RunOutcome outcome, IReadOnlyList<string> reports);

    /// <summary>One delivery of the run's escalations to a channel.</summary>
    void EscalationsDelivered(EscalationDelivery delivery);

    /// <summary>The components the session started are stopped.</summary>
    void SystemStopped();
}

/// <summary>
/// One run, whoever asks for it: optionally start the system, run (or resume) the protocol, judge, write the
/// reports, notify the escalation channels, and stop what was started, whatever the outcome (also on cancel).
/// </summary>
public sealed class RunSession(ProtocolDefinition protocol, IRunStore store, HttpClient http, IRunSessionObserver observer, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>
    /// Runs <paramref name="system"/> anew, or continues <paramref name="resume"/> when given. A run is executed by
    /// one process at a time: the session holds the run's lease (renewed every <see cref="RunLease.RenewEvery"/>)
    /// and refuses to resume a run whose lease another live process holds.
    /// </summary>
    public async Task<RunSessionResult> ExecuteAsync(SystemModel system, RunSessionOptions options, RunRecord? resume, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(options);
        RunLeaseKeeper? lease = null;
        if (resume is not null)
        {
            lease = RunLeaseKeeper.TryAcquire(store, resume.RunId, _time, out var holder);
            if (lease is null)
            {
                observer.RunBusy(resume.RunId, holder!);
                return new RunSessionResult(null, null, null, Cancelled: false, Busy: holder);
            }

            if (options.Up)
            {
                // A killed execution of this run may have left its components behind (with --detach semantics or no
                // watchdog): stop them, verified by PID and start time, and start afresh.
                var leftovers = store.Processes(resume.RunId).Where(p => p.IsRunning).ToList();
                if (leftovers.Count > 0)
                {
                    await SystemLauncher.StopProcessesAsync(leftovers);
                    observer.LeftoversStopped(leftovers);
                }
            }
        }

        using var launcher = options.Up
            ? new SystemLauncher(Planner.Plan(system), options.StateDirectory, observer, options.Follow, _time) { WatchdogCommand = options.WatchdogCommand, Edges = options.Edges }
            : null;
        try
        {
            if (launcher is not null)
            {
                var failure = await launcher.StartAsync(http, cancellationToken);
                if (failure is not null)
                {
                    observer.LaunchFailed(failure);
                    return new RunSessionResult(null, null, failure, Cancelled: false);
                }
            }

            using var monitor = launcher is null ? null : new ResourceMonitor(launcher.Started, _time, options.ResourceSampling);
            monitor?.Start();
            return await RunAsync(system, options, monitor, launcher, launcher is null ? null : options.Edges, resume, runId =>
            {
                lease ??= RunLeaseKeeper.TryAcquire(store, runId, _time, out _)
                    ?? throw new InvalidOperationException($"the new run {runId} is leased by another process");
                if (launcher is not null)
                {
                    store.SaveProcesses(runId, launcher.Started);
                }
            }, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            observer.RunCancelled(null);
            return new RunSessionResult(null, null, null, Cancelled: true);
        }
        finally
        {
            if (launcher is not null)
            {
                await launcher.StopAsync();
                observer.SystemStopped();
            }

            lease?.Dispose();
        }
    }

    private async Task<RunSessionResult> RunAsync(
        SystemModel system, RunSessionOptions sessionOptions, ResourceMonitor? monitor, IComponentProcesses? processes, IEdgeProxies? edges, RunRecord? resume, Action<string> opened, CancellationToken cancellationToken)
    {
        var options = sessionOptions.Run;
        var reporters = sessionOptions.Reporters;
        var runner = new ProtocolRunner(store, protocol, http, observer, _time) { Opened = opened, Edges = edges, Processes = processes };
        if (resume is null)
        {
            observer.RunStarting(system, options);
        }

        RunRecord record;
        try
        {
            record = resume is null
                ? await runner.StartAsync(system, options, cancellationToken)
                : await runner.ResumeAsync(system, resume, options, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            var partial = runner.RunId is null ? null : store.Load(runner.RunId);
            if (partial is not null)
            {
                await Reporters.WriteAllAsync(partial, ProtocolRunner.OutputFor(options, partial.RunId), reporters, CancellationToken.None);
            }

            observer.RunCancelled(partial);
            return new RunSessionResult(null, partial, null, Cancelled: true);
        }

        var output = ProtocolRunner.OutputFor(options, record.RunId);
        using var notify = new HttpClient();
        var desk = new EscalationDesk(store, new EscalationNotifier(notify, _time, sessionOptions.Notifier), _time);
        (record, var raised) = RecordEscalations(desk, system, record, monitor?.Stop() ?? [], output);
        var reports = (await Reporters.WriteAllAsync(record, output, reporters, CancellationToken.None)).ToList();
        var plan = Path.Combine(output, "integration-plan.md");
        if (record.Steps.Any(s => s.Number == 1 && s.Status != CheckStatus.Skipped) && File.Exists(plan))
        {
            reports.Add(plan);
        }

        var outcome = RunOutcomes.Of(record);
        observer.RunFinished(record, outcome, reports);

        // Notifications never change the verdict, and a cancel after the verdict does not stop them.
        var deliveries = (await desk.NotifyAsync(system, record.Verdict, raised, CancellationToken.None)).ToList();
        var tick = await desk.TickAsync(_ => new EscalationContext(system, null), system.Name, CancellationToken.None, exceptRun: record.RunId);
        foreach (var delivery in deliveries.Concat(tick.Deliveries))
        {
            observer.EscalationsDelivered(delivery);
        }

        return new RunSessionResult(outcome, record, null, Cancelled: false);
    }

    /// <summary>
    /// Adds the run-wide triggers (resources, timeline) to the run's escalations, records the ones not recorded yet in
    /// the store and gives each its id in the run record (saved again).
    /// </summary>
    private (RunRecord Record, IReadOnlyList<EscalationRecord> Raised) RecordEscalations(
        EscalationDesk desk, SystemModel system, RunRecord record, IReadOnlyList<ResourcePeak> peaks, string output)
    {
        var now = _time.GetUtcNow();
        var all = new List<Escalation>(record.Escalations);
        all.AddRange(RunTriggers.ResourceExhaustion(peaks, system.Escalation.Resources, output, RunTriggers.FreeBytes(output)));
        var known = store.Escalations().Where(e => e.System == system.Name).ToList();
        var signedOff = store.SystemSignoffs(system.Name)
            .Where(s => s.Kind == SignoffJudge.SignoffKind && s.Decision == SignoffDecision.Approve)
            .Select(s => (DateTimeOffset?)s.At)
            .Min();
        if (RunTriggers.TimelineOverrun(system.Name, store.FirstRunStartedAt(system.Name) ?? record.StartedAt, signedOff, now) is { } overrun
            && !known.Any(e => e.Trigger == overrun.Trigger))
        {
            all.Add(overrun); // once per integration
        }

        // A resumed run keeps the escalations it already raised.
        var mine = known.Where(e => e.RunId == record.RunId).ToList();
        var fresh = all.Where(e => !mine.Any(m => m.Trigger == e.Trigger && m.Message == e.Message)).ToList();
        var raised = desk.Record(record, fresh, EscalationDesk.Automatic, null, Path.Combine(output, "integration-validation-report.md"));
        var ids = mine.Concat(raised).ToList();
        record = record with
        {
            Escalations = [.. all.Select(e => e with { Id = ids.FirstOrDefault(r => r.Trigger == e.Trigger && r.Message == e.Message)?.Id })],
        };
        store.SaveRun(record);
        return (record, raised);
    }
}

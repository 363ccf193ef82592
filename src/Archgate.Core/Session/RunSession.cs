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
}

/// <summary>How a session ended.</summary>
/// <param name="Outcome">The finished run's outcome; null when the run did not finish.</param>
/// <param name="Run">The run as stored (finished, or partial when cancelled); null when nothing ran.</param>
/// <param name="LaunchFailure">Why start-up failed, when it did.</param>
/// <param name="Cancelled">Whether the run was cancelled (Ctrl+C, SIGTERM).</param>
public sealed record RunSessionResult(RunOutcome? Outcome, RunRecord? Run, LaunchFailure? LaunchFailure, bool Cancelled)
{
    /// <summary>The exit code CI reads.</summary>
    public int ExitCode =>
        Cancelled ? ExitCodes.Cancelled
        : LaunchFailure is not null ? ExitCodes.Infrastructure
        : Outcome is { } outcome ? RunOutcomes.ExitCode(outcome)
        : ExitCodes.Infrastructure;
}

/// <summary>What a session tells whoever shows it (the CLI's console, a dashboard, a watch loop).</summary>
public interface IRunSessionObserver : IRunObserver, ILaunchObserver
{
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

    /// <summary>Runs <paramref name="system"/> anew, or continues <paramref name="resume"/> when given.</summary>
    public async Task<RunSessionResult> ExecuteAsync(SystemModel system, RunSessionOptions options, RunRecord? resume, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(options);
        using var launcher = options.Up ? new SystemLauncher(Planner.Plan(system), options.StateDirectory, observer, options.Follow, _time) : null;
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

            return await RunAsync(system, options.Run, resume, cancellationToken);
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
        }
    }

    private async Task<RunSessionResult> RunAsync(SystemModel system, RunOptions options, RunRecord? resume, CancellationToken cancellationToken)
    {
        var runner = new ProtocolRunner(store, protocol, http, observer, _time);
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
                await Reporters.WriteAllAsync(partial, ProtocolRunner.OutputFor(options, partial.RunId), CancellationToken.None);
            }

            observer.RunCancelled(partial);
            return new RunSessionResult(null, partial, null, Cancelled: true);
        }

        var output = ProtocolRunner.OutputFor(options, record.RunId);
        var reports = (await Reporters.WriteAllAsync(record, output, CancellationToken.None)).ToList();
        var plan = Path.Combine(output, "integration-plan.md");
        if (record.Steps.Any(s => s.Number == 1 && s.Status != CheckStatus.Skipped) && File.Exists(plan))
        {
            reports.Add(plan);
        }

        var outcome = RunOutcomes.Of(record);
        observer.RunFinished(record, outcome, reports);
        using (var notify = new HttpClient())
        {
            foreach (var delivery in await EscalationNotifier.NotifyAsync(record, system.Escalation, notify, _time, CancellationToken.None))
            {
                observer.EscalationsDelivered(delivery);
            }
        }

        return new RunSessionResult(outcome, record, null, Cancelled: false);
    }
}

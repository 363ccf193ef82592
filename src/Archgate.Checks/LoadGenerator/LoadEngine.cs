namespace Archgate.Checks.LoadGenerator;

/// <summary>
/// Runs a <see cref="LoadPlan"/> against a live target and measures it. It measures only: judge the
/// <see cref="LoadResult"/> with <see cref="Threshold"/>s.
/// </summary>
public sealed class LoadEngine
{
    private readonly TimeProvider _time;
    private readonly Func<LoadPlan, TimeProvider, CancellationToken, Task<ILoadTransport>> _transports;

    /// <summary>An engine on the given clock (default <see cref="TimeProvider.System"/>).</summary>
    public LoadEngine(TimeProvider? timeProvider = null)
        : this(timeProvider ?? TimeProvider.System, LoadTransports.CreateAsync)
    {
    }

    internal LoadEngine(TimeProvider timeProvider, Func<LoadPlan, TimeProvider, CancellationToken, Task<ILoadTransport>> transports)
    {
        _time = timeProvider;
        _transports = transports;
    }

    /// <summary>
    /// Runs every stage of <paramref name="plan"/>, then lets in-flight requests finish for the plan's
    /// graceful stop, then closes what is left: the run ends by itself after at most the total stage
    /// duration plus the graceful stop plus the request timeout.
    /// </summary>
    /// <exception cref="ArgumentException">The plan is invalid (see <see cref="LoadPlan.Validate"/>); nothing was sent.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<LoadResult> RunAsync(LoadPlan plan, IProgress<LoadProgress>? progress = null, CancellationToken cancellationToken = default) =>
        RunAsync(plan, progress, abortWhen: null, cancellationToken);

    /// <summary>
    /// As <see cref="RunAsync(LoadPlan, IProgress{LoadProgress}?, CancellationToken)"/>, and at every progress
    /// interval <paramref name="abortWhen"/> sees the results so far: when it returns a reason, the run stops
    /// starting requests, lets those in flight finish, and returns with <see cref="LoadResult.AbortReason"/> set
    /// (k6's <c>abortOnFail</c>).
    /// </summary>
    public async Task<LoadResult> RunAsync(LoadPlan plan, IProgress<LoadProgress>? progress, Func<LoadResult, string?>? abortWhen, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var errors = plan.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("invalid load plan:" + Environment.NewLine + string.Join(Environment.NewLine, errors), nameof(plan));
        }

        var scenario = CompiledScenario.Compile(plan);
        await using var transport = await _transports(plan, _time, cancellationToken);
        using var run = new LoadRun(plan, scenario, transport, _time, progress, abortWhen);
        return await run.ExecuteAsync(cancellationToken);
    }
}
